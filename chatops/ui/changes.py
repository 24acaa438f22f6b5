"""Rendering of planned changes (live preview, scale-to) and the confirmations deploy commands ask for."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any, Optional

import click
from rich.table import Table

from chatops.deploy.replacements import STATEFUL_TYPES, ChangeSet
from chatops.errors import ChatopsError
from chatops.ui.console import console

OP_STYLE = {"create": "green", "update": "yellow", "replace": "magenta", "delete": "red"}


def is_interactive() -> bool:
    """A human can answer prompts (tests monkeypatch this)."""
    return sys.stdin.isatty()


def money(value: Optional[Decimal]) -> str:
    return "n/a" if value is None else f"${value:,.0f}/mo"


def change_table(changes: ChangeSet) -> Table:
    table = Table(title="Planned changes", show_lines=False)
    table.add_column("Resource type")
    for op in ("create", "update", "replace", "delete"):
        table.add_column(op, justify="right", style=OP_STYLE[op])
    for type_token, counts in changes.by_type().items():
        table.add_row(type_token, *(str(counts[op] or "") for op in ("create", "update", "replace", "delete")))
    totals = changes.totals()
    table.add_row("[bold]total[/bold]", *(f"[bold]{totals[op]}[/bold]" for op in ("create", "update", "replace",
                                                                                   "delete")))
    return table


def show_changes(changes: ChangeSet, cost_now: Optional[Decimal], cost_after: Optional[Decimal],
                 now_label: str, after_label: str) -> None:
    out = console()
    if not changes.changes:
        out.print("[green]No changes.[/green] The stack matches chatops.yaml.")
    else:
        out.print(change_table(changes))
    out.print(f"Monthly cost: now {money(cost_now)} ({now_label}), after {money(cost_after)} ({after_label})"
              + (f", delta {_signed(cost_after - cost_now)}" if cost_now is not None and cost_after is not None else ""))
    show_replacements(changes)


def show_replacements(changes: ChangeSet) -> None:
    out = console()
    for change in changes.replacements:
        keys = ", ".join(change.keys) or "not reported by the provider"
        warn = " [bold red](stateful: " + STATEFUL_TYPES[change.type] + ")[/bold red]" if change.stateful else ""
        out.print(f"[magenta]replace[/magenta] {change.name} ({change.type}): forced by {keys}{warn}")


def changes_json(changes: ChangeSet, cost_now: Optional[Decimal], cost_after: Optional[Decimal]) -> dict[str, Any]:
    return {
        "totals": changes.totals(),
        "by_type": changes.by_type(),
        "replacements": [{"urn": c.urn, "type": c.type, "keys": list(c.keys), "stateful": c.stateful}
                         for c in changes.replacements],
        "monthly_cost": {"now": cost_now, "after": cost_after},
    }


def _signed(value: Decimal) -> str:
    return f"{'+' if value >= 0 else '-'}${abs(value):,.0f}/mo"


def confirm_or_refuse(question: str, yes: bool) -> None:
    """Proceed if --yes or the user says yes; refuse when nobody can answer."""
    if yes:
        return
    if not is_interactive():
        raise ChatopsError(f"{question.rstrip('?')}: needs confirmation and stdin is not a terminal; rerun "
                           "with --yes")
    if not click.confirm(question, default=False):
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
    typed = click.prompt(f"Type the stack name ({stack}) to {action}", default="", show_default=False)
    if typed.strip() != stack:
        raise ChatopsError(f"{typed.strip()!r} is not {stack!r}; nothing was changed")
