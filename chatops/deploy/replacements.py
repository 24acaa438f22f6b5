"""What a change does to each resource: from a live preview's events, or offline from two program graphs.

Live: the engine tells us (ResourcePreEvent op replace/create-replacement/delete-replaced, with `keys`
or detailed_diff entries of kind `*-replace` naming the properties that force it).

Offline (scale-to plan, tests): two `synthesize()` graphs are matched by URN and their inputs compared;
a change replaces the resource when a changed input is in REPLACE_FORCING for its type. The table
lists the provider's force-new inputs (Terraform `ForceNew`, shown by Pulumi as "[forces replacement]")
for the types we care about; it is deliberately conservative (e.g. dbSubnetGroupName, which RDS can
move with an outage, counts as a replacement) so the guard errs on the side of stopping.

Every row was checked against the resource schemas in hashicorp/terraform-provider-aws (which pulumi-aws
is generated from): internal/service/{rds,elasticache,backup,s3,secretsmanager,sqs,ecr,ecs}/*.go, and
every adjacent tier step is judged by provider 5.100.0 itself (tests/infra/test_provider_scale.py).
Not modelled offline: the replication group's conditional replacement when `engine` or `engineVersion`
is downgraded (every built-in tier runs the same Redis version; a live preview reports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from pulumi.automation import events as ev

from chatops.deploy.events import REPLACE_OPS, STACK_TYPE, category, resource_name

ALL_INPUTS = "*"  # every input change replaces the resource (random passwords)

#: Inputs that only label a resource: an update changing nothing else is a tag-only update.
TAG_INPUTS = frozenset({"tags", "tagsAll"})

#: The engine's protect errors (pkg/resource/deploy/step_generator.go `continueStepsFromDiff`, step.go
#: `deleteProtectedError`); the first quoted URN is the protected resource.
PROTECT_REPLACE_TEXT = "as it is currently marked for protection"
PROTECT_DELETE_TEXT = "because it is protected"
QUOTED_URN = re.compile(r"[\"'](urn:pulumi:[^\"']+)[\"']")

#: pulumi-aws v7 resources take a `region` input; the provider replaces a resource whose region changes.
AWS_PROVIDER_FORCING = frozenset({"region"})

#: type token -> camelCase inputs whose change forces replacement.
REPLACE_FORCING: dict[str, frozenset[str]] = {
    "aws:rds/instance:Instance": frozenset({
        "identifier", "identifierPrefix", "engine", "dbSubnetGroupName", "storageEncrypted", "kmsKeyId",
        "username", "availabilityZone", "dbName", "characterSetName", "ncharCharacterSetName", "timezone",
        "snapshotIdentifier", "restoreToPointInTime", "s3Import", "customIamInstanceProfile"}),
    "aws:elasticache/replicationGroup:ReplicationGroup": frozenset({
        "replicationGroupId", "subnetGroupName", "atRestEncryptionEnabled", "kmsKeyId", "port",
        "snapshotArns", "snapshotName", "networkType", "dataTieringEnabled", "securityGroupNames",
        "globalReplicationGroupId"}),
    "aws:backup/vault:Vault": frozenset({"name", "kmsKeyArn"}),
    "aws:s3/bucket:Bucket": frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    "aws:s3/bucketV2:BucketV2": frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    "aws:secretsmanager/secret:Secret": frozenset({"name", "namePrefix"}),
    # A new value is a new version (internal/service/secretsmanager/secret_version.go: ForceNew).
    "aws:secretsmanager/secretVersion:SecretVersion": frozenset({"secretId", "secretString", "secretBinary"}),
    "aws:sqs/queue:Queue": frozenset({"name", "namePrefix", "fifoQueue"}),
    "aws:ecr/repository:Repository": frozenset({"name", "encryptionConfigurations"}),
    "aws:rds/subnetGroup:SubnetGroup": frozenset({"name", "namePrefix"}),
    "aws:rds/parameterGroup:ParameterGroup": frozenset({"name", "namePrefix", "family", "description"}),
    "aws:elasticache/subnetGroup:SubnetGroup": frozenset({"name"}),
    "aws:elasticache/parameterGroup:ParameterGroup": frozenset({"name", "family", "description"}),
    "aws:rds/proxy:Proxy": frozenset({"engineFamily", "vpcSubnetIds", "endpointNetworkType",
                                      "targetConnectionNetworkType"}),
    "random:index/randomPassword:RandomPassword": frozenset({ALL_INPUTS}),
}

#: type token -> the only inputs that update in place; a change to any other input replaces the resource.
#: Task definitions are immutable revisions: every argument of aws_ecs_task_definition is ForceNew except
#: these (internal/service/ecs/task_definition.go), so a new image, size or environment is a new revision
#: (the provider plan of every tier step that resizes a service shows it replaced).
UPDATABLE_ONLY: dict[str, frozenset[str]] = {
    "aws:ecs/taskDefinition:TaskDefinition": frozenset({"tags", "skipDestroy", "trackLatest"}),
}

#: Types holding data (or identities other systems point at): replacing or deleting one loses something.
STATEFUL_TYPES: dict[str, str] = {
    "aws:rds/instance:Instance": "database instance (primary or read replica): data and endpoint",
    "aws:elasticache/replicationGroup:ReplicationGroup": "Redis group: sessions, presence, adapter state",
    "aws:backup/vault:Vault": "backup vault: every recovery point in it",
    "aws:s3/bucket:Bucket": "log bucket: stored access logs",
    "aws:s3/bucketV2:BucketV2": "log bucket: stored access logs",
    "aws:secretsmanager/secret:Secret": "secret: its ARN and value (passwords the services use)",
    "aws:sqs/queue:Queue": "queue: messages waiting in it",
    "aws:ecr/repository:Repository": "container repository: every pushed image",
    "random:index/randomPassword:RandomPassword": "generated password: a new value changes DB/Redis credentials",
}


@dataclass(frozen=True)
class ResourceChange:
    urn: str
    type: str
    op: str                          # create | update | replace | delete
    keys: tuple[str, ...] = ()       # replace: forcing properties; update: changed inputs
    protected: bool = False

    @property
    def name(self) -> str:
        return resource_name(self.urn)

    @property
    def stateful(self) -> bool:
        return self.type in STATEFUL_TYPES

    @property
    def tag_only(self) -> bool:
        """An in-place update that changes nothing but tags (a tier step retags every resource)."""
        return self.op == "update" and bool(self.keys) and set(self.keys) <= TAG_INPUTS

    @property
    def holds(self) -> Optional[str]:
        return STATEFUL_TYPES.get(self.type)


@dataclass(frozen=True)
class ProtectedBlock:
    """A protected resource the engine refused to replace or delete."""

    urn: str
    op: str  # replace | delete

    @property
    def name(self) -> str:
        return resource_name(self.urn)

    @property
    def type(self) -> str:
        return self.urn.split("::")[-2].rsplit("$", 1)[-1] if self.urn.count("::") >= 3 else ""


@dataclass
class ChangeSet:
    """All non-trivial changes of one preview, with per-type counts; `handle` is an on_event callback.

    `observed` counts the logical steps seen (stack and providers included), which is what the engine's
    own summary counts, so `shortfall` can tell whether events went missing on the way.
    """

    changes: dict[str, ResourceChange] = field(default_factory=dict)
    summary: Optional[dict[str, int]] = None
    observed: dict[str, int] = field(default_factory=dict)
    blocked: list[ProtectedBlock] = field(default_factory=list)

    def handle(self, event: ev.EngineEvent) -> None:
        if event.resource_pre_event is not None:
            self.add_step(event.resource_pre_event.metadata)
        elif event.summary_event is not None:
            self.summary = {str(getattr(k, "value", k)): int(v)
                            for k, v in event.summary_event.resource_changes.items()}
        elif event.diagnostic_event is not None:
            self._protect_error(event.diagnostic_event.message)

    def _protect_error(self, message: str) -> None:
        if PROTECT_REPLACE_TEXT not in message and PROTECT_DELETE_TEXT not in message:
            return
        match = QUOTED_URN.search(message)
        if match and all(b.urn != match.group(1) for b in self.blocked):
            op = "replace" if PROTECT_REPLACE_TEXT in message else "delete"
            self.blocked.append(ProtectedBlock(match.group(1), op))

    def add_step(self, md: ev.StepEventMetadata) -> None:
        op = category(md.op)
        if _logical(md) and op is not None:
            self.observed[op] = self.observed.get(op, 0) + 1
        if op not in ("create", "update", "replace", "delete") or md.type == STACK_TYPE:
            return
        previous = self.changes.get(md.urn)
        if previous is not None and previous.op == "replace":
            keys = tuple(dict.fromkeys(previous.keys + replace_keys(md)))
            self.changes[md.urn] = ResourceChange(md.urn, md.type, "replace", keys, previous.protected)
            return
        keys = replace_keys(md) if md.op in REPLACE_OPS else tuple(md.diffs or ())
        self.changes[md.urn] = ResourceChange(md.urn, md.type, op, keys, _protected(md))

    @property
    def replacements(self) -> list[ResourceChange]:
        return [c for c in self.changes.values() if c.op == "replace"]

    def by_type(self, real_only: bool = False) -> dict[str, dict[str, int]]:
        """type -> {create/update/replace/delete: count}, types sorted; `real_only` leaves out tag-only
        updates."""
        table: dict[str, dict[str, int]] = {}
        for change in (self.real_changes if real_only else self.changes.values()):
            counts = table.setdefault(change.type, {"create": 0, "update": 0, "replace": 0, "delete": 0})
            counts[change.op] += 1
        return dict(sorted(table.items()))

    def totals(self) -> dict[str, int]:
        totals = {"create": 0, "update": 0, "replace": 0, "delete": 0}
        for change in self.changes.values():
            totals[change.op] += 1
        return totals

    @property
    def tag_only(self) -> list[ResourceChange]:
        return [c for c in self.changes.values() if c.tag_only]

    @property
    def real_changes(self) -> list[ResourceChange]:
        """Everything but tag-only updates."""
        return [c for c in self.changes.values() if not c.tag_only]

    def stateful_losses(self) -> list[ResourceChange]:
        """Stateful resources this change would replace or delete."""
        return [c for c in self.changes.values() if c.stateful and c.op in ("replace", "delete")]

    def shortfall(self, summary: Optional[Mapping[Any, int]] = None) -> list[str]:
        """Operations the engine's summary counts but no event showed us: each a 'N op' string."""
        counts = {str(getattr(k, "value", k)): int(v) for k, v in (summary or self.summary or {}).items()}
        missing = []
        for op in ("create", "update", "replace", "delete"):
            seen = self.observed.get(op, 0)
            if counts.get(op, 0) > seen:
                missing.append(f"{counts[op] - seen} {op}")
        return missing


