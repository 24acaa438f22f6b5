"""The provenance footer every cost report prints under its totals (table, Markdown, HTML): whether the
total is complete, how each line's price is known (status), which prices come from another region, the
catalog's build date and the oldest source behind the prices. Plain text; renderers style it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from chatops.costing.catalog import STATUS_ORDER
from chatops.costing.estimate import CostEstimate
from chatops.costing.money import fmt_usd

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
    lines.append(f"Price status{' (all tiers)' if several else ''}: {status_counts(estimates)}.")
    copied = [c for e in estimates for c in e.from_other_region()]
    if copied:
        cost = sum((c.monthly_cost for c in copied if c.monthly_cost is not None), Decimal(0))
        rules = ", ".join(sorted({r for c in copied for r in c.price_rule.split(",")}))
        lines.append(f"Derived from another region: {len(copied)} lines ({fmt_usd(cost)} a month; rule {rules}); "
                     f"`chatops prices refresh --region {region}` reads this region's own prices.")
    lines.append(catalog_dates(estimates))
    return lines


def status_counts(estimates: Sequence[CostEstimate]) -> str:
    summary: dict[str, dict[str, Any]] = {}
    for e in estimates:
        for status, row in e.price_status_summary().items():
            total = summary.setdefault(status, {"lines": 0, "monthly_cost": None})
            total["lines"] += row["lines"]
            if row["monthly_cost"] is not None:
                total["monthly_cost"] = (total["monthly_cost"] or Decimal(0)) + row["monthly_cost"]
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    parts = []
    for status in sorted(summary, key=lambda s: order.get(s, len(order))):
        row = summary[status]
        count = f"{row['lines']} line{'s' if row['lines'] != 1 else ''}"
        parts.append(f"{status} {count}" + (f" ({fmt_usd(row['monthly_cost'])})" if row["monthly_cost"] is not None else ""))
    return ", ".join(parts)


def catalog_dates(estimates: Sequence[CostEstimate]) -> str:
    first = estimates[0]
    built = f"{first.catalog_origin} catalog of {first.catalog_date}"
    dated = [e.oldest_source for e in estimates if e.oldest_source is not None]
    if not dated:
        return f"Prices: {built}; no dated source behind them."
    day, source = min(dated)
    return f"Prices: {built}; oldest source behind them: {source} of {day}."
