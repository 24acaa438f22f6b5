"""Rendering of planned changes (live preview, scale-to, up), the JSON report of the deploy commands, and the
confirmations they ask for.

Tag-only updates (a change of nothing but `tags`) are counted on one line apart from the real changes: a
stack whose tags changed would otherwise list every taggable resource around the few changes that matter.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterator, Optional

import click
from rich.table import Table

from chatops.costing.monthly import MonthlyTotal
from chatops.deploy.replacements import ChangeSet, ResourceChange
from chatops.errors import Cancelled, ChatopsError
from chatops.ui.console import console, emit_json

OP_STYLE = {"create": "green", "update": "yellow", "replace": "magenta", "delete": "red"}
OPS = ("create", "update", "replace", "delete")
SCHEMA_VERSION = 1


def is_interactive() -> bool:
    """A human can answer prompts (tests monkeypatch this)."""
    return sys.stdin.isatty()


def change_table(changes: ChangeSet) -> Table:
    """Real changes per resource type (tag-only updates are counted separately)."""
    table = Table(title="Planned changes", show_lines=False)
    table.add_column("Resource type")
    for op in OPS:
        table.add_column(op, justify="right", style=OP_STYLE[op])
    totals = dict.fromkeys(OPS, 0)
    for type_token, counts in changes.by_type(real_only=True).items():
        table.add_row(type_token, *(str(counts[op] or "") for op in OPS))
        for op in OPS:
            totals[op] += counts[op]
    table.add_row("[bold]total[/bold]", *(f"[bold]{totals[op]}[/bold]" for op in OPS))
    return table


def tag_only_line(changes: ChangeSet) -> Optional[str]:
    count = len(changes.tag_only)
    if not count:
        return None
    return (f"{count} tag-only update{'s' if count != 1 else ''} (only `tags` change; in place, no downtime) "
            "not listed above")


def show_changes(changes: ChangeSet) -> None:
    """The planned changes (real ones in a table, tag-only ones counted) and the replacements; the cost
    change is chatops.ui.cost.show_cost_diff's."""
    out = console()
    if not changes.changes:
        out.print("[green]No changes.[/green] The stack matches chatops.yaml.")
    else:
        if changes.real_changes:
            out.print(change_table(changes))
        line = tag_only_line(changes)
        if line:
            out.print(line)
    show_replacements(changes)


def show_replacements(changes: ChangeSet) -> None:
    out = console()
    for change in changes.replacements:
        keys = ", ".join(change.keys) or "not reported by the provider"
        warn = f" [bold red](stateful: {change.holds})[/bold red]" if change.stateful else ""
        out.print(f"[magenta]replace[/magenta] {change.name} ({change.type}): forced by {keys}{warn}")



# -- the --json report of up, preview, scale-to and destroy ----------------------------------------

def cents(value: Optional[Decimal]) -> Optional[float]:
    return None if value is None else float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def change_json(change: ResourceChange) -> dict[str, Any]:
    return {"name": change.name, "type": change.type, "urn": change.urn, "reasons": list(change.keys),
            "stateful": change.stateful, "holds": change.holds}


