"""Streamed CSV and XLSX of agency lists (core/agency/export.py), read back row by row."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import agency_sample as sample
import pytest

from inspector_app.core import i18n
from inspector_app.core.agency import export, oversight
from inspector_app.core.models import AgencyRecord

N = 3000
REVIEW_PENDING_ZH = "待审核"
HEADER_ZH = ["记录类型", "记录编号", "版本", "标题", "日期", "执法人员", "市场", "状态", "结果",
             "类别", "期限", "报告截止", "阳性", "审核", "冲突", "内容 SHA-256"]


@pytest.fixture()
def store(tmp_path):
    i18n.set_language("zh_CN")
    st = sample.fill(tmp_path / "store")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with st.write() as s:
        for n in range(N):
            s.add(AgencyRecord(
                kind="check", record_id=f"10000000-0000-4000-8000-{n:012d}", version=1 + n % 3,
                content_sha256=f"{n:064x}", device_id=sample.DEVICE,
                owner_device_id=sample.DEVICE, inspector=f"检查员{n % 7}",
                market_id=sample.M1, market="东门市场", day=f"2026-11-{1 + n % 28:02d}",
                state="final", result="nonconforming" if n % 5 == 0 else "conforming",
                category="调味品", title="=HYPERLINK(\"x\")" if n == 7 else f"产品{n}",
                review_state="returned" if n % 2 else "pending", updated_at=now))
    yield st
    st.close()


def _expected(store, sel):
    with store.read() as s:
        return list(export.rows(s, sel))


def test_csv_of_all_records_reads_back_every_row_and_the_header(store, tmp_path):
    out = tmp_path / "all.csv"
    with store.read() as s:
        n = export.export(s, export.Selection(), "csv", out)
    assert n == N + 15  # the sample: 5 reference records, 10 others
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    with out.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == HEADER_ZH
    want = [[str(v) for v in row] for row in _expected(store, export.Selection())]
    want = [["'" + c if c.startswith("=") else c for c in row] for row in want]
    assert got[1:] == want
    assert ["标识检查", "10000000-0000-4000-8000-000000000005", "3", "产品5", "2026-11-06",
            "检查员5", "东门市场", "已完成", "不合格", "调味品", "", "", "0", "已退回", "0",
            f"{5:064x}"] in got
    assert "'=HYPERLINK(\"x\")" in {row[3] for row in got}  # never a formula


def test_xlsx_of_the_review_queue_reads_back_every_row(store, tmp_path):
    out = tmp_path / "queue.xlsx"
    sel = export.Selection(kind="check", review_state="pending")
    with store.read() as s:
        n = export.export(s, sel, "xlsx", out)
    assert n == N // 2 + 4  # the generated pending checks and the sample's four checks
    rows = [list(r) for r in sample.xlsx_rows(out)]
    assert rows[0] == HEADER_ZH
    want = [[None if v == "" else v for v in row] for row in _expected(store, sel)]
    assert rows[1:] == want
    assert all(r[13] == REVIEW_PENDING_ZH for r in rows[1:])
    assert "=HYPERLINK(\"x\")" not in {r[3] for r in rows}  # n == 7 is returned: not here


def test_a_figures_records_as_xlsx(store, tmp_path):
    out = tmp_path / "nc.xlsx"
    flt = oversight.Filters(day_from="2026-11-01", day_to="2026-11-30")
    sel = export.Selection(filters=flt, figure=f"nc_market:{sample.M1}")
    with store.read() as s:
        n = export.export(s, sel, "xlsx", out)
        assert n == oversight.count(s, f"nc_market:{sample.M1}", flt)
    rows = sample.xlsx_rows(out)
    assert len(rows) == n + 1 and n == N // 5 + 1
    assert {r[8] for r in rows[1:]} == {"不合格"}


def test_bad_target_writes_nothing(store, tmp_path):
    with store.read() as s:
        with pytest.raises(export.ExportError, match="不存在"):
            export.export(s, export.Selection(), "csv", tmp_path / "no" / "x.csv")
        with pytest.raises(export.ExportError):
            export.export(s, export.Selection(figure="nonsense"), "csv", tmp_path / "x.csv")
    assert list(tmp_path.glob("*.csv")) == [] and list(tmp_path.glob(".*part")) == []


def test_xlsx_of_all_records_keeps_formula_looking_titles_as_text(store, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "all.xlsx"
    with store.read() as s:
        n = export.export(s, export.Selection(), "xlsx", out)
    rows = sample.xlsx_rows(out)
    assert len(rows) == n + 1 and list(rows[0]) == HEADER_ZH
    want = [[None if v == "" else v for v in row] for row in _expected(store, export.Selection())]
    assert [list(r) for r in rows[1:]] == want  # every row, Chinese text intact
    ws = load_workbook(out).active
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    title = next(c for c in ws["D"] if c.value == "=HYPERLINK(\"x\")")
    assert title.data_type == "s"  # the text itself, never run as a formula
