"""scale-to: what moving a stack from one profile to another does, and the guard on stateful losses.

- `disruptions`: the profile changes AWS applies with downtime or a failover, and when they apply.
- `offline_plan`: the change between the program's graphs for two profiles (no AWS, no CLI).
- `stateful_guard`: stop when stateful resources would be replaced or deleted (unless allowed). It runs on
  the offline plan first, because Pulumi refuses a protected replacement or deletion already during the
  preview: the guard must decide, and `--allow-replace` must unprotect, before any live preview.
- `live_recheck`: the live preview may lose only what the offline plan showed and the user accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatops.deploy.replacements import ChangeSet, ResourceChange, plan_between
from chatops.errors import ChatopsError
from chatops.model.loading import resolve_tier_name
from chatops.model.profile import Profile
from chatops.model.settings import DeploymentSettings

NOW = "now (--apply-immediately)"
WINDOW = "in the next maintenance window"


@dataclass(frozen=True)
class Disruption:
    what: str      # the change, e.g. "database class db.t4g.medium -> db.r6g.large"
    expect: str    # what the users of the stack will notice
    when: str      # NOW or WINDOW or "during the update"


def disruptions(before: Profile, after: Profile, apply_immediately: bool) -> list[Disruption]:
    when = NOW if apply_immediately else WINDOW
    db_a, db_b = before.database, after.database
    found: list[Disruption] = []
    if db_a.instance_class != db_b.instance_class:
        expect = ("Multi-AZ failover to the resized standby: writes pause ~60-120 s, connections drop"
                  if db_a.multi_az and db_b.multi_az else
                  "the single instance restarts: database unavailable for several minutes")
        found.append(Disruption(f"database class {db_a.instance_class} -> {db_b.instance_class}", expect, when))
    if db_a.multi_az != db_b.multi_az:
        expect = ("a standby is built from a snapshot: no downtime, higher write latency while it syncs"
                  if db_b.multi_az else "the standby is removed: no downtime, no automatic failover afterwards")
        found.append(Disruption(f"database Multi-AZ {db_a.multi_az} -> {db_b.multi_az}", expect, when))
    if db_a.engine_version != db_b.engine_version:
        found.append(Disruption(f"PostgreSQL {db_a.engine_version} -> {db_b.engine_version}",
                                "engine upgrade: database unavailable for minutes", when))
    replica_a, replica_b = db_a.read_replica, db_b.read_replica
    if replica_a.enabled and replica_b.enabled and replica_a.instance_class != replica_b.instance_class:
        found.append(Disruption(f"read replica class {replica_a.instance_class} -> {replica_b.instance_class}",
                                "the replica restarts: reads on it fail for several minutes", when))
    found.extend(_redis_disruptions(before, after, when))
    return found


def _redis_disruptions(before: Profile, after: Profile, when: str) -> list[Disruption]:
    found = []
    for label, node_a, node_b in _redis_node_types(before, after):
        if node_a != node_b:
            found.append(Disruption(f"Redis {label} node type {node_a} -> {node_b}",
                                    "online resize with a failover at the end: clients reconnect, a few "
                                    "seconds of errors on writes", when))
    if before.cache.split.enabled != after.cache.split.enabled:
        found.append(Disruption("Redis split into adapter and state groups" if after.cache.split.enabled
                                else "Redis adapter/state groups merged",
                                "new replication groups are created empty: presence and session data in Redis "
                                "is rebuilt by the apps; realtime clients reconnect", "during the update"))
    if before.cache.automatic_failover != after.cache.automatic_failover:
        found.append(Disruption(f"Redis automatic failover {before.cache.automatic_failover} -> "
                                f"{after.cache.automatic_failover}", "no downtime expected", when))
    return found


def _redis_node_types(before: Profile, after: Profile) -> list[tuple[str, str, str]]:
    pairs = [("primary", before.cache.node_type, after.cache.node_type)]
    for part in ("adapter", "state"):
        a, b = getattr(before.cache.split, part), getattr(after.cache.split, part)
        if a is not None and b is not None:
            pairs.append((part, a.node_type, b.node_type))
    return pairs


def stateful_guard(changes: ChangeSet, allow_replace: bool, fix: str = "back up first and rerun with "
                   "--allow-replace if that loss is intended") -> None:
    """Refuse when stateful resources would be replaced or deleted, listing each and what it holds."""
    losses = changes.stateful_losses()
    if not losses or allow_replace:
        return
    raise ChatopsError(f"this change would {'/'.join(sorted({c.op for c in losses}))} stateful resources: "
                       f"{describe_losses(losses)}. Nothing was changed; {fix}")


def live_recheck(live: ChangeSet, accepted: set[str]) -> None:
    """The live preview against the guard: any stateful loss the user did not accept stops the command."""
    unexpected = [c for c in live.stateful_losses() if c.urn not in accepted]
    if unexpected:
        raise ChatopsError(f"the live preview would also {'/'.join(sorted({c.op for c in unexpected}))} stateful "
                           f"resources the offline plan did not show: {describe_losses(unexpected)}. Nothing was "
                           "changed; check with `chatops preview` and `chatops refresh` (drift?) before retrying")


def describe_losses(losses: list[ResourceChange]) -> str:
    return "; ".join(f"{c.name} ({c.op}{': ' + ', '.join(c.keys) if c.keys else ''}; holds {c.holds})"
                     for c in losses)


def offline_plan(before: Profile, after: Profile, settings: DeploymentSettings) -> ChangeSet:
    """The change between the program's mock-engine graphs for two profiles."""
    from chatops.infra.synth import synthesize

    return plan_between(synthesize(before, settings), synthesize(after, settings))


def canonical_ref(ref: str) -> str:
    return resolve_tier_name(ref) or ref
