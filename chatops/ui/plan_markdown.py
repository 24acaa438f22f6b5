"""`chatops plan --format markdown`: the plan as a pull-request comment (GitHub-flavoured Markdown).

The same sections as the terminal view, in the same words: the choice and why, demand, capacity with
headroom, the cost (the very Markdown of `cost-report --format markdown`), neighbouring tiers, budget.
Pure string building: no rich.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional

from chatops.costing.money import fmt_total
from chatops.costing.report import markdown_budget, markdown_estimate, md_row
from chatops.sizing.plan import PlanResult


def plan_markdown(r: PlanResult, estimate: Any = None, neighbour_totals: Optional[Mapping[str, Any]] = None,
                  budget: Optional[Mapping[str, Any]] = None) -> str:
    lines = [f"## chatops plan: {r.demand.dau:,} DAU", "", _verdict(r), "", f"Why: {r.reason}", ""]
    lines += _demand(r) + _capacity(r)
    for warning in r.report.warnings:
        lines.append(f"> **Warning:** {warning}")
    if r.report.warnings:
        lines.append("")
    if estimate is not None:
        lines += [markdown_estimate(estimate, level=3).rstrip("\n"), ""]
    lines += _neighbours(r, neighbour_totals or {})
    if budget is not None:
        lines += [markdown_budget(budget), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _verdict(r: PlanResult) -> str:
    if r.profile is None:
        return "**No built-in tier fits.**"
    label = {"custom": "Custom profile", "check": "Checked"}.get(r.mode, "Selected tier")
    held = "holds the peak" if r.fits else "**does not hold the peak**"
    return f"**{label}: `{r.profile_label}`**, {held} with {r.required_headroom:g}x headroom at desired counts."


def _demand(r: PlanResult) -> list[str]:
    from chatops.ui.plan import demand_rows

    return (["### Demand at the busiest minute", "", md_row(["Measure", "Value"]), md_row(["---", "---:"])]
            + [md_row([label, value]) for label, value in demand_rows(r)] + [""])


def _capacity(r: PlanResult) -> list[str]:
    tightest = r.report.tightest.key
    lines = [f"### Capacity of {r.report.profile_name}", "",
             md_row(["Dimension", "Peak demand", "Capacity", "Headroom", "At autoscaling max"]),
             md_row(["---", "---:", "---:", "---:", "---:"])]
    for d in r.report.dimensions:
        mark = "" if d.headroom >= r.required_headroom else " ❌"
        label = f"**{d.label}** (tightest)" if d.key == tightest else d.label
        lines.append(md_row([label, f"{d.demand:,.1f}", f"{d.capacity:,.0f}", _x(d.headroom) + mark,
                             f"{d.capacity_at_max:,.0f} ({_x(d.headroom_at_max)})"]))
    return lines + [""]


def _neighbours(r: PlanResult, totals: Mapping[str, Any]) -> list[str]:
    if not r.neighbours:
        return []
    lines = ["### Neighbouring tiers for this demand", "",
             md_row(["Tier", "Designed for", "Tightest", "Headroom", "Fits", "Monthly"]),
             md_row(["---", "---:", "---", "---:", "---", "---:"])]
    for c in r.neighbours:
        t = c.report.tightest
        e = totals.get(c.profile.name)
        lines.append(md_row([c.profile.name, f"{c.profile.design.dau:,} DAU", t.label, _x(t.headroom),
                             "yes" if c.fits else "no", fmt_total(e.total_monthly, e.complete) if e is not None else "-"]))
    return lines + [""]


def _x(value: float) -> str:
    return "unbounded" if math.isinf(value) else f"{value:,.2f}x"
