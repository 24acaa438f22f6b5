"""Terminal output: rich consoles for humans, plain JSON for machines."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console


def console(stderr: bool = False) -> Console:
    """A rich console on the current stdout/stderr (so click's test runner captures it).

    When output is not a terminal, use a wide fixed width instead of 80 columns so tables stay readable
    in files and CI logs.
    """
    # Imported here: JSON output (`plan --json`) never needs rich, and plan's start-up time is budgeted.
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 160
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)


def json_text(data: Any) -> str:
    """`data` as indented JSON; Decimals become numbers, models their dump, other scalars strings."""
    return json.dumps(data, indent=2, default=_json_default)


def emit_json(data: Any) -> None:
    """Print `data` as JSON on stdout, nothing else."""
    click.echo(json_text(data))


def _json_default(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
