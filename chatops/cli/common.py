"""Options and helpers shared by the commands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

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


@dataclass(frozen=True)
class StackChoice:
    """One stack of chatops.yaml, as the commands that read it need it."""

    project: str
    stack: str
    region: str
    profile_ref: str  # a tier name, or a profile path usable from the working directory


def stack_choice(stack: Optional[str], config_path: Optional[Path]) -> StackChoice:
    """The stack `stack` (or the only one) of chatops.yaml (--config, CHATOPS_CONFIG or ./chatops.yaml)."""
    from chatops.model.config_file import load_config, select_stack
    from chatops.model.loading import resolve_tier_name

    config, path = load_config(str(config_path) if config_path else None)
    name = select_stack(config, stack, path)
    entry = config.stacks[name]
    ref = entry.profile
    # A profile path in chatops.yaml is relative to the file, not to the working directory.
    if resolve_tier_name(ref) is None and not Path(ref).is_absolute():
        ref = str(path.parent / ref)
    return StackChoice(config.project, name, entry.region, ref)
