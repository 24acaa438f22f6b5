"""Text reports of estimates: Markdown and CSV (pure string building; the CLI prints them).

Three shapes: one estimate (resource -> components), all tiers side by side (one row per resource,
one column per tier) and a comparison (before, after, delta per component).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, Mapping, Optional, Sequence

from chatops.costing.categories import natural_order
from chatops.costing.compare import CHANGE_SIGNS, CostComparison
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
    """A unit price in full ('$0.0000125'): never rounded to cents, never an exponent."""
    if value is None:
        return PRICE_NOT_FOUND
    return f"${plain(value)}"


def fmt_delta(value: Decimal) -> str:
    """'+$12.00', '-$3.50'; a change that rounds to zero cents is '$0.00', with no sign."""
    if cents(value) == 0:
        return fmt_usd(Decimal(0))
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{fmt_usd(abs(value))}"


def fmt_percent(value: Optional[float]) -> str:
    """'+12.3 %', '-4.0 %', '0.0 %' (no sign on zero), 'new' when there was nothing before."""
    if value is None:
        return "new"
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{abs(value):.1f} %"


def headline(cmp: CostComparison) -> str:
    """infracost's summary line: '+$1,234.56/month (+45.6 %)'."""
    return f"{fmt_delta(cmp.delta_monthly)}/month ({fmt_percent(cmp.delta_percent)})"


def resource_rows(estimates: Sequence[CostEstimate]) -> list[str]:
    """Resource names of every estimate in stack order, related rows together (categories.natural_order)."""
    return natural_order(*[[r.name for r in e.resources] for e in estimates])


def _cost_of(estimate: CostEstimate, name: str) -> Optional[Decimal]:
    for r in estimate.resources:
        if r.name == name:
            return r.monthly_cost
    return None


# ---- Markdown -------------------------------------------------------------------------------------

def md_row(cells: Sequence[str]) -> str:
    """One GitHub-flavoured Markdown table row; pipes inside cells are escaped."""
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def markdown_estimate(e: CostEstimate, level: int = 2) -> str:
    """One estimate; `level` is the heading level (3 inside `plan --format markdown`)."""
    lines = [f"{'#' * level} Monthly cost: {e.profile} in {e.region} ({e.dau:,} DAU)", "",
             md_row(["Resource", "Component", "Quantity", "Unit", "Unit price", "Monthly", "Usage-based"]),
             md_row(["---", "---", "---:", "---", "---:", "---:", "---"])]
    for r in e.resources:
        lines.append(md_row([f"**{r.name}** ({r.count})", "", "", "", "", f"**{fmt_usd(r.monthly_cost)}**", ""]))
        for c in r.components:
            lines.append(md_row(["", c.name, fmt_qty(c.monthly_quantity), c.unit, fmt_price(c.unit_price),
                                 fmt_usd(c.monthly_cost), "yes" if c.usage_based else ""]))
    lines += ["", _md_totals(e), "", *_md_footer(price_footer(e)), ""]
    return "\n".join(lines)


def _md_totals(e: CostEstimate) -> str:
    return (f"Fixed {fmt_usd(e.fixed_monthly)} + usage {fmt_usd(e.usage_monthly)} = "
            f"**{fmt_total(e.total_monthly, e.complete)} per month** (up to {fmt_total(e.max_monthly, e.complete)} at "
            f"autoscaling maximum; prices of {e.catalog_date}, {e.catalog_origin} catalog).")


def _md_footer(lines: Sequence[str]) -> list[str]:
    return [f"- {line}" for line in lines]


def markdown_budget(budget: Mapping[str, Any]) -> str:
    """The budget gate's verdict (plan --budget, cost-report --fail-above)."""
    if budget["ok"]:
        return (f"**Within budget:** {fmt_usd(budget['total_monthly'])} of {fmt_usd(budget['limit_monthly'])} "
                "per month.")
    return f"**Over budget:** {budget['problems'][0]}."


def markdown_all(estimates: Sequence[CostEstimate]) -> str:
    region = estimates[0].region if estimates else ""
    head = ["Resource"] + [e.profile for e in estimates]
    prices = "1-year commitment prices" if estimates and estimates[0].on_demand is not None else "on-demand list prices"
    lines = [f"## Monthly cost per tier in {region} (USD, {prices})", "",
             md_row(head), md_row(["---"] + ["---:"] * len(estimates))]
    for name in resource_rows(estimates):
        lines.append(md_row([name] + [fmt_usd(v) if (v := _cost_of(e, name)) is not None else "-" for e in estimates]))
    lines.append(md_row(["**fixed**"] + [fmt_usd(e.fixed_monthly) for e in estimates]))
    lines.append(md_row(["**usage**"] + [fmt_usd(e.usage_monthly) for e in estimates]))
    lines.append(md_row(["**total**"] + [f"**{fmt_total(e.total_monthly, e.complete)}**" for e in estimates]))
    lines.append(md_row(["at autoscaling max"] + [fmt_total(e.max_monthly, e.complete) for e in estimates]))
    lines.append(md_row(["design DAU"] + [f"{e.dau:,}" for e in estimates]))
    lines.append(md_row(["per 1,000 DAU"] + [fmt_total(e.cost_per_1000_dau(), e.complete) for e in estimates]))
    if estimates:
        lines += ["", f"Prices of {estimates[0].catalog_date} ({estimates[0].catalog_origin} catalog); usage at "
                      "each tier's design DAU with the default usage assumptions.", "", *_md_footer(footer_for(estimates))]
    return "\n".join(lines) + "\n"


