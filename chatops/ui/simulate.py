"""Terminal rendering of a simulation: per-service summary, a compact chart, alarms, costs, recommendations.

Also the one-line simulated Fargate figure `cost-report --simulate` prints under its table. No logic
beyond formatting: every number comes from chatops.simulate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional, Sequence

from rich.console import Console
from rich.table import Table

from chatops.costing.money import fmt_usd
from chatops.simulate.cost import FargateCost, total
from chatops.simulate.recommend import Change, Recommendations
from chatops.simulate.report import SimulationReport
from chatops.simulate.traffic import MINUTES_PER_DAY, clock
from chatops.ui.simulate_chart import buckets

BLOCKS = " ▁▂▃▄▅▆▇█"
CHART_WIDTH = 72


def render_simulation(out: Console, report: SimulationReport) -> None:
    _header(out, report)
    _summary(out, report)
    _charts(out, report)
    _alarms(out, report)
    render_fargate_line(out, report.costs, report.traffic.name, report.stack.minutes)
    if report.recommendations is not None:
        _recommendations(out, report.recommendations)
    for note in report.traffic.notes:
        out.print(f"[yellow]Note:[/yellow] {note}")


def _header(out: Console, r: SimulationReport) -> None:
    stack, t = r.stack, r.stack.timing
    days = stack.minutes / MINUTES_PER_DAY
    source = f"{r.traffic.name} shape" if r.traffic.kind == "shape" else f"measured values from {r.traffic.name}"
    spikes = "".join(f", spike {s.text}" for s in r.traffic.spikes)
    out.print(f"[bold]Simulated {days:g} day(s) ({stack.minutes:,} minutes) of {stack.profile.name}[/bold] at "
              f"{r.demand.dau:,} DAU: {source}{spikes}.")
    starts = ", ".join(f"{s} {run.times.start_seconds:g} s" for s, run in stack.runs.items())
    out.print(f"[dim]New tasks serve after provisioning {t.provisioning_seconds:g} s + image pull "
              f"{t.image_pull_seconds:g} s + load-balancer health checks (in all: {starts}); scale-in below "
              f"{t.scale_in_threshold:.0%} of each target.[/dim]")
    if r.traffic.filled_minutes:
        out.print(f"[dim]{r.traffic.filled_minutes:,} minute(s) missing from the CSV's timestamps repeat the row "
                  "before them.[/dim]")
    out.print()


def _summary(out: Console, r: SimulationReport) -> None:
    table = Table(title="Per service", title_justify="left")
    for name, justify in (("Service", "left"), ("Peak demand", "right"), ("Per task", "right"),
                          ("Tasks min-max", "right"), ("Peak tasks", "right"), ("Task-hours", "right"),
                          ("Saturated", "right"), ("Worst shortfall", "right"), ("Fargate / month", "right")):
        table.add_column(name, justify=justify)
    for service, run in r.stack.runs.items():
        cost = r.costs[service]
        saturated = f"[red]{run.saturated_minutes} min[/red]" if run.saturated_minutes else "0"
        worst = (f"[red]{run.worst_shortfall:,.0f} at {clock(run.worst_minute)}[/red]"
                 if run.worst_minute is not None else "-")
        table.add_row(service, f"{max(run.demand, default=0):,.1f} {run.unit}", f"{run.per_task:,.0f}",
                      f"{run.target.min_capacity}-{run.target.max_capacity}", str(run.peak_tasks),
                      f"{run.task_hours:,.1f}", saturated, worst, fmt_usd(cost.simulated_monthly))
    out.print(table)


def _charts(out: Console, r: SimulationReport) -> None:
    minutes = r.stack.minutes
    width = min(CHART_WIDTH, minutes)
    out.print(f"[bold]Over time[/bold] [dim](each column {minutes / width:g} minutes; demand and capacity on one "
              "scale)[/dim]")
    for service, run in r.stack.runs.items():
        top = max(max(run.demand, default=0.0), max(run.capacity, default=0.0)) or 1.0
        demand = buckets(run.demand, width, max)
        capacity = buckets(run.capacity, width, min)
        tasks = buckets([float(d) for d in run.desired], width, max)
        saturated = buckets([float(s) for s in run.saturated], width, max)
        out.print(f"{service:<9}demand   [blue]{_spark(demand, top)}[/blue]  peak {max(run.demand, default=0):,.0f} "
                  f"{run.unit}")
        out.print(f"{'':<9}capacity [green]{_spark(capacity, top)}[/green]")
        out.print(f"{'':<9}tasks    [cyan]{_spark(tasks, max(tasks) or 1.0)}[/cyan]  {min(run.desired)} to "
                  f"{run.peak_tasks}")
        if run.saturated_minutes:
            marks = "".join("█" if s else " " for s in saturated)
            out.print(f"{'':<9}[red]saturated[/red][red]{marks}[/red] {run.saturated_minutes} min")
    out.print(f"{'':<18}{_axis(minutes, width)}\n")


def _spark(values: Sequence[float], top: float) -> str:
    # Any demand at all shows as at least the lowest block; only zero is blank.
    return "".join(BLOCKS[max(1, min(len(BLOCKS) - 1, round(v / top * (len(BLOCKS) - 1))))] if v > 0 else " "
                   for v in values)


def _axis(minutes: int, width: int) -> str:
    """Tick labels under the sparklines: hours of the day for short runs, day numbers for long ones."""
    axis = [" "] * width
    days = minutes / MINUTES_PER_DAY
    step = 6 * 60 if days <= 2 else MINUTES_PER_DAY * max(1, round(days / 6))
    for tick in range(0, minutes, step):
        label = f"{tick % MINUTES_PER_DAY // 60:02d}h" if days <= 2 else f"d{tick // MINUTES_PER_DAY + 1}"
        at = int(tick / minutes * width)
        if at + len(label) <= width and all(c == " " for c in axis[max(0, at - 1):at + len(label)]):
            axis[at:at + len(label)] = label
    return "".join(axis)


def _alarms(out: Console, r: SimulationReport) -> None:
    # AlarmLow of a target-tracking policy sits in ALARM whenever a service is quieter than its target:
    # normal, so only the alarms that scale out or page someone are listed (--json has all of them).
    shown = [a for a in r.stack.alarms if not a.key.endswith("AlarmLow")]
    if not shown:
        out.print("No scale-out or monitoring alarm would have fired.")
    else:
        table = Table(title="Alarms that would have fired", title_justify="left")
        for name, justify in (("Alarm", "left"), ("Kind", "left"), ("First", "left"), ("Minutes", "right"),
                              ("Times", "right"), ("Meaning", "left")):
            table.add_column(name, justify=justify)
        for a in shown:
            first = clock(a.episodes.first_minute) if a.episodes.first_minute is not None else "-"
            style = "red" if a.kind == "monitoring" else ""
            # AWS appends an id to target-tracking alarm names: show the policy the program names instead.
            label = f"{a.policy} {a.key.partition(' ')[2]}" if a.key.endswith("AlarmHigh") else a.name
            table.add_row(label, a.kind, first, str(a.episodes.minutes), str(a.episodes.count), a.description,
                          style=style)
        out.print(table)
    if r.stack.not_simulated:
        out.print(f"[dim]Not simulated (no model of their metric): {', '.join(r.stack.not_simulated)}.[/dim]")
    out.print()


def render_fargate_line(out: Console, costs: dict[str, FargateCost], traffic: str, minutes: int) -> None:
    """Simulated Fargate month next to cost-report's desired-count and autoscaling-maximum figures."""
    simulated, desired, at_max = (total(costs, a) for a in ("simulated_monthly", "desired_monthly", "max_monthly"))
    days = minutes / MINUTES_PER_DAY
    out.print(f"[bold]Fargate per month[/bold] (api + realtime + workers): simulated [bold]{fmt_usd(simulated)}[/bold] "
              f"({traffic}, {days:g} day(s) as the month) vs {fmt_usd(desired)} at the desired counts and "
              f"{fmt_usd(at_max)} at the autoscaling maximum.")
    missing = sorted({k for c in costs.values() for k in c.missing_prices})
    if missing:
        out.print(f"[red]price not found for: {', '.join(missing)}; those lines are not in the figures.[/red]")


