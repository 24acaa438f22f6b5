"""How `chatops cost-report --actual` shows actual spend next to the estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional


from chatops.ui.console import console
from chatops.ui.tables import Col, Row, whole_table


def render_actual_cost(report: dict[str, Any]) -> None:
    mtd = report["month_to_date"]
    title = (f"Actual cost of {report['project']}-{report['stack']} ({report['profile']}, {report['region']}), "
             f"USD, by Cost Explorer service")
    columns = [Col("service")] + [Col(name, "right", whole=True) for name in (
        "estimate / month", f"last month ({report['last_month']['start'][:7]})", "variance",
        f"month to date ({mtd['elapsed_days']} d)", "projected month", "projected variance")]
    rows: list[Row] = []
    for row in report["services"]:
        rows.append([row["service"], _money(row["estimate_monthly"]), _money(row["last_month_monthly"]),
                      _variance(row["variance_monthly"], row["variance_percent"]),
                      _money(row["month_to_date_monthly"]), _money(row["projected_monthly"]),
                      _pct(row["projected_variance_percent"])])
    totals = report["totals"]
    rows.append(["[bold]total[/]", _money(totals["estimate_monthly"]), _money(totals["last_month_monthly"]),
                  _variance(totals["variance_monthly"], totals["variance_percent"]),
                  _money(totals["month_to_date_monthly"]), _money(totals["projected_monthly"]), ""])
    out = console()
    out.print(whole_table(title, columns, rows))
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
