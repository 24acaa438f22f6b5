"""Options and helpers shared by the commands."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def examples(*lines: str) -> str:
    """A click epilog listing example invocations, kept on their own lines."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def json_option(func: F) -> F:
    """`--json`: plain JSON on stdout, nothing else."""
    return click.option("--json", "as_json", is_flag=True, help="Print plain JSON on stdout (no rich markup).")(func)


def profile_option(required: bool = True, default: str | None = None) -> Callable[[F], F]:
    """`--profile TIER|FILE`: a built-in tier name (50k-dau, or 50k) or a path to a profile file."""
    extra = {} if default is None else {"default": default}  # an explicit default=None defeats required
    return click.option("--profile", "-p", "profile_ref", required=required and default is None, metavar="TIER|FILE",
                        help="A built-in tier (e.g. 50k-dau or 50k) or a profile file path.", **extra)
