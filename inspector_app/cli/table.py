"""Tables and progress bars of the command line, drawn by rich.

Columns are measured in terminal cells by rich (a Chinese character takes two, a combining
mark or a zero-width space none), so they line up whatever the cells hold. On a terminal
a table is a rich Table that fits the terminal's width (long cells wrap, the header is
bold) and a long operation shows a progress bar on stderr. Piped or redirected, the
output is plain text: no escape codes, one line per row however long, the header
underlined with dashes, and no progress bar; that layout is done here (with rich's cell
widths), as rich's own takes about half a millisecond a row, seconds for a long listing.
rich is imported only when something is drawn.
"""

from __future__ import annotations

import io
import shutil
import sys
import unicodedata
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager

Progress = Callable[[int, int], None]  # (done, total)


def _box():
    from rich.box import Box

    # No edges and no lines but a row of dashes under the header; columns are divided by
    # spaces. (Each line: left, horizontal, divider, right.)
    return Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)


def lines(header: Sequence[str] | None, rows: Sequence[Sequence[object]], *,
          right: Collection[int] = (), indent: int = 0,
          terminal: bool | None = None) -> list[str]:
    """The table as text lines: `header` (None: no header), then `rows`; the columns in
    `right` are right-aligned (numbers). `terminal`: drawn for stdout as a terminal (the
    default: whether stdout is one)."""
    if header is None and not rows:
        return []
    tty = sys.stdout.isatty() if terminal is None else terminal
    cells = [[_clean(cell) for cell in row] for row in rows]
    draw = _rich_lines if tty else _plain_lines
    return [(" " * indent + line).rstrip()
            for line in draw(header and [_clean(h) for h in header], cells, right, indent)]


def _clean(cell: object) -> str:
    """A cell's text on one line, without control characters that move the cursor."""
    text = "" if cell is None else str(cell)
    if text.isprintable():
        return text
    return "".join(" " if ch.isspace() else "" if unicodedata.category(ch) == "Cc" else ch
                   for ch in text)


def _plain_lines(header: list[str] | None, rows: list[list[str]], right: Collection[int],
                 indent: int) -> list[str]:
    from rich.cells import cell_len

    table = ([header] if header is not None else []) + rows
    widths = [0] * max((len(r) for r in table), default=0)
    for row in table:
        widths = [max(w, cell_len(c)) for w, c in zip(widths, row, strict=False)] + \
            widths[len(row):]

    def line(row: list[str]) -> str:
        return "  ".join((" " * (w - cell_len(c)) + c) if n in right else
                         (c + " " * (w - cell_len(c)))
                         for n, (c, w) in enumerate(zip(row, widths, strict=False)))

    head = [line(header), "  ".join("-" * w for w in widths)] if header is not None else []
    return head + [line(row) for row in rows]


def _rich_lines(header: list[str] | None, rows: list[list[str]], right: Collection[int],
                indent: int) -> list[str]:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=_box(), show_header=header is not None, show_edge=False,
                  pad_edge=False, padding=(0, 1, 0, 0), header_style="bold",
                  highlight=False)
    width = len(header) if header is not None else max((len(r) for r in rows), default=0)
    for n in range(width):
        table.add_column(Text(header[n]) if header is not None else "",
                         justify="right" if n in right else "left",
                         overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    buffer = io.StringIO()
    console = Console(file=buffer, width=max(shutil.get_terminal_size().columns - indent, 20),
                      force_terminal=True, color_system="standard", highlight=False,
                      emoji=False, markup=False, legacy_windows=False)
    console.print(table)
    return buffer.getvalue().splitlines()


def show(header: Sequence[str] | None, rows: Sequence[Sequence[object]], **kwargs) -> None:
    """Print the table of `lines` on stdout."""
    sys.stdout.write("".join(line + "\n" for line in lines(header, rows, **kwargs)))


@contextmanager
def progress(label: str) -> Iterator[Progress | None]:
    """A progress bar named `label` on stderr while the block runs, when stderr is a
    terminal; it is wiped at the end. Yields its `(done, total)` callback, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar

    console = Console(file=sys.stderr, highlight=False, emoji=False, markup=False)
    with Bar(TextColumn("{task.description}", markup=False), BarColumn(),
             MofNCompleteColumn(), TimeRemainingColumn(), console=console,
             transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update