def replace_keys(md: ev.StepEventMetadata) -> tuple[str, ...]:
    """The properties forcing a replacement: `keys`, else detailed_diff entries of kind *-replace."""
    if md.keys:
        return tuple(md.keys)
    return tuple(path for path, diff in (md.detailed_diff or {}).items()
                 if str(getattr(diff.diff_kind, "value", diff.diff_kind)).endswith("-replace"))


def _logical(md: ev.StepEventMetadata) -> bool:
    """Whether the engine counts this step in its summary (replacement sub-steps are not logical)."""
    if md.logical is not None:
        return bool(md.logical)
    return md.op not in (ev.OpType.CREATE_REPLACEMENT, ev.OpType.DELETE_REPLACED, ev.OpType.DISCARD_REPLACED)


def _protected(md: ev.StepEventMetadata) -> bool:
    return bool((md.old and md.old.protect) or (md.new and md.new.protect))


# ---- offline: two synthesized graphs -------------------------------------------------------------

def plan_between(before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]]) -> ChangeSet:
    """What going from graph `before` to graph `after` (synthesize() output) would do, by URN."""
    old = {r["urn"]: r for r in before if r["type"] != STACK_TYPE}
    new = {r["urn"]: r for r in after if r["type"] != STACK_TYPE}
    result = ChangeSet()
    for urn, resource in new.items():
        if urn not in old:
            result.changes[urn] = ResourceChange(urn, resource["type"], "create")
            continue
        changed = changed_inputs(old[urn].get("inputs") or {}, resource.get("inputs") or {})
        if not changed:
            continue
        forcing = forcing_inputs(resource["type"], changed, old[urn].get("inputs") or {}, resource.get("inputs") or {})
        op, keys = ("replace", forcing) if forcing else ("update", changed)
        result.changes[urn] = ResourceChange(urn, resource["type"], op, keys, bool(old[urn].get("protect")))
    for urn, resource in old.items():
        if urn not in new:
            result.changes[urn] = ResourceChange(urn, resource["type"], "delete", (), bool(resource.get("protect")))
    return result


