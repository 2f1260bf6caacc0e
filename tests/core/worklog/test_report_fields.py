"""docs/documents.md, 工作站日报 and 工作站月报: every field of the field tables, read back
from the PDF with pdftotext and compared with the record it comes from."""

from __future__ import annotations

import re
from datetime import timedelta

from pdf_lines import flat, lines, page_texts
from worklog_helpers import NOW, TODAY, make_station

from inspector_app.core import settings
from inspector_app.core.models import Market, Workstation
from inspector_app.core.pdf import breaking
from inspector_app.core.worklog import demo, reports, service
from inspector_app.core.worklog.entry import log_tz

CN = {"positive": "阳性", "negative": "阴性"}


def _day(store, tests=40):
    station = make_station(store)
    with store.write() as s:
        service.close_shift(s, station.actor, station.log_id, now=NOW - timedelta(hours=5))
        wl = demo.fill_day(s, station.actor, demo.DemoStation(station.workstation_id,
                                                              station.market_id), tests, NOW)
        return station, wl.id


def _hm(moment, wl) -> str:
    return moment.astimezone(log_tz(wl.created_offset)).strftime("%H:%M")


def test_every_field_of_the_daily_report(store, tmp_path):
    station, log_id = _day(store)
    with store.read() as s:
        pdf = reports.daily_report(s, TODAY, station.workstation_id)
        wl = service.load(s, log_id)
        agency = settings.AGENCY_NAME.get(s)
        market = s.get(Market, wl.market_id).name
        ws = s.get(Workstation, station.workstation_id).name
        pages = page_texts(pdf, tmp_path)
        text = flat("".join(pages))
        assert agency in text and "市场质量检验工作站日报" in text
        assert f"日期：{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text
        assert f"市场：{market}" in text and f"工作站：{ws}" in text
        assert f"{wl.operator_name}{_hm(wl.opened_at, wl)}–{_hm(wl.closed_at, wl)}" in text
        first = [t for t in wl.tests if not t.retest_of]
        positives = [t for t in first if t.conclusion == "positive"]
        assert positives and len(first) > 30
        assert f"当日快速检测{len(first)}批次" in text
        assert f"阳性{len(positives)}批次" in text
        # Drawing order (pdftotext -raw) gives a table row cell by cell: the whole row of
        # the record, in column order, must be there.
        raw = flat("".join(page_texts(pdf, tmp_path, raw=True)))
        for t in wl.tests:  # 附：快速检测明细
            value = (f"{t.value.normalize():f}{t.unit}" if t.value is not None
                     else CN[t.conclusion])
            row = [t.sample_no + ("（复检）" if t.retest_of else ""), _hm(t.tested_at, wl),
                   t.stall_no, t.product_name, t.test_item, "方法：", t.method or "（未记录）",
                   value,
                   "限量：", (t.limit_value + "%") if t.limit_value else "（未记录）",
                   CN[t.conclusion], t.tester, t.instrument_no, t.reagent_batch]
            assert flat("".join(row)) in raw, row
        for t in positives:
            assert t.follow_up and flat(t.follow_up) in raw
        # scale checks and 公平秤 re-weighs: time, stall, product or instrument
        for sc in wl.scale_checks:
            when = _hm(sc.checked_at, wl)
            if sc.kind == "reweigh":
                row = [when, sc.stall_no, sc.product_name, f"{sc.claimed_weight:.3f}",
                       f"{sc.actual_weight:.3f}"]
            else:
                row = [when, sc.stall_no, sc.instrument_name, sc.model, sc.serial_no,
                       sc.cert_no, sc.valid_until]
            assert flat("".join(row)) in raw, row
        assert "超期未检" in raw and "短斤缺两" in raw and "-80" in raw
        # complaints, without the complainant's phone
        for c in wl.complaints:
            for value in (c.content, c.complainant, c.stall_no, c.follow_up,
                          _hm(c.received_at, wl)):
                assert flat(value) in raw, value
        assert not any(c.phone and c.phone in raw for c in wl.complaints)
        assert flat(wl.summary) in raw
        assert "检验员（签字）" in raw and "负责人（签字）" in raw
    # every page numbered and named; no line starts or ends with a forbidden character
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in flat(page) and ws in page
    for page in lines(pdf, tmp_path):
        for ln in page:
            assert not breaking.no_start(ln.text[0]), ln.text
            assert not breaking.no_end(ln.text[-1]), ln.text


def test_every_field_of_the_monthly_report(store, tmp_path):
    station = make_station(store)
    with store.write() as s:
        service.close_shift(s, station.actor, station.log_id, now=NOW - timedelta(hours=5))
        st = demo.DemoStation(station.workstation_id, station.market_id)
        for back in (3, 2, 1):
            demo.fill_day(s, station.actor, st, 20 * back, NOW - timedelta(days=back))
    with store.read() as s:
        pdf = reports.monthly_report(s, TODAY.year, TODAY.month, station.workstation_id)
        logs = service.month_logs(s, TODAY.year, TODAY.month, station.workstation_id)
        first = [t for wl in logs for t in wl.tests if not t.retest_of]
        positives = [(wl, t) for wl in logs for t in wl.tests
                     if not t.retest_of and t.conclusion == "positive"]
        scales = [sc for wl in logs for sc in wl.scale_checks]
        complaints = [c for wl in logs for c in wl.complaints]
        market = s.get(Market, logs[0].market_id).name
        pages = page_texts(pdf, tmp_path)
        text = flat("".join(page_texts(pdf, tmp_path, raw=True)))  # cells in order
        assert f"{TODAY.year}年{TODAY.month}月快速检测月度汇总" in text
        assert f"市场：{market}" in text and "工作站：东门市场快检室" in text
        worked = len({wl.log_date for wl in logs if wl.tests})
        assert f"本月开展快速检测{worked}天，检测{len(first)}批次，阳性{len(positives)}批次" in text
        checks = [sc for sc in scales if sc.kind != "reweigh"]
        assert f"检查计量器具{len(checks)}台次" in text
        assert f"公平秤复秤{len(scales) - len(checks)}次" in text
        assert f"受理投诉举报{len(complaints)}件" in text
        assert "每日快速检测批次" in text  # the chart
        for item in {t.test_item for t in first}:
            n = sum(1 for t in first if t.test_item == item)
            assert re.search(rf"{re.escape(item)}\s+{n}\s", "".join(pages)), item
        assert positives
        for wl, t in positives:
            day = f"{int(wl.log_date[5:7])}月{int(wl.log_date[8:])}日"
            for value in (day, t.sample_no, t.stall_no, t.product_name, t.method,
                          t.limit_value):
                assert flat(value) in text, value
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in flat(page)
