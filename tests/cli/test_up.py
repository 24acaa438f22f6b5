"""`chatops up` and `preview --stack` through the real Automation API SDK and the Pulumi CLI double."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.json_schemas import assert_valid

from tests.support.pulumi_double.harness import FILE_VERSION, GRPC_VERSION, goal

DB = "urn:pulumi:prod::chat::chatops:data:Database$aws:rds/instance:Instance::db"
QUEUE = "urn:pulumi:prod::chat::chatops:queues:Queues$aws:sqs/queue:Queue::push"
TOPIC = "urn:pulumi:prod::chat::chatops:observability:Observability$aws:sns/topic:Topic::alerts"
TAGS = {"project": "chat", "stack": "prod", "managed-by": "chatops"}


def _resources(instance_class: str = "db.r6g.large", tags: dict | None = None) -> list[dict]:
    tags = TAGS if tags is None else tags
    return [
        {"urn": DB, "type": "aws:rds/instance:Instance", "protect": True,
         "inputs": {"identifier": "chat-prod-db", "instanceClass": instance_class, "tags": tags}},
        {"urn": QUEUE, "type": "aws:sqs/queue:Queue", "protect": True, "inputs": {"name": "chat-prod-push",
                                                                                 "tags": tags}},
        {"urn": TOPIC, "type": "aws:sns/topic:Topic", "inputs": {"name": "chat-prod-alerts", "tags": tags}},
    ]


@pytest.fixture
def project(deploy_project):
    deploy_project.double.scenario(goals=[goal(_resources(), outputs={"apiUrl": "https://api.chat.example.com"})])
    return deploy_project


@pytest.mark.parametrize("version", [FILE_VERSION, GRPC_VERSION], ids=["event-log-file", "grpc-stream"])
def test_first_up_creates_the_stack_with_progress_lines_and_a_json_report(project, version) -> None:
    project.double.scenario(version=version)
    result = project.run("up", "--stack", "prod", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # stdout is the report and nothing else
    assert_valid("up", report)
    assert report["result"] == "succeeded" and report["changes"]["create"] == 3
    assert report["outputs"] == {"apiUrl": "https://api.chat.example.com"} and report["now_monthly"] == 0
    # outside a terminal, progress is one line per resource event, on stderr with --json
    lines = [line for line in result.stderr.splitlines() if line.startswith("create ")]
    assert "create aws:rds/instance:Instance db: started" in lines
    assert any(re.fullmatch(r"create aws:rds/instance:Instance db: done \(\d+s\)", line) for line in lines)
    assert "Generated the secrets passphrase" in result.stderr
    assert set(project.state()) >= {DB, QUEUE, TOPIC}


def test_outputs_json_after_up_is_the_stack_and_its_outputs(project) -> None:
    assert project.run("up", "--stack", "prod", "--yes").exit_code == 0
    result = project.run("outputs", "--stack", "prod", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert_valid("outputs", report)
    assert report["stack"] == "prod" and report["outputs"] == {"apiUrl": "https://api.chat.example.com"}


def test_up_refuses_without_yes_when_not_a_terminal(project) -> None:
    result = project.run("up", "--stack", "prod")
    assert result.exit_code == 1 and "rerun with --yes" in result.stderr
    assert "aws:rds/instance:Instance" in result.stdout and "Monthly cost: nothing (not deployed yet)" in result.stdout
    assert re.search(r"\+\$[\d,]+\.\d\d/month", result.stdout), result.stdout  # the cost diff from $0
    assert "up" not in project.double.commands()


def test_a_failed_resource_is_reported_with_the_providers_message(project) -> None:
    project.double.scenario(failures=[{"urn": DB, "op": "create", "message": (
        "1 error occurred:\n\t* creating RDS DB Instance (chat-prod-db): operation error RDS: CreateDBInstance, "
        "InsufficientDBInstanceCapacity: Cannot create a database instance because there is no capacity")}])
    result = project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1
    assert "failed on 1 resource(s), first db" in result.stderr and "InsufficientDBInstanceCapacity" in result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("create aws:rds/instance:Instance db: FAILED"))
    assert "creating RDS DB Instance (chat-prod-db)" in line


def test_an_rds_dns_failure_is_not_called_a_backend_problem(project) -> None:
    project.double.scenario(failures=[{"urn": DB, "op": "create", "message": (
        "creating RDS DB Instance (chat-prod-db): operation error RDS: CreateDBInstance, https response error "
        "StatusCode: 0, RequestID: , request send failed, Post \"https://rds.us-east-1.amazonaws.com/\": dial tcp: "
        "lookup rds.us-east-1.amazonaws.com on 127.0.0.53:53: no such host")}])
    result = project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1
    assert "backend" not in result.stderr and "no such host" in result.stderr and "first db" in result.stderr


def test_pulumi_aws_credential_failure(project) -> None:
    # pulumi/pulumi-aws provider/errors/expired_sso.txt, as the provider reports it on its first resource
    project.double.scenario(failures=[{"urn": DB, "op": "create", "message": (
        "Failed to refresh cached SSO credentials.\nPlease refresh SSO login.\nNEW: You can use Pulumi ESC to set "
        "up dynamic credentials with AWS OIDC to ensure the correct and valid credentials are used.")}])
    result = project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1
    assert "AWS credentials are missing or expired" in result.stderr and "aws sso login" in result.stderr


def test_tag_only_updates_are_one_counted_line(project) -> None:
    # Stacks deployed before the tier tag was dropped carry it on every resource: the next preview
    # retags everything, around one real change.
    old_tags = {**TAGS, "tier": "50k-dau"}
    project.seed(_resources(tags=old_tags), "50k-dau")
    project.double.scenario(goals=[goal(_resources(instance_class="db.r6g.xlarge"))])
    result = project.run("preview", "--stack", "prod")
    assert result.exit_code == 0, result.output
    table = result.stdout.split("Monthly cost")[0]
    assert "aws:rds/instance:Instance" in table and "aws:sqs/queue:Queue" not in table
    assert "2 tag-only updates (only `tags` change" in result.stdout
    report = json.loads(project.run("preview", "--stack", "prod", "--json").stdout)
    assert_valid("preview", report)
    assert report["changes"]["update"] == 3 and report["tag_only_updates"] == 2


def test_an_exception_in_chatops_event_handler_is_recorded_and_refuses(project, monkeypatch) -> None:
    project.seed(_resources(), "50k-dau")
    from chatops.deploy.replacements import ChangeSet

    real = ChangeSet.add_step

    def broken(self, md):
        if md.urn == TOPIC:
            raise KeyError("detailedDiff")
        return real(self, md)

    monkeypatch.setattr(ChangeSet, "add_step", broken)
    project.double.scenario(goals=[goal(_resources()[:2])])  # the topic would be deleted
    result = project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1
    assert "is incomplete" in result.stderr and "event handler failed (KeyError" in result.stderr
    assert "up" not in project.double.commands()


def test_a_stack_that_exists_needs_its_passphrase(project) -> None:
    # A new machine or CI runner: the stack exists in the backend, no passphrase is configured here.
    project.seed(_resources(), "50k-dau", passphrase_file=False)
    for args in (["outputs"], ["preview"], ["refresh", "--yes"], ["destroy", "--yes", "--confirm", "prod"],
                 ["up", "--yes"]):
        result = project.run(*args, "--stack", "prod")
        assert result.exit_code == 1, (args, result.output)
        assert "stack prod exists but no secrets passphrase is available here" in result.stderr, args
        assert "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE" in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2 and "Traceback" not in result.output
    assert not (project.dir / ".chatops" / "passphrase").exists()
    # `pulumi cancel` decrypts nothing: a lock left by a crashed CI job can be removed from anywhere
    project.backend.lock("prod")
    assert project.run("unlock", "--stack", "prod", "--yes").exit_code == 0 and not project.backend.locks("prod")
    assert not (project.dir / ".chatops" / "passphrase").exists()


def test_a_preview_of_a_stack_not_created_yet_creates_nothing(project) -> None:
    result = project.run("preview", "--stack", "prod", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert_valid("preview", report)
    assert report["result"] == "failed" and "does not exist" in report["problems"][0]
    assert not (project.dir / ".chatops").exists()  # no stack, no passphrase, no config files
    assert "stack init" not in project.double.commands()


def test_a_held_lock_is_explained(project) -> None:
    project.seed(_resources(), "50k-dau")
    project.backend.lock("prod")
    result = project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1 and "locked by another update" in result.stderr
    assert "chatops unlock --stack prod" in result.stderr
    unlocked = project.run("unlock", "--stack", "prod", "--yes")
    assert unlocked.exit_code == 0 and not project.backend.locks("prod")
    assert project.run("up", "--stack", "prod", "--yes").exit_code == 0


def test_quiet_prints_no_progress_outside_a_terminal(project) -> None:
    # README: `--quiet` is only the result and errors. Outside a terminal, progress is one line per resource
    # event (on stdout, or on stderr with --json): none of it with --quiet, on either stream.
    result = project.run("--quiet", "up", "--stack", "prod", "--yes")
    assert result.exit_code == 0, result.output
    assert "Stack prod is up to date" in result.stdout
    assert ": started" not in result.output and ": done (" not in result.output
    project.double.scenario(goals=[goal(_resources(instance_class="db.r6g.xlarge"))])
    as_json = project.run("--quiet", "up", "--stack", "prod", "--yes", "--json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["changes"]["update"] == 1
    assert ": started" not in as_json.stderr and ": done (" not in as_json.stderr


def test_ctrl_c_at_the_confirmation_prompt_is_an_interruption(project, monkeypatch) -> None:
    # click turns Ctrl-C at a prompt into click.Abort (termui.confirm): exit 130 with what happened, not click's
    # "Aborted!" and exit 1; the JSON report says cancelled, and why.
    import click.termui

    def ctrl_c(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("chatops.ui.changes.is_interactive", lambda: True)
    monkeypatch.setattr(click.termui, "visible_prompt_func", ctrl_c)
    result = project.run("up", "--stack", "prod", "--json")
    assert result.exit_code == 130, result.output
    assert "Aborted!" not in result.output and "cancelled at the confirmation prompt" in result.stderr
    report = json.loads(result.stdout)
    assert_valid("up", report)
    assert report["result"] == "cancelled" and "cancelled at the confirmation prompt" in report["problems"][0]
    assert "up" not in project.double.commands()


def test_ctrl_c_while_resolving_images_is_reported_as_cancelled(project, monkeypatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("chatops.cli.deploy_steps.resolve_images", interrupted)
    result = project.run("up", "--stack", "prod", "--yes", "--json")
    assert result.exit_code == 130 and "Interrupted." in result.stderr
    report = json.loads(result.stdout)
    assert_valid("up", report)
    assert report["result"] == "cancelled" and not report["ok"]
    assert report["problems"] == ["interrupted (Ctrl-C) before up finished; nothing after that point ran"]


@pytest.mark.parametrize("version", [FILE_VERSION, GRPC_VERSION], ids=["event-log-file", "grpc-stream"])
def test_engine_events_lost_during_the_update_are_a_warning_in_the_report(project, version) -> None:
    # The preview saw everything; during the update the SDK cannot parse one event (dropped on the gRPC
    # stream, the event-log watcher dies on the file). The update itself succeeds: its progress is incomplete.
    project.double.scenario(version=version, unparseable=[TOPIC], unparseable_in=["update"])
    result = project.run("up", "--stack", "prod", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert_valid("up", report)
    assert report["result"] == "succeeded"
    [problem] = report["problems"]
    assert "did not see all of its engine events" in problem and "chatops preview --stack prod" in problem
    assert "dropped an engine event" in problem or "thread failed reading engine events" in problem
    assert "Warning: the update of stack prod finished" in result.stderr


def test_aws_profile_picks_the_account_for_images_and_for_pulumi(project, monkeypatch, tmp_path) -> None:
    # The only credentials are a named profile's: without --aws-profile nothing can read ECR; with it, the
    # images resolve through it and every Pulumi call runs with AWS_PROFILE set (the provider's account).
    config = tmp_path / "aws-config"
    config.write_text("[profile deployer]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    without = project.run("up", "--stack", "prod", "--yes")
    assert without.exit_code == 1 and "no AWS credentials found" in without.stderr
    result = project.run("up", "--stack", "prod", "--yes", "--aws-profile", "deployer", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [i["status"] for i in report["images"]] == ["resolved"] * 3
    pulumi_calls = [c for c in project.double.calls() if c["argv"][-1:] != ["version"]]
    assert pulumi_calls and {c["aws_profile"] for c in pulumi_calls} == {"deployer"}
    missing = project.run("up", "--stack", "prod", "--yes", "--aws-profile", "nope")
    assert missing.exit_code == 1 and "AWS profile 'nope' not found" in missing.stderr


def test_refresh_json_counts_what_drifted(project) -> None:
    assert project.run("up", "--stack", "prod", "--yes").exit_code == 0
    project.double.scenario(drift={TOPIC: {"inputs": {"name": "chat-prod-alerts", "tags": {}}}})
    result = project.run("refresh", "--stack", "prod", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # stdout is the report alone: progress and notes went to stderr
    assert_valid("refresh", report)
    assert report["result"] == "succeeded" and report["pending_operations"] == []
    assert report["state_changes"] == {"same": 2, "update": 1}
    assert "refreshed" in result.stderr


@pytest.mark.parametrize("command", [["refresh", "--yes"], ["destroy", "--unprotect", "--yes", "--confirm", "prod"]],
                         ids=["refresh", "destroy"])
def test_refresh_and_destroy_hand_aws_profile_to_pulumi(project, command) -> None:
    assert project.run("up", "--stack", "prod", "--yes").exit_code == 0
    before = len(project.double.calls())
    result = project.run(command[0], "--stack", "prod", *command[1:], "--aws-profile", "deployer")
    assert result.exit_code == 0, result.output
    calls = [c for c in project.double.calls()[before:] if c["argv"][-1:] != ["version"]]
    assert any(command[0] in c["argv"] for c in calls)
    assert {c["aws_profile"] for c in calls} == {"deployer"}


@pytest.mark.parametrize("command", [["up"], ["release", "--tag", "v2"], ["preview"], ["scale-to", "100k"]])
def test_every_command_that_deploys_takes_aws_profile(project, command) -> None:
    result = project.run(*command, "--help")
    assert "--aws-profile NAME" in result.stdout and "--endpoint-url URL" in result.stdout


def test_a_total_with_an_unpriced_line_is_at_least_in_the_preview(project, monkeypatch, tmp_path) -> None:
    # A refreshed price catalog (the user's cache) without the 50k tier's database price: the preview's totals
    # are lower bounds, and say so in JSON (complete, missing_prices) and in the text ("at least").
    from chatops.costing.catalog import bundled_path

    missing = "rds.instance.db.r6g.large.multi_az"
    catalog = json.loads(bundled_path("us-east-1").read_text())
    del catalog["prices"][missing]
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    from chatops.costing.catalog import cache_path

    cache_path("us-east-1").parent.mkdir(parents=True, exist_ok=True)
    cache_path("us-east-1").write_text(json.dumps(catalog))
    project.seed(_resources(), "50k-dau")
    result = project.run("preview", "--stack", "prod", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert_valid("preview", report)
    assert report["complete"] is False and report["missing_prices"] == [missing]
    text = project.run("preview", "--stack", "prod")
    assert re.search(r"at least \$[\d,]+\.\d\d -> at least \$[\d,]+\.\d\d per month", text.stdout), text.stdout
    monkeypatch.delenv("XDG_CACHE_HOME")
    priced = json.loads(project.run("preview", "--stack", "prod", "--json").stdout)
    assert priced["complete"] is True and priced["missing_prices"] == []
