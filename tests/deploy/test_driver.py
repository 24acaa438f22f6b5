"""The driver through the real Automation API SDK and the Pulumi CLI double: sessions, files, state edits."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
import yaml

from chatops.deploy import driver
from chatops.errors import ChatopsError

DB = "urn:pulumi:prod::chat::chatops:data:Database$aws:rds/instance:Instance::db"
QUEUE = "urn:pulumi:prod::chat::chatops:queues:Queues$aws:sqs/queue:Queue::push"


def _target(project) -> driver.StackTarget:
    return driver.resolve_target(str(project.config_path), "prod")


def _resources() -> list[dict]:
    return [{"urn": DB, "type": "aws:rds/instance:Instance", "inputs": {"instanceClass": "db.r6g.large"},
             "protect": True},
            {"urn": QUEUE, "type": "aws:sqs/queue:Queue", "inputs": {"name": "chat-prod-push"}, "protect": True}]


def test_stack_config_records_what_is_applied(deploy_project) -> None:
    target = _target(deploy_project)
    from chatops.model.loading import load_profile

    config = driver.stack_config(target, "100k-dau", load_profile("100k-dau"), apply_immediately=True)
    assert {k: v.value for k, v in config.items()} == {
        "aws:region": "us-east-1", "chatops:tier": "100k-dau", "chatops:profile": "100k-dau",
        "chatops:applyImmediately": "true", "chatops:destroying": "false",
        "chatops:images": '{"api": "chat-prod/api:v1", "realtime": "chat-prod/realtime:v1", '
                          '"workers": "chat-prod/workers:v1"}'}
    assert not any(v.secret for v in config.values())
    assert dict(driver.required_plugins())["aws"] == importlib.metadata.version("pulumi-aws")


def test_a_new_stack_is_created_with_a_generated_passphrase_in_a_stable_work_dir(deploy_project) -> None:
    target = _target(deploy_project)
    from chatops.model.loading import load_profile

    config = driver.stack_config(target, "50k-dau", load_profile("50k-dau"))
    with driver.open_stack(target, config=config, create=True) as session:
        assert session.created and session.passphrase.created
    work = deploy_project.dir / ".chatops" / "work" / "prod"
    project = yaml.safe_load((work / "Pulumi.yaml").read_text())
    assert project["backend"]["url"] == f"file://{deploy_project.dir.resolve()}/.chatops/state"
    assert yaml.safe_load((work / "Pulumi.prod.yaml").read_text())["config"]["chatops:profile"] == "50k-dau"
    secret = deploy_project.dir / ".chatops" / "passphrase"
    assert secret.stat().st_mode & 0o777 == 0o600
    calls = deploy_project.double.calls()
    assert deploy_project.double.commands()[:3] == ["version", "stack select", "stack init"]
    init = next(c for c in calls if c["argv"][1:3] == ["stack", "init"])
    assert init["passphrase_file"] == str(secret.resolve())  # Pulumi gets the path...
    assert all(secret.read_text().strip() not in " ".join(c["argv"]) for c in calls)  # ...never the value


def test_read_only_sessions_leave_no_files(deploy_project) -> None:
    deploy_project.seed(_resources(), "50k-dau")
    target = _target(deploy_project)
    from chatops.model.loading import load_profile

    config = driver.stack_config(target, "50k-dau", load_profile("50k-dau"))
    with driver.open_stack(target, config=config, scratch=True) as session:
        scratch = Path(session.stack.workspace.work_dir)
        assert (scratch / "Pulumi.prod.yaml").is_file()
    assert not scratch.exists()
    assert not (deploy_project.dir / ".chatops" / "work").exists()


def test_a_missing_stack_is_not_created_by_commands_that_need_one(deploy_project) -> None:
    target = _target(deploy_project)
    with pytest.raises(ChatopsError, match="stack prod does not exist.*chatops up --stack prod"):
        with driver.open_stack(target, scratch=True):
            pass
    assert not (deploy_project.dir / ".chatops").exists()  # no backend dir, no passphrase, no work dir
    assert deploy_project.double.commands() == ["version"]


def test_protect_flags_change_through_the_cli_not_export_import(deploy_project) -> None:
    deploy_project.seed(_resources(), "50k-dau")
    with driver.open_stack(_target(deploy_project), scratch=True, plugins=False) as session:
        assert driver.set_protect(session, [QUEUE], False) == [QUEUE]
        assert {urn for urn, _ in driver.protected_resources(session)} == {DB}
        driver.set_protect(session, [QUEUE], True)
        driver.unprotect_all(session)
        assert driver.protected_resources(session) == []
    commands = deploy_project.double.commands()
    assert commands.count("state unprotect") == 2 and "state protect" in commands
    assert "stack import" not in commands
    unprotect = next(c["argv"] for c in deploy_project.double.calls() if c["argv"][1:3] == ["state", "unprotect"])
    assert unprotect[unprotect.index("--"):] == ["--", QUEUE]  # flags (and --stack) before the URNs


def test_outputs_mask_secrets_unless_asked(deploy_project) -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x",
              "plaintext": "postgres://..."}
    deploy_project.seed(_resources(), "50k-dau", outputs={"apiUrl": "https://api", "dbUrl": secret})
    target = _target(deploy_project)
    assert driver.read_stack_outputs(target.config, target.config_path, "prod") == {
        "apiUrl": "https://api", "dbUrl": "[secret]"}
    assert driver.read_stack_outputs(target.config, target.config_path, "prod", show_secrets=True)["dbUrl"] == \
        "postgres://..."


def test_the_last_applied_profile_comes_from_the_history(deploy_project) -> None:
    deploy_project.seed(_resources(), "25k-dau")
    with driver.open_stack(_target(deploy_project), scratch=True, plugins=False) as session:
        assert driver.last_applied_profile(session) == "25k-dau"


def test_missing_pulumi_binary_is_one_line(deploy_project, run, monkeypatch: pytest.MonkeyPatch) -> None:
    for args in (["up", "--stack", "prod", "--yes"], ["preview", "--stack", "prod"], ["outputs", "--json"],
                 ["destroy", "--yes", "--confirm", "prod"], ["refresh", "--yes"], ["unlock", "--yes"]):
        result = run(*args, env={"PATH": str(deploy_project.dir / "no-bin")})
        assert result.exit_code == 1, (args, result.output)
        assert "Pulumi CLI (`pulumi`) is not on PATH" in result.stderr and "3.181.0" in result.stderr
        assert "Traceback" not in result.output


def test_profile_references_resolve_relative_to_chatops_yaml(deploy_project, tmp_path, monkeypatch) -> None:
    target = _target(deploy_project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert target.resolve_profile_ref("profiles/big.yaml") == str(deploy_project.dir / "profiles" / "big.yaml")
    assert target.resolve_profile_ref("50k-dau") == "50k-dau"
    assert target.recordable_ref(str(deploy_project.dir / "profiles" / "big.yaml")) == "profiles/big.yaml"
    assert target.recordable_ref("100k-dau") == "100k-dau"


def test_scale_step_that_adds_a_zone_keeps_the_rds_proxy(graphs) -> None:
    # 25k (2 zones) -> 50k (3 zones): a proxy's subnets cannot change in place, so they must not move.
    def proxy_subnets(tier: str) -> list:
        return [r["inputs"]["vpcSubnetIds"] for r in graphs[tier].resources if r["type"] == "aws:rds/proxy:Proxy"]

    assert proxy_subnets("25k-dau") == proxy_subnets("50k-dau")

