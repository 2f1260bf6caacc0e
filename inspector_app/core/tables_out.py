"""Tables written to files: CSV and XLSX, streamed, never half written.

One writer for every list the app exports (`transfer.export_table`: the local records;
`agency.export`: the supervisor's lists). Rows come from an iterator and go to the file as
they come, so memory stays flat whatever the length:

* CSV: UTF-8 with a BOM (Excel then reads the Chinese text right). Text a spreadsheet
  would run as a formula (starting with = + - @, a tab or a carriage return) gets a
  leading apostrophe (OWASP "CSV injection"); numbers like "-12.5" or "+86 123" stay.
* XLSX: XlsxWriter in constant-memory mode (each row is written out before the next).
  Text is always a text cell: XlsxWriter's conversion of strings to formulas, URLs or
  numbers is off, so "=HYPERLINK(...)" stays the literal text. Header bold and frozen,
  column widths from the header and the first rows.

`replacing(out)` gives a temporary file next to `out` that is moved over it only when the
writing succeeded: a failed or interrupted export leaves no truncated file.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import chain, islice
from pathlib import Path
from typing import Any

from inspector_app.core.i18n import _

Progress = Callable[[int, int], None]

FORMATS = ("csv", "xlsx")
XLSX_MAX_ROWS = 1_048_576  # a worksheet's rows, the header's included
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERISH = re.compile(r"[+-]?[\d .,()\-]*\d[\d .,()\-]*")
_SHEET_BAD = re.compile(r"[\\/*?:\[\]]")
_WIDTH_SAMPLE = 200  # rows looked at for the column widths
_MAX_WIDTH = 60


class TableError(ValueError):
    """A table that cannot be written, with a message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def defused(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, prefixed with ' (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not (
            _NUMBERISH.fullmatch(value)):
        return "'" + value
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """A new temporary file next to `out`, moved over `out` when the block succeeds.

    On any error the temporary file is removed and `out` is left as it was.
    """
    out = Path(out)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def write(path: Path, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
          sheet: str = "", total: int = 0, progress: Progress | None = None,
          every: int = 5000, freeze_columns: int = 0) -> int:
    """Write `header` and `rows` to `path` as `fmt` (csv or xlsx); return the row count.

    `progress(done, total)` is called every `every` rows. XLSX only: `sheet` names the
    worksheet, `freeze_columns` keeps that many left columns in view beside the header.
    """
    if fmt == "csv":
        return _write_csv(Path(path), header, rows, total, progress, every)
    if fmt == "xlsx":
        return _write_xlsx(Path(path), header, rows, sheet, total, progress, every,
                           freeze_columns)
    raise TableError(_("Unknown format {fmt}; use csv or xlsx.").format(fmt=fmt))


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], total: int,
               progress: Progress | None, every: int) -> int:
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([defused(v) for v in row])
            n += 1
            if progress and n % every == 0:
                progress(n, total)
    return n


def _text_width(value: Any) -> int:
    """Columns `value` takes on screen: a Chinese character counts two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _guarded(row: Sequence[Any]) -> list[Any]:
    # In constant-memory mode XlsxWriter takes a string framed by "<r>" and "</r>" for a
    # rich string's XML and writes it unescaped; such (rare) text goes in as a rich
    # string of plain parts instead, so the cell shows it exactly.
    # An empty text is no cell at all (None): the same on screen, and quicker to write.
    return [(v or None) if v.__class__ is str and not (
        v.startswith("<r>") and v.endswith("</r>")) else _RichText(v)
        if v.__class__ is str else v for v in row]


class _RichText(str):
    """Text written as a rich string of plain parts (see `_guarded`)."""


def _write_rich(ws, row: int, col: int, value: str, cell_format=None) -> int:
    parts = [value[:1], value[1:3], str(value[3:])]  # three parts: XlsxWriter's minimum
    return ws.write_rich_string(row, col, *parts, *([cell_format] if cell_format else []))


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
                sheet: str, total: int, progress: Progress | None, every: int,
                freeze_columns: int) -> int:
    import xlsxwriter

    # The rows wait in a temporary file until the sheet is zipped: next to the output
    # (its disk was chosen for the file), in a folder removed whatever happens.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.",
                                     ignore_cleanup_errors=True) as tmpdir:
        wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "tmpdir": tmpdir, "strings_to_formulas": False,
            "strings_to_urls": False, "strings_to_numbers": False})
        try:
            n = _fill_sheet(wb, header, rows, sheet, total, progress, every,
                            freeze_columns)
        except BaseException:
            with suppress(Exception):
                wb.close()  # closes the temporary file; the caller drops the output
            raise
        wb.close()
    return n


def _fill_sheet(wb, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str,
                total: int, progress: Progress | None, every: int,
                freeze_columns: int) -> int:
    title = _SHEET_BAD.sub("", sheet).strip("'")[:31] or "Sheet1"
    ws = wb.add_worksheet(title)
    ws.add_write_handler(_RichText, _write_rich)
    ws.freeze_panes(1, freeze_columns)
    rows = iter(rows)
    first = [list(r) for r in islice(rows, _WIDTH_SAMPLE)]
    for col, name in enumerate(header):
        width = max([_text_width(name) * 1.2 + 2] +
                    [_text_width(r[col]) + 1 for r in first if col < len(r)])
        ws.set_column(col, col, min(_MAX_WIDTH, max(8, round(width))))
    ws.write_row(0, 0, list(header), wb.add_format({"bold": True}))
    n = 0
    write_row = ws.write_row
    for row in chain(first, rows):
        n += 1
        if n >= XLSX_MAX_ROWS:
            raise TableError(_(
                "An XLSX sheet holds at most {n} rows; narrow the list or export it as "
                "CSV.").format(n=f"{XLSX_MAX_ROWS - 1:,}"))
        write_row(n, 0, _guarded(row))
        if progress and n % every == 0:
            progress(n, total)
    return n
