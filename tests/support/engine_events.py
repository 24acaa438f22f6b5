"""Engine events as the Pulumi engine writes them (JSON), parsed by the SDK's own EngineEvent.from_json.

The field names follow pulumi/pulumi sdk/go/common/apitype/events.go (EngineEvent and its payloads).
"""

from __future__ import annotations

from pulumi.automation.events import EngineEvent

STACK = "urn:pulumi:prod::chat::pulumi:pulumi:Stack::chat-prod"
DB = "urn:pulumi:prod::chat::chatops:database:Database$aws:rds/instance:Instance::db"
QUEUE = "urn:pulumi:prod::chat::aws:sqs/queue:Queue::push"
SG = "urn:pulumi:prod::chat::aws:ec2/securityGroup:SecurityGroup::alb"


def _md(op: str, urn: str, type_: str, **extra) -> dict:
    return {"op": op, "urn": urn, "type": type_, "provider": "urn:pulumi:prod::chat::pulumi:providers:aws::default",
            **extra}


def pre(seq: int, ts: int, op: str, urn: str, type_: str, planning: bool = False, **extra) -> EngineEvent:
    return EngineEvent.from_json({"sequence": seq, "timestamp": ts, "resourcePreEvent": {
        "metadata": _md(op, urn, type_, **extra), "planning": planning}})


def outputs(seq: int, ts: int, op: str, urn: str, type_: str) -> EngineEvent:
    return EngineEvent.from_json({"sequence": seq, "timestamp": ts,
                                  "resOutputsEvent": {"metadata": _md(op, urn, type_)}})


def failed(seq: int, ts: int, op: str, urn: str, type_: str) -> EngineEvent:
    return EngineEvent.from_json({"sequence": seq, "timestamp": ts, "resOpFailedEvent": {
        "metadata": _md(op, urn, type_), "status": 1, "steps": 1}})


def diag(seq: int, message: str, severity: str = "error", urn: str | None = None) -> EngineEvent:
    payload = {"message": message, "color": "never", "severity": severity}
    if urn:
        payload["urn"] = urn
    return EngineEvent.from_json({"sequence": seq, "timestamp": 0, "diagnosticEvent": payload})


def summary(changes: dict) -> EngineEvent:
    return EngineEvent.from_json({"sequence": 99, "timestamp": 200, "summaryEvent": {
        "maybeCorrupt": False, "durationSeconds": 100, "resourceChanges": changes, "PolicyPacks": {}}})
