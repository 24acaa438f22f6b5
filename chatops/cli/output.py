"""Where a report goes: stdout, or a file given with --output that is never overwritten without --force."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import click

from chatops.errors import ChatopsError

F = TypeVar("F", bound=Callable[..., Any])


def output_options(func: F) -> F:
    """`--output FILE` and `--force`, as every command that writes a report file takes them."""
    func = click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")(func)
    return click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write to this file instead of stdout (an existing file needs --force).")(func)


def refuse_overwrite(path: Path, force: bool, flag: str = "--output") -> None:
    """Raise before any work is done when `path` exists and --force was not given."""
    if path.exists() and not force:
        raise ChatopsError(f"{path} already exists; rerun with --force to overwrite it, or choose another {flag}")


def write_file(path: Path, text: str, force: bool, flag: str = "--output") -> None:
    """Write `text` to `path` whole (a temporary file renamed over it), refusing to replace a file
    without --force; say so on stderr."""
    refuse_overwrite(path, force, flag)
    tmp = path.with_name(f".{path.name}.chatops-tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ChatopsError(f"cannot write {path} ({exc.strerror}); choose another {flag} path") from None
    from chatops.ui.console import note

    note(f"Wrote {path}")


def emit_text(text: str, output: Optional[Path], force: bool) -> None:
    """`text` on stdout, or into the --output file."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        write_file(output, text, force)


def emit_report(data: dict, output: Optional[Path], force: bool) -> None:
    """A JSON report (docs/json.md) on stdout or into the --output file."""
    from chatops.ui.console import emit_json, json_text

    if output is None:
        emit_json(data)
    else:
        write_file(output, json_text(data) + "\n", force)


def emit_rich(draw: Callable[[Any], None], output: Optional[Path], force: bool) -> None:
    """A rich rendering on the terminal, or as plain text (no colour) into the --output file."""
    from chatops.ui.console import console

    if output is None:
        draw(console())
        return
    import io

    from rich.console import Console

    from chatops.ui.console import PIPE_WIDTH

    buffer = io.StringIO()
    draw(Console(file=buffer, width=PIPE_WIDTH, no_color=True, highlight=False))
    write_file(output, buffer.getvalue(), force)
