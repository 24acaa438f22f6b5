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


@pytest.fixture
def pulumi_double(tmp_path, monkeypatch):
    """The Pulumi CLI TEST DOUBLE (tests/support/pulumi_double) first on PATH for this test, driven by the real
    pulumi.automation SDK. Returns the harness: `.scenario(...)`, `.calls()`, `.commands()`, `.env()`."""
    from tests.support.pulumi_double.harness import PulumiDouble

    double = PulumiDouble(tmp_path / "pulumi-double")
    for name, value in double.env().items():
        monkeypatch.setenv(name, value)
    for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_BACKEND_URL",
                 "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", "CHATOPS_STACK", "CHATOPS_CONFIG", "CI"):
        monkeypatch.delenv(name, raising=False)
    return double


@pytest.fixture
def deploy_project(tmp_path, monkeypatch, pulumi_double):
    """A chatops.yaml for stack prod (50k-dau) in the current directory, deployed through the Pulumi CLI
    double (tests/support/deploy_project.py)."""
    from tests.support.deploy_project import DeployProject, chatops_yaml

    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "chatops.yaml").write_text(chatops_yaml())
    monkeypatch.chdir(project_dir)
    return DeployProject(project_dir, pulumi_double)


@pytest.fixture
def synth_cache(graphs, monkeypatch):
    """Memoize `synthesize` (a pure function of profile and settings), seeded with the session's `graphs`, so
    commands that synthesize offline plans (scale-to) do not redo the same few seconds of work per test."""
    import chatops.infra.synth as synth
    from chatops.model.loading import load_profile

    real = synth.synthesize
    cache = {(load_profile(tier), SYNTH_SETTINGS.model_dump_json()): g.resources for tier, g in graphs.items()}

    def synthesize(profile, settings):
        key = (profile, settings.model_dump_json())
        if key not in cache:
            cache[key] = real(profile, settings)
        return cache[key]

    monkeypatch.setattr(synth, "synthesize", synthesize)
    return cache
