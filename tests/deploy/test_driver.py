"""What chatops hands the Automation API (inspected without the CLI), errors, and confirmations."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pulumi.automation import errors as auto_errors
from pulumi.automation._cmd import CommandResult

from chatops.deploy import driver
from chatops.deploy.errors import explain
from tests.support.aws_servers import RELEASED_IMAGES_YAML, aws_env, moto_url, released_images  # noqa: F401

YAML = f"""project: chat
stacks:
  prod:
    profile: 10k-dau
    region: eu-central-1
    domain: chat.example.com
    hosted_zone_id: Z123EXAMPLE
    tags: {{team: chat}}
    {RELEASED_IMAGES_YAML}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.delenv("CHATOPS_STACK", raising=False)
    (tmp_path / "chatops.yaml").write_text(YAML)
    return tmp_path


def _target(project: Path) -> driver.StackTarget:
    return driver.resolve_target(str(project / "chatops.yaml"), "prod")


def test_workspace_options_and_project_settings(project: Path) -> None:
    target = _target(project)
    passphrase = driver._prepare_local_files(target)
    opts = driver.workspace_options(target, passphrase)
    state = project.resolve() / ".chatops" / "state"
    assert opts.work_dir == str(project.resolve() / ".chatops" / "work" / "prod")
    assert Path(opts.work_dir).is_dir() and state.is_dir()
    assert opts.secrets_provider == "passphrase"
    assert opts.project_settings.name == "chat" and opts.project_settings.runtime == "python"
    assert opts.project_settings.backend.url == f"file://{state}"
    secret_file = project.resolve() / ".chatops" / "passphrase"
    assert opts.env_vars["PULUMI_CONFIG_PASSPHRASE_FILE"] == str(secret_file)
    assert opts.env_vars["PULUMI_BACKEND_URL"] == f"file://{state}"
    assert secret_file.read_text().strip() not in repr(opts.env_vars)


def test_stack_config_and_plugins(project: Path) -> None:
    target = _target(project)
    config = driver.stack_config(target, target.profile(), apply_immediately=True)
    assert {k: v.value for k, v in config.items()} == {
        "aws:region": "eu-central-1", "chatops:tier": "10k-dau", "chatops:profile": "10k-dau",
        "chatops:applyImmediately": "true"}
    assert not any(v.secret for v in config.values())
    plugins = dict(driver.required_plugins())
    import importlib.metadata

    assert plugins["aws"] == importlib.metadata.version("pulumi-aws")


def _stand_in_program() -> None:
    import pulumi

    pulumi.export("hello", "world")


def test_missing_pulumi_binary_is_one_line(project: Path, run, monkeypatch: pytest.MonkeyPatch,
                                           released_images) -> None:
    released_images(region="eu-central-1")  # up and preview resolve the images before they reach Pulumi
    monkeypatch.setattr(driver, "load_program", lambda profile, settings: _stand_in_program)
    for args in (["up", "--stack", "prod", "--yes"], ["preview", "--stack", "prod"], ["outputs", "--json"],
                 ["destroy", "--yes", "--confirm", "prod"], ["refresh", "--yes"], ["unlock", "--yes"]):
        result = run(*args, env={"PATH": str(project / "no-bin")})
        assert result.exit_code == 1, (args, result.output)
        assert "Pulumi CLI (`pulumi`) is not on PATH" in result.stderr and "3.181.0" in result.stderr
        assert "get.pulumi.com" in result.stderr and "Traceback" not in result.output


def _command_error(stderr: str, stdout: str = "") -> Exception:
    return auto_errors.create_command_error(CommandResult(stdout=stdout, stderr=stderr, code=255))


@pytest.mark.parametrize("exc,expected", [
    (_command_error("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) "
                    "to end or delete the lock file with `pulumi cancel`."), "chatops unlock --stack prod"),
    (_command_error("error: [409] Conflict: Another update is currently in progress."), "locked by another update"),
    (_command_error("error: no stack named 'prod' found"), "chatops up --stack prod"),
    (_command_error("error: constructing secrets manager of type \"passphrase\": incorrect passphrase"),
     "PULUMI_CONFIG_PASSPHRASE"),
    (_command_error("", "error: configuring provider: no valid credential sources for Terraform AWS Provider"),
     "AWS credentials are missing or expired"),
    (_command_error("", "error: ExpiredToken: The security token included in the request is expired"),
     "aws sso login"),
    (_command_error("error: InvalidClientTokenId: The security token is invalid"), "AWS credentials"),
    (_command_error("error: unable to open bucket s3://nope: NoSuchBucket"), "not reachable"),
    (_command_error("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"),
     "PULUMI_ACCESS_TOKEN"),
    (auto_errors.InvalidVersionError("Minimum version requirement failed. The minimum CLI version requirement is "
                                      "3.1.0, your current CLI version is 2.0.0."), "too old"),
    (FileNotFoundError(2, "No such file or directory", "pulumi"), "not on PATH"),
    (_command_error("error: something odd happened\nerror: update failed"), "pulumi failed on stack prod: "
                                                                              "something odd happened"),
])
def test_error_messages(exc: Exception, expected: str) -> None:
    message = str(explain(exc, "prod", "file:///x"))
    assert expected in message and "\n" not in message


