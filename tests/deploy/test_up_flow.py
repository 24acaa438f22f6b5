"""`up` with the driver faked at the CLI boundary: preview, confirmation, per-resource failure, Ctrl-C."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from chatops.deploy import driver
from chatops.deploy.errors import DeployError
from tests.support.aws_servers import RELEASED_IMAGES_YAML, aws_env, moto_url, released_images  # noqa: F401
from tests.support.engine_events import DB, diag, failed, pre

YAML = f"""project: chat
stacks:
  prod: {{profile: 10k-dau, region: eu-central-1, domain: chat.example.com, hosted_zone_id: Z1,
         {RELEASED_IMAGES_YAML}}}
"""


class FakeStack:
    cancelled = False

    def history(self, **_):
        return []

    def export_stack(self):
        return SimpleNamespace(deployment={"resources": []})

    def outputs(self):
        return {}


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, released_images) -> FakeStack:
    released_images(region="eu-central-1")  # up resolves them in ECR (moto) before building the program
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHATOPS_STACK", raising=False)
    (tmp_path / "chatops.yaml").write_text(YAML)
    stack = FakeStack()
    monkeypatch.setattr(driver, "load_program", lambda profile, settings: (lambda: None))
    monkeypatch.setattr(driver, "open_stack", lambda target, program, profile, apply_immediately=False:
                        driver.Session(target, stack, SimpleNamespace(created=False, path=None)))

    def preview(session, on_event):
        on_event(pre(1, 1, "update", DB, "aws:rds/instance:Instance", planning=True, diffs=["instanceClass"]))

    monkeypatch.setattr(driver, "run_preview", preview)
    monkeypatch.setenv("CI", "1")  # no terminal: the rollout wait prints lines
    monkeypatch.setattr(driver, "cancel", lambda session: setattr(stack, "cancelled", True))
    return stack


def test_up_refuses_without_yes_when_not_a_terminal(run, fake: FakeStack) -> None:
    result = run("up", "--stack", "prod")
    assert result.exit_code == 1 and "rerun with --yes" in result.stderr
    assert "aws:rds/instance:Instance" in result.stdout and "Monthly cost" in result.stdout


def test_up_reports_the_failed_resource(run, fake: FakeStack, monkeypatch: pytest.MonkeyPatch) -> None:
    def up(session, on_event):
        on_event(pre(2, 10, "update", DB, "aws:rds/instance:Instance"))
        on_event(diag(3, "error: 1 error occurred:\n\t* modifying RDS DB Instance: InsufficientDBInstanceCapacity",
                      urn=DB))
        on_event(failed(4, 20, "update", DB, "aws:rds/instance:Instance"))
        raise DeployError("pulumi failed on stack prod: update failed")

    monkeypatch.setattr(driver, "run_up", up)
    result = run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1
    assert "failed on 1 resource(s), first db" in result.stderr and "InsufficientDBInstanceCapacity" in result.stderr


def test_ctrl_c_explains_and_leaves_the_lock_to_pulumi(run, fake: FakeStack, monkeypatch: pytest.MonkeyPatch) -> None:
    def up(session, on_event):
        raise KeyboardInterrupt

    monkeypatch.setattr(driver, "run_up", up)
    result = run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1 and not fake.cancelled
    assert "interrupted" in result.stderr and "chatops refresh --stack prod" in result.stderr