def markdown_comparison(cmp: CostComparison) -> str:
    """infracost's diff as a table: + added, ~ changed, - removed; unchanged lines carry no sign."""
    b, a = cmp.before, cmp.after
    lines = [f"## Cost change: {b.profile} -> {a.profile} in {cmp.region}", "",
             f"**{headline(cmp)}**: {fmt_usd(b.total_monthly)} -> {fmt_usd(a.total_monthly)} per month "
             f"(at autoscaling maximum {fmt_usd(b.max_monthly)} -> {fmt_usd(a.max_monthly)}, "
             f"{fmt_delta(cmp.delta_max)}).", "",
             md_row(["", "Resource / component", b.profile, a.profile, "Monthly change"]),
             md_row(["---", "---", "---:", "---:", "---:"])]
    for r in cmp.resources:
        counts = f" ({r.count_before} -> {r.count_after})" if r.count_before != r.count_after else ""
        lines.append(md_row([CHANGE_SIGNS[r.change], f"**{r.name}**{counts}", _opt(r.before if r.count_before else None),
                             _opt(r.after if r.count_after else None), f"**{fmt_delta(r.delta)}**"]))
        for c in r.components:
            lines.append(md_row([CHANGE_SIGNS[c.change], f"&nbsp;&nbsp;{c.name}", _opt(c.before), _opt(c.after),
                                 fmt_delta(c.delta)]))
    lines.append(md_row(["", "**total**", fmt_total(b.total_monthly, b.complete), fmt_total(a.total_monthly, a.complete),
                         f"**{fmt_delta(cmp.delta_monthly)}**"]))
    lines += ["", f"Usage at {b.dau:,} and {a.dau:,} DAU; prices of {a.catalog_date} ({a.catalog_origin} catalog).",
              "", *_md_footer(footer_for([b, a]))]
    return "\n".join(lines) + "\n"


def _opt(value: Optional[Decimal]) -> str:
    return "-" if value is None else fmt_usd(value)


# ---- CSV: plain decimals (never 1.46E+3), money in cents, one syntax per column ---------------------

def _csv(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def plain(value: Optional[Decimal]) -> str:
    """A Decimal as a plain decimal string: no exponent, no trailing zeros, no thousands separator."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _num(value: Optional[Decimal]) -> str:
    return "" if value is None else format(cents(value), "f")


def csv_estimate(e: CostEstimate) -> str:
    rows: list[list[object]] = [["profile", "region", "resource", "resource_type", "count", "component", "unit",
                                 "monthly_quantity", "unit_price", "cost_monthly", "usage_based", "note",
                                 "price_status", "price_rule"]]
    for r in e.resources:
        for c in r.components:
            rows.append([e.profile, e.region, r.name, r.resource_type, r.count, c.name, c.unit,
                         plain(c.monthly_quantity), plain(c.unit_price), _num(c.monthly_cost),
                         str(c.usage_based).lower(), PRICE_NOT_FOUND if c.price_missing else c.note,
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
    rows.append(["per_1000_dau_monthly"] + [_num(e.cost_per_1000_dau()) for e in estimates])
    rows.append(["complete"] + [str(e.complete).lower() for e in estimates])
    return _csv(rows)


def csv_comparison(cmp: CostComparison) -> str:
    rows: list[list[object]] = [["change", "resource", "component", "before_monthly", "after_monthly",
                                 "delta_monthly"]]
    for r in cmp.resources:
        rows.append([r.change, r.name, "", _num(r.before), _num(r.after), _num(r.delta)])
        for c in r.components:
            rows.append([c.change, r.name, c.name, _num(c.before), _num(c.after), _num(c.delta)])
    rows.append(["", "total", "", _num(cmp.before.total_monthly), _num(cmp.after.total_monthly),
                 _num(cmp.delta_monthly)])
    rows.append(["", "complete", "", str(cmp.before.complete).lower(), str(cmp.after.complete).lower(),
                 str(cmp.complete).lower()])
    return _csv(rows)