@dataclass
class DeployReport:
    """What a deploy command did, printed as one JSON object at the end with --json (docs/json.md,
    docs/schemas/<command>.json)."""

    command: str
    stack: str
    profile: Optional[str] = None
    result: str = "failed"           # succeeded | no-changes | failed | cancelled
    changes: Optional[ChangeSet] = None
    outputs: dict[str, Any] = field(default_factory=dict)
    cost_now: Optional[MonthlyTotal] = None     # what the last successful update applied (0: nothing)
    cost_after: Optional[MonthlyTotal] = None   # what this command applies (or previews)
    problems: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0
    finished: Optional[float] = None

    def fail(self, exc: BaseException) -> None:
        if isinstance(exc, (Cancelled, KeyboardInterrupt, click.exceptions.Abort)):
            self.result = "cancelled"
        else:
            self.result = "failed"
        if isinstance(exc, ChatopsError):
            self.problems.append(str(exc))
        elif isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
            from chatops.signals import cause

            self.problems.append(f"interrupted ({cause(exc)}) before {self.command} finished; nothing after that "
                                 "point ran")
        else:
            self.problems.append(f"internal error ({type(exc).__name__}: {exc})")

    def to_json(self, now: float) -> dict[str, Any]:
        changes = self.changes or ChangeSet()
        counts = dict.fromkeys(OPS, 0)
        counts.update(changes.totals())
        before, after = self.cost_now, self.cost_after
        priced = [t for t in (before, after) if t is not None]
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "command": self.command, "stack": self.stack, "profile": self.profile,
            "result": self.result, "ok": self.result in ("succeeded", "no-changes"), "problems": self.problems,
            "changes": counts, "tag_only_updates": len(changes.tag_only),
            "replacements": [change_json(c) for c in changes.replacements],
            "deletions": [change_json(c) for c in changes.changes.values() if c.op == "delete"],
            "outputs": self.outputs, "duration_seconds": round((self.finished or now) - self.started, 1),
            "currency": "USD", "now_monthly": cents(before.total) if before else None,
            "after_monthly": cents(after.total) if after else None,
            "delta_monthly": cents(after.total - before.total) if before and after else None,
            # docs/json.md: a total with an unpriced line is "at least"; the lines without a price
            "complete": all(t.complete for t in priced),
            "missing_prices": sorted({key for t in priced for key in t.missing_prices}),
        }
        data.update(self.extra)
        return data


class RefreshReport(DeployReport):
    """`refresh --json` (docs/schemas/refresh.json): a refresh changes the state, not AWS, so it has no change
    counts, outputs or costs; `extra` holds the engine's summary and the pending operations."""

    def to_json(self, now: float) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "command": self.command, "stack": self.stack,
            "result": self.result, "ok": self.result in ("succeeded", "no-changes"), "problems": self.problems,
            "duration_seconds": round((self.finished or now) - self.started, 1),
        }
        data.update(self.extra)
        return data


@contextmanager
def reporting(report: DeployReport, as_json: bool) -> Iterator[DeployReport]:
    """The command fills `report` in the block; with --json it is printed at the end, also when the block
    fails (the error still reaches the user and sets the exit code)."""
    try:
        yield report
    except (Exception, KeyboardInterrupt, click.exceptions.Abort) as exc:  # every way out says why
        report.fail(exc)
        raise
    finally:
        if as_json:
            emit_json(report.to_json(time.time()))


# -- confirmations ------------------------------------------------------------------------------

def confirm_or_refuse(question: str, yes: bool) -> None:
    """Proceed if --yes or the user says yes; refuse when nobody can answer."""
    if yes:
        return
    if not is_interactive():
        raise ChatopsError(f"{question.rstrip('?')}: needs confirmation and stdin is not a terminal; rerun "
                           "with --yes")
    try:
        answer = click.confirm(question, default=False, err=True)
    except click.exceptions.Abort:  # click's answer to Ctrl-C (or end of input) at the prompt
        raise Cancelled("cancelled at the confirmation prompt; nothing was changed") from None
    if not answer:
        raise ChatopsError("cancelled; nothing was changed")


def confirm_by_typing(stack: str, action: str, yes: bool, confirm: Optional[str]) -> None:
    """Dangerous actions: type the stack name, or pass `--yes --confirm STACK` in scripts."""
    if yes:
        if confirm != stack:
            raise ChatopsError(f"{action} with --yes also needs --confirm {stack} (the stack name), so a "
                               "script cannot hit the wrong stack")
        return
    if not is_interactive():
        raise ChatopsError(f"{action} needs confirmation and stdin is not a terminal; pass --yes --confirm {stack}")
    try:
        typed = click.prompt(f"Type the stack name ({stack}) to {action}", default="", show_default=False, err=True)
    except click.exceptions.Abort:
        raise Cancelled(f"{action} cancelled at the confirmation prompt; nothing was changed") from None
    if typed.strip() != stack:
        raise ChatopsError(f"{typed.strip()!r} is not {stack!r}; nothing was changed")