def changed_inputs(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    """Top-level input names whose values differ (tags are inputs too: tier tags change every step)."""
    names = list(before) + [k for k in after if k not in before]
    return tuple(name for name in names if before.get(name) != after.get(name))


def forcing_inputs(type_token: str, changed: tuple[str, ...], before: Optional[dict[str, Any]] = None,
                   after: Optional[dict[str, Any]] = None) -> tuple[str, ...]:
    forcing = REPLACE_FORCING.get(type_token, frozenset())
    if type_token.startswith("aws:"):
        forcing = forcing | AWS_PROVIDER_FORCING
    if ALL_INPUTS in forcing:
        return changed
    if type_token in UPDATABLE_ONLY:
        return tuple(name for name in changed if name not in UPDATABLE_ONLY[type_token])
    found = tuple(name for name in changed if name in forcing)
    if type_token == "aws:ecs/service:Service" and "capacityProviderStrategies" in changed \
            and _strategy_change_replaces(before or {}, after or {}):
        found += ("capacityProviderStrategies",)
    return found


def _strategy_change_replaces(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """aws_ecs_service's capacityProviderStrategyCustomizeDiff (internal/service/ecs/service.go, provider
    5.x): a changed capacity provider strategy forces a new service unless `force_new_deployment` is set
    and neither the old nor the new strategy is empty. (Provider 6.x, under pulumi-aws 7, refuses the
    change outright without `force_new_deployment`; with it, the service updates in place.)"""
    if not after.get("forceNewDeployment"):
        return True
    return not before.get("capacityProviderStrategies") or not after.get("capacityProviderStrategies")