def test_concurrent_update_is_the_sdk_class() -> None:
    exc = _command_error("error: the stack is currently locked by 1 lock(s).")
    assert isinstance(exc, auto_errors.ConcurrentUpdateError)


class FakeStack:
    def __init__(self) -> None:
        self.destroyed = False
        self.cancelled = False


@pytest.fixture
def fake_driver(project: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStack:
    fake = FakeStack()
    passphrase = SimpleNamespace(created=False, path=None)
    monkeypatch.setattr(driver, "select_existing",
                        lambda target: driver.Session(target, fake, passphrase))  # type: ignore[arg-type]
    monkeypatch.setattr(driver, "protected_resources", lambda session: [])
    monkeypatch.setattr(driver, "run_destroy", lambda session, on_event: setattr(fake, "destroyed", True))
    monkeypatch.setattr(driver, "cancel", lambda session: setattr(fake, "cancelled", True))
    return fake


def test_destroy_needs_the_stack_name(run, fake_driver: FakeStack, monkeypatch: pytest.MonkeyPatch) -> None:
    no_tty = run("destroy", "--stack", "prod")
    assert no_tty.exit_code == 1 and "--yes --confirm prod" in no_tty.stderr and not fake_driver.destroyed
    wrong = run("destroy", "--stack", "prod", "--yes", "--confirm", "staging")
    assert wrong.exit_code == 1 and "--confirm prod" in wrong.stderr and not fake_driver.destroyed
    monkeypatch.setattr("chatops.ui.changes.is_interactive", lambda: True)
    typo = run("destroy", "--stack", "prod", input="prd\n")
    assert typo.exit_code == 1 and "nothing was changed" in typo.stderr and not fake_driver.destroyed
    typed = run("destroy", "--stack", "prod", input="prod\n")
    assert typed.exit_code == 0, typed.output
    assert fake_driver.destroyed


def test_destroy_refuses_protected(run, fake_driver: FakeStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "protected_resources", lambda session: [
        ("urn:pulumi:prod::chat::aws:rds/instance:Instance::db", "aws:rds/instance:Instance")])
    result = run("destroy", "--stack", "prod", "--yes", "--confirm", "prod")
    assert result.exit_code == 1 and "protected" in result.stderr and "--unprotect" in result.stderr
    assert not fake_driver.destroyed


def test_unlock_warns_and_confirms(run, fake_driver: FakeStack, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = run("unlock", "--stack", "prod")
    assert refused.exit_code == 1 and "--yes" in refused.stderr and "corrupt" in refused.stderr
    assert not fake_driver.cancelled
    monkeypatch.setattr("chatops.ui.changes.is_interactive", lambda: True)
    assert run("unlock", "--stack", "prod", input="n\n").exit_code == 1 and not fake_driver.cancelled
    ok = run("unlock", "--stack", "prod", input="y\n")
    assert ok.exit_code == 0 and fake_driver.cancelled and "unlocked" in ok.stdout


class StateStack:
    """Export/import of a stack's state, as `driver.unprotect` uses them."""

    def __init__(self, resources: list[dict]) -> None:
        from pulumi import automation as auto

        self.state = auto.Deployment(version=3, deployment={"resources": resources})
        self.imported = 0

    def export_stack(self):
        return self.state

    def import_stack(self, state) -> None:
        self.state, self.imported = state, self.imported + 1


@pytest.mark.parametrize("urns,expected", [(None, {"a": False, "b": False, "c": False}),
                                           ({"b"}, {"a": True, "b": False, "c": False})])
def test_unprotect_clears_only_the_named_resources(project: Path, urns, expected) -> None:
    stack = StateStack([{"urn": "a", "protect": True}, {"urn": "b", "protect": True}, {"urn": "c"}])
    session = driver.Session(_target(project), stack, None)  # type: ignore[arg-type]
    changed = driver.unprotect(session, urns)
    assert changed == (2 if urns is None else 1) and stack.imported == 1
    assert {r["urn"]: bool(r.get("protect")) for r in stack.state.deployment["resources"]} == expected
    assert driver.unprotect(session, urns) == 0 and stack.imported == 1  # nothing left to change


def test_scale_step_that_adds_a_zone_keeps_the_rds_proxy(graphs) -> None:
    # 25k (2 zones) -> 50k (3 zones): a proxy's subnets cannot change in place, so they must not move.
    def proxy_subnets(tier: str) -> list:
        return [r["inputs"]["vpcSubnetIds"] for r in graphs[tier].resources if r["type"] == "aws:rds/proxy:Proxy"]

    assert proxy_subnets("25k-dau") == proxy_subnets("50k-dau")
