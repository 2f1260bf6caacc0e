"""Paste from a spreadsheet and instrument CSV import: every bad row with its reason, and
the caller's choice (import the good rows, or none)."""

from __future__ import annotations

import json

import pytest
from worklog_helpers import NOW, TODAY, day, history_versions

from inspector_app.core.worklog import importing, service
from inspector_app.core.worklog.importing import GOOD, NONE, CsvMapping, MappingError

COLUMNS = ["stall_no", "product_name", "test_item", "value"]
PASTE = (
    "A01\t青菜\t农药残留\t12.5\n"
    "A02\t菠菜\t农药残留\t100.1\n"  # out of range
    "A03\t韭菜\t农残\t50\n"  # alias; positive
    "\t\t\t\n"  # empty: left out
    "A04\t\t农药残留\t3\n"  # no product
    "A05\t猪肉\t瘦肉精\t阴性\n"
    "A06\t芹菜\t农药残留\t四十\n"  # not a number
    "A07\t豇豆\t农药残留\t49.99\n"
)


def _stored(station):
    with station.store.read() as s:
        return [(t.stall_no, t.product_name, t.test_item, t.conclusion)
                for t in station.log(s).tests]


def test_paste_reports_every_bad_row_with_its_reason(station):
    result = importing.parse_paste(PASTE, COLUMNS, station.ctx())
    assert result.good_lines == [1, 3, 6, 8]
    assert [b.line for b in result.bad] == [2, 5, 7]
    by_line = {b.line: b for b in result.bad}
    assert set(by_line[2].errors) == {"value"}
    assert set(by_line[5].errors) == {"product_name"}
    assert set(by_line[7].errors) == {"value"}
    assert all(b.reason() for b in result.bad)
    assert by_line[2].cells["stall_no"] == "A02"  # the bad row's cells, to show them
    assert [n for n, _why in result.skipped] == [4]


def test_paste_choice_good_imports_the_good_rows_in_one_version(station):
    result = importing.parse_paste(PASTE, COLUMNS, station.ctx())
    before = history_versions(station.store, station.log_id)
    with station.store.write() as s:
        added = importing.commit(s, station.actor, station.log_id, result, GOOD, now=NOW)
    assert added == 4
    assert history_versions(station.store, station.log_id) == before + 1
    assert _stored(station) == [("A01", "青菜", "农药残留", "negative"),
                                ("A03", "韭菜", "农药残留", "positive"),
                                ("A05", "猪肉", "瘦肉精", "negative"),
                                ("A07", "豇豆", "农药残留", "negative")]


def test_paste_choice_none_imports_nothing(station):
    result = importing.parse_paste(PASTE, COLUMNS, station.ctx())
    before = history_versions(station.store, station.log_id)
    with station.store.write() as s:
        assert importing.commit(s, station.actor, station.log_id, result, NONE, now=NOW) == 0
    assert history_versions(station.store, station.log_id) == before
    assert _stored(station) == []


def test_paste_with_a_header_line_and_surplus_cells(station):
    text = ("样品名称\t检测项目\t检测值\t摊位号\n"
            "青菜\t农药残留\t8\tA01\n"
            "菠菜\t农药残留\t9\tA02\t多余\n")
    result = importing.parse_paste(text, ["sample_no"], station.ctx())
    assert result.columns == ["product_name", "test_item", "value", "stall_no"]
    assert result.good_lines == [2]
    assert [b.line for b in result.bad] == [3]
    assert "多余" in result.bad[0].reason()


def test_paste_of_quoted_cells_from_a_spreadsheet(station):
    text = '"A01"\t"青菜\n(本地)"\t农药残留\t8\n'
    result = importing.parse_paste(text, COLUMNS, station.ctx())
    assert result.good[0].product_name == "青菜\n(本地)"


def test_a_retest_of_a_bad_row_is_bad_too(station):
    text = ("S1\t青菜\t农药残留\t150\t\n"
            "S2\t青菜\t农药残留\t60\tS1\n")
    result = importing.parse_paste(text, ["sample_no", "product_name", "test_item", "value",
                                          "retest_of"], station.ctx())
    assert [b.line for b in result.bad] == [1, 2]
    assert "retest_of" in result.bad[1].errors


# --- CSV ---------------------------------------------------------------------------------------

CSV_ROWS = [
    "农药残留检测仪 数据导出",
    "序号,样品编号,样品名称,被检单位,通道,抑制率(%),检测结果,检测时间,检测人员",
    f"1,N001,青菜,A01,1,12.3,阴性,{TODAY} 06:01:12,李四",
    f"2,N002,菠菜,A02,2,55.0,阳性,{TODAY} 06:02:40,李四",
    f"3,N003,韭菜,A03,3,130.5,阳性,{TODAY} 06:03:05,李四",  # out of range
    f"4,N004,芹菜,A04,4,20.0,阳性,{TODAY} 06:04:00,李四",  # instrument disagrees
    f"5,N005,生菜,A05,5,18.1,阴性,{day(-1)} 16:00:00,李四",  # another day: left out
    f"6,N001,黄瓜,A06,6,10.0,阴性,{TODAY} 06:05:00,李四",  # duplicate sample number
    f"7,N007,豇豆,A07,7,49.99,阴性,{TODAY} 06:06:00,李四",
    "",
]


