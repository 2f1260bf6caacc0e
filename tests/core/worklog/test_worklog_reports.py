"""The daily report 日报 and the monthly summary: their content, read back with pdftotext,
and their fonts, all embedded."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from worklog_helpers import NOW, TODAY, make_station

from inspector_app.core.worklog import demo, entry, reports, service

# Skipped only outside CI: in CI (which installs poppler-utils) a missing tool fails.
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="needs poppler-utils")


def _text(pdf: bytes, tmp_path, name="r.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return re.sub(r"[ \t]+", " ", out)


def _fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout
    return [line.split() for line in out.decode().splitlines()[2:]]


def _fill(store, station, tests=30):
    with store.write() as s:
        service.close_shift(s, station.actor, station.log_id, now=NOW - timedelta(hours=5))
        wl = demo.fill_day(s, station.actor, demo.DemoStation(station.workstation_id,
                                                              station.market_id),
                           tests, NOW, close=False)
        ctx = service.entry_context(s, wl, NOW)
        rare = entry.check_row({"product_name": "𠮷祥韭菜", "test_item": "农药残留",
                                "value": "73.4", "stall_no": "𠮷祥蔬菜C01",
                                "tested_at": "08:59"}, ctx).test
        [t] = service.add_tests(s, station.actor, wl.id, [rare], now=NOW)
        service.set_follow_up(s, station.actor, wl.id, t.sample_no, "已下架封存", now=NOW)
        service.close_shift(s, station.actor, wl.id, now=NOW)
        return wl.id


def test_daily_report_content(store, tmp_path):
    station = make_station(store)
    log_id = _fill(store, station)
    with store.read() as s:
        data = reports.daily_data(s, TODAY)
        wl = service.load(s, log_id)
        first = [t for t in wl.tests if not t.retest_of]
        positives = [t for t in first if t.conclusion == "positive"]
        pdf = reports.render_daily(data)
    text = _text(pdf, tmp_path)
    assert "市场质量检验工作站日报" in text
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text
    assert "东门农副产品批发市场" in text and "东门市场快检室" in text
    # tests by item and result
    assert re.search(rf"合计 {len(first)} {len(first) - len(positives)} {len(positives)} ",
                     text)
    assert f"当日快速检测{len(first)}批次" in text
    # every positive with its follow-up
    for t in positives:
        assert t.sample_no in text
    assert "𠮷祥韭菜" in text and "已下架封存" in text
    assert "复检" in text
    # scale checks: the overdue scale is flagged; the short re-weigh with its difference
    assert "超期未检" in text and "JD2024-0931" in text
    assert "五花肉" in text and "-80" in text and "短斤缺两" in text
    # complaints with status and follow-up, without the complainant's phone
    assert "反映A12摊位猪肉短斤缺两" in text and "已办结" in text and "处理中" in text
    assert "13812345678" not in text
    assert "检验员（签字）" in text
    assert re.search(r"第1页 共\d+页", text)


def test_every_font_is_embedded(store, tmp_path):
    station = make_station(store)
    _fill(store, station)
    with store.read() as s:
        daily = reports.daily_report(s, TODAY)
        monthly = reports.monthly_report(s, TODAY.year, TODAY.month)
    for pdf in (daily, monthly):
        fonts = _fonts(pdf, tmp_path)
        assert fonts, "no fonts listed"
        for row in fonts:
            assert row[-5] == "yes", row  # the "emb" column
        assert not any("Helvetica" in row[0] for row in fonts)
    assert any("NotoSerifCJKsc-Regular" in row[0] for row in _fonts(daily, tmp_path))  # 宋体


def test_daily_report_of_a_quiet_day(store, tmp_path):
    make_station(store)
    with store.read() as s:
        text = _text(reports.daily_report(s, TODAY), tmp_path)
    assert "当日未检出阳性样品" in text and "当日未受理投诉举报" in text


def test_monthly_summary_with_chart(store, tmp_path):
    station = make_station(store)
    with store.write() as s:
        service.close_shift(s, station.actor, station.log_id, now=NOW - timedelta(hours=5))
        st = demo.DemoStation(station.workstation_id, station.market_id)
        for back in (3, 2, 1):
            demo.fill_day(s, station.actor, st, 10 * back, NOW - timedelta(days=back))
    with store.read() as s:
        data = reports.monthly_data(s, TODAY.year, TODAY.month)
        pdf = reports.render_monthly(data)
    total = sum(n for _d, n, _p in data.days)
    assert total == 60
    text = _text(pdf, tmp_path)
    assert f"{TODAY.year}年{TODAY.month}月快速检测月度汇总" in text
    assert f"检测{total}批次" in text
    assert "每日快速检测批次" in text and "阴性" in text  # the chart's title and legend
    assert "分项目检测情况" in text


def test_report_data_has_no_session_ties(store):
    """The snapshot is plain data: it can be drawn after the session is gone."""
    station = make_station(store)
    _fill(store, station, tests=5)
    with store.read() as s:
        data = reports.daily_data(s, TODAY)
    assert reports.render_daily(data).startswith(b"%PDF")
