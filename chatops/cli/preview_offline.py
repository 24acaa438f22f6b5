"""`chatops preview --offline`: the program's resource graph under the mock engine, as a tree by
component with resource counts and, where costing prices a resource type, its monthly cost."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any, Optional


def run_offline_preview(profile_ref: Optional[str], stack: Optional[str] = None, region: Optional[str] = None,
                        domain: Optional[str] = None, as_json: bool = False,
                        config_path: Optional[str] = None) -> None:
    """--profile, or --stack of a chatops.yaml (its profile, project, region and domain; flags win)."""
    from chatops.cli.resolve import deployment_settings, need_profile, resolve_target
    from chatops.infra.synth import synthesize
    from chatops.model.loading import load_profile
    from chatops.ui.console import emit_json
    from chatops.ui.resource_tree import render_resource_tree

    target = resolve_target(profile_ref, stack, None, region, config_path)
    profile = load_profile(need_profile(target))
    settings = deployment_settings(target, domain)
    resources = synthesize(profile, settings)
    unit_costs = _unit_costs(profile, settings.region)
    view = {"profile": profile.name, "project": settings.project, "stack": settings.stack,
            "region": settings.region, **component_view(resources, unit_costs)}
    if as_json:
        emit_json(view)
    else:
        render_resource_tree(view)


def _unit_costs(profile: Any, region: str) -> dict[str, Decimal]:
    """Monthly cost of one resource of each priced type."""
    from chatops.costing.estimate import estimate_cost

    estimate = estimate_cost(profile, region=region)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    counts: Counter[str] = Counter()
    for line in estimate.resources:
        totals[line.resource_type] += Decimal(str(line.monthly_cost))
        counts[line.resource_type] += line.count
    return {t: totals[t] / counts[t] for t in totals if counts[t]}


def component_view(resources: list[dict[str, Any]], unit_costs: dict[str, Decimal]) -> dict[str, Any]:
    """Group custom resources under their ComponentResource, counting each type, costing priced types.

    A type's cost is costing's monthly total for that type spread evenly over its resources (two ECS
    services of different sizes are shown at their average)."""
    components = {r["urn"]: r for r in resources if not r["custom"] and r["type"] != "pulumi:pulumi:Stack"}
    grouped: dict[Optional[str], Counter[str]] = defaultdict(Counter)
    for r in resources:
        if r["custom"]:
            parent = r["parent"] if r["parent"] in components else None
            grouped[parent][r["type"]] += 1
    out_components = []
    total = Decimal(0)
    for urn in [*components, None]:
        if not grouped.get(urn):
            continue
        rows = []
        for typ, count in sorted(grouped[urn].items()):
            cost = unit_costs[typ] * count if typ in unit_costs else None
            total += cost or 0
            rows.append({"type": typ, "count": count,
                         "cost_monthly": cost})
        comp = components.get(urn) if urn else None
        out_components.append({
            "name": urn.rsplit("::", 1)[1] if urn else "(stack)",
            "type": comp["type"] if comp else "pulumi:pulumi:Stack", "urn": urn,
            "resource_count": sum(grouped[urn].values()), "resources": rows})
    return {"resource_count": sum(1 for r in resources if r["custom"]), "components": out_components,
            "total_monthly": total}
