"""scale-to: what moving a stack from one profile to another does, and recording the new tier.

- `disruptions`: the profile changes AWS applies with downtime or a failover, and when they apply.
- `stateful_guard`: stop when stateful resources would be replaced or deleted (unless allowed).
- `offline_plan`: the change between the program's graphs for two profiles (no AWS, no CLI).
- `set_stack_profile`: rewrite one stack's `profile:` value in chatops.yaml, nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from chatops.deploy.replacements import STATEFUL_TYPES, ChangeSet, plan_between
from chatops.errors import ChatopsError
from chatops.model.loading import resolve_tier_name
from chatops.model.profile import Profile
from chatops.model.settings import ChatopsConfig, DeploymentSettings

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


def stateful_guard(changes: ChangeSet, allow_replace: bool) -> None:
    losses = changes.stateful_losses()
    if not losses or allow_replace:
        return
    parts = [f"{c.name} ({c.op}{': ' + ', '.join(c.keys) if c.keys else ''}; {STATEFUL_TYPES[c.type]})"
             for c in losses]
    raise ChatopsError(f"this change would {'/'.join(sorted({c.op for c in losses}))} stateful resources: "
                       f"{'; '.join(parts)}. Nothing was changed; back up first and rerun with --allow-replace "
                       "if that loss is intended")


def offline_plan(before: Profile, after: Profile, settings: DeploymentSettings) -> ChangeSet:
    """The change between the program's mock-engine graphs for two profiles."""
    from chatops.infra.synth import synthesize

    return plan_between(synthesize(before, settings), synthesize(after, settings))


def canonical_ref(ref: str) -> str:
    return resolve_tier_name(ref) or ref


# ---- chatops.yaml: rewrite one value, keep the rest (comments, order) ------------------------------

def set_stack_profile(config_path: Path, stack: str, new_ref: str) -> None:
    """Replace `stacks.<stack>.profile` in place; verify the result still loads and only that changed."""
    text = config_path.read_text(encoding="utf-8")
    updated = replace_profile_line(text, stack, new_ref)
    _check_only_profile_changed(text, updated, stack, new_ref, config_path)
    tmp = config_path.with_name(config_path.name + ".tmp")
    tmp.write_text(updated, encoding="utf-8")
    tmp.replace(config_path)


def replace_profile_line(text: str, stack: str, new_ref: str) -> str:
    lines = text.splitlines(keepends=True)
    in_stacks, stack_indent = False, None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            in_stacks, stack_indent = stripped.startswith("stacks:"), None
            continue
        if not in_stacks:
            continue
        if stack_indent is None or indent <= stack_indent:
            stack_indent = indent if re.match(rf"^['\"]?{re.escape(stack)}['\"]?\s*:", stripped) else None
            continue
        match = re.match(r"^(\s*profile\s*:\s*)(\"[^\"]*\"|'[^']*'|[^\s#]+)(.*)$", line.rstrip("\n"))
        if match:
            newline = "\n" if line.endswith("\n") else ""
            lines[index] = f'{match.group(1)}"{new_ref}"{match.group(3)}{newline}'
            return "".join(lines)
    raise ChatopsError(f"could not find stacks.{stack}.profile in chatops.yaml to record {new_ref}; set it by hand")


def _check_only_profile_changed(old: str, new: str, stack: str, new_ref: str, path: Path) -> None:
    import yaml

    before = ChatopsConfig.model_validate(yaml.safe_load(old))
    after = ChatopsConfig.model_validate(yaml.safe_load(new))
    expected = before.model_copy(update={"stacks": {**before.stacks, stack: before.stacks[stack].model_copy(
        update={"profile": new_ref})}})
    if after != expected:
        raise ChatopsError(f"{path}: recording the new tier would change more than stacks.{stack}.profile; set it "
                           f"to {new_ref} by hand")
