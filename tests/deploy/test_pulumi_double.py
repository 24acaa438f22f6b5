"""The Pulumi CLI double speaks the SDK's language: checked with the bare `pulumi.automation` SDK, no chatops.

If these fail, the double no longer answers the way the SDK expects the real CLI to, and every flow test
built on it proves less.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.support.pulumi_double.checkpoint import Backend
from tests.support.pulumi_double.harness import FILE_VERSION, GRPC_VERSION, goal

STATE = "urn:pulumi:dev::chat::aws:elasticache/replicationGroup:ReplicationGroup::redis"
QUEUE = "urn:pulumi:dev::chat::aws:sqs/queue:Queue::push"
PASSPHRASE = "s3cret"


@pytest.fixture
def backend_dir(tmp_path: Path, pulumi_double, monkeypatch) -> Path:
    directory = tmp_path / "state"
    directory.mkdir()
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    resources = [{"urn": STATE, "type": "aws:elasticache/replicationGroup:ReplicationGroup", "protect": True,
                  "inputs": {"replicationGroupId": "chat-dev-redis", "nodeType": "cache.t4g.small"}},
                 {"urn": QUEUE, "type": "aws:sqs/queue:Queue", "inputs": {"name": "push"}}]
    Backend(directory, "chat").seed("dev", resources, passphrase=PASSPHRASE)
    return directory


def _stack(tmp_path: Path, backend_dir: Path) -> auto.Stack:
    opts = auto.LocalWorkspaceOptions(work_dir=str(tmp_path), project_settings=auto.ProjectSettings(
        name="chat", runtime="python", backend=auto.ProjectBackend(url=f"file://{backend_dir}")))
    return auto.select_stack("dev", project_name="chat", program=lambda: None, opts=opts)


@pytest.mark.parametrize("version", [FILE_VERSION, GRPC_VERSION], ids=["event-log-file", "grpc-stream"])
def test_events_reach_the_sdk_through_both_transports(tmp_path, backend_dir, pulumi_double, version) -> None:
    pulumi_double.scenario(version=version, goals=[goal([
        {"urn": STATE, "type": "aws:elasticache/replicationGroup:ReplicationGroup", "protect": True,
         "inputs": {"replicationGroupId": "chat-dev-redis", "nodeType": "cache.m7g.large"}}])])
    events = []
    result = _stack(tmp_path, backend_dir).preview(on_event=events.append)
    assert [e.sequence for e in events] == list(range(len(events)))
    pre = [(e.resource_pre_event.metadata.op.value, e.resource_pre_event.metadata.urn.rsplit("::", 1)[-1])
           for e in events if e.resource_pre_event]
    assert pre == [("same", "chat-dev"), ("update", "redis"), ("delete", "push")]
    update = next(e.resource_pre_event.metadata for e in events if e.resource_pre_event
                  and e.resource_pre_event.metadata.op.value == "update")
    assert update.diffs == ["nodeType"] and update.old.protect and update.new.protect
    assert events[-1].cancel_event is not None  # every stream ends with the cancel event
    assert result.change_summary == {"same": 1, "update": 1, "delete": 1}


def test_protect_refusals_are_worded_as_the_engine_words_them(tmp_path, backend_dir, pulumi_double) -> None:
    pulumi_double.scenario(replace_keys={STATE: ["replicationGroupId"]}, goals=[goal([
        {"urn": STATE, "type": "aws:elasticache/replicationGroup:ReplicationGroup", "protect": True,
         "inputs": {"replicationGroupId": "chat-dev-redis-2"}}])])
    stack = _stack(tmp_path, backend_dir)
    with pytest.raises(auto.errors.CommandError) as info:
        stack.preview()
    text = " ".join(str(info.value).split())  # the display indents the message's second line
    # pkg/resource/deploy/step_generator.go continueStepsFromDiff
    assert (f'unable to replace resource "{STATE}" as it is currently marked for protection. To unprotect the '
            "resource, remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`") in text
    assert "error: preview failed" in text and "code: 255" in text
    # `state unprotect` really changes what the next preview does: the replacement is allowed now
    auto_result = stack.workspace.pulumi_command.run(["state", "unprotect", "--yes", "--stack", "dev", "--", STATE],
                                                     stack.workspace.work_dir, stack.workspace.env_vars)
    assert "Resource unprotected" in auto_result.stdout
    assert stack.preview().change_summary == {"same": 1, "replace": 1, "delete": 1}


def test_the_sdk_classifies_the_doubles_failures(tmp_path, backend_dir, pulumi_double) -> None:
    opts = auto.LocalWorkspaceOptions(work_dir=str(tmp_path), project_settings=auto.ProjectSettings(
        name="chat", runtime="python", backend=auto.ProjectBackend(url=f"file://{backend_dir}")))
    with pytest.raises(auto.StackNotFoundError):
        auto.select_stack("qa", project_name="chat", program=lambda: None, opts=opts)
    with pytest.raises(auto.StackAlreadyExistsError):
        auto.create_stack("dev", project_name="chat", program=lambda: None, opts=opts)
    Backend(backend_dir, "chat").lock("dev")
    with pytest.raises(auto.ConcurrentUpdateError):
        _stack(tmp_path, backend_dir).up()


def test_a_wrong_passphrase_is_refused(tmp_path, backend_dir, pulumi_double, monkeypatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not it")
    with pytest.raises(auto.errors.CommandError, match="incorrect passphrase"):
        _stack(tmp_path, backend_dir).outputs()