def _mapping(**changes) -> CsvMapping:
    data = json.loads(importing.DEFAULT_MAPPING.to_json())
    data.update({"name": "测试仪", "header_row": 2, **changes})
    return CsvMapping.from_dict(data)


def test_csv_import_through_the_mapping(station):
    data = "\r\n".join(CSV_ROWS).encode("gb18030")  # Chinese instruments write GBK
    result = importing.parse_csv(data, _mapping(), station.ctx())
    assert [t.sample_no for t in result.good] == ["N001", "N002", "N007"]
    by_line = {b.line: b for b in result.bad}
    assert set(by_line) == {5, 6, 8}
    assert "value" in by_line[5].errors  # 130.5 %
    assert "value" in by_line[6].errors  # the instrument says 阳性, the rate gives 阴性
    assert "sample_no" in by_line[8].errors
    assert [line for line, _why in result.skipped] == [7]  # N005, of another day
    assert result.good[1].stall_no == "A02" and result.good[1].test_item == "农药残留"
    assert result.good[0].tested_at.hour == 6 and result.good[0].tested_at.minute == 1


@pytest.mark.parametrize(("choice", "expected"), [(GOOD, 3), (NONE, 0)])
def test_csv_import_choices(station, choice, expected):
    data = "\n".join(CSV_ROWS).encode("utf-8-sig")
    result = importing.parse_csv(data, _mapping(), station.ctx())
    with station.store.write() as s:
        assert importing.commit(s, station.actor, station.log_id, result, choice,
                                now=NOW) == expected
    assert len(_stored(station)) == expected


def test_mapping_by_column_number_without_header(station):
    rows = [f"N1;{TODAY} 07:00;大白菜;22,5", f"N2;{TODAY} 07:01;油麦菜;51"]
    mapping = CsvMapping("无表头", {"sample_no": "#1", "tested_at": "#2", "product_name": "#3",
                                   "value": "#4"}, delimiter=";", header_row=0,
                         defaults={"test_item": "农药残留"})
    result = importing.parse_csv("\n".join(rows).encode(), mapping, station.ctx())
    assert [t.sample_no for t in result.good] == ["N2"]
    assert result.bad[0].line == 1  # 22,5 is not a number


def test_separate_date_and_time_columns(station):
    rows = ["样品,抑制率,日期,时间", f"青菜,5,{TODAY},08:10"]
    mapping = CsvMapping("分列", {"product_name": "样品", "value": "抑制率",
                                  "test_date": "日期", "tested_at": "时间"},
                         defaults={"test_item": "农药残留"})
    result = importing.parse_csv("\n".join(rows).encode(), mapping, station.ctx())
    assert result.bad == [] and result.good[0].tested_at.hour == 8


def test_a_file_that_does_not_fit_the_mapping(station):
    with pytest.raises(MappingError) as caught:
        importing.parse_csv(b"a,b,c\n1,2,3\n", _mapping(header_row=1), station.ctx())
    assert "a, b, c" in caught.value.message


def test_mappings_are_json_documents_that_are_checked():
    text = importing.DEFAULT_MAPPING.to_json()
    assert CsvMapping.from_json(text) == importing.DEFAULT_MAPPING
    with pytest.raises(MappingError):
        CsvMapping.from_json("{not json")
    with pytest.raises(MappingError):
        CsvMapping.from_dict({"name": "x", "columns": {"product_name": "A"}})  # no value
    with pytest.raises(MappingError):
        CsvMapping.from_dict({"name": "x", "columns": {"product_name": "A", "value": "B",
                                                       "colour": "C"}})
    with pytest.raises(MappingError):
        CsvMapping.from_dict({"name": "x", "columns": {"product_name": "A", "value": "B"},
                              "header_row": 0})  # no header: columns by number


def test_saved_mappings(station):
    mine = _mapping(name="恒美CSY-E")
    with station.store.write() as s:
        importing.save_mapping(s, mine)
        importing.save_mapping(s, _mapping(name="恒美CSY-E", header_row=3))  # replaced
    with station.store.read() as s:
        names = [(m.name, m.header_row) for m in importing.load_mappings(s)]
    assert names == [(importing.DEFAULT_MAPPING.name, 1), ("恒美CSY-E", 3)]


def test_import_into_a_closed_shift_is_refused(station):
    result = importing.parse_paste("A01\t青菜\t农药残留\t1\n", COLUMNS, station.ctx())
    with station.store.write() as s:
        service.close_shift(s, station.actor, station.log_id, now=NOW)
    with pytest.raises(service.WorklogError), station.store.write() as s:
        importing.commit(s, station.actor, station.log_id, result, GOOD, now=NOW)


def test_the_mappings_in_the_docs_are_valid():
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "worklog-csv.md").read_text(
        encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", doc, re.DOTALL)
    assert len(blocks) == 3
    mappings = [CsvMapping.from_json(block) for block in blocks]
    assert mappings[0] == importing.DEFAULT_MAPPING  # the doc shows the built-in mapping
