"""The HTML cost report: one self-contained file (inline CSS and SVG, no scripts, no external assets)
with a chart of monthly cost per tier stacked by category, and the per-resource table."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any, Mapping, Optional, Sequence

from chatops.costing.categories import CATEGORIES, by_category
from chatops.costing.compare import CostComparison
from chatops.costing.estimate import CostEstimate
from chatops.costing.footer import INCOMPLETE, footer_for
from chatops.costing.money import fmt_total, fmt_usd
from chatops.costing.report import fmt_delta, resource_rows

#: One colour per category (colour-blind friendly Tableau 10).
COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")

CHART_W, CHART_H, LEFT, BOTTOM, TOP = 820, 380, 80, 40, 20

CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem}
td.num,th.num{text-align:right}tr.total td{font-weight:bold;background:#f4f4f4}
.legend span{display:inline-block;margin-right:1rem}.swatch{display:inline-block;width:.8rem;height:.8rem;
margin-right:.3rem;vertical-align:middle}small{color:#666}li.incomplete{color:#b00020;font-weight:bold}
li.provenance{color:#555}"""


def html_report(estimates: Sequence[CostEstimate], comparison: Optional[CostComparison] = None,
                budget: Optional[Mapping[str, Any]] = None) -> str:
    region = estimates[0].region if estimates else ""
    title = f"chatops monthly cost, {region}"
    parts = [f"<h1>{escape(title)}</h1>",
             f"<p><small>USD, {'1-year commitment' if estimates[0].on_demand is not None else 'on-demand list'} "
             f"prices of {escape(estimates[0].catalog_date)} "
             f"({escape(estimates[0].catalog_origin)} catalog); a month is 730 hours.</small></p>" if estimates else "",
             chart_svg(estimates), _legend(), _matrix(estimates), _footer(estimates)]
    if comparison is not None:
        parts.append(_comparison_table(comparison))
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{escape(title)}</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def chart_svg(estimates: Sequence[CostEstimate]) -> str:
    """Stacked bars: one per tier, one segment (rect.bar) per non-zero category."""
    top = max((e.total_monthly for e in estimates), default=Decimal(1)) or Decimal(1)
    plot_h = CHART_H - BOTTOM - TOP
    slot = (CHART_W - LEFT) / max(len(estimates), 1)
    bar_w = slot * 0.6
    out = [f'<svg id="cost-chart" xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}" '
           f'viewBox="0 0 {CHART_W} {CHART_H}" role="img" aria-label="Monthly cost per tier stacked by category">']
    out += _axis(top, plot_h)
    for i, e in enumerate(estimates):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = TOP + plot_h
        out.append(f'<g class="tier" data-tier="{escape(e.profile)}">')
        for colour, (category, cost) in zip(COLOURS, by_category(e).items()):
            if cost <= 0:
                continue
            h = float(cost / top) * plot_h
            y -= h
            out.append(f'<rect class="bar" data-tier="{escape(e.profile)}" data-category="{escape(category)}" '
                       f'data-cost="{cost:.2f}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{colour}"><title>{escape(e.profile)}: {escape(category)} {fmt_usd(cost)}</title></rect>')
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">'
                   f'{fmt_total(e.total_monthly, e.complete)}</text>')
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{CHART_H - BOTTOM + 16}" text-anchor="middle" font-size="12">'
                   f'{escape(e.profile)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _axis(top: Decimal, plot_h: float) -> list[str]:
    lines = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#999"/>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{CHART_W}" y2="{TOP + plot_h}" stroke="#999"/>']
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        lines.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{fmt_usd(value)}</text>')
    return lines


def _legend() -> str:
    items = "".join(f'<span><i class="swatch" style="background:{c}"></i>{escape(name)}</span>'
                    for c, name in zip(COLOURS, CATEGORIES))
    return f'<p class="legend">{items}</p>'


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
    return '<table id="cost-table">\n' + "\n".join(rows) + "\n</table>"


def _footer(estimates: Sequence[CostEstimate]) -> str:
    """Provenance under the table: completeness, price statuses, other-region prices, catalog dates."""
    items = "".join(f'<li class="{"incomplete" if line.startswith(INCOMPLETE) else "provenance"}">{escape(line)}</li>'
                    for line in footer_for(estimates))
    return f'<ul id="price-notes">{items}</ul>'


def _comparison_table(cmp: CostComparison) -> str:
    rows = [f"<tr><th>Resource</th><th>Component</th><th class=\"num\">{escape(cmp.before.profile)}</th>"
            f"<th class=\"num\">{escape(cmp.after.profile)}</th><th class=\"num\">Change</th></tr>"]
    for r in cmp.resources:
        for c in r.components:
            rows.append(f"<tr><td>{escape(r.name)}</td><td>{escape(c.name)}</td>"
                        f'<td class="num">{"-" if c.before is None else fmt_usd(c.before)}</td>'
                        f'<td class="num">{"-" if c.after is None else fmt_usd(c.after)}</td>'
                        f'<td class="num">{fmt_delta(c.delta)}</td></tr>')
    rows.append(f'<tr class="total"><td>total</td><td></td><td class="num">{fmt_usd(cmp.before.total_monthly)}</td>'
                f'<td class="num">{fmt_usd(cmp.after.total_monthly)}</td><td class="num">{fmt_delta(cmp.delta_monthly)}</td></tr>')
    return "<h2>Change per component</h2>\n<table id=\"compare-table\">\n" + "\n".join(rows) + "\n</table>"
