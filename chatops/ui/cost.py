"""Rich rendering of cost estimates (used by cost-report, plan and preview --offline). No logic."""

from __future__ import annotations

from typing import Sequence

from rich.console import Console
from rich.table import Table

from chatops.costing.compare import CostComparison
from chatops.costing.estimate import CostEstimate
from chatops.costing.footer import INCOMPLETE, footer_for, price_footer
from chatops.costing.money import fmt_total, fmt_usd
from chatops.costing.report import fmt_delta, fmt_price, fmt_qty, resource_rows


def _usd(value) -> str:
    text = fmt_usd(value)
    return f"[red]{text}[/red]" if value is None else text


def render_cost_table(console: Console, estimate: CostEstimate) -> None:
    """Per-resource tree of cost components, then fixed / usage / total and the autoscaling range."""
    table = Table(title=f"Monthly cost: {estimate.profile} in {estimate.region} ({estimate.dau:,} DAU)",
                  title_justify="left", show_lines=False, pad_edge=False)
    table.add_column("Resource / component")
    table.add_column("Quantity", justify="right")
    table.add_column("Unit")
    table.add_column("Unit price", justify="right")
    table.add_column("Monthly", justify="right")
    for r in estimate.resources:
        count = f" x{r.count}" if r.count > 1 else ""
        table.add_row(f"[bold]{r.name}[/bold]{count}", "", "", "", f"[bold]{fmt_usd(r.monthly_cost)}[/bold]")
        for i, c in enumerate(r.components):
            branch = "└─" if i == len(r.components) - 1 else "├─"
            usage = " [dim](usage)[/dim]" if c.usage_based else ""
            usage += f" [dim]({c.pricing})[/dim]" if c.pricing in ("reserved", "savings-plan") else ""
            price = fmt_price(c.unit_price)
            table.add_row(f" {branch} {c.name}{usage}", fmt_qty(c.monthly_quantity), c.unit,
                          f"[red]{price}[/red]" if c.unit_price is None else price, _usd(c.monthly_cost))
    console.print(table)
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
    """All tiers side by side: one row per resource, totals and cost per 1,000 DAU."""
    region = estimates[0].region if estimates else ""
    table = Table(title=f"Monthly cost per tier in {region}", title_justify="left")
    table.add_column("Resource")
    for e in estimates:
        table.add_column(e.profile, justify="right")
    for name in resource_rows(estimates):
        cells = []
        for e in estimates:
            cost = next((r.monthly_cost for r in e.resources if r.name == name), None)
            cells.append(fmt_usd(cost) if cost is not None else "-")
        table.add_row(name, *cells)
    table.add_section()
    table.add_row("fixed", *[fmt_usd(e.fixed_monthly) for e in estimates])
    table.add_row("usage", *[fmt_usd(e.usage_monthly) for e in estimates])
    table.add_row("[bold]total[/bold]", *[f"[bold]{fmt_total(e.total_monthly, e.complete)}[/bold]" for e in estimates])
    table.add_row("at autoscaling max", *[fmt_total(e.max_monthly, e.complete) for e in estimates])
    table.add_row("per 1,000 DAU", *[fmt_total(e.cost_per_1000_dau(), e.complete) for e in estimates])
    console.print(table)
    if estimates:
        console.print(f"[dim]Usage at each tier's design DAU; prices of {estimates[0].catalog_date} "
                      f"({estimates[0].catalog_origin} catalog).[/dim]")
    _footer(console, footer_for(estimates))


def render_comparison(console: Console, cmp: CostComparison) -> None:
    """Monthly difference per resource and component."""
    table = Table(title=f"{cmp.before.profile} -> {cmp.after.profile} in {cmp.region}", title_justify="left")
    table.add_column("Resource / component")
    table.add_column(cmp.before.profile, justify="right")
    table.add_column(cmp.after.profile, justify="right")
    table.add_column("Change", justify="right")
    for r in cmp.resources:
        table.add_row(f"[bold]{r.name}[/bold]", fmt_usd(r.before), fmt_usd(r.after), _coloured(r.delta))
        for c in r.components:
            table.add_row(f"  {c.name}", "-" if c.before is None else fmt_usd(c.before),
                          "-" if c.after is None else fmt_usd(c.after), _coloured(c.delta))
    table.add_section()
    table.add_row("[bold]total[/bold]", fmt_total(cmp.before.total_monthly, cmp.before.complete),
                  fmt_total(cmp.after.total_monthly, cmp.after.complete), _coloured(cmp.delta_monthly))
    table.add_row("at autoscaling max", fmt_usd(cmp.before.max_monthly), fmt_usd(cmp.after.max_monthly),
                  _coloured(cmp.delta_max))
    console.print(table)
    _footer(console, footer_for([cmp.before, cmp.after]))


def _coloured(delta) -> str:
    text = fmt_delta(delta)
    return f"[red]{text}[/red]" if delta > 0 else f"[green]{text}[/green]" if delta < 0 else text
