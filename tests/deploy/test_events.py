"""Engine events (built from the engine's JSON with EngineEvent.from_json) -> progress rows and change sets."""

from __future__ import annotations

from pulumi.automation.events import EngineEvent

from chatops.deploy.events import DONE, FAILED, RUNNING, Progress, clean_message
from chatops.deploy.replacements import ChangeSet
from chatops.ui.deploy_progress import progress_table
from tests.support.engine_events import DB, QUEUE, SG, STACK, diag, failed, outputs, pre, summary

def test_update_progress_rows() -> None:
    progress = Progress(clock=lambda: 150.0)
    for event in [
        pre(1, 100, "same", STACK, "pulumi:pulumi:Stack"),
        pre(2, 100, "create", QUEUE, "aws:sqs/queue:Queue"),
        pre(3, 101, "update", DB, "aws:rds/instance:Instance"),
        pre(4, 101, "same", SG, "aws:ec2/securityGroup:SecurityGroup"),
        outputs(5, 110, "create", QUEUE, "aws:sqs/queue:Queue"),
        diag(6, "error: 1 error occurred:\n\t* modifying RDS DB Instance (chat-prod-db): InvalidParameterCombination:"
                " RDS does not support creating a DB instance with the following combination\n\n", urn=DB),
        failed(7, 130, "update", DB, "aws:rds/instance:Instance"),
        diag(8, "update failed", urn=STACK),
        summary({"create": 1, "update": 1, "same": 2}),
    ]:
        progress.handle(event)
    rows = {row.name: row for row in progress.snapshot()}
    assert set(rows) == {"push", "db"}  # the stack and unchanged resources get no row
    assert rows["push"].op == "create" and rows["push"].status == DONE and rows["push"].elapsed(150) == 10
    assert rows["db"].status == FAILED and rows["db"].elapsed(150) == 29
    assert rows["db"].message.startswith("modifying RDS DB Instance (chat-prod-db): InvalidParameterCombination")
    assert progress.errors == ["update failed"]
    assert progress.summary == {"create": 1, "update": 1, "same": 2}
    assert [r.name for r in progress.failed()] == ["db"]


def test_running_row_elapsed_uses_clock() -> None:
    progress = Progress(clock=lambda: 0.0)
    progress.handle(pre(1, 100, "create", QUEUE, "aws:sqs/queue:Queue"))
    row = progress.snapshot()[0]
    assert row.status == RUNNING and row.elapsed(112.0) == 12.0
    table = progress_table(progress, now=112.0)
    assert table.row_count == 1


def test_replacement_steps_collapse_to_one_row() -> None:
    progress = Progress()
    for event in [pre(1, 10, "create-replacement", DB, "aws:rds/instance:Instance"),
                  outputs(2, 20, "create-replacement", DB, "aws:rds/instance:Instance"),
                  pre(3, 20, "replace", DB, "aws:rds/instance:Instance"),
                  outputs(4, 21, "replace", DB, "aws:rds/instance:Instance"),
                  pre(5, 21, "delete-replaced", DB, "aws:rds/instance:Instance"),
                  outputs(6, 40, "delete-replaced", DB, "aws:rds/instance:Instance")]:
        progress.handle(event)
    [row] = progress.snapshot()
    assert row.op == "replace" and row.status == DONE


def test_warnings_and_ephemeral_diagnostics() -> None:
    progress = Progress()
    progress.handle(diag(1, "warning: deprecated argument", severity="warning"))
    progress.handle(EngineEvent.from_json({"sequence": 2, "timestamp": 0, "diagnosticEvent": {
        "message": "still creating...", "color": "never", "severity": "info", "ephemeral": True}}))
    assert progress.warnings == ["deprecated argument"] and progress.errors == []


def test_preview_changeset_and_replacement_keys() -> None:
    changes = ChangeSet()
    events = [
        pre(1, 0, "create", QUEUE, "aws:sqs/queue:Queue", planning=True),
        pre(2, 0, "update", SG, "aws:ec2/securityGroup:SecurityGroup", planning=True, diffs=["ingress"]),
        # replacement reported through `keys`
        pre(3, 0, "create-replacement", DB, "aws:rds/instance:Instance", planning=True, keys=["storageEncrypted"],
            old={"type": "aws:rds/instance:Instance", "urn": DB, "protect": True}),
        pre(4, 0, "replace", DB, "aws:rds/instance:Instance", planning=True, keys=["storageEncrypted"]),
        pre(5, 0, "delete-replaced", DB, "aws:rds/instance:Instance", planning=True),
        # replacement reported only through detailed_diff
        pre(6, 0, "replace", "urn:pulumi:prod::chat::aws:elasticache/replicationGroup:ReplicationGroup::redis",
            "aws:elasticache/replicationGroup:ReplicationGroup", planning=True,
            detailedDiff={"subnetGroupName": {"kind": "update-replace", "diffKind": "update-replace",
                                              "inputDiff": True},
                          "nodeType": {"diffKind": "update", "inputDiff": True}}),
        pre(7, 0, "same", STACK, "pulumi:pulumi:Stack", planning=True),
        summary({"create": 1, "update": 1, "replace": 2, "same": 30}),
    ]
    for event in events:
        changes.handle(event)
    assert changes.totals() == {"create": 1, "update": 1, "replace": 2, "delete": 0}
    replaced = {c.name: c for c in changes.replacements}
    assert replaced["db"].keys == ("storageEncrypted",) and replaced["db"].protected and replaced["db"].stateful
    assert replaced["redis"].keys == ("subnetGroupName",)
    assert changes.by_type()["aws:rds/instance:Instance"]["replace"] == 1
    assert [c.name for c in changes.stateful_losses()] == ["db", "redis"]
    assert changes.summary["replace"] == 2


