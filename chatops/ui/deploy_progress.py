"""Progress of an update as it happens: a live table in a terminal, one line per resource event elsewhere.

A CI log (stdout not a terminal, or CI set) cannot redraw a table, and a 30-minute deploy that prints only a
final frame looks hung; so outside a terminal every resource event is one line, printed as it arrives:
operation, type, name, status, elapsed seconds, and the provider's message when it failed.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

import click
from rich.live import Live
from rich.table import Table

from chatops.deploy.events import DONE, FAILED, RUNNING, Progress, ResourceRow
from chatops.ui.changes import OP_STYLE
from chatops.ui.console import SETTINGS, console

STATUS_STYLE = {RUNNING: "[cyan]running[/cyan]", DONE: "[green]done[/green]", FAILED: "[bold red]failed[/bold red]"}
LINE_STATUS = {"started": "started", DONE: "done", FAILED: "FAILED"}
MAX_ROWS = 40  # a 100k stack has ~300 resources: show what is running/failed plus the latest finished


def live_terminal(to_stderr: bool = False) -> bool:
    """A redrawable display: the stream is a terminal and this is not a CI job."""
    stream = sys.stderr if to_stderr else sys.stdout
    return stream.isatty() and not os.environ.get("CI")


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


def progress_line(row: ResourceRow, what: str, now: float | None = None) -> str:
    """`update aws:rds/instance:Instance db: started`, then `...: done (28s)`; a failure ends with the
    provider's message."""
    line = f"{row.op} {row.type} {row.name}: {LINE_STATUS.get(what, what)}"
    if what != "started":
        line += f" ({row.elapsed(time.time() if now is None else now):.0f}s)"
    if what == FAILED and row.message:
        line += f": {row.message}"
    return line


def _visible(rows: list[ResourceRow]) -> list[ResourceRow]:
    if len(rows) <= MAX_ROWS:
        return rows
    pinned = [r for r in rows if r.status != DONE]
    finished = [r for r in rows if r.status == DONE]
    return pinned + finished[-max(0, MAX_ROWS - len(pinned)):]


@contextmanager
def live_progress(progress: Progress, to_stderr: bool = False) -> Iterator[None]:
    """Show `progress` while the block runs (events update it from Pulumi's threads); nothing with --quiet."""
    if SETTINGS.quiet:
        yield
        return
    if not live_terminal(to_stderr):
        progress.listener = lambda row, what: click.echo(progress_line(row, what), err=to_stderr)
        try:
            yield
        finally:
            progress.listener = None
        return

    class _Renderable:
        def __rich__(self) -> Any:
            return progress_table(progress)

    with Live(_Renderable(), console=console(stderr=to_stderr), refresh_per_second=4, transient=False):
        yield


def show_result(progress: Progress, to_stderr: bool = False) -> None:
    """After the update: failures with the provider's message, then stack-level errors."""
    out = console(stderr=to_stderr)
    for row in progress.failed():
        out.print(f"[bold red]failed[/bold red] {row.name} ({row.type}, {row.op}): {row.message or 'see above'}")
    for message in progress.errors:
        out.print(f"[red]error[/red]: {message}")


def notice(text: str) -> None:
    """A message about the operation itself (Ctrl-C, protection changes): always on stderr."""
    click.echo(text, err=True)
