"""The provenance footer every cost report prints under its totals (table, Markdown, HTML): whether the
total is complete, how each line's price is known (status), which prices come from another region, the
catalog's build date and the oldest source behind the prices. Plain text; renderers style it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from chatops.costing.catalog import STATUS_ORDER
from chatops.costing.estimate import CostEstimate
from chatops.costing.money import fmt_total, fmt_usd

INCOMPLETE = "Incomplete:"


def price_footer(estimate: CostEstimate) -> list[str]:
    """Footer lines of one estimate; the first starts with INCOMPLETE when a line has no price."""
    return footer_for([estimate])


def footer_for(estimates: Sequence[CostEstimate]) -> list[str]:
    """Footer lines of estimates priced from one catalog (e.g. every tier side by side)."""
    if not estimates:
        return []
    region = estimates[0].region
    several = len(estimates) > 1
    lines = [f"{INCOMPLETE} {e.profile + ': ' if several else ''}no price for "
             f"{', '.join(dict.fromkeys(e.missing_prices))}; its totals are lower bounds (choose a priced "
             f"class, or run `chatops prices refresh --region {region}`)." for e in estimates if not e.complete]
    lines += [commitment_line(e, several) for e in estimates if e.on_demand is not None]
    lines.append(f"Price status{' (all tiers)' if several else ''}: {status_counts(estimates)}.")
    copied = [c for e in estimates for c in e.from_other_region()]
    if copied:
        cost = sum((c.monthly_cost for c in copied if c.monthly_cost is not None), Decimal(0))
        rules = ", ".join(sorted({r for c in copied for r in c.price_rule.split(",")}))
        lines.append(f"Derived from another region: {len(copied)} lines ({fmt_usd(cost)} a month; rule {rules}); "
                     f"`chatops prices refresh --region {region}` reads this region's own prices.")
    lines.append(catalog_dates(estimates))
    return lines


def commitment_line(estimate: CostEstimate, name_it: bool = False) -> str:
    """The commitment total beside the on-demand one."""
    assert estimate.on_demand is not None and estimate.commitment_savings is not None
    on_demand = estimate.on_demand.total_monthly
    share = f", {estimate.commitment_savings / on_demand:.0%}" if on_demand else ""
    uncommitted = estimate.commitment_unpriced
    missing = (f" No commitment price in the catalog ({', '.join(uncommitted)}): those lines stay on-demand until "
               f"`chatops prices refresh --region {estimate.region}` reads one." if uncommitted else "")
    return (f"{estimate.profile + ': ' if name_it else ''}1-year commitments "
            f"{fmt_total(estimate.total_monthly, estimate.complete)} a month beside "
            f"{fmt_total(on_demand, estimate.on_demand.complete)} on-demand (saves {fmt_usd(estimate.commitment_savings)}"
            f"{share}): RDS and ElastiCache 1-year no-upfront reserved, Fargate's steady on-demand hours on a "
            f"1-year Compute Savings Plan where the catalog has its rate.{missing}")


def status_counts(estimates: Sequence[CostEstimate]) -> str:
    summary: dict[str, dict[str, Any]] = {}
    for e in estimates:
        for status, row in e.price_status_summary().items():
            total = summary.setdefault(status, {"lines": 0, "cost_monthly": None})
            total["lines"] += row["lines"]
            if row["cost_monthly"] is not None:
                total["cost_monthly"] = (total["cost_monthly"] or Decimal(0)) + row["cost_monthly"]
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    parts = []
    for status in sorted(summary, key=lambda s: order.get(s, len(order))):
        row = summary[status]
        count = f"{row['lines']} line{'s' if row['lines'] != 1 else ''}"
        parts.append(f"{status} {count}" + (f" ({fmt_usd(row['cost_monthly'])})" if row["cost_monthly"] is not None else ""))
    return ", ".join(parts)


def catalog_dates(estimates: Sequence[CostEstimate]) -> str:
    first = estimates[0]
    built = f"{first.catalog_origin} catalog of {first.catalog_date}"
    dated = [e.oldest_source for e in estimates if e.oldest_source is not None]
    if not dated:
        return f"Prices: {built}; no dated source behind them."
    day, source = min(dated)
    return f"Prices: {built}; oldest source behind them: {source} of {day}."
