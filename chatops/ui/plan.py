"""Rich rendering of a plan: demand, the choice and why, capacity/headroom, cost, neighbouring tiers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Optional

from rich.console import Console

from chatops.costing.money import fmt_total
from chatops.sizing.plan import PlanResult
from chatops.ui.console import console
from chatops.ui.tables import Col, Row, whole_table


def render_plan(result: PlanResult, estimate: Any = None, neighbour_totals: Optional[Mapping[str, Any]] = None,
                write_path: Optional[Path] = None, budget: Optional[Mapping[str, Any]] = None) -> None:
    out = console()
    _demand(out, result)
    _choice(out, result, write_path)
    if result.optimum is not None:
        from chatops.ui.optimize import render_optimum

        render_optimum(out, result.optimum)
    _capacity(out, result)
    _database(out, result)
    _warnings(out, result)
    if estimate is not None:
        _cost(out, estimate)
    _neighbours(out, result, estimate, neighbour_totals or {})
    if budget is not None:
        from chatops.ui.cost import render_budget

        render_budget(out, budget)


def demand_rows(r: PlanResult) -> list[tuple[str, str]]:
    """The demand at the busiest minute as (measure, value) rows: the terminal and the Markdown show these."""
    d, u = r.demand, r.demand.usage
    return [
        ("Daily active users", f"{d.dau:,}"),
        ("Peak concurrent connections", f"{d.peak_concurrent_connections:,}  ({u.peak_concurrency:.0%} of DAU)"),
        ("Messages/s (deliveries/s)", f"{d.peak_messages_per_second:,.1f}  ({d.peak_deliveries_per_second:,.1f})"),
        ("API requests/s", f"{d.peak_api_requests_per_second:,.1f}"),
        ("DB writes/s, reads/s", f"{d.peak_db_writes_per_second:,.1f}, {d.peak_db_reads_per_second:,.1f}"),
        ("Redis publishes/s", f"{d.peak_redis_pubsub_per_second:,.1f}  (typing {d.peak_typing_events_per_second:,.1f}, "
                              f"receipts {d.peak_read_receipts_per_second:,.1f}, presence "
                              f"{d.peak_presence_changes_per_second:,.1f})"),
        ("SQS push, offline msgs/s", f"{d.peak_sqs_push_per_second:,.1f}, {d.peak_sqs_offline_per_second:,.1f}"),
        ("Storage growth / month", f"{d.storage_growth_gb_per_month:,.1f} GB"),
        ("Data out / month", f"{d.data_out_gb_per_month:,.1f} GB"),
    ]


def _demand(out: Console, r: PlanResult) -> None:
    u = r.demand.usage
    rows = demand_rows(r)
    out.print(whole_table("Demand at the busiest minute", [Col("Measure"), Col("Value", "right", whole=True)],
                          [[f"[bold]{label}[/bold]", value] for label, value in rows]))
    out.print(f"[dim]Assumptions: {u.messages_per_user:g} messages and {u.api_requests_per_user:g} API calls per user "
              f"per day, {u.message_bytes} B per message, fan-out {u.fanout:g}, peak factor {u.peak_factor:g}; "
              f"{u.typing_events_per_message:g} typing events per message, {u.read_receipt_share:.0%} of deliveries "
              f"read-receipted, {u.presence_changes_per_user:g} presence changes per user per day.[/dim]\n")


def _choice(out: Console, r: PlanResult, write_path: Optional[Path]) -> None:
    if r.profile is None:
        out.print("[bold red]No built-in tier fits.[/bold red]")
    else:
        label = {"optimize": "optimised profile", "check": "checked"}.get(r.mode, "selected tier")
        verdict = "" if r.fits else "  [bold red](does not hold the peak)[/bold red]"
        out.print(f"[bold]{label.capitalize()}: [cyan]{r.profile_label}[/cyan][/bold]{verdict}")
    out.print(f"Why: {r.reason}")
    if write_path is not None:
        out.print(f"Wrote the profile to [bold]{write_path}[/bold] (check it: chatops profiles validate {write_path})")
    out.print()


def _capacity(out: Console, r: PlanResult) -> None:
    tightest = r.report.tightest.key
    columns = [Col("Dimension"), Col("Peak demand", "right", whole=True), Col("Capacity", "right", whole=True),
               Col("Headroom", "right", whole=True), Col("At autoscaling max", "right", whole=True)]
    rows: list[Row] = []
    for d in r.report.dimensions:
        mark = "" if d.headroom >= r.required_headroom else " [red]✗[/red]"
        label = f"[bold yellow]{d.label} ← tightest[/bold yellow]" if d.key == tightest else d.label
        demand = f"{d.demand:,.1f}" if d.demand >= 10 else f"{d.demand:,.2f}"
        rows.append([label, demand, _amount(d.capacity), _x(d.headroom) + mark,
                     f"{_amount(d.capacity_at_max)} ({_x(d.headroom_at_max)})"])
    out.print(whole_table(f"Capacity of {r.report.profile_name} (headroom = capacity / peak; required "
                               f"{r.required_headroom:g}x at desired counts)", columns, rows))
    out.print(f"[dim]ALB load at peak: {r.report.alb_lcu_at_peak:,.1f} LCU (the ALB scales itself; billed per LCU).[/dim]\n")


def _database(out: Console, r: PlanResult) -> None:
    from chatops.sizing import database as db

    ws = db.working_set(r.demand)
    text = (f"DB working set {ws.total_gib:,.1f} GiB (recent heap {ws.recent_heap_gib:,.1f}, index pages "
            f"{ws.index_pages_gib:,.1f}, users {ws.metadata_gib:,.1f}); messages grow "
            f"{r.demand.storage_growth_gb_per_month:,.1f} GB a month")
    if r.profile is not None:
        runway = db.runway_months(r.profile.database.max_allocated_storage_gb, r.demand)
        text += (f": {r.profile.database.allocated_storage_gb:,} GB allocated, autoscaling up to "
                 f"{r.profile.database.max_allocated_storage_gb:,} GB = {_months(runway)} of storage runway")
    out.print(f"[dim]{text}.[/dim]\n")


def _months(value: float) -> str:
    return "unbounded" if math.isinf(value) else f"{value:,.1f} months"


def _amount(value: float) -> str:
    """Whole numbers for connections and requests; decimals where the unit is large (vCPU, GiB)."""
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def _x(value: float) -> str:
    return "unbounded" if math.isinf(value) else f"{value:,.2f}x"


def _warnings(out: Console, r: PlanResult) -> None:
    for warning in r.report.warnings:
        out.print(f"[yellow]Warning:[/yellow] {warning}")
    if r.report.warnings:
        out.print()


def _cost(out: Console, estimate: Any) -> None:
    from chatops.ui.cost import render_cost_table

    render_cost_table(out, estimate)
    out.print()


def _neighbours(out: Console, r: PlanResult, estimate: Any, totals: Mapping[str, Any]) -> None:
    if not r.neighbours:
        return
    columns = [Col("Tier", whole=True), Col("Designed for", "right", whole=True), Col("Tightest"),
               Col("Headroom", "right", whole=True), Col("Fits", "right")]
    if totals:
        columns.append(Col("Monthly", "right", whole=True))
    rows: list[Row] = []
    for c in r.neighbours:
        t = c.report.tightest
        row = [c.profile.name, f"{c.profile.design.dau:,} DAU", t.label, _x(t.headroom), "yes" if c.fits else "no"]
        if totals:
            e = totals.get(c.profile.name)
            row.append(fmt_total(e.total_monthly, e.complete) if e is not None else "")
        rows.append(row)
    out.print(whole_table("Neighbouring tiers for this demand", columns, rows))
