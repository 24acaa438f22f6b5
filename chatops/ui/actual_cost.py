"""How `chatops cost-report --actual` shows actual spend next to the estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from rich.table import Table

from chatops.ui.console import console


def render_actual_cost(report: dict[str, Any]) -> None:
    mtd = report["month_to_date"]
    table = Table(title=f"Actual cost of {report['project']}-{report['stack']} ({report['tier']}, {report['region']}), "
                        f"USD, by Cost Explorer service")
    for column in ("service", "estimate / month", f"last month ({report['last_month']['start'][:7]})",
                   "variance", f"month to date ({mtd['elapsed_days']} d)", "projected month", "projected variance"):
        table.add_column(column, justify="left" if column == "service" else "right")
    for row in report["services"]:
        table.add_row(row["service"], _money(row["estimate_monthly"]), _money(row["last_month"]),
                      _variance(row["variance_last_month"], row["variance_last_month_percent"]),
                      _money(row["month_to_date"]), _money(row["month_projected"]),
                      _pct(row["variance_projected_percent"]))
    totals = report["totals"]
    table.add_row("[bold]total[/]", _money(totals["estimate_monthly"]), _money(totals["last_month"]),
                  _variance(totals["variance_last_month"], totals["variance_last_month_percent"]),
                  _money(totals["month_to_date"]), _money(totals["month_projected"]), "")
    out = console()
    out.print(table)
    if report["estimated_by_aws"]:
        out.print("[dim]Cost Explorer marks some figures as estimated (the bill is not final yet).[/]")
    out.print("[dim]Costs without the project/stack tags (data transfer, taxes, support) are not included.[/]")


def _money(value: Optional[Decimal]) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _pct(value: Optional[float]) -> str:
    if value is None:
        return "-"
    style = "red" if value > 20 else "green" if value < -20 else ""
    text = f"{value:+.1f}%"
    return f"[{style}]{text}[/]" if style else text


def _variance(amount: Optional[Decimal], percent: Optional[float]) -> str:
    if amount is None:
        return "-"
    return f"{amount:+,.2f}" + (f" ({_pct(percent)})" if percent is not None else "")
