"""How `chatops status` shows a snapshot, and the --watch loop that redraws it in place."""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from rich.console import Group, RenderableType
from rich.live import Live
from rich.text import Text

from chatops.errors import ChatopsError
from chatops.ui.console import console
from chatops.ui.tables import Col, WholeTable


def status_view(report: dict[str, Any], note: str = "") -> RenderableType:
    parts: list[RenderableType] = [Text.from_markup(
        f"[bold]{report['project']}-{report['stack']}[/] ({report['profile']}, {report['region']}) at "
        f"{report['observed_at']}" + (f"  [dim]{note}[/]" if note else ""))]
    parts += [_services(report), _targets(report), _queues(report), _data_stores(report), _realtime(report)]
    if report["alarms"]:
        parts.append(_alarms(report))
    parts.append(_verdict(report))
    return Group(*parts)


def _table(title: str, *columns: str) -> WholeTable:
    return WholeTable(title, [Col(column, whole=column in _WHOLE) for column in columns])


#: Columns of figures and identifiers, never wrapped (names wrap between words).
_WHOLE = {"running/desired", "pending", "healthy", "unhealthy", "visible", "in flight", "delayed", "status",
          "since", "value"}


def _services(report: dict[str, Any]) -> WholeTable:
    table = _table("ECS services", "service", "running/desired", "pending", "last deployment")
    for svc in report["services"]:
        style = "green" if svc["running"] >= svc["desired"] else "red"
        rollout = svc["rollout_state"] or "-"
        if svc["rollout_state"] == "FAILED":
            rollout = f"[red]FAILED[/] {svc['rollout_reason'] or ''}"
        table.add_row(svc["name"], f"[{style}]{svc['running']}/{svc['desired']}[/]", str(svc["pending"]), rollout)
    return table


def _targets(report: dict[str, Any]) -> WholeTable:
    table = _table("Target health", "target group", "healthy", "unhealthy", "other states")
    for tg in report["targets"]:
        other = ", ".join(f"{k} {v}" for k, v in tg["states"].items() if k not in ("healthy", "unhealthy")) or "-"
        unhealthy = f"[red]{tg['unhealthy']}[/]" if tg["unhealthy"] else "0"
        table.add_row(f"{tg['role']} ({tg['target_group']})", str(tg["healthy"]), unhealthy, other)
    return table


def _queues(report: dict[str, Any]) -> WholeTable:
    table = _table("Queues", "queue", "visible", "in flight", "delayed")
    for q in report["queues"]:
        visible = f"[red]{q['visible']}[/]" if q["dead_letter"] and q["visible"] else str(q["visible"])
        table.add_row(q["queue"], visible, str(q["in_flight"]), str(q["delayed"]))
    return table


def _data_stores(report: dict[str, Any]) -> WholeTable:
    table = _table("Database and Redis", "resource", "status", "class / node type")
    for db in report["databases"]:
        table.add_row(f"rds {db['role']} {db['id']}", _ok(db["status"]), db["class"] or "-")
    for group in report["redis"]:
        table.add_row(f"redis {group['id']}", _ok(group["status"]), f"{group['node_type']} x {group['nodes']}")
    return table


def _ok(state: str) -> str:
    return f"[green]{state}[/]" if state == "available" else f"[yellow]{state}[/]"


def _realtime(report: dict[str, Any]) -> WholeTable:
    load = report["realtime"]
    table = _table("Realtime load", "measure", "value")
    table.add_row("active connections (last 5 min)", _num(load["active_connections"]))
    table.add_row("peak connections (24 h)", _num(load["peak_connections_24h"]))
    table.add_row("capacity (desired / autoscaling max)", f"{load['capacity']:,} / {load['capacity_at_max']:,} "
                  f"({load['connections_per_task']:,} per task)")
    table.add_row("utilisation now / at peak (of max)", f"{_pct(load['utilisation_percent'])} / "
                  f"{_pct(load['peak_utilisation_percent'])} (alarm at {load['alarm_percent_of_capacity']}%)")
    lag = load["event_loop_lag_ms"]
    table.add_row(f"event-loop lag {load['event_loop_lag_statistic'] or 'p95'} (5 min)",
                  "no data" if lag is None else f"{lag:g} ms (threshold {load['event_loop_lag_threshold_ms']} ms)")
    suggestion = load["suggestion"]
    if suggestion is not None:
        table.add_row("tier for the observed peak", f"{suggestion['profile'] or 'beyond the largest tier'} "
                      f"(peak implies ~{suggestion['implied_dau']:,} DAU)")
    return table


def _alarms(report: dict[str, Any]) -> WholeTable:
    table = _table("Alarms in ALARM", "alarm", "since", "reason")
    for alarm in report["alarms"]:
        table.add_row(f"[red]{alarm['name']}[/]", str(alarm["state_updated_at"] or "-"), alarm["reason"])
    return table


def _verdict(report: dict[str, Any]) -> Text:
    if report["ok"]:
        return Text.from_markup("[green]healthy[/]")
    return Text.from_markup("[red]needs attention:[/]\n" + "\n".join(f"  - {p}" for p in report["problems"]))


def _num(value: Optional[float]) -> str:
    return "no data" if value is None else f"{value:,.0f}"


def _pct(value: Optional[float]) -> str:
    return "-" if value is None else f"{value}%"


def watch_live(refresh: Callable[[], dict[str, Any]], seconds: int, iterations: Optional[int]) -> dict[str, Any]:
    """Redraw every `seconds` until Ctrl-C. A failed refresh keeps the last view and shows the error, so
    a transient throttle does not end the watch; a failure before the first view ends it."""
    report = refresh()
    count = 1
    with Live(status_view(report, f"every {seconds}s, Ctrl-C to stop"), console=console(),
              auto_refresh=False) as live:
        while iterations is None or count < iterations:
            time.sleep(seconds)
            try:
                report = refresh()
                note = f"every {seconds}s, Ctrl-C to stop"
            except ChatopsError as exc:
                note = f"refresh failed: {exc}"
            live.update(status_view(report, note), refresh=True)
            count += 1
    return report
