"""The one table writer (core/tables_out.py): CSV and XLSX read back as a user's
spreadsheet would read them (csv module, openpyxl)."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from inspector_app.core import i18n, tables_out

HEADER = ["编号", "产品名称", "数量", "备注"]
TRICKY = ["=HYPERLINK(\"http://x\")", "+SUM(A1:A2)", "-2+3", "@cmd", "-12.5", "+86 138 0000",
          "<r>粗体</r>", "a & b <c>", "  空格  ", "tab\there", "线1\n线2"]


def _rows(n: int):
    for i in range(n):
        yield [f"ID-{i:05d}", f"产品{i}", Decimal("12.5") if i % 2 else i, TRICKY[i % len(TRICKY)]]


def _write(tmp_path, fmt: str, n: int, **kw):
    out = tmp_path / f"t.{fmt}"
    with tables_out.replacing(out) as tmp:
        count = tables_out.write(tmp, fmt, HEADER, _rows(n), sheet="检查:记录/2026", **kw)
    return out, count


@pytest.fixture(autouse=True)
def _zh():
    i18n.set_language("zh_CN")


def test_xlsx_reads_back_every_row_with_text_as_text(tmp_path):
    out, count = _write(tmp_path, "xlsx", 2500)
    assert count == 2500
    wb = load_workbook(out, read_only=True)
    got = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    assert list(got[0]) == HEADER
    want = [[f"ID-{i:05d}", f"产品{i}", 12.5 if i % 2 else i, TRICKY[i % len(TRICKY)]]
            for i in range(2500)]
    assert [list(r) for r in got[1:]] == want  # formulas, markup, spaces: the text itself
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # no temporary left


def test_xlsx_header_bold_and_frozen_formula_text_is_a_text_cell(tmp_path):
    out, _ = _write(tmp_path, "xlsx", 20, freeze_columns=1)
    wb = load_workbook(out)
    ws = wb.active
    assert ws.title == "检查记录2026"  # the characters a sheet name cannot hold dropped
    assert ws.freeze_panes == "B2"
    assert all(c.font.b for c in ws[1]) and not ws["A2"].font.b
    cell = ws["D2"]
    assert cell.value == TRICKY[0] and cell.data_type == "s"
    assert ws["C3"].value == 12.5 and ws["C3"].data_type == "n"
    assert ws.column_dimensions["A"].width >= len("ID-00000")  # wide enough to read
    assert ws.column_dimensions["B"].width >= 6


def test_csv_has_a_bom_chinese_text_and_defused_formulas(tmp_path):
    out, count = _write(tmp_path, "csv", 30)
    assert count == 30
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == HEADER
    notes = [r[3] for r in got[1:len(TRICKY) + 1]]
    assert notes[:4] == ["'=HYPERLINK(\"http://x\")", "'+SUM(A1:A2)", "'-2+3", "'@cmd"]
    assert notes[4:6] == ["-12.5", "+86 138 0000"]  # numbers stay numbers
    assert notes[6:] == TRICKY[6:]
    assert got[2][:3] == ["ID-00001", "产品1", "12.5"]


def test_too_many_rows_for_xlsx_is_refused_and_nothing_is_left(tmp_path, monkeypatch):
    monkeypatch.setattr(tables_out, "XLSX_MAX_ROWS", 101)
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"old")
    with (pytest.raises(tables_out.TableError, match="CSV") as caught,
          tables_out.replacing(out) as tmp):
        tables_out.write(tmp, "xlsx", HEADER, _rows(500))
    assert "100" in caught.value.message and "行" in caught.value.message
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]
    with tables_out.replacing(out) as tmp:  # exactly as many as a sheet holds: written
        assert tables_out.write(tmp, "xlsx", HEADER, _rows(100)) == 100


def test_a_failure_midway_keeps_the_old_file(tmp_path):
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"old")

    def rows():
        yield from _rows(10)
        raise OSError("disk full")

    for fmt in tables_out.FORMATS:
        with pytest.raises(OSError, match="disk full"), tables_out.replacing(out) as tmp:
            tables_out.write(tmp, fmt, HEADER, rows())
        assert out.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]
