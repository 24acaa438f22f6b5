"""compare_costs(before, after): the monthly difference per resource and per cost component, which
`cost-report --compare`, `scale-to` and the live `preview` show. Components are matched by resource and
component name; a component only on one side (e.g. another instance class) appears with the other side
empty. Each line says how it changes as infracost does: added (+), changed (~), removed (-) or
unchanged (no sign)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from chatops.costing.categories import natural_order
from chatops.costing.components import ResourceCost
from chatops.costing.estimate import CostEstimate

#: How a line changes, and the sign infracost prints for it.
CHANGE_SIGNS = {"added": "+", "changed": "~", "removed": "-", "unchanged": ""}


def change_kind(before: Optional[Decimal], after: Optional[Decimal], present_before: bool = True,
                present_after: bool = True) -> str:
    if not present_before or before is None:
        return "added" if present_after and after is not None else "unchanged"
    if not present_after or after is None:
        return "removed"
    return "unchanged" if before == after else "changed"


def percent_change(before: Decimal, after: Decimal) -> Optional[float]:
    """(after - before) / before in percent, one decimal; None when there was nothing before."""
    if before == 0:
        return None if after != 0 else 0.0
    return round(float((after - before) / before * 100), 1)


@dataclass(frozen=True)
class ComponentDelta:
    name: str
    before: Optional[Decimal]
    after: Optional[Decimal]

    @property
    def delta(self) -> Decimal:
        return (self.after or Decimal(0)) - (self.before or Decimal(0))

    @property
    def change(self) -> str:
        return change_kind(self.before, self.after)


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

    @property
    def change(self) -> str:
        kind = change_kind(self.before, self.after, self.count_before > 0, self.count_after > 0)
        if kind == "unchanged" and (self.count_before != self.count_after
                                    or any(c.change != "unchanged" for c in self.components)):
            return "changed"
        return kind


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

    @property
    def delta_percent(self) -> Optional[float]:
        return percent_change(self.before.total_monthly, self.after.total_monthly)

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "region": self.region,
            "complete": self.complete,
            "before": _side(self.before),
            "after": _side(self.after),
            "delta_monthly": self.delta_monthly,
            "delta_percent": self.delta_percent,
            "delta": {"fixed_monthly": self.delta_fixed, "usage_monthly": self.delta_usage,
                      "total_monthly": self.delta_monthly, "max_monthly": self.delta_max},
            "resources": [{
                "name": r.name, "resource_type": r.resource_type, "change": r.change,
                "count_before": r.count_before, "count_after": r.count_after,
                "before_monthly": r.before if r.count_before else None,
                "after_monthly": r.after if r.count_after else None, "delta_monthly": r.delta,
                "components": [{"name": c.name, "change": c.change, "before_monthly": c.before,
                                "after_monthly": c.after, "delta_monthly": c.delta} for c in r.components],
            } for r in self.resources],
        }


def _side(e: CostEstimate) -> dict[str, Any]:
    return {"profile": e.profile, "dau": e.dau, "fixed_monthly": e.fixed_monthly, "usage_monthly": e.usage_monthly,
            "total_monthly": e.total_monthly, "max_monthly": e.max_monthly, "complete": e.complete,
            "missing_prices": e.missing_prices}


def compare_costs(before: CostEstimate, after: CostEstimate) -> CostComparison:
    old = {r.name: r for r in before.resources}
    new = {r.name: r for r in after.resources}
    names = natural_order(list(old), list(new))
    return CostComparison(currency=after.currency, region=after.region, before=before, after=after,
                          resources=[_resource_delta(old.get(n), new.get(n)) for n in names])


def _resource_delta(old: Optional[ResourceCost], new: Optional[ResourceCost]) -> ResourceDelta:
    some = new or old
    assert some is not None
    old_lines = {c.name: c.monthly_cost for c in old.components} if old else {}
    new_lines = {c.name: c.monthly_cost for c in new.components} if new else {}
    names = natural_order(list(old_lines), list(new_lines))
    return ResourceDelta(
        name=some.name, resource_type=some.resource_type,
        count_before=old.count if old else 0, count_after=new.count if new else 0,
        before=old.monthly_cost if old else Decimal(0), after=new.monthly_cost if new else Decimal(0),
        components=[ComponentDelta(name=n, before=old_lines.get(n), after=new_lines.get(n)) for n in names],
    )