def _recommendations(out: Console, recs: Recommendations) -> None:
    out.print()
    for advice in recs.advice:
        if not advice.options:
            out.print(f"[red]{advice.service}: no single change within the profile's limits removes its "
                      f"{advice.saturated_minutes} saturated minute(s)[/red] (tried {', '.join(advice.not_enough)}).")
            continue
        table = Table(title=f"Remove {advice.service}'s {advice.saturated_minutes} saturated minute(s): "
                            "verified options, cheapest first", title_justify="left")
        for name, justify in (("Change", "left"), ("Peak tasks", "right"), ("Fargate / month", "right"),
                              ("vs now", "right")):
            table.add_column(name, justify=justify)
        for option in advice.options:
            table.add_row(_changes(option.changes), str(option.peak_tasks), fmt_usd(option.simulated_monthly),
                          _delta(option.delta_monthly))
        out.print(table)
        if advice.not_enough:
            out.print(f"[dim]Not enough on their own: {', '.join(advice.not_enough)}.[/dim]")
    combined = recs.combined
    if combined is not None:
        verdict = ("[green]no saturation[/green]" if not combined.saturated else
                   "[red]still saturated: " + ", ".join(f"{s} {run.saturated_minutes} min"
                                                        for s, run in combined.runs.items()
                                                        if run.saturated_minutes) + "[/red]")
        out.print(f"With the cheapest option of each service applied together, a re-run shows {verdict}.")


def _changes(changes: Sequence[Change]) -> str:
    return ", ".join(f"{c.field}: {c.old} -> {c.new}" for c in changes)


def _delta(value: Optional[Decimal]) -> str:
    if value is None:
        return "-"
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{fmt_usd(abs(value))}"
