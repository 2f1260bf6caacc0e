"""Tables written to files: CSV and XLSX, streamed, never half written.

One writer for every list the app exports (`transfer.export_table`: the local records;
`agency.export`: the supervisor's lists). Rows come from an iterator and go to the file as
they come, so memory stays flat whatever the length:

* CSV: UTF-8 with a BOM (Excel then reads the Chinese text right). Text a spreadsheet
  would run as a formula (starting with = + - @, a tab or a carriage return) gets a
  leading apostrophe (OWASP "CSV injection"); numbers like "-12.5" or "+86 123" stay.
* XLSX: one sheet of inline strings streamed into the zip (`_write_xlsx` says why by
  hand and not through XlsxWriter or openpyxl). Text is always a text cell, never a
  formula, so "=HYPERLINK(...)" stays the literal text. Header bold and frozen, column
  widths from the header and the first rows; more rows than a sheet holds are refused.

`replacing(out)` gives a temporary file next to `out` that is moved over it only when the
writing succeeded: a failed or interrupted export leaves no truncated file.
"""

from __future__ import annotations

import csv
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
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


_XML_BAD = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    if _XML_BAD.search(value):
        value = _XML_CTRL.sub("", value).replace("&", "&amp;").replace("<", "&lt;") \
            .replace(">", "&gt;")
    return value


def _cells(row: Sequence[Any], style: str = "") -> str:
    out = []
    for v in row:
        cls = v.__class__
        if cls is int or (isinstance(v, int) and cls is not bool):
            out.append(f"<c{style}><v>{v}</v></c>")
            continue
        if cls is bool:
            out.append(f'<c{style} t="b"><v>{int(v)}</v></c>')
            continue
        if isinstance(v, float | Decimal):
            if v.is_finite() if isinstance(v, Decimal) else math.isfinite(v):
                out.append(f"<c{style}><v>{v}</v></c>")
                continue
            v = str(v)  # nan, inf: no number a spreadsheet holds
        text = "" if v is None else v if cls is str else str(v)
        if not text:
            out.append(f"<c{style}/>")
            continue
        space = ' xml:space="preserve"' if text != text.strip() else ""
        out.append(f'<c{style} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
    return "".join(out)


def _col_name(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


_NS = "http://schemas.openxmlformats.org"
_CT = "application/vnd.openxmlformats-"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Types xmlns="{_NS}/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{_CT}package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        f'ContentType="{_CT}officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{_CT}officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        f'ContentType="{_CT}officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS}/officeDocument/2006/relationships/'
        'styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<styleSheet xmlns="{_NS}/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" '
        'fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" '
        'borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
_BOLD = ' s="1"'  # the header's cell style (styles.xml: bold)


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
                sheet: str, total: int, progress: Progress | None, every: int,
                freeze_columns: int) -> int:
    """An XLSX workbook of one sheet, its rows streamed into the zip as they come.

    SpreadsheetML written directly (inline strings, no shared-string table), as the
    libraries' streaming modes do, because both are far too slow for the lists' target
    (a million rows of 16 columns in 90 s, 300 MB). Measured with benchmarks/
    bench_oversight.py on the 2-core machine: XlsxWriter's constant-memory mode 182 s of
    CPU (649 s wall under load), openpyxl's write-only mode about 300 s of CPU; this
    writer about 25 s. The file opens in Excel, LibreOffice and openpyxl (the tests read
    it back with openpyxl).
    """
    title = _SHEET_BAD.sub("", sheet).strip("'")[:31] or "Sheet1"
    rows = iter(rows)
    first = [list(r) for r in islice(rows, _WIDTH_SAMPLE)]
    cols = []
    for col, name in enumerate(header):
        width = max([_text_width(name) * 1.2 + 2] +
                    [_text_width(r[col]) + 1 for r in first if col < len(r)])
        width = min(_MAX_WIDTH, max(8, round(width)))
        cols.append(f'<col min="{col + 1}" max="{col + 1}" width="{width}" customWidth="1"/>')
    if freeze_columns:
        cell = f"{_col_name(freeze_columns)}2"
        pane = (f'<pane xSplit="{freeze_columns}" ySplit="1" topLeftCell="{cell}" '
                'activePane="bottomRight" state="frozen"/>')
    else:
        pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    n = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, body in _PARTS.items():
            zf.writestr(name, body)
        zf.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" '
            f'xmlns:r="{_NS}/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{_xml_text(title).replace(chr(34), "&quot;")}" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            write = raw.write
            write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetViews>'
                   f'<sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
                   f'<cols>{"".join(cols)}</cols><sheetData>'
                   f"<row>{_cells(header, _BOLD)}</row>").encode())
            block: list[str] = []
            for row in chain(first, rows):
                n += 1
                if n >= XLSX_MAX_ROWS:
                    raise TableError(_(
                        "An XLSX sheet holds at most {n} rows; narrow the list or export "
                        "it as CSV.").format(n=f"{XLSX_MAX_ROWS - 1:,}"))
                block.append(f"<row>{_cells(row)}</row>")
                if len(block) >= 2000:
                    write("".join(block).encode())
                    block.clear()
                if progress and n % every == 0:
                    progress(n, total)
            write(("".join(block) + "</sheetData></worksheet>").encode())
    return n
