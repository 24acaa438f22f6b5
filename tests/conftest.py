"""Shared fixtures."""

from __future__ import annotations

import os

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
    from chatops.ui.console import configure

    for name in ("AWS_REGION", "CHATOPS_STACK", "CHATOPS_CONFIG", "CHATOPS_QUIET", "COLUMNS", "NO_COLOR",
                 "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    configure()  # `chatops --quiet ...` in an earlier test sets the process-wide output settings
    yield
    configure()


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


@pytest.fixture(scope="session")
def deploy_moto():
    """A moto server of the deploy tests' own, so `deploy_aws` can reset it before each test."""
    from tests.support.aws_servers import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture
def deploy_aws(deploy_moto, monkeypatch):
    """The AWS account of the deployed stacks: the deploy tests' moto server, emptied, with chatops (and the
    Pulumi CLI double's effects) pointed at it through AWS_ENDPOINT_URL (tests/support/deploy_aws.py)."""
    from tests.support.deploy_aws import REGION, DeployAws

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ENDPOINT_URL": deploy_moto, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}.items():
        monkeypatch.setenv(name, value)
    aws = DeployAws(deploy_moto)
    aws.reset()
    return aws


@pytest.fixture
def deploy_project(tmp_path, monkeypatch, pulumi_double, deploy_aws):
    """A chatops.yaml for stack prod (50k-dau, images tagged v1) in the current directory, deployed through
    the Pulumi CLI double, with the v1 images pushed to the stack's ECR repositories in moto
    (tests/support/deploy_project.py)."""
    from tests.support.deploy_project import IMAGE_TAG, DeployProject, chatops_yaml

    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "chatops.yaml").write_text(chatops_yaml())
    monkeypatch.chdir(project_dir)
    project = DeployProject(project_dir, pulumi_double, deploy_aws)
    project.digests = deploy_aws.push(IMAGE_TAG)
    return project


#: synth_cache's memory, kept for the session: settings other than SYNTH_SETTINGS are synthesized once.
_SYNTHESIZED: dict = {}


@pytest.fixture
def synth_cache(graphs, monkeypatch):
    """Memoize `synthesize` (a pure function of profile and settings), seeded with the session's `graphs`, so
    commands that synthesize offline plans (scale-to) do not redo the same few seconds of work per test."""
    import chatops.infra.synth as synth
    from chatops.model.loading import load_profile

    real = synth.synthesize
    cache = _SYNTHESIZED
    if not cache:
        cache.update({(load_profile(tier), SYNTH_SETTINGS.model_dump_json()): g.resources
                      for tier, g in graphs.items()})

    def synthesize(profile, settings):
        key = (profile, settings.model_dump_json())
        if key not in cache:
            cache[key] = real(profile, settings)
        return cache[key]

    monkeypatch.setattr(synth, "synthesize", synthesize)
    return cache
