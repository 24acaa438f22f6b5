"""Text reports of estimates: Markdown and CSV (pure string building; the CLI prints them).

Three shapes: one estimate (resource -> components), all tiers side by side (one row per resource,
one column per tier) and a comparison (before, after, delta per component).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Optional, Sequence

from chatops.costing.compare import CostComparison
from chatops.costing.components import PRICE_NOT_FOUND
from chatops.costing.estimate import CostEstimate
from chatops.costing.footer import footer_for, price_footer
from chatops.costing.money import cents, fmt_total, fmt_usd


def fmt_qty(value: Decimal) -> str:
    """Whole numbers from 100 up; small quantities keep up to three decimals."""
    if value >= 100:
        return f"{value:,.0f}"
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text or "0"


def fmt_price(value: Optional[Decimal]) -> str:
    if value is None:
        return PRICE_NOT_FOUND
    text = format(value.normalize(), "f")
    return f"${text}"


def fmt_delta(value: Decimal) -> str:
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{fmt_usd(abs(value))}"


def resource_rows(estimates: Sequence[CostEstimate]) -> list[str]:
    """Resource names in stack order, taken first from the estimate with the most resources."""
    seen: list[str] = []
    for e in sorted(estimates, key=lambda x: -len(x.resources)):
        for r in e.resources:
            if r.name not in seen:
                seen.append(r.name)
    return seen


def _cost_of(estimate: CostEstimate, name: str) -> Optional[Decimal]:
    for r in estimate.resources:
        if r.name == name:
            return r.monthly_cost
    return None


# ---- Markdown -------------------------------------------------------------------------------------

def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def markdown_estimate(e: CostEstimate) -> str:
    lines = [f"## {e.profile} in {e.region} ({e.dau:,} DAU)", "",
             _md_row(["Resource", "Component", "Quantity", "Unit", "Unit price", "Monthly", "Usage-based"]),
             _md_row(["---", "---", "---:", "---", "---:", "---:", "---"])]
    for r in e.resources:
        lines.append(_md_row([f"**{r.name}** ({r.count})", "", "", "", "", f"**{fmt_usd(r.monthly_cost)}**", ""]))
        for c in r.components:
            lines.append(_md_row(["", c.name, fmt_qty(c.monthly_quantity), c.unit, fmt_price(c.unit_price),
                                  fmt_usd(c.monthly_cost), "yes" if c.usage_based else ""]))
    lines += ["", _md_totals(e), "", *_md_footer(price_footer(e)), ""]
    return "\n".join(lines)


def _md_totals(e: CostEstimate) -> str:
    return (f"Fixed {fmt_usd(e.fixed_monthly)} + usage {fmt_usd(e.usage_monthly)} = "
            f"**{fmt_total(e.total_monthly, e.complete)} per month** (up to {fmt_total(e.max_monthly, e.complete)} at "
            f"autoscaling maximum; prices of {e.catalog_date}, {e.catalog_origin} catalog).")


def _md_footer(lines: Sequence[str]) -> list[str]:
    return [f"- {line}" for line in lines]


def markdown_all(estimates: Sequence[CostEstimate]) -> str:
    region = estimates[0].region if estimates else ""
    head = ["Resource"] + [e.profile for e in estimates]
    prices = "1-year commitment prices" if estimates and estimates[0].on_demand is not None else "on-demand list prices"
    lines = [f"## Monthly cost per tier in {region} (USD, {prices})", "",
             _md_row(head), _md_row(["---"] + ["---:"] * len(estimates))]
    for name in resource_rows(estimates):
        lines.append(_md_row([name] + [fmt_usd(v) if (v := _cost_of(e, name)) is not None else "-" for e in estimates]))
    lines.append(_md_row(["**fixed**"] + [fmt_usd(e.fixed_monthly) for e in estimates]))
    lines.append(_md_row(["**usage**"] + [fmt_usd(e.usage_monthly) for e in estimates]))
    lines.append(_md_row(["**total**"] + [f"**{fmt_total(e.total_monthly, e.complete)}**" for e in estimates]))
    lines.append(_md_row(["at autoscaling max"] + [fmt_total(e.max_monthly, e.complete) for e in estimates]))
    lines.append(_md_row(["design DAU"] + [f"{e.dau:,}" for e in estimates]))
    lines.append(_md_row(["per 1,000 DAU"] + [fmt_total(e.cost_per_1000_dau(), e.complete) for e in estimates]))
    if estimates:
        lines += ["", f"Prices of {estimates[0].catalog_date} ({estimates[0].catalog_origin} catalog); usage at "
                      "each tier's design DAU with the default usage assumptions.", "", *_md_footer(footer_for(estimates))]
    return "\n".join(lines) + "\n"


def markdown_comparison(cmp: CostComparison) -> str:
    lines = [f"## {cmp.before.profile} -> {cmp.after.profile} in {cmp.region}", "",
             _md_row(["Resource", "Component", cmp.before.profile, cmp.after.profile, "Change"]),
             _md_row(["---", "---", "---:", "---:", "---:"])]
    for r in cmp.resources:
        lines.append(_md_row([f"**{r.name}** ({r.count_before} -> {r.count_after})", "", fmt_usd(r.before),
                              fmt_usd(r.after), fmt_delta(r.delta)]))
        for c in r.components:
            lines.append(_md_row(["", c.name, _opt(c.before), _opt(c.after), fmt_delta(c.delta)]))
    lines.append(_md_row(["**total**", "", fmt_total(cmp.before.total_monthly, cmp.before.complete),
                          fmt_total(cmp.after.total_monthly, cmp.after.complete), f"**{fmt_delta(cmp.delta_monthly)}**"]))
    lines += ["", *_md_footer(footer_for([cmp.before, cmp.after]))]
    return "\n".join(lines) + "\n"


def _opt(value: Optional[Decimal]) -> str:
    return "-" if value is None else fmt_usd(value)


# ---- CSV ------------------------------------------------------------------------------------------

def _csv(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _num(value: Optional[Decimal]) -> str:
    return "" if value is None else str(cents(value))


def csv_estimate(e: CostEstimate) -> str:
    rows: list[list[object]] = [["profile", "region", "resource", "resource_type", "count", "component", "unit",
                                 "monthly_quantity", "unit_price", "monthly_cost", "usage_based", "note",
                                 "price_status", "price_rule"]]
    for r in e.resources:
        for c in r.components:
            rows.append([e.profile, e.region, r.name, r.resource_type, r.count, c.name, c.unit,
                         str(c.monthly_quantity.normalize()), "" if c.unit_price is None else str(c.unit_price),
                         _num(c.monthly_cost), str(c.usage_based).lower(), PRICE_NOT_FOUND if c.price_missing else c.note,
                         c.price_status, c.price_rule])
    return _csv(rows)


def csv_all(estimates: Sequence[CostEstimate]) -> str:
    rows: list[list[object]] = [["resource"] + [e.profile for e in estimates]]
    for name in resource_rows(estimates):
        rows.append([name] + [_num(_cost_of(e, name)) for e in estimates])
    rows.append(["fixed_monthly"] + [_num(e.fixed_monthly) for e in estimates])
    rows.append(["usage_monthly"] + [_num(e.usage_monthly) for e in estimates])
    rows.append(["total_monthly"] + [_num(e.total_monthly) for e in estimates])
    rows.append(["max_monthly"] + [_num(e.max_monthly) for e in estimates])
    rows.append(["cost_per_1000_dau"] + [_num(e.cost_per_1000_dau()) for e in estimates])
    rows.append(["complete"] + [str(e.complete).lower() for e in estimates])
    return _csv(rows)


def csv_comparison(cmp: CostComparison) -> str:
    rows: list[list[object]] = [["resource", "component", "before", "after", "delta"]]
    for r in cmp.resources:
        for c in r.components:
            rows.append([r.name, c.name, _num(c.before), _num(c.after), _num(c.delta)])
    rows.append(["total", "", _num(cmp.before.total_monthly), _num(cmp.after.total_monthly), _num(cmp.delta_monthly)])
    rows.append(["complete", "", str(cmp.before.complete).lower(), str(cmp.after.complete).lower(),
                 str(cmp.complete).lower()])
    return _csv(rows)
