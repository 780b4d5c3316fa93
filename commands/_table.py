"""The terminal table: CJK-width-aware columns three spaces apart, a rule under the header, laid out in one pass.

Cells are measured with `rich.cells.cell_len` (a Chinese character is two
columns). A table wider than the terminal shrinks its widest columns until it
fits, and a cell that no longer fits its column wraps onto more lines (at a
space where it can, else anywhere); a line break in a cell starts a new line.
The schedule's 200 rows print in a few milliseconds.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click
from rich.cells import cell_len

from commands._common import clean

GAP = 3
MIN_COLUMN = 4  # a column is never squeezed below this (or its widest word's width, if less)


def terminal_width() -> int:
    return shutil.get_terminal_size((140, 24)).columns if sys.stdout.isatty() else 160


def table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None, width: int | None = None
) -> None:
    """Print a table on stdout, fitted to `width` columns (default: the terminal's)."""
    click.echo("\n".join(lines(headers, rows, title, width or terminal_width())))


def lines(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None, width: int) -> list[str]:
    """The table's lines (see the module docstring)."""
    heads = [_cell(h) for h in headers]
    cells = [[_cell(c) for c in row] for row in rows]
    natural = [max(_widest(text) for text in [head, *(row[i] for row in cells)]) for i, head in enumerate(heads)]
    widths = fit(natural, width - GAP * (len(heads) - 1))
    total = sum(widths) + GAP * (len(widths) - 1)
    out = []
    if title:
        out += [line + " " * (total - cell_len(line)) for line in wrap(clean(title), max(total, 1))]
    out += _row(heads, widths)
    out.append("─" * total)
    for row in cells:
        out += _row(row, widths)
    return out


def fit(natural: list[int], room: int) -> list[int]:
    """Column widths within `room`: the narrow columns keep theirs, the widest share what is left."""
    widths = list(natural)
    while sum(widths) > room:
        widest = max(widths)
        if widest <= MIN_COLUMN:
            break
        second = max([w for w in widths if w < widest] or [MIN_COLUMN])
        at_top = [i for i, w in enumerate(widths) if w == widest]
        excess = sum(widths) - room
        # bring the widest columns down towards the next width, no further than needed
        step = min(widest - max(second, MIN_COLUMN), -(-excess // len(at_top)))
        for i in at_top:
            widths[i] = widest - max(step, 1)
    return widths


def _cell(value: Any) -> str:
    return clean(value).replace("\t", " ")


def _widest(text: str) -> int:
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _row(values: list[str], widths: list[int]) -> list[str]:
    wrapped = [
        [piece for line in value.split("\n") for piece in wrap(line, w)]
        for value, w in zip(values, widths, strict=True)
    ]
    height = max(len(w) for w in wrapped)
    out = []
    for n in range(height):
        parts = [(w[n] if n < len(w) else "") for w in wrapped]
        out.append((" " * GAP).join(p + " " * (w - cell_len(p)) for p, w in zip(parts, widths, strict=True)))
    return out


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns: broken at a space where one is near, else between characters."""
    if cell_len(text) <= width:
        return [text]
    out: list[str] = []
    line = ""
    for char in text:
        if cell_len(line + char) > width:
            if char == " ":  # the line ends at this space
                out.append(line)
                line = ""
                continue
            cut = line.rfind(" ")
            if cut > 0 and cell_len(line[:cut]) >= width // 2:
                out.append(line[:cut])
                line = line[cut + 1 :]
            else:
                out.append(line)
                line = ""
        line += char
    out.append(line)
    return out
