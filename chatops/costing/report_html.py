"""The HTML cost report: one self-contained file (inline CSS and SVG, no scripts, no external assets) a
CTO can read: a title per kind of report (one tier, all tiers, a comparison), the comparison's headline
delta, a labelled stacked bar chart (a bar per tier, a segment per category, a legend, round axis ticks),
the same detail as the Markdown report, and where the prices come from.
"""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape
from typing import Any, Mapping, Optional, Sequence

from chatops import __version__
from chatops.costing.categories import CATEGORIES, by_category
from chatops.costing.compare import CHANGE_SIGNS, CostComparison
from chatops.costing.estimate import CostEstimate
from chatops.costing.footer import INCOMPLETE, footer_for
from chatops.costing.money import fmt_total, fmt_usd
from chatops.costing.report import fmt_delta, fmt_price, fmt_qty, headline, resource_rows

#: One colour per category (colour-blind friendly Tableau 10).
COLOURS = dict(zip(CATEGORIES, ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                                "#ff9da7", "#9c755f", "#bab0ac")))

CHART_W, CHART_H, LEFT, BOTTOM, TOP, RIGHT = 860, 400, 90, 48, 28, 20

CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
padding:0 1rem}h1{margin-bottom:.2rem}p.sub{color:#555;margin-top:0}
.headline{font-size:1.6rem;font-weight:600;margin:1rem 0}.up{color:#b22222}.down{color:#1b7f3b}
.budget{padding:.5rem .8rem;border-radius:4px;display:inline-block}.over{background:#fde2e1}.within{background:#e3f4e8}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}th,td{border:1px solid #ddd;padding:.3rem .6rem}
th{background:#f6f6f6;text-align:left}td.num,th.num{text-align:right;white-space:nowrap}
tr.resource td{font-weight:600;background:#fafafa}tr.total td{font-weight:bold;background:#f0f0f0}
td.sign{text-align:center;font-weight:bold;width:1.5rem}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:.2rem 0 1rem}.legend span{white-space:nowrap}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.35rem;vertical-align:middle;border-radius:2px}
footer{color:#666;font-size:.85rem;margin-top:2rem;border-top:1px solid #ddd;padding-top:.6rem}
li.incomplete{color:#b00020;font-weight:bold}li.provenance{color:#555}"""


def report_title(estimates: Sequence[CostEstimate], comparison: Optional[CostComparison]) -> str:
    """One title per kind of report."""
    if comparison is not None:
        return f"Cost change: {comparison.before.profile} → {comparison.after.profile} in {comparison.region}"
    if len(estimates) == 1:
        e = estimates[0]
        return f"Monthly cost: {e.profile} in {e.region} ({e.dau:,} DAU)"
    return f"Monthly cost per tier in {estimates[0].region if estimates else ''}"


def html_report(estimates: Sequence[CostEstimate], comparison: Optional[CostComparison] = None,
                budget: Optional[Mapping[str, Any]] = None) -> str:
    title = report_title(estimates, comparison)
    parts = [f'<h1 id="title">{escape(title)}</h1>',
             f'<p class="sub">USD per month at AWS {_prices(estimates)}; usage-based lines from the demand model.</p>']
    if comparison is not None:
        parts.append(_headline(comparison))
    if budget is not None:
        parts.append(_budget(budget))
    parts += ["<h2>Cost by category</h2>", chart_svg(estimates), _legend(estimates)]
    if comparison is not None:
        parts.append(_comparison_table(comparison))
    elif len(estimates) == 1:
        parts.append(_estimate_table(estimates[0]))
    else:
        parts.append(_matrix(estimates))
    parts.append(_provenance(estimates))
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{escape(title)}</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _prices(estimates: Sequence[CostEstimate]) -> str:
    committed = bool(estimates) and estimates[0].on_demand is not None
    return "1-year commitment prices where priced" if committed else "on-demand list prices"


def nice_ticks(top: Decimal, count: int = 5) -> list[Decimal]:
    """Round axis ticks from 0 to at least `top`: a step of 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = float(top) / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step_dec = Decimal(str(step))
    n = math.ceil(float(top) / step)
    return [step_dec * i for i in range(n + 1)]


def _axis_label(value: Decimal) -> str:
    return f"${value:,.0f}" if value == value.to_integral_value() else f"${value:,.2f}"


def chart_svg(estimates: Sequence[CostEstimate]) -> str:
    """Stacked bars: one per estimate (g.tier), one segment (rect.bar) per non-zero category, the total
    above each bar, the profile below it, and a y axis in USD per month with round ticks and gridlines."""
    ticks = nice_ticks(max((e.total_monthly for e in estimates), default=Decimal(0)))
    top = ticks[-1]
    plot_h, plot_w = CHART_H - BOTTOM - TOP, CHART_W - LEFT - RIGHT
    slot = plot_w / max(len(estimates), 1)
    bar_w = min(slot * 0.6, 120)
    out = [f'<svg id="cost-chart" xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}" '
           f'viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="Monthly cost per tier stacked by category" '
           'font-family="system-ui,sans-serif">']
    for tick in ticks:
        y = TOP + plot_h - float(tick / top) * plot_h
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{CHART_W - RIGHT}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text class="tick" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                   f'fill="#444">{_axis_label(tick)}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#888"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{CHART_W - RIGHT}" y2="{TOP + plot_h}" stroke="#888"/>')
    out.append(f'<text x="18" y="{TOP + plot_h / 2:.1f}" transform="rotate(-90 18 {TOP + plot_h / 2:.1f})" '
               'text-anchor="middle" font-size="12" fill="#444">USD per month</text>')
    for i, e in enumerate(estimates):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = TOP + plot_h
        out.append(f'<g class="tier" data-tier="{escape(e.profile)}" data-total="{e.total_monthly:.2f}">')
        for category, cost in by_category(e).items():
            if cost <= 0:
                continue
            h = float(cost / top) * plot_h
            y -= h
            out.append(f'<rect class="bar" data-tier="{escape(e.profile)}" data-category="{escape(category)}" '
                       f'data-cost="{cost:.2f}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{COLOURS[category]}"><title>{escape(e.profile)}: {escape(category)} {fmt_usd(cost)}'
                       '</title></rect>')
        out.append(f'<text class="total" x="{x + bar_w / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="12" '
                   f'font-weight="600">{fmt_total(e.total_monthly, e.complete)}</text>')
        out.append(f'<text class="label" x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                   f'font-size="12">{escape(e.profile)}</text>')
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 34}" text-anchor="middle" font-size="11" '
                   f'fill="#666">{e.dau:,} DAU</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _legend(estimates: Sequence[CostEstimate]) -> str:
    used = [c for c in CATEGORIES if any(by_category(e)[c] > 0 for e in estimates)]
    items = "".join(f'<span data-category="{escape(c)}"><i class="swatch" style="background:{COLOURS[c]}"></i>'
                    f'{escape(c)}</span>' for c in used)
    return f'<div class="legend" id="legend">{items}</div>'


def _headline(cmp: CostComparison) -> str:
    direction = "up" if cmp.delta_monthly > 0 else "down" if cmp.delta_monthly < 0 else ""
    return (f'<p class="headline {direction}" id="headline">{escape(headline(cmp))}</p>'
            f'<p>{fmt_usd(cmp.before.total_monthly)} → {fmt_usd(cmp.after.total_monthly)} per month; at the autoscaling '
            f'maximum {fmt_usd(cmp.before.max_monthly)} → {fmt_usd(cmp.after.max_monthly)} '
            f'({fmt_delta(cmp.delta_max)}).</p>')


def _budget(budget: Mapping[str, Any]) -> str:
    if budget["ok"]:
        return (f'<p class="budget within" id="budget">Within budget: {fmt_usd(budget["total_monthly"])} of '
                f'{fmt_usd(budget["limit_monthly"])} per month.</p>')
    return f'<p class="budget over" id="budget">Over budget: {escape(budget["problems"][0])}.</p>'


def _estimate_table(e: CostEstimate) -> str:
    rows = ['<tr><th>Resource / component</th><th class="num">Quantity</th><th>Unit</th><th class="num">Unit price</th>'
            '<th class="num">Monthly</th><th>Usage-based</th></tr>']
    for r in e.resources:
        count = f" ×{r.count}" if r.count > 1 else ""
        rows.append(f'<tr class="resource"><td>{escape(r.name)}{count}</td><td></td><td></td><td></td>'
                    f'<td class="num">{fmt_usd(r.monthly_cost)}</td><td></td></tr>')
        for c in r.components:
            rows.append(f"<tr><td>&nbsp;&nbsp;{escape(c.name)}</td><td class=\"num\">{fmt_qty(c.monthly_quantity)}</td>"
                        f"<td>{escape(c.unit)}</td><td class=\"num\">{escape(fmt_price(c.unit_price))}</td>"
                        f"<td class=\"num\">{fmt_usd(c.monthly_cost)}</td><td>{'yes' if c.usage_based else ''}</td></tr>")
    for label, value in (("fixed", fmt_usd(e.fixed_monthly)), ("usage", fmt_usd(e.usage_monthly)),
                         ("total", fmt_total(e.total_monthly, e.complete)),
                         ("at autoscaling max", fmt_total(e.max_monthly, e.complete))):
        cls = ' class="total"' if label == "total" else ""
        rows.append(f'<tr{cls}><td>{label}</td><td></td><td></td><td></td><td class="num">{value}</td><td></td></tr>')
    return '<h2>Per resource and component</h2>\n<table id="cost-table">\n' + "\n".join(rows) + "\n</table>"


def _matrix(estimates: Sequence[CostEstimate]) -> str:
    head = "".join(f'<th class="num">{escape(e.profile)}</th>' for e in estimates)
    rows = [f"<tr><th>Resource</th>{head}</tr>"]
    for name in resource_rows(estimates):
        cells = ""
        for e in estimates:
            cost = next((r.monthly_cost for r in e.resources if r.name == name), None)
            cells += f'<td class="num">{fmt_usd(cost) if cost is not None else "-"}</td>'
        rows.append(f"<tr><td>{escape(name)}</td>{cells}</tr>")
    for label, values in (("fixed", [fmt_usd(e.fixed_monthly) for e in estimates]),
                          ("usage", [fmt_usd(e.usage_monthly) for e in estimates]),
                          ("total", [fmt_total(e.total_monthly, e.complete) for e in estimates]),
                          ("at autoscaling max", [fmt_total(e.max_monthly, e.complete) for e in estimates]),
                          ("per 1,000 DAU", [fmt_total(e.cost_per_1000_dau(), e.complete) for e in estimates])):
        cls = ' class="total"' if label == "total" else ""
        rows.append(f"<tr{cls}><td>{label}</td>" + "".join(f'<td class="num">{v}</td>' for v in values) + "</tr>")
    rows.append("<tr><td>design DAU</td>" + "".join(f'<td class="num">{e.dau:,}</td>' for e in estimates) + "</tr>")
    return '<h2>Per resource</h2>\n<table id="cost-table">\n' + "\n".join(rows) + "\n</table>"


def _comparison_table(cmp: CostComparison) -> str:
    rows = [f'<tr><th></th><th>Resource / component</th><th class="num">{escape(cmp.before.profile)}</th>'
            f'<th class="num">{escape(cmp.after.profile)}</th><th class="num">Monthly change</th></tr>']
    for r in cmp.resources:
        counts = f" ({r.count_before} → {r.count_after})" if r.count_before != r.count_after else ""
        rows.append(f'<tr class="resource" data-change="{r.change}"><td class="sign">{CHANGE_SIGNS[r.change]}</td>'
                    f"<td>{escape(r.name)}{counts}</td>"
                    f'<td class="num">{fmt_usd(r.before) if r.count_before else "-"}</td>'
                    f'<td class="num">{fmt_usd(r.after) if r.count_after else "-"}</td>'
                    f'<td class="num">{fmt_delta(r.delta)}</td></tr>')
        for c in r.components:
            rows.append(f'<tr data-change="{c.change}"><td class="sign">{CHANGE_SIGNS[c.change]}</td>'
                        f"<td>&nbsp;&nbsp;{escape(c.name)}</td>"
                        f'<td class="num">{"-" if c.before is None else fmt_usd(c.before)}</td>'
                        f'<td class="num">{"-" if c.after is None else fmt_usd(c.after)}</td>'
                        f'<td class="num">{fmt_delta(c.delta)}</td></tr>')
    rows.append(f'<tr class="total"><td></td><td>total</td>'
                f'<td class="num">{fmt_total(cmp.before.total_monthly, cmp.before.complete)}</td>'
                f'<td class="num">{fmt_total(cmp.after.total_monthly, cmp.after.complete)}</td>'
                f'<td class="num">{fmt_delta(cmp.delta_monthly)}</td></tr>')
    return ('<h2>Change per resource and component</h2>\n<p>+ added, ~ changed, - removed; unchanged lines carry no '
            'sign.</p>\n<table id="compare-table">\n' + "\n".join(rows) + "\n</table>")


def _provenance(estimates: Sequence[CostEstimate]) -> str:
    if not estimates:
        return ""
    e = estimates[0]
    origin = "your refreshed cache (AWS Price List API)" if e.catalog_origin == "cache" else \
        "the catalog bundled with chatops"
    notes = "".join(f'<li class="{"incomplete" if line.startswith(INCOMPLETE) else "provenance"}">{escape(line)}</li>'
                    for line in footer_for(estimates))
    return (f'<footer id="provenance"><ul id="price-notes">{notes}</ul>Prices: AWS {_prices(estimates)} for '
            f'{escape(e.region)} from {origin}, dated {escape(e.catalog_date)}; every price carries its status and '
            f'source (<code>chatops prices show --region {escape(e.region)}</code>). A month is 730 hours; free tiers '
            f'are not subtracted; usage at {", ".join(f"{x.dau:,}" for x in estimates)} DAU with the default usage '
            f'assumptions unless given. Generated by chatops {escape(__version__)}.</footer>')
