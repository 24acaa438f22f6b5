"""compare_costs(before, after): the monthly difference per resource and per cost component, which
`cost-report --compare` and `scale-to` show. Components are matched by resource and component name;
a component only on one side (e.g. another instance class) appears with the other side empty."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from chatops.costing.components import ResourceCost
from chatops.costing.estimate import CostEstimate


@dataclass(frozen=True)
class ComponentDelta:
    name: str
    before: Optional[Decimal]
    after: Optional[Decimal]

    @property
    def delta(self) -> Decimal:
        return (self.after or Decimal(0)) - (self.before or Decimal(0))


@dataclass(frozen=True)
class ResourceDelta:
    name: str
    resource_type: str
    count_before: int
    count_after: int
    before: Decimal
    after: Decimal
    components: list[ComponentDelta]

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class CostComparison:
    currency: str
    region: str
    before: CostEstimate
    after: CostEstimate
    resources: list[ResourceDelta]

    @property
    def complete(self) -> bool:
        """False when either side has a line without a price: the totals and the delta are then uncertain."""
        return self.before.complete and self.after.complete

    @property
    def delta_monthly(self) -> Decimal:
        return self.after.total_monthly - self.before.total_monthly

    @property
    def delta_fixed(self) -> Decimal:
        return self.after.fixed_monthly - self.before.fixed_monthly

    @property
    def delta_usage(self) -> Decimal:
        return self.after.usage_monthly - self.before.usage_monthly

    @property
    def delta_max(self) -> Decimal:
        return self.after.max_monthly - self.before.max_monthly

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "region": self.region,
            "complete": self.complete,
            "before": _side(self.before),
            "after": _side(self.after),
            "delta_fixed": self.delta_fixed,
            "delta_usage": self.delta_usage,
            "delta_monthly": self.delta_monthly,
            "delta_max": self.delta_max,
            "resources": [{
                "name": r.name, "resource_type": r.resource_type, "count_before": r.count_before,
                "count_after": r.count_after, "before": r.before, "after": r.after, "delta": r.delta,
                "components": [{"name": c.name, "before": c.before, "after": c.after, "delta": c.delta}
                               for c in r.components],
            } for r in self.resources],
        }


def _side(e: CostEstimate) -> dict[str, Any]:
    return {"profile": e.profile, "fixed_monthly": e.fixed_monthly, "usage_monthly": e.usage_monthly,
            "total_monthly": e.total_monthly, "max_monthly": e.max_monthly, "complete": e.complete,
            "missing_prices": e.missing_prices}


def compare_costs(before: CostEstimate, after: CostEstimate) -> CostComparison:
    old = {r.name: r for r in before.resources}
    new = {r.name: r for r in after.resources}
    names = list(old) + [n for n in new if n not in old]
    return CostComparison(currency=after.currency, region=after.region, before=before, after=after,
                          resources=[_resource_delta(old.get(n), new.get(n)) for n in names])


def _resource_delta(old: Optional[ResourceCost], new: Optional[ResourceCost]) -> ResourceDelta:
    some = new or old
    assert some is not None
    old_lines = {c.name: c.monthly_cost for c in old.components} if old else {}
    new_lines = {c.name: c.monthly_cost for c in new.components} if new else {}
    names = list(old_lines) + [n for n in new_lines if n not in old_lines]
    return ResourceDelta(
        name=some.name, resource_type=some.resource_type,
        count_before=old.count if old else 0, count_after=new.count if new else 0,
        before=old.monthly_cost if old else Decimal(0), after=new.monthly_cost if new else Decimal(0),
        components=[ComponentDelta(name=n, before=old_lines.get(n), after=new_lines.get(n)) for n in names],
    )
