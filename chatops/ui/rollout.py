"""Live progress of the ECS rollout wait, its result, and its --json form.

In a terminal: a table (service, tasks running/desired, pending, rollout state, note) redrawn each poll, with
service events and stopped tasks printed above it. Outside a terminal (CI logs) or with CI set: one line per
change, as it happens, prefixed with the elapsed time. With --json all of it goes to stderr.
"""

from __future__ import annotations

import time
from typing import Any, Optional

from chatops.aws.rollout import Change, RolloutResult, RolloutWatch, ServiceRollout, StoppedTask
from chatops.ui.console import console
from chatops.ui.deploy_progress import live_terminal

PHASE_STYLE = {"in_progress": "cyan", "steady": "green", "failed": "bold red"}


def state_text(state: ServiceRollout) -> str:
    parts = [f"{state.running}/{state.desired} running"]
    if state.pending:
        parts.append(f"{state.pending} pending")
    if state.rollout_state:
        parts.append(state.rollout_state)
    text = ", ".join(parts)
    if state.phase == "steady":
        return f"steady ({text})"
    if state.phase == "failed":
        return f"FAILED ({text}): {state.reason}"
    return text


def task_text(task: StoppedTask) -> str:
    code = f" ({task.stop_code})" if task.stop_code else ""
    containers = "; ".join(f"container {name} exit {'-' if exit_code is None else exit_code}"
                           + (f": {reason}" if reason else "") for name, exit_code, reason in task.containers
                           if exit_code is not None or reason)
    text = f"task {task.task_id} stopped{code}: {task.reason or 'no reason given'}"
    return text + (f"; {containers}" if containers else "")


def change_text(change: Change) -> str:
    if change.kind == "state" and change.state is not None:
        return f"{change.role}: {state_text(change.state)}"
    if change.kind == "stopped" and change.task is not None:
        return f"{change.role}: {task_text(change.task)}"
    if change.kind == "poll_error":
        return f"poll failed: {change.message}"
    return f"{change.role}: {change.message}"


class RolloutDisplay:
    """The `on_changes` callback of wait_for_rollout, as a context manager around the wait."""

    def __init__(self, stack: str, timeout_seconds: float, lines: Optional[bool] = None,
                 to_stderr: bool = False) -> None:
        self.stack = stack
        self.timeout_seconds = timeout_seconds
        self.lines = not live_terminal(to_stderr) if lines is None else lines
        self.out = console(stderr=to_stderr, progress=True)  # --quiet: no progress, on either stream
        self.started = time.monotonic()
        self._watch: Optional[RolloutWatch] = None
        self._live: Any = None

    def __enter__(self) -> "RolloutDisplay":
        self.out.print(f"Waiting for the services of stack {self.stack} to reach a steady state "
                       f"(at most {self.timeout_seconds / 60:g} min; --no-wait skips this)...", markup=False)
        if not self.lines:
            from rich.live import Live

            self._live = Live(self._table(), console=self.out, refresh_per_second=2, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(*exc)

    def __call__(self, changes: list[Change], watch: RolloutWatch) -> None:
        self._watch = watch
        elapsed = time.monotonic() - self.started
        for change in changes:
            if self.lines:
                self.out.print(f"[{elapsed:5.0f}s] {change_text(change)}", markup=False, highlight=False)
            elif change.kind != "state":  # states are in the table
                self.out.print(change_text(change), markup=False, highlight=False)
        if self._live is not None:
            self._live.update(self._table())

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(show_header=True, header_style="bold")
        for name in ("Service", "Tasks", "Pending", "Rollout", "Status"):
            table.add_column(name, overflow="fold" if name == "Status" else "ellipsis")
        for state in (self._watch.states.values() if self._watch else []):
            style = PHASE_STYLE[state.phase]
            status = {"in_progress": "in progress", "steady": "steady"}.get(state.phase, f"failed: {state.reason}")
            table.add_row(state.role, f"{state.running}/{state.desired}", str(state.pending),
                          state.rollout_state or "-", f"[{style}]{status}[/{style}]")
        return table


def show_rollout_result(result: RolloutResult, to_stderr: bool = False) -> None:
    """One closing line; the details are in the progress above and in the error."""
    out = console(stderr=to_stderr)
    if result.outcome == "steady":
        out.print(f"[green]All services are steady ({result.elapsed_seconds:.0f}s).[/green]")
    elif result.outcome == "failed":
        out.print(f"[bold red]Rollout failed: {', '.join(s.role for s in result.failed)}.[/bold red]")
    else:
        waiting = ", ".join(f"{s.role} {s.running}/{s.desired}" for s in result.services if s.phase != "steady")
        out.print(f"[yellow]Still rolling out after {result.elapsed_seconds:.0f}s: {waiting}.[/yellow]")


def rollout_json(result: RolloutResult) -> dict[str, Any]:
    """The `rollout` object of the --json reports of up, release and scale-to (docs/json.md)."""
    return {"outcome": result.outcome, "elapsed_seconds": round(result.elapsed_seconds, 1), "services": [
        {"service": s.role, "name": s.name, "phase": s.phase, "running": s.running, "desired": s.desired,
         "pending": s.pending, "rollout_state": s.rollout_state, "failed_tasks": s.failed_tasks,
         "reason": s.reason} for s in result.services]}
