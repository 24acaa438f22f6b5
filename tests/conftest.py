"""Shared fixtures."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from chatops.cli.main import cli
from chatops.model.settings import DeploymentSettings

#: The settings every tier is synthesized with by the `graphs` fixture.
SYNTH_SETTINGS = DeploymentSettings.placeholder(project="chat", stack="prod")


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch):
    """Settings precedence reads these (flags > environment > chatops.yaml > defaults): a developer's shell
    or a CI runner must not change what the tests see."""
    for name in ("AWS_REGION", "CHATOPS_STACK", "CHATOPS_CONFIG", "CHATOPS_QUIET", "COLUMNS", "NO_COLOR",
                 "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def run():
    """Run the chatops CLI in-process; returns click's Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None, env: dict | None = None):
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return _run


@pytest.fixture(scope="session")
def graphs():
    """Every built-in tier synthesized once per test session (tier -> Synthesis(resources, outputs))."""
    from chatops.infra.synth import synthesize_with_outputs
    from chatops.model.loading import BUILTIN_TIERS, load_profile

    return {tier: synthesize_with_outputs(load_profile(tier), SYNTH_SETTINGS) for tier in BUILTIN_TIERS}
