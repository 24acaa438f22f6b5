"""Rich rendering of cost estimates (cost-report, plan, preview) and of cost diffs (cost-report --compare,
scale-to, the live preview). No logic: figures come from chatops.costing, formats from costing.report."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from rich.console import Console

from chatops.costing.compare import CHANGE_SIGNS, CostComparison
from chatops.costing.estimate import CostEstimate
from chatops.costing.footer import INCOMPLETE, footer_for, price_footer
from chatops.costing.money import fmt_total, fmt_usd
from chatops.costing.report import fmt_delta, fmt_price, fmt_qty, headline, resource_rows
from chatops.model.profile import Profile
from chatops.ui.tables import SECTION, Col, Row, split_table, whole_table

#: Colour of each kind of change, as infracost and the Pulumi CLI use them.
CHANGE_STYLES = {"added": "green", "changed": "yellow", "removed": "red", "unchanged": "dim"}


def _usd(value) -> str:
    text = fmt_usd(value)
    return f"[red]{text}[/red]" if value is None else text


def render_cost_table(console: Console, estimate: CostEstimate) -> None:
    """Per-resource tree of cost components, then fixed / usage / total and the autoscaling range."""
    columns = [Col("Resource / component"), Col("Quantity", "right", whole=True), Col("Unit"),
               Col("Unit price", "right", whole=True), Col("Monthly", "right", whole=True)]
    rows: list[Row] = []
    for r in estimate.resources:
        count = f" x{r.count}" if r.count > 1 else ""
        rows.append([f"[bold]{r.name}[/bold]{count}", "", "", "", f"[bold]{fmt_usd(r.monthly_cost)}[/bold]"])
        for i, c in enumerate(r.components):
            branch = "└─" if i == len(r.components) - 1 else "├─"
            usage = " [dim](usage)[/dim]" if c.usage_based else ""
            usage += f" [dim]({c.pricing})[/dim]" if c.pricing in ("reserved", "savings-plan") else ""
            price = fmt_price(c.unit_price)
            rows.append([f" {branch} {c.name}{usage}", fmt_qty(c.monthly_quantity), c.unit,
                         f"[red]{price}[/red]" if c.unit_price is None else price, _usd(c.monthly_cost)])
    title = f"Monthly cost: {estimate.profile} in {estimate.region} ({estimate.dau:,} DAU)"
    console.print(whole_table(title, columns, rows))
    render_totals(console, estimate)


def render_totals(console: Console, estimate: CostEstimate) -> None:
    console.print(f"Fixed {fmt_usd(estimate.fixed_monthly)} + usage {fmt_usd(estimate.usage_monthly)} = "
                  f"[bold]{fmt_total(estimate.total_monthly, estimate.complete)}/month[/bold]; up to "
                  f"{fmt_total(estimate.max_monthly, estimate.complete)} with every service at its autoscaling maximum.")
    what = "On-demand list prices" if estimate.on_demand is None else "1-year commitment prices where priced"
    console.print(f"[dim]{what} ({estimate.region}); a month is 730 hours.[/dim]")
    _footer(console, price_footer(estimate))


def _footer(console: Console, lines: Sequence[str]) -> None:
    for line in lines:
        console.print(f"[red]{line}[/red]" if line.startswith(INCOMPLETE) else f"[dim]{line}[/dim]")


def render_all_table(console: Console, estimates: Sequence[CostEstimate]) -> None:
    """All tiers side by side: one row per resource, totals and cost per 1,000 DAU (split when narrow)."""
    region = estimates[0].region if estimates else ""
    columns = [Col("Resource")] + [Col(e.profile, "right", whole=True) for e in estimates]
    rows: list[Row] = []
    for name in resource_rows(estimates):
        cells = []
        for e in estimates:
            cost = next((r.monthly_cost for r in e.resources if r.name == name), None)
            cells.append(fmt_usd(cost) if cost is not None else "-")
        rows.append([name, *cells])
    rows += [SECTION,
             ["fixed", *[fmt_usd(e.fixed_monthly) for e in estimates]],
             ["usage", *[fmt_usd(e.usage_monthly) for e in estimates]],
             ["[bold]total[/bold]", *[f"[bold]{fmt_total(e.total_monthly, e.complete)}[/bold]" for e in estimates]],
             ["at autoscaling max", *[fmt_total(e.max_monthly, e.complete) for e in estimates]],
             ["per 1,000 DAU", *[fmt_total(e.cost_per_1000_dau(), e.complete) for e in estimates]]]
    console.print(split_table(f"Monthly cost per tier in {region}", columns, rows))
    if estimates:
        console.print(f"[dim]Usage at each tier's design DAU; prices of {estimates[0].catalog_date} "
                      f"({estimates[0].catalog_origin} catalog).[/dim]")
    _footer(console, footer_for(estimates))


def render_cost_diff(console: Console, cmp: CostComparison, title: Optional[str] = None) -> None:
    """The infracost diff: a headline '+$X/month (+Y %)', then every resource and component with
    + (added), ~ (changed) or - (removed) and its monthly delta; unchanged lines carry no sign.
    `cost-report --compare`, `scale-to` and the live `preview` all show this."""
    b, a = cmp.before, cmp.after
    style = "red" if cmp.delta_monthly > 0 else "green" if cmp.delta_monthly < 0 else "bold"
    console.print(f"[bold]{title or f'Cost change: {b.profile} -> {a.profile} in {cmp.region}'}[/bold]")
    console.print(f"[{style}]{headline(cmp)}[/{style}]: {fmt_total(b.total_monthly, b.complete)} -> "
                  f"{fmt_total(a.total_monthly, a.complete)} per month (at autoscaling maximum "
                  f"{fmt_total(b.max_monthly, b.complete)} -> {fmt_total(a.max_monthly, a.complete)})")
    columns = [Col(""), Col("Resource / component"), Col(b.profile, "right", whole=True),
               Col(a.profile, "right", whole=True), Col("Monthly change", "right", whole=True)]
    rows: list[Row] = []
    for r in cmp.resources:
        counts = f" ({r.count_before} -> {r.count_after})" if r.count_before != r.count_after else ""
        rows.append([_sign(r.change), f"[bold]{r.name}[/bold]{counts}", _opt(r.before if r.count_before else None),
                     _opt(r.after if r.count_after else None), _coloured(r.delta, bold=True)])
        for c in r.components:
            rows.append([_sign(c.change), f"  {c.name}", _opt(c.before), _opt(c.after), _coloured(c.delta)])
    rows += [SECTION,
             ["", "[bold]total[/bold]", fmt_total(b.total_monthly, b.complete), fmt_total(a.total_monthly, a.complete),
              _coloured(cmp.delta_monthly, bold=True)],
             ["", "at autoscaling max", fmt_usd(b.max_monthly), fmt_usd(a.max_monthly), _coloured(cmp.delta_max)]]
    console.print(whole_table("", columns, rows))


def show_cost_diff(before: Optional[Profile], after: Profile, region: str, title: Optional[str] = None) -> None:
    """The diff between what is deployed (`before`; None when nothing is) and `after`, on the terminal:
    the one call `scale-to` and the live `preview` make to show a cost change."""
    import dataclasses

    from chatops.costing.compare import compare_costs
    from chatops.costing.estimate import estimate_cost
    from chatops.ui.console import console

    new = estimate_cost(after, region)
    old = estimate_cost(before, region) if before is not None else \
        dataclasses.replace(new, profile="nothing deployed", resources=[])
    render_cost_diff(console(), compare_costs(old, new), title)


def render_comparison(console: Console, cmp: CostComparison) -> None:
    """`cost-report --compare`: the diff, and where the figures come from."""
    render_cost_diff(console, cmp)
    console.print(f"[dim]Usage at {cmp.before.dau:,} and {cmp.after.dau:,} DAU; prices of {cmp.after.catalog_date} "
                  f"({cmp.after.catalog_origin} catalog).[/dim]")
    _footer(console, footer_for([cmp.before, cmp.after]))


def render_budget(console: Console, budget: Mapping[str, Any]) -> None:
    """The --budget / --fail-above verdict, after the report it judges."""
    if budget["ok"]:
        console.print(f"[green]Within budget:[/green] {fmt_usd(budget['total_monthly'])} of "
                      f"{fmt_usd(budget['limit_monthly'])} per month.")
    else:
        console.print(f"[bold red]Over budget:[/bold red] {budget['problems'][0]}.")


def _sign(change: str) -> str:
    sign = CHANGE_SIGNS[change]
    return f"[{CHANGE_STYLES[change]}]{sign}[/]" if sign else ""


def _opt(value) -> str:
    return "-" if value is None else fmt_usd(value)


def _coloured(delta, bold: bool = False) -> str:
    text = fmt_delta(delta)
    style = "red" if text.startswith("+") else "green" if text.startswith("-") else ""
    style = f"bold {style}".strip() if bold else style
    return f"[{style}]{text}[/]" if style else text
