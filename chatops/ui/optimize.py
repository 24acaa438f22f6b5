"""Rich rendering of `plan --optimize`: each component's choice and why, the runner-ups it rejected with
their cost, and the comparison with the built-in tier `plan` selects."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from rich.console import Console
from rich.table import Table

from chatops.sizing.optimize import Optimum


def render_optimum(out: Console, o: Optimum) -> None:
    out.print(f"[bold]Availability:[/bold] {o.availability.name} ({o.availability.summary}).")
    total = _money(o.quote.total_monthly, o.complete)
    line = f"[bold]Optimised total:[/bold] {total}/month (fixed {_money(o.quote.fixed_monthly, o.complete)})"
    if o.tier is not None:
        savings = o.tier.total_monthly - o.quote.total_monthly
        line += f"; the selected tier {o.tier.profile} costs {_money(o.tier.total_monthly, True)}"
        line += f", {_money(savings, True)} more" if savings > 0 else ""
        if o.tier.policy_shortfalls:
            line += f" (short of the {o.availability.name} policy: {', '.join(o.tier.policy_shortfalls)})"
    out.print(line + ".")
    if not o.complete:
        out.print(f"[yellow]Some prices are missing ({', '.join(o.quote.missing_prices)}): the total is a lower "
                  "bound.[/yellow]")
    out.print(f"[dim]{o.priced_profiles} profiles priced.[/dim]\n")
    _choices(out, o)


def _choices(out: Console, o: Optimum) -> None:
    table = Table(title="What the optimiser chose, and why", title_justify="left", show_lines=True)
    table.add_column("Component", style="bold")
    table.add_column("Choice")
    table.add_column("Why")
    table.add_column("Passed over", overflow="fold")
    for c in o.choices:
        passed = "\n".join(f"{a.label}: {_delta(a.delta_monthly)}" + ("" if a.delta_monthly is not None
                                                                      else f" ({a.reason})")
                           for a in c.alternatives)
        table.add_row(c.component, c.label, c.reason, passed or "-")
    out.print(table)
    out.print()


def _delta(amount: Optional[Decimal]) -> str:
    return "does not hold the demand" if amount is None else f"+{_money(amount, True)}/month"


def _money(amount: Decimal, complete: bool) -> str:
    return f"{'' if complete else 'at least '}${amount:,.2f}"
