"""Terminal output: rich consoles for humans, plain JSON for machines."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Optional, TextIO

import click

if TYPE_CHECKING:
    from rich.console import Console


#: Width for output that is not a terminal (files, pipes, CI logs) when COLUMNS does not say otherwise.
PIPE_WIDTH = 160

#: JSON schema version every top-level object carries (docs/json.md); bumped on an incompatible change.
SCHEMA_VERSION = 1


@dataclasses.dataclass
class OutputSettings:
    """Set once by the `chatops` group from --quiet / --no-color (and CHATOPS_QUIET / NO_COLOR)."""

    quiet: bool = False
    no_color: bool = False


SETTINGS = OutputSettings()


def configure(quiet: bool = False, no_color: bool = False) -> None:
    SETTINGS.quiet, SETTINGS.no_color = quiet, no_color


def width_of(stream: TextIO) -> Optional[int]:
    """COLUMNS when set (a terminal or not), else the terminal's own width, else PIPE_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if stream.isatty() else PIPE_WIDTH


def console(stderr: bool = False, progress: bool = False) -> Console:
    """A rich console on the current stdout/stderr (so click's test runner captures it).

    Honours COLUMNS, NO_COLOR and --no-color; on stderr, --quiet silences it (notes and progress only:
    reports go to stdout and errors through click). `progress`: live progress of long work, which --quiet
    silences on stdout too (it is never the result)."""
    # Imported here: JSON output (`plan --json`) never needs rich, and plan's start-up time is budgeted.
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    extra: dict[str, Any] = {"color_system": None} if SETTINGS.no_color else {}  # plain text, no escape codes
    return Console(file=stream, width=width_of(stream), highlight=False, soft_wrap=False,
                   quiet=SETTINGS.quiet and (stderr or progress), **extra)


def note(message: str) -> None:
    """A one-line note on stderr ("Wrote costs.html"); nothing with --quiet."""
    if not SETTINGS.quiet:
        click.echo(message, err=True)


def json_text(data: Any) -> str:
    """`data` as indented JSON by docs/json.md: a top-level object gets `schema_version`, money (keys
    ending in `_monthly` or `_hourly`) is rounded to cents, Decimals become numbers, models their dump."""
    if not isinstance(data, dict):
        raise TypeError("a JSON report is one object (docs/json.md), not a list or a scalar")
    return json.dumps(_money_in_cents({"schema_version": SCHEMA_VERSION, **data}), indent=2, default=_json_default)


def emit_json(data: Any) -> None:
    """Print `data` as JSON on stdout, nothing else."""
    click.echo(json_text(data))


_CENT = Decimal("0.01")


def _money_in_cents(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _money_in_cents(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_money_in_cents(v, key) for v in value]
    if key.endswith(("_monthly", "_hourly")) and isinstance(value, (Decimal, float, int)) \
            and not isinstance(value, bool):
        return float(Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP))
    return value


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
