"""`chatops scale-to` on a protected prod stack, through the real Automation API SDK and the Pulumi CLI double.

The stack is seeded as a successful `up` of 50k-dau left it (the program's real graph for that tier), and
the double's program goals are the real graphs of 50k-dau and 100k-dau. Going up deletes the protected
`redis` group (it is split into adapter and state groups), which Pulumi refuses during the preview.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.json_schemas import assert_valid

from chatops.deploy.replacements import STATEFUL_TYPES
from tests.support.deploy_project import chatops_yaml
from tests.support.pulumi_double.harness import FILE_VERSION, GRPC_VERSION, goal

REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
RDS = "aws:rds/instance:Instance"


@pytest.fixture
def prod_50k(deploy_project, graphs, synth_cache):
    deploy_project.seed(graphs["50k-dau"].resources, "50k-dau", graphs["50k-dau"].outputs)
    deploy_project.goals(("50k-dau", graphs["50k-dau"]), ("100k-dau", graphs["100k-dau"]))
    return deploy_project


def test_guard_stops_before_any_live_operation(prod_50k) -> None:
    before = prod_50k.config_path.read_text()
    result = prod_50k.run("scale-to", "100k", "--stack", "prod", "--yes")
    assert result.exit_code == 1, result.output
    # The loss, and what it holds, named; the way to accept it.
    assert f"redis (delete; holds {STATEFUL_TYPES[REDIS]})" in result.stderr
    assert "Nothing was changed" in result.stderr and "--allow-replace" in result.stderr
    # The guard decided on the offline plan: no live preview, no unprotect, no update was even attempted.
    # (Without the guard call, the command would reach the live preview: this is what kills that mutant.)
    commands = prod_50k.double.commands()
    assert not {"preview", "up", "state unprotect"} & set(commands), commands
    assert prod_50k.state()[prod_50k.urn("redis", REDIS)]["protect"] is True
    assert prod_50k.config_path.read_text() == before


@pytest.mark.parametrize("version", [FILE_VERSION, GRPC_VERSION], ids=["event-log-file", "grpc-stream"])
def test_allow_replace_unprotects_exactly_the_losses_then_applies(prod_50k, version) -> None:
    prod_50k.double.scenario(version=version)
    redis = prod_50k.urn("redis", REDIS)
    result = prod_50k.run("scale-to", "100k", "--stack", "prod", "--allow-replace", "--yes")
    assert result.exit_code == 0, result.output
    # the cost change as cost-report --compare shows it: a signed headline, then resource by resource
    assert re.search(r"\+\$[\d,]+\.\d\d/month \(\+[\d.]+ %\)", result.stdout), result.stdout
    assert "All services are steady" in result.stdout  # then the wait for the new task sizes to run

    calls = [c["argv"] for c in prod_50k.double.calls()]
    unprotects = [argv for argv in calls if argv[1:3] == ["state", "unprotect"]]
    assert len(unprotects) == 1
    assert unprotects[0][unprotects[0].index("--") + 1:] == [redis]  # exactly the lost one, not --all
    assert not any("export" in argv and "import" in argv for argv in calls)
    order = prod_50k.double.commands()
    assert order.index("state unprotect") < order.index("preview") < order.index("up")

    state = prod_50k.state()
    assert redis not in state
    new_groups = [r for r in state.values() if r["type"] == REDIS]
    assert {u.rsplit("::", 1)[-1] for u in (r["urn"] for r in new_groups)} == {"redis-adapter", "redis-state"}
    assert all(r["protect"] for r in new_groups)  # the program protects what it creates on prod
    # chatops.yaml records the new tier in place (comments kept), and so does the stack: item 6
    assert _same_but_profile(prod_50k.config_path.read_text(), chatops_yaml("50k-dau"), "100k-dau")
    assert prod_50k.backend.sidecar("prod")["history"][0]["config"]["chatops:profile"]["value"] == "100k-dau"

    # A later preview prices "now" from what was applied.
    prod_50k.double.forget_calls()
    again = prod_50k.run("preview", "--stack", "prod", "--json")
    report = json.loads(again.stdout)
    assert report["result"] == "no-changes" and report["now_monthly"] == report["after_monthly"]


def test_a_loss_the_offline_plan_missed_is_named_and_protection_comes_back(prod_50k) -> None:
    # The provider decides that the instance class change replaces the primary database: the offline plan
    # (the provider schema) does not say so, and the live preview runs into its protection.
    prod_50k.double.scenario(replace_keys={RDS: ["instanceClass"]})
    redis = prod_50k.urn("redis", REDIS)
    result = prod_50k.run("scale-to", "100k", "--stack", "prod", "--allow-replace", "--yes")
    assert result.exit_code == 1, result.output
    assert f"db ({RDS}, replace; holds {STATEFUL_TYPES[RDS]})" in result.stderr
    assert "did not predict these" in result.stderr and "Nothing was changed" in result.stderr
    assert "unable to replace resource" not in result.stderr  # named by chatops, not Pulumi's first line
    assert "up" not in prod_50k.double.commands()
    assert prod_50k.state()[redis]["protect"] is True  # unprotected for the preview, protected again
    assert [c for c in prod_50k.double.commands() if c.startswith("state")] == ["state unprotect", "state protect"]
    assert not (prod_50k.dir / ".chatops" / "work").exists()  # a scale-to that stops leaves no config files


@pytest.mark.parametrize("version", [FILE_VERSION, GRPC_VERSION], ids=["event-log-file", "grpc-stream"])
def test_an_event_the_sdk_cannot_parse_stops_the_guard(prod_50k, version) -> None:
    # A newer engine writes the deletion of `redis` with an op this SDK does not know: on the gRPC stream the
    # SDK warns and drops it, on the event-log file its watcher thread dies. Either way the guard would see
    # fewer losses than there are: it must refuse, not pass.
    redis = prod_50k.urn("redis", REDIS)
    prod_50k.double.scenario(version=version, unparseable=[redis])
    result = prod_50k.run("scale-to", "100k", "--stack", "prod", "--allow-replace", "--yes")
    assert result.exit_code == 1, result.output
    assert "is incomplete" in result.stderr and ("dropped an engine event" in result.stderr
                                                 or "thread failed reading engine events" in result.stderr)
    assert "Traceback" not in result.output
    assert "up" not in prod_50k.double.commands()
    assert prod_50k.state()[redis]["protect"] is True


def test_a_failed_update_leaves_chatops_yaml_matching_the_stack(prod_50k) -> None:
    before = prod_50k.config_path.read_text()
    adapter = prod_50k.double.data["goals"][1]["resources"]
    adapter_urn = next(r["urn"] for r in adapter if r["urn"].endswith("::redis-adapter"))
    prod_50k.double.scenario(failures=[{"urn": adapter_urn, "op": "create", "message": (
        "creating ElastiCache Replication Group (chat-prod-redis-adapter): InsufficientCacheClusterCapacity: "
        "cache.r7g.large is not available in us-east-1a")}])
    result = prod_50k.run("scale-to", "100k", "--stack", "prod", "--allow-replace", "--yes")
    assert result.exit_code == 1, result.output
    assert "InsufficientCacheClusterCapacity" in result.stderr and "chatops.yaml unchanged" in result.stderr
    assert "rerun `chatops scale-to 100k --stack prod --allow-replace`" in result.stderr
    assert prod_50k.config_path.read_text() == before
    history = prod_50k.backend.sidecar("prod")["history"]
    assert history[0]["result"] == "failed"
    # what `preview` calls "now" is still the last successful update
    assert [h["config"]["chatops:profile"]["value"] for h in history if h["result"] == "succeeded"][0] == "50k-dau"


def test_chatops_yaml_that_cannot_record_the_tier_stops_before_touching_aws(deploy_project, graphs) -> None:
    # Both stacks share one mapping through an anchor: recording prod's tier would change staging's too.
    shared = chatops_yaml().replace("  prod:\n", "  prod: &base\n") + "  staging: {<<: *base, domain: staging.example.com}\n"
    deploy_project.config_path.write_text(shared)
    result = deploy_project.run("scale-to", "100k", "--stack", "prod", "--yes")
    assert result.exit_code == 1, result.output
    assert "would also change other values" in result.stderr
    assert deploy_project.double.calls() == []  # not even `pulumi version`
    assert deploy_project.config_path.read_text() == shared


def test_flow_style_chatops_yaml_is_recorded_in_its_style(deploy_project, graphs, synth_cache) -> None:
    flow = ("project: chat\nstacks:\n  prod: {profile: 25k-dau, region: us-east-1, domain: chat.example.com, "
            "hosted_zone_id: Z0000000000EXAMPLE, images: {api: {tag: v1}, realtime: {tag: v1}, workers: {tag: v1}}}\n")
    deploy_project.config_path.write_text(flow)
    deploy_project.seed(graphs["25k-dau"].resources, "25k-dau", graphs["25k-dau"].outputs)
    deploy_project.goals(("25k-dau", graphs["25k-dau"]), ("50k-dau", graphs["50k-dau"]))
    result = deploy_project.run("scale-to", "50k", "--stack", "prod", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert deploy_project.config_path.read_text() == flow.replace("25k-dau", "50k-dau")
    report = json.loads(result.stdout)
    assert_valid("scale-to", report)
    assert report["from_profile"] == "25k-dau" and report["profile"] == "50k-dau" and report["ok"]
    assert report["changes"]["create"] > 0 and report["disruptions"]
    # the tier step keeps the released images, by digest, and waits for the services (moto's ECS) to run it
    assert [(i["tag"], i["digest"]) for i in report["images"]] == [("v1", d) for d in deploy_project.digests.values()]
    assert report["rollout"]["outcome"] == "steady"
    assert [s["name"] for s in report["rollout"]["services"]] == ["chat-prod-api", "chat-prod-realtime",
                                                                   "chat-prod-workers"]
    assert "chat-prod-api: steady" not in result.stdout and "api: steady" in result.stderr  # progress on stderr


def test_profile_files_are_resolved_and_recorded_relative_to_chatops_yaml(deploy_project, graphs, synth_cache,
                                                                          monkeypatch, tmp_path) -> None:
    # A profile file beside chatops.yaml, the command run from another directory.
    import yaml

    from chatops.model.loading import builtin_profiles_dir

    data = yaml.safe_load((builtin_profiles_dir() / "50k-dau.yaml").read_text())
    (deploy_project.dir / "profiles").mkdir()
    (deploy_project.dir / "profiles" / "big.yaml").write_text(yaml.safe_dump(data))
    deploy_project.seed(graphs["25k-dau"].resources, "25k-dau", graphs["25k-dau"].outputs)
    deploy_project.config_path.write_text(chatops_yaml("25k-dau"))
    deploy_project.goals(("25k-dau", graphs["25k-dau"]), ("50k-dau", graphs["50k-dau"]))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = deploy_project.run("scale-to", str(deploy_project.dir / "profiles" / "big.yaml"), "--stack", "prod",
                                "--config", str(deploy_project.config_path), "--yes")
    assert result.exit_code == 0, result.output
    assert "profile: profiles/big.yaml" in deploy_project.config_path.read_text()
    assert deploy_project.backend.sidecar("prod")["history"][0]["config"]["chatops:profile"]["value"] == \
        "profiles/big.yaml"
    # ... and that relative reference is found again from anywhere
    preview = deploy_project.run("preview", "--stack", "prod", "--config", str(deploy_project.config_path),
                                 "--json")
    report = json.loads(preview.stdout)
    assert report["result"] == "no-changes" and report["now_monthly"] is not None


def _same_but_profile(text: str, before: str, profile: str) -> bool:
    """Only the profile value changed; its comment and every other line are kept."""
    new, old = text.splitlines(), before.splitlines()
    changed = [(a, b) for a, b in zip(new, old) if a != b]
    return len(new) == len(old) and len(changed) == 1 and \
        re.fullmatch(rf"\s+profile: {profile}\s+# the tier", changed[0][0]) is not None


def test_a_state_read_failing_after_a_failed_update_does_not_hide_the_update_failure(prod_50k) -> None:
    # The update fails; restoring protection then cannot even read the state (the backend stopped answering).
    # The user must see the update's failure and a warning about protection, not only the backend error.
    adapter = next(r["urn"] for r in prod_50k.double.data["goals"][1]["resources"]
                   if r["urn"].endswith("::redis-adapter"))
    prod_50k.double.scenario(failures=[{"urn": adapter, "op": "create", "message": (
        "creating ElastiCache Replication Group (chat-prod-redis-adapter): InsufficientCacheClusterCapacity")}],
        command_failures=[{"command": "stack export", "after": "up", "message": (
            "failed to load checkpoint: blob (key \".pulumi/stacks/chat/prod.json\") (code=Unknown): read: "
            "connection reset by peer")}])
    result = prod_50k.run("scale-to", "100k", "--stack", "prod", "--allow-replace", "--yes")
    assert result.exit_code == 1, result.output
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: update of stack prod failed") and "InsufficientCacheClusterCapacity" in error
    assert "Warning: could not restore protection" in result.stderr and "not reachable" in result.stderr
    assert prod_50k.state()[prod_50k.urn("redis", REDIS)]["protect"] is False  # said, not hidden


def test_a_hand_edited_tier_is_scaled_from_what_the_stack_runs(prod_50k) -> None:
    # chatops.yaml edited by hand to 100k while the stack runs 50k: `up` must not apply the step without the
    # guard, and the scale-to it points to must move the stack (not say "already on 100k-dau").
    edited = chatops_yaml("100k-dau")
    prod_50k.config_path.write_text(edited)
    up = prod_50k.run("up", "--stack", "prod", "--yes")
    assert up.exit_code == 1, up.output
    assert "names 100k-dau for stack prod, but its last successful update applied 50k-dau" in up.stderr
    assert f"redis (delete; holds {STATEFUL_TYPES[REDIS]})" in up.stderr
    assert "`chatops scale-to 100k-dau --stack prod`" in up.stderr
    assert not {"preview", "up"} & set(prod_50k.double.commands())  # refused offline, before any preview

    result = prod_50k.run("scale-to", "100k-dau", "--stack", "prod", "--allow-replace", "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["from_profile"] == "50k-dau" and report["result"] == "succeeded" and report["disruptions"]
    assert {r["urn"].rsplit("::", 1)[-1] for r in prod_50k.state().values() if r["type"] == REDIS} == \
        {"redis-adapter", "redis-state"}
    assert prod_50k.backend.sidecar("prod")["history"][0]["config"]["chatops:profile"]["value"] == "100k-dau"
    assert prod_50k.config_path.read_text() == edited  # it named the new tier already: nothing to record
    again = prod_50k.run("scale-to", "100k", "--stack", "prod", "--yes")
    assert again.exit_code == 0 and "already runs 100k-dau; nothing to do." in again.stdout


def test_scaling_back_to_what_runs_only_corrects_chatops_yaml(prod_50k) -> None:
    prod_50k.config_path.write_text(chatops_yaml("100k-dau"))
    result = prod_50k.run("scale-to", "50k", "--stack", "prod", "--yes")
    assert result.exit_code == 0, result.output
    assert "already runs 50k-dau; nothing to do" in result.stdout and "now records it" in result.stdout
    assert _same_but_profile(prod_50k.config_path.read_text(), chatops_yaml("100k-dau"), "50k-dau")
    assert not {"preview", "up"} & set(prod_50k.double.commands())


def test_up_after_a_hand_edit_keeps_unprotected_stateful_resources(deploy_project, graphs, synth_cache) -> None:
    # A stack where nothing is protected (as a non-prod one): the live preview would let Redis be deleted, so
    # only the offline guard stands between a hand-edited tier and that loss.
    def unprotected(resources):
        return [dict(r, protect=False) for r in resources]

    deploy_project.seed(unprotected(graphs["50k-dau"].resources), "50k-dau", graphs["50k-dau"].outputs)
    deploy_project.double.scenario(goals=[
        goal(unprotected(g.resources), {"chatops:tier": tier}, g.outputs)
        for tier, g in (("50k-dau", graphs["50k-dau"]), ("100k-dau", graphs["100k-dau"]))])
    deploy_project.config_path.write_text(chatops_yaml("100k-dau"))
    result = deploy_project.run("up", "--stack", "prod", "--yes")
    assert result.exit_code == 1, result.output
    assert "redis (delete" in result.stderr and "chatops scale-to 100k-dau --stack prod" in result.stderr
    assert "up" not in deploy_project.double.commands()
    assert deploy_project.urn("redis", REDIS) in deploy_project.state()


def test_sigterm_after_protection_is_lifted_puts_it_back(prod_50k, monkeypatch) -> None:
    # The window between `state unprotect` and the update (here: the confirmation) must survive a cancelled CI
    # job like a Ctrl-C: protection goes back on and the command exits 130. (Python's default SIGTERM would
    # end the process there, leaving the redis group unprotected.)
    import os
    import signal
    import time

    class Escaped(Exception):
        pass

    def reached_the_test(signum, frame):
        raise Escaped("chatops did not handle SIGTERM")

    def terminated_at_the_prompt(question: str, yes: bool) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises in here

    monkeypatch.setattr("chatops.cli.scale_to.confirm_or_refuse", terminated_at_the_prompt)
    previous = signal.signal(signal.SIGTERM, reached_the_test)
    try:
        result = prod_50k.run("scale-to", "100k", "--stack", "prod", "--allow-replace")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert result.exit_code == 130, result.output
    assert "Interrupted (SIGTERM)." in result.stderr and "Protection restored on 1 resource(s)." in result.stderr
    assert prod_50k.state()[prod_50k.urn("redis", REDIS)]["protect"] is True
    assert [c for c in prod_50k.double.commands() if c.startswith("state") or c == "up"] == [
        "state unprotect", "state protect"]
