"""Rich rendering of profiles: the tier table, one profile as a tree, a diff, validation results."""

from __future__ import annotations

from typing import Any, Sequence

from rich.markup import escape
from rich.tree import Tree

from chatops.model.profile import Profile
from chatops.model.profile_diff import FieldChange
from chatops.ui.console import console
from chatops.ui.tables import Col, Row, whole_table


def _service(s: Any) -> str:
    return f"{s.desired_count}×{s.cpu_units}/{s.memory_mb} ≤{s.autoscaling.max_count}"


def _cache(p: Profile) -> str:
    c = p.cache
    if c.split.enabled and c.split.adapter and c.split.state:
        return (f"split: {c.split.adapter.node_type}×{c.split.adapter.replicas + 1} + "
                f"{c.split.state.node_type}×{c.split.state.replicas + 1}")
    return f"{c.node_type}×{c.num_cache_nodes}"


def features(p: Profile) -> list[str]:
    """What sets a tier apart besides sizes (the README's tier table shows exactly these)."""
    flags = {
        "Public subnets": p.network.task_subnets == "public",
        "Spot": all(s.spot_share_percent == 100 for s in (p.api, p.realtime, p.workers)),
        "WAF": p.waf.enabled,
        "RDS Proxy": p.database.proxy.enabled,
        "Multi-AZ": p.database.multi_az,
        "Read replica": p.database.read_replica.enabled,
        "Redis split": p.cache.split.enabled,
        "Graviton": p.compute.graviton,
    }
    return [name for name, on in flags.items() if on]


def render_profile_table(profiles: Sequence[Profile]) -> None:
    columns = [Col("tier", whole=True), Col("env", whole=True), Col("design DAU", "right", whole=True),
               Col("peak conns", "right", whole=True), Col("api"), Col("realtime"), Col("workers"), Col("database"),
               Col("cache"), Col("AZ/NAT", whole=True), Col("features")]
    rows: list[Row] = []
    for p in profiles:
        db = f"{p.database.instance_class} {p.database.allocated_storage_gb} GB"
        rows.append([p.name, p.environment, f"{p.design.dau:,}", f"{p.design.peak_concurrent_connections:,}",
                     _service(p.api), _service(p.realtime), _service(p.workers), db, _cache(p),
                     f"{p.network.availability_zones}/{p.network.nat_gateways}", ", ".join(features(p)) or "-"])
    out = console()
    out.print(whole_table("Scale tiers (tasks: count×CPU units/memory MB ≤autoscaling max)", columns, rows))


def render_profile_tree(profile: Profile, data: dict[str, Any]) -> None:
    tree = Tree(f"[bold]{profile.name}[/bold]: {profile.description}")
    _add_branch(tree, {k: v for k, v in data.items() if k not in ("name", "description")})
    console().print(tree)


def _add_branch(node: Tree, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            _add_branch(node.add(f"[bold]{key}[/bold]"), value)
        else:
            node.add(f"{key}: [cyan]{value}[/cyan]")


def render_diff(a: Profile, b: Profile, changes: Sequence[FieldChange]) -> None:
    if not changes:
        console().print(f"{a.name} and {b.name} are the same (apart from name and description).")
        return
    columns = [Col("field", whole=True), Col(a.name, "right", whole=True), Col(b.name, "right", whole=True)]
    rows: list[Row] = [[change.path, _show(change.before), _show(change.after)] for change in changes]
    out = console()
    out.print(whole_table(f"{a.name} → {b.name}: {len(changes)} fields differ", columns, rows))


def _show(value: Any) -> str:
    return "-" if value is None else escape(str(value))


def render_validation(results: Sequence[tuple[str, str | None, list[str]]]) -> None:
    out = console()
    for path, name, problems in results:
        if problems:
            out.print(f"[red]invalid[/red] {path}")
            for problem in problems:
                out.print(f"  {problem}", markup=False)
        else:
            out.print(f"[green]ok[/green] {path} ({name})")
