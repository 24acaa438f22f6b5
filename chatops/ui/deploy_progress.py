"""Live display of an update: a row per resource with operation, status and elapsed time (rich Live)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Iterator

from rich.live import Live
from rich.table import Table

from chatops.deploy.events import DONE, FAILED, Progress, ResourceRow
from chatops.ui.changes import OP_STYLE
from chatops.ui.console import console

STATUS_STYLE = {"running": "[cyan]running[/cyan]", DONE: "[green]done[/green]", FAILED: "[bold red]failed[/bold red]"}
MAX_ROWS = 40  # a 100k stack has ~300 resources: show what is running/failed plus the latest finished


def progress_table(progress: Progress, now: float | None = None) -> Table:
    now = time.time() if now is None else now
    rows = _visible(progress.snapshot())
    table = Table(show_header=True, header_style="bold", expand=False)
    for name in ("Resource", "Type", "Operation", "Status", "Elapsed", "Message"):
        table.add_column(name, overflow="fold" if name == "Message" else "ellipsis")
    for row in rows:
        style = OP_STYLE.get(row.op, "")
        table.add_row(row.name, row.type, f"[{style}]{row.op}[/{style}]" if style else row.op,
                      STATUS_STYLE.get(row.status, row.status), f"{row.elapsed(now):.0f}s", row.message)
    return table


def _visible(rows: list[ResourceRow]) -> list[ResourceRow]:
    if len(rows) <= MAX_ROWS:
        return rows
    pinned = [r for r in rows if r.status != DONE]
    finished = [r for r in rows if r.status == DONE]
    return pinned + finished[-max(0, MAX_ROWS - len(pinned)):]


@contextmanager
def live_progress(progress: Progress) -> Iterator[None]:
    """Redraw the table while the block runs (events update `progress` from Pulumi's thread)."""
    out = console()

    class _Renderable:
        def __rich__(self) -> Any:
            return progress_table(progress)

    with Live(_Renderable(), console=out, refresh_per_second=4, transient=False):
        yield


def show_result(progress: Progress) -> None:
    """After the update: failures with the provider's message, then stack-level errors."""
    out = console()
    for row in progress.failed():
        out.print(f"[bold red]failed[/bold red] {row.name} ({row.type}, {row.op}): {row.message or 'see above'}")
    for message in progress.errors:
        out.print(f"[red]error[/red]: {message}")