def test_clean_message() -> None:
    assert clean_message("error: 1 error occurred:\n\t* creating X: AccessDenied\n\n") == "creating X: AccessDenied"
    assert clean_message("\x1b[31merror: \x1b[0mboom") == "boom"


def test_the_tap_records_handler_failures_and_sdk_drops() -> None:
    import threading
    import warnings

    from chatops.deploy.events import EventTap

    seen = []

    def broken(event):
        raise ValueError("bad metadata")

    tap = EventTap(broken, seen.append)
    event = pre(1, 0, "create", QUEUE, "aws:sqs/queue:Queue", planning=True)
    tap(event)  # never raises into the SDK...
    assert seen == [event]  # ...and the other handlers still get the event
    assert tap.problems == ["chatops's event handler failed (ValueError: bad metadata)"]
    with tap.watching_sdk():
        warnings.warn("Failed to parse engine event\nEvent: {...}\n'provision' is not a valid OpType")
        thread = threading.Thread(target=lambda: 1 / 0)
        thread.start()
        thread.join()
    assert tap.problems[1] == "the Pulumi SDK dropped an engine event ('provision' is not a valid OpType)"
    assert tap.problems[2].startswith("a Pulumi SDK thread failed reading engine events (ZeroDivisionError")


def test_progress_lines_name_operation_type_name_status_elapsed_and_message() -> None:
    from chatops.ui.deploy_progress import progress_line

    lines = []
    progress = Progress(clock=lambda: 0.0, listener=lambda row, what: lines.append(progress_line(row, what, 0)))
    progress.handle(pre(1, 100, "update", DB, "aws:rds/instance:Instance"))
    progress.handle(diag(2, "error: 1 error occurred:\n\t* modifying RDS DB Instance (chat-prod-db): "
                            "StorageQuotaExceeded", urn=DB))
    progress.handle(failed(3, 133, "update", DB, "aws:rds/instance:Instance"))
    progress.handle(pre(4, 134, "create", QUEUE, "aws:sqs/queue:Queue"))
    progress.handle(outputs(5, 140, "create", QUEUE, "aws:sqs/queue:Queue"))
    assert lines == ["update aws:rds/instance:Instance db: started",
                     "update aws:rds/instance:Instance db: FAILED (33s): modifying RDS DB Instance (chat-prod-db): "
                     "StorageQuotaExceeded",
                     "create aws:sqs/queue:Queue push: started",
                     "create aws:sqs/queue:Queue push: done (6s)"]


def test_the_change_set_counts_what_the_engine_counts_and_names_protect_refusals() -> None:
    changes = ChangeSet()
    redis = "urn:pulumi:prod::chat::chatops:data:Cache$aws:elasticache/replicationGroup:ReplicationGroup::redis"
    for event in [pre(1, 0, "same", STACK, "pulumi:pulumi:Stack", planning=True),
                  pre(2, 0, "create-replacement", DB, "aws:rds/instance:Instance", planning=True, logical=False),
                  pre(3, 0, "replace", DB, "aws:rds/instance:Instance", planning=True, logical=True),
                  pre(4, 0, "delete-replaced", DB, "aws:rds/instance:Instance", planning=True, logical=False),
                  pre(5, 0, "update", SG, "aws:ec2/securityGroup:SecurityGroup", planning=True, diffs=["tags"]),
                  # pkg/resource/deploy/step.go deleteProtectedError, wrapped by diag.GetPreviewFailedError
                  diag(6, f'<{{%reset%}}>Preview failed: resource "{redis}" cannot be deleted\nbecause it is '
                          "protected. To unprotect the resource, either remove the `protect` flag from the resource "
                          "in your Pulumi program and run `pulumi up`, or use the command:\n`pulumi state "
                          f"unprotect '{redis}'`<{{%reset%}}>\n", urn=redis)]:
        changes.handle(event)
    assert changes.shortfall({"replace": 1, "update": 1, "same": 1}) == []
    assert changes.shortfall({"replace": 1, "update": 1, "delete": 2}) == ["2 delete"]
    assert [(b.name, b.op, b.type) for b in changes.blocked] == [
        ("redis", "delete", "aws:elasticache/replicationGroup:ReplicationGroup")]
    assert [c.name for c in changes.tag_only] == ["alb"] and [c.name for c in changes.real_changes] == ["db"]
