"""Tables that never truncate money or identifiers, at any terminal width.

Rich shrinks a table that is wider than the console and cuts cells with "…". Here every column gets a
minimum width: the whole cell for `whole` columns (money, counts, instance classes, names) and the
longest word for the others (which wrap between words). When the columns cannot all get their minimum
(narrow terminals, below ~100 columns for the wide tables), the table is drawn stacked instead: one
block per row, each cell under its header, so every figure still appears whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Union

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

#: A row of cells (rich markup), or SECTION for a separator line before the next row.
SECTION = None
Row = Optional[Sequence[str]]


@dataclass(frozen=True)
class Col:
    header: str
    justify: str = "left"
    whole: bool = False  # never wrapped: money, counts, identifiers


def plain(cell: str) -> str:
    return Text.from_markup(cell).plain


def _min_width(col: Col, cells: Sequence[str]) -> int:
    texts = [plain(c) for c in cells]
    if col.whole:
        widest = max((len(line) for t in texts for line in t.splitlines() or [""]), default=0)
    else:
        widest = max((len(word) for t in texts for word in t.split()), default=0)
    # A `whole` column does not wrap its header either.
    header = len(col.header) if col.whole else max((len(word) for word in col.header.split()), default=0)
    return max(widest, header, 1)


def _natural_width(col: Col, cells: Sequence[str]) -> int:
    return max([len(line) for c in cells for line in plain(c).splitlines()] + [len(col.header), 1])


def _cells(columns: Sequence[Col], rows: Sequence[Row]) -> list[list[str]]:
    return [[row[i] for row in rows if row is not None] for i in range(len(columns))]


def table_width(columns: Sequence[Col], rows: Sequence[Row]) -> int:
    """The narrowest width at which the table shows every cell whole (rich: 1 border + 2 padding per column)."""
    cells = _cells(columns, rows)
    return sum(_min_width(col, cells[i]) + 3 for i, col in enumerate(columns)) + 1


def column_widths(columns: Sequence[Col], rows: Sequence[Row], width: int) -> list[int]:
    """Content width of each column within `width`: every column its minimum, and the room left shared in
    proportion to what each still lacks of its natural width. Rich's own shrinking ignores minimum widths
    (it narrows the widest columns first, then cuts), so the widths are fixed here."""
    cells = _cells(columns, rows)
    least = [_min_width(col, cells[i]) for i, col in enumerate(columns)]
    natural = [max(_natural_width(col, cells[i]), least[i]) for i, col in enumerate(columns)]
    room = width - (sum(least) + 3 * len(columns) + 1)
    wanted = [n - m for n, m in zip(natural, least)]
    if room >= sum(wanted):
        return natural
    shares = [room * w // sum(wanted) for w in wanted] if room > 0 else [0] * len(wanted)
    return [m + s for m, s in zip(least, shares)]


class WholeTable:
    """A table laid out when it is printed, for the width it is printed at: columns with their minimum
    widths when they fit, the value columns split into several tables (`split`), else stacked."""

    def __init__(self, title: str, columns: Sequence[Col], rows: Optional[Sequence[Row]] = None,
                 caption: str = "", split: bool = False):
        self.title, self.columns, self.caption, self.split = title, list(columns), caption, split
        self.rows: list[Row] = list(rows or [])

    def add_row(self, *cells: str) -> None:
        self.rows.append(list(cells))

    def add_section(self) -> None:
        self.rows.append(SECTION)

    def layout(self, width: int) -> RenderableType:
        if table_width(self.columns, self.rows) <= width:
            return _table(self.title, self.columns, self.rows, self.caption, width)
        if self.split:
            return _split(self.title, self.columns, self.rows, self.caption, width)
        return stacked(self.title, self.columns, self.rows, self.caption)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.layout(options.max_width)


def whole_table(title: str, columns: Sequence[Col], rows: Sequence[Row],
                caption: str = "") -> WholeTable:
    """A table when it fits the width it is printed at, else the same content stacked one block per row."""
    return WholeTable(title, columns, rows, caption)


def split_table(title: str, columns: Sequence[Col], rows: Sequence[Row],
                caption: str = "") -> WholeTable:
    """A wide matrix (a label column, then one column per tier): when it does not fit, as several tables
    of as many value columns as fit, each repeating the label column; stacked only if one does not fit."""
    return WholeTable(title, columns, rows, caption, split=True)


def _table(title: str, columns: Sequence[Col], rows: Sequence[Row], caption: str, width: int) -> Table:
    table = Table(title=title or None, title_justify="left", caption=caption or None, caption_justify="left")
    for col, col_width in zip(columns, column_widths(columns, rows, width)):
        table.add_column(col.header, justify=col.justify, no_wrap=col.whole, overflow="fold",  # type: ignore[arg-type]
                         width=col_width)
    section = False
    for row in rows:
        if row is SECTION:
            section = True
            continue
        if section:
            table.add_section()
            section = False
        table.add_row(*row)
    return table


def stacked(title: str, columns: Sequence[Col], rows: Sequence[Row], caption: str = "") -> Group:
    """Narrow layout: the first cell of each row as a heading, then `header  value` lines."""
    parts: list[Union[str, RenderableType]] = []
    if title:
        parts.append(Text.from_markup(f"[bold]{title}[/bold]"))
    label_width = max((len(c.header) for c in columns[1:]), default=0)
    for row in rows:
        if row is SECTION:
            continue
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, min_width=label_width, style="dim")
        grid.add_column(overflow="fold")
        for col, cell in zip(columns[1:], row[1:]):
            if plain(cell).strip():
                grid.add_row(col.header, cell)
        parts.append(Text.from_markup(f"[bold]{row[0]}[/bold]" if plain(row[0]).strip() else "-"))
        parts.append(grid)
    if caption:
        parts.append(Text.from_markup(caption))
    return Group(*parts)


def _split(title: str, columns: Sequence[Col], rows: Sequence[Row], caption: str, width: int) -> RenderableType:
    label, values = columns[0], list(columns[1:])
    chunks: list[list[int]] = [[]]
    for i in range(len(values)):
        trial = chunks[-1] + [i]
        if table_width(*_pick(label, values, rows, trial)) <= width or not chunks[-1]:
            chunks[-1] = trial
        else:
            chunks.append([i])
    if any(table_width(*_pick(label, values, rows, chunk)) > width for chunk in chunks):
        return stacked(title, columns, rows, caption)
    parts = [_table(f"{title} ({n + 1}/{len(chunks)})" if title else "", *_pick(label, values, rows, chunk),
                    caption if n == len(chunks) - 1 else "", width) for n, chunk in enumerate(chunks)]
    return Group(*parts)


def _pick(label: Col, values: Sequence[Col], rows: Sequence[Row], chunk: Sequence[int]) -> tuple[list[Col], list[Row]]:
    picked_rows: list[Row] = [None if row is None else [row[0], *(row[i + 1] for i in chunk)] for row in rows]
    return [label, *(values[i] for i in chunk)], picked_rows
