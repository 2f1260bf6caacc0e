"""The printed reports of a workstation: the daily report 日报 and the monthly summary.

* Daily report (one day, every shift of it): tests by item and result, the positives with
  their re-tests and follow-up, the scale checks (flagged when unverified, failed or
  overdue) and fair-scale re-weighs with the difference, the complaints with their status
  and follow-up, the day's summary, and the signature lines; then every test in a table.
* Monthly summary: totals, tests by item, a bar chart of each day's tests (negative and
  positive), scale checks and complaints.

Data is read into plain snapshots first (`daily_data`, `monthly_data`), so a PDF can be
drawn on a worker thread without a session. Printed texts are Chinese. Phone numbers of
complainants are personal data and are not printed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import fonts, settings
from inspector_app.core.models import Market, WorkLog, Workstation
from inspector_app.core.pdf import Flow
from inspector_app.core.pdf.grid import BODY_PT, LEFT, LINE, MM, RED, SMALL_PT, TEXT_W
from inspector_app.core.worklog import entry, items, service

SCALE_RESULT_CN = {"pass": "合格", "fail": "不合格", "overdue": "超期", "": ""}
COMPLAINT_STATUS_CN = {"open": "处理中", "closed": "已办结"}
COMPLAINT_CATEGORY_CN = {"complaint": "投诉", "report": "举报", None: "投诉"}


@dataclass
class TestRow:
    __test__ = False  # not a pytest test class
    sample_no: str
    time: str
    stall_no: str
    product_name: str
    category: str
    test_item: str
    method: str
    value: str  # as printed: "52.3%", "阳性"
    limit: str
    conclusion: str
    tester: str
    instrument_no: str
    reagent_batch: str
    retest_of: str | None
    follow_up: str
    linked: str  # 已启动查封扣押 / 已启动标识检查


@dataclass
class ScaleRow:
    kind: str
    time: str
    stall_no: str
    name: str
    model: str
    serial_no: str
    cert_no: str
    valid_until: str
    result: str
    flags: list[str]
    product_name: str = ""
    claimed: str = ""
    actual: str = ""
    difference_g: str = ""
    note: str = ""


@dataclass
class ComplaintRow:
    position: int
    time: str
    category: str
    complainant: str
    stall_no: str
    content: str
    status: str
    follow_up: str


@dataclass
class DailyData:
    day: date
    agency: str
    market: str
    workstation: str
    shifts: list[str]  # "李四 07:02–12:30"
    tests: list[TestRow] = field(default_factory=list)
    scales: list[ScaleRow] = field(default_factory=list)
    complaints: list[ComplaintRow] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _clock(moment: datetime | None, tz) -> str:
    return moment.astimezone(tz).strftime("%H:%M") if moment else ""


def _shown_value(t) -> str:
    if t.value is None:
        return entry.format_reading(t.conclusion)
    return f"{items.format_value(t.value)}{t.unit if t.unit == '%' else ' ' + t.unit}".strip()


def _limit(t) -> str:
    """The limit as recorded, with the test's unit where the limit is a bare number."""
    limit = (t.limit_value or "").strip()
    if limit and t.unit and limit[-1].isdigit():
        return f"{limit}{t.unit if t.unit == '%' else ' ' + t.unit}"
    return limit


def _kg(kg: Decimal | None) -> str:
    return "" if kg is None else f"{kg:.3f}"


def _grams(kg: Decimal | None) -> str:
    if kg is None:
        return ""
    g = (kg * 1000).quantize(Decimal(1))
    return f"{'+' if g > 0 else ''}{g}"


def daily_data(session: Session, day: date, workstation_id: str | None = None) -> DailyData:
    """Everything the daily report of `day` prints (every shift of that day)."""
    q = select(WorkLog).where(WorkLog.log_date == day.isoformat()).options(
        selectinload(WorkLog.tests), selectinload(WorkLog.scale_checks),
        selectinload(WorkLog.complaints)).order_by(WorkLog.opened_at)
    if workstation_id:
        q = q.where(WorkLog.workstation_id == workstation_id)
    logs = list(session.scalars(q))
    station = None
    if workstation_id:
        station = session.get(Workstation, workstation_id)
    elif logs and logs[0].workstation_id:
        station = session.get(Workstation, logs[0].workstation_id)
    market_id = (logs[0].market_id if logs else None) or (station.market_id if station else None)
    market = session.get(Market, market_id) if market_id else None
    data = DailyData(day=day, agency=settings.AGENCY_NAME.get(session),
                     market=market.name if market else "",
                     workstation=station.name if station else "", shifts=[])
    for wl in logs:
        tz = service.log_tz(wl)
        data.shifts.append(f"{wl.operator_name} {_clock(wl.opened_at, tz)}–"
                           f"{_clock(wl.closed_at, tz) or '（未交班）'}")
        if wl.summary:
            data.summaries.append(wl.summary)
        for t in wl.tests:
            linked = "、".join(x for x in (
                "已启动查封扣押" if t.linked_seizure_id else "",
                "已启动标识检查" if t.linked_check_id else "") if x)
            data.tests.append(TestRow(
                t.sample_no, _clock(t.tested_at, tz), t.stall_no, t.product_name, t.category,
                t.test_item, t.method, _shown_value(t), _limit(t),
                items.CONCLUSION_CN.get(t.conclusion, t.conclusion), t.tester,
                t.instrument_no, t.reagent_batch, t.retest_of, t.follow_up or "", linked))
        for s in wl.scale_checks:
            data.scales.append(ScaleRow(
                s.kind, _clock(s.checked_at, tz), s.stall_no, s.instrument_name, s.model,
                s.serial_no, s.cert_no, s.valid_until, SCALE_RESULT_CN.get(s.result, s.result),
                [service.FLAG_CN[f] for f in service.scale_flags(s, day)],
                s.product_name or "",
                _kg(s.claimed_weight), _kg(s.actual_weight),
                _grams(service.difference(s)), s.note or ""))
        for c in wl.complaints:
            data.complaints.append(ComplaintRow(
                c.position, _clock(c.received_at, tz), COMPLAINT_CATEGORY_CN.get(
                    c.category, "投诉"), c.complainant, c.stall_no, c.content,
                COMPLAINT_STATUS_CN.get(c.status, c.status), c.follow_up))
    return data


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _retest_text(data: DailyData, t: TestRow) -> str:
    again = [r for r in data.tests if r.retest_of == t.sample_no]
    if not again:
        return "待复检"
    return "；".join(f"复检{r.conclusion}（{r.sample_no}，{r.value}）" for r in again)


TABLE_PT = 9


def _new_flow(footer: str) -> Flow:
    """A report's flow: the workstation (or market) named at the foot of every page."""
    def foot(c, page, footer=footer):
        if footer:
            fonts.draw_text(c, LEFT, 12 * MM, footer, SMALL_PT)
    fonts.require_printable(footer)
    return Flow(overlay=foot)


def _heading(flow: Flow, text: str) -> None:
    flow.room(LINE * 4.5)  # not alone at the foot of a page: a table row or two under it
    if not flow.at_top:
        flow.gap(1.5 * MM)
    flow.line(text, BODY_PT)


def _or_unrecorded(text: str) -> str:
    return text or "（未记录）"


def _item_method(t: TestRow) -> str:
    """The test item, and on the next line its method (as the record holds them)."""
    return f"{t.test_item}\n方法：{_or_unrecorded(t.method)}"


def _value_limit(t: TestRow) -> str:
    return f"{t.value}\n限量：{_or_unrecorded(t.limit)}"


def render_daily(data: DailyData) -> bytes:
    """The daily report as PDF bytes (raises fonts.UnprintableText rather than print a
    blank)."""
    title = "市场质量检验工作站日报"
    flow = _new_flow(data.workstation or data.market)
    if data.agency:
        flow.title(data.agency)
    flow.title(title)
    flow.line(f"日期：{cn_date(data.day)}　市场：{data.market or '—'}", 12, height=LINE * 0.8)
    flow.line(f"工作站：{data.workstation or '—'}", 12, height=LINE * 0.8)
    flow.line(f"班次：{'；'.join(data.shifts) if data.shifts else '当日无开班记录'}", 12,
              height=LINE * 0.8)

    tests = data.tests
    first = [t for t in tests if not t.retest_of]
    pos = [t for t in first if t.conclusion == "阳性"]
    _heading(flow, "一、快速检测情况")
    flow.paragraph(f"当日快速检测{len(first)}批次（另复检{len(tests) - len(first)}批次），"
                   f"阴性{len(first) - len(pos)}批次，阳性{len(pos)}批次，"
                   f"阳性率{_pct(len(pos), len(first))}。")
    by_item: dict[str, Counter[str]] = defaultdict(Counter)
    for t in first:
        by_item[t.test_item][t.conclusion] += 1
    rows = [[item, str(sum(c.values())), str(c["阴性"]), str(c["阳性"]),
             _pct(c["阳性"], sum(c.values()))]
            for item, c in sorted(by_item.items(), key=lambda kv: (-sum(kv[1].values()),
                                                                   kv[0]))]
    rows.append(["合计", str(len(first)), str(len(first) - len(pos)), str(len(pos)),
                 _pct(len(pos), len(first))])
    flow.table(["检测项目", "检测批次", "阴性", "阳性", "阳性率"], rows, [34, 16, 16, 16, 18],
               size=TABLE_PT, align=["left", "right", "right", "right", "right"])

    _heading(flow, "二、阳性样品及处置情况")
    if pos:
        flow.table(["样品编号", "摊位", "样品名称", "检测项目及方法", "检测值/限量值", "复检",
                    "处置情况"],
                   [[t.sample_no, t.stall_no, t.product_name, _item_method(t),
                     _value_limit(t), _retest_text(data, t), _follow_up(data, t)]
                    for t in pos],
                   [28, 11, 16, 30, 18, 25, 30], size=TABLE_PT)
    else:
        flow.paragraph("当日未检出阳性样品。")

    _heading(flow, "三、计量器具检查及公平秤复秤")
    checks = [s for s in data.scales if s.kind != "reweigh"]
    reweighs = [s for s in data.scales if s.kind == "reweigh"]
    bad = [s for s in checks if s.flags]
    flow.paragraph(f"检查计量器具{len(checks)}台次，其中未检定、检定不合格或超期未检{len(bad)}台次；"
                   f"公平秤复秤{len(reweighs)}次，短斤缺两"
                   f"{sum(1 for s in reweighs if s.flags)}次。")
    if checks:
        flow.table(["时间", "摊位", "器具名称", "型号", "出厂编号", "检定证书编号", "有效期至",
                    "结果", "问题"],
                   [[_or_unrecorded(s.time), s.stall_no, s.name, s.model, s.serial_no,
                     s.cert_no, s.valid_until, s.result, "、".join(s.flags) or "—"]
                    for s in checks],
                   [11, 11, 19, 13, 17, 21, 17, 9, 18], size=TABLE_PT,
                   ink=lambda n: RED if checks[n].flags else None)
    if reweighs:
        flow.gap(2 * MM)
        flow.table(["时间", "摊位", "商品", "标称重量（kg）", "复秤重量（kg）", "差值（g）", "结论"],
                   [[_or_unrecorded(s.time), s.stall_no, _or_unrecorded(s.product_name),
                     s.claimed, s.actual, s.difference_g, "短斤缺两" if s.flags else "合格"]
                    for s in reweighs],
                   [12, 14, 26, 20, 20, 14, 14], size=TABLE_PT,
                   align=["left", "left", "left", "right", "right", "right", "left"],
                   ink=lambda n: RED if reweighs[n].flags else None)

    _heading(flow, "四、投诉举报受理情况")
    if data.complaints:
        closed = sum(1 for c in data.complaints if c.status == "已办结")
        flow.paragraph(f"受理投诉举报{len(data.complaints)}件，已办结{closed}件，"
                       f"处理中{len(data.complaints) - closed}件。")
        flow.table(["序号", "受理时间", "类别", "投诉人", "摊位", "内容", "状态", "处理情况"],
                   [[str(c.position), c.time, c.category, _or_unrecorded(c.complainant),
                     c.stall_no,
                     c.content, c.status, c.follow_up] for c in data.complaints],
                   [8, 12, 9, 14, 12, 40, 12, 40], size=TABLE_PT)
    else:
        flow.paragraph("当日未受理投诉举报。")

    _heading(flow, "五、工作小结")
    for text in data.summaries or ["（交班时填写）"]:
        flow.paragraph(text)
    flow.gap(4 * MM)
    flow.keep_together(_daily_signatures)

    if tests:
        flow.new_page()
        flow.line("附：快速检测明细", BODY_PT)
        flow.table(["样品编号", "时间", "摊位", "样品名称", "检测项目及方法", "检测值/限量值",
                    "结论", "检测人", "仪器编号/试剂批号"],
                   [[t.sample_no + ("（复检）" if t.retest_of else ""), t.time, t.stall_no,
                     t.product_name, _item_method(t), _value_limit(t), t.conclusion, t.tester,
                     "\n".join(x for x in (t.instrument_no, t.reagent_batch) if x)]
                    for t in tests],
                   [22, 11, 11, 14, 31, 17, 9, 9, 19], size=8,
                   ink=lambda n: RED if tests[n].conclusion == "阳性" else None)
    return flow.render(f"{title} {data.day.isoformat()}")


def _daily_signatures(flow: Flow) -> None:
    flow.signature("检验员（签字）：", None, date_text="", size=12, width=55 * MM,
                   height=LINE * 1.2)
    flow.signature("负责人（签字）：", None, date_text="", size=12, width=55 * MM,
                   height=LINE * 1.2)


def _follow_up(data: DailyData, t: TestRow) -> str:
    parts = [x for x in (t.follow_up, t.linked) if x]
    for r in data.tests:
        if r.retest_of == t.sample_no:
            parts += [x for x in (r.follow_up, r.linked) if x]
    return "；".join(parts) or "（未记录）"


def daily_report(session: Session, day: date, workstation_id: str | None = None) -> bytes:
    return render_daily(daily_data(session, day, workstation_id))


# --- monthly summary ---------------------------------------------------------------------------


@dataclass
class MonthlyData:
    year: int
    month: int
    agency: str
    market: str
    workstation: str
    days: list[tuple[date, int, int]]  # (day, tests, positives), first tests only
    by_item: list[tuple[str, int, int, int]]  # item, tests, negative, positive
    scale_checks: int = 0
    scale_flagged: int = 0
    reweighs: int = 0
    reweigh_short: int = 0
    complaints: int = 0
    complaints_closed: int = 0
    positives: list[TestRow] = field(default_factory=list)


def monthly_data(session: Session, year: int, month: int,
                 workstation_id: str | None = None) -> MonthlyData:
    station = session.get(Workstation, workstation_id) if workstation_id else None
    logs = service.month_logs(session, year, month, workstation_id)
    if station is None and logs and logs[0].workstation_id:
        station = session.get(Workstation, logs[0].workstation_id)
    market_id = (station.market_id if station else None) or (logs[0].market_id if logs else None)
    market = session.get(Market, market_id) if market_id else None
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    first_tests = []
    data = MonthlyData(year, month, settings.AGENCY_NAME.get(session),
                       market.name if market else "", station.name if station else "", [], [])
    for wl in logs:
        day = date.fromisoformat(wl.log_date)
        tz = service.log_tz(wl)
        for t in wl.tests:
            if t.retest_of:
                continue
            first_tests.append(t)
            per_day[day][0] += 1
            if t.conclusion == items.POSITIVE:
                per_day[day][1] += 1
                handled = [t, *service.retests_of(wl, t.sample_no)]
                follow = "；".join(x for r in handled for x in (
                    r.follow_up or "", "已启动查封扣押" if r.linked_seizure_id else "",
                    "已启动标识检查" if r.linked_check_id else "") if x)
                data.positives.append(TestRow(
                    t.sample_no, f"{day.month}月{day.day}日 {_clock(t.tested_at, tz)}",
                    t.stall_no, t.product_name, t.category, t.test_item, t.method,
                    _shown_value(t), _limit(t), "阳性", t.tester, t.instrument_no, t.reagent_batch, None,
                    follow, ""))
        for s in wl.scale_checks:
            if s.kind == "reweigh":
                data.reweighs += 1
                data.reweigh_short += s.result == "fail"
            else:
                data.scale_checks += 1
                data.scale_flagged += bool(service.scale_flags(s, day))
        data.complaints += len(wl.complaints)
        data.complaints_closed += sum(1 for c in wl.complaints if c.status == "closed")
    first_day = date(year, month, 1)
    n_days = (date(year + (month == 12), month % 12 + 1, 1) - first_day).days
    data.days = [(first_day.replace(day=d), *per_day.get(first_day.replace(day=d), [0, 0]))
                 for d in range(1, n_days + 1)]
    data.by_item = service.tests_by_item(first_tests)
    return data


def _nice_step(top: int) -> int:
    """An axis step of 1, 2 or 5 × 10ⁿ such that five steps reach `top`."""
    step = 1
    while step * 5 < top:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if step * 5 >= top:
                break
    return step


def _chart(data: MonthlyData, width: float, height: float):
    """Tests per day: negative and positive stacked (reportlab.graphics)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    main, _extb = fonts.register_pdf_fonts()
    d = Drawing(width, height)
    d.initialFontName = main  # else renderPDF starts in an unembedded Helvetica
    d.initialFontSize = 8
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 38
    chart.width, chart.height = width - 45, height - 70
    negatives = [n - p for _d, n, p in data.days]
    positives = [p for _d, _n, p in data.days]
    chart.data = [negatives, positives]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [str(day.day) for day, _n, _p in data.days]
    chart.categoryAxis.labels.fontName = main
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = main
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    step = _nice_step(max((n for _d, n, _p in data.days), default=0))
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = step * 5
    chart.bars[0].fillColor = colors.HexColor("#5b8fd1")
    chart.bars[1].fillColor = colors.HexColor("#d9534f")
    chart.bars.strokeWidth = 0.3
    chart.barSpacing = 1
    d.add(chart)
    legend = Legend()
    legend.fontName = main
    legend.fontSize = 8
    legend.x, legend.y = width - 150, height - 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 60
    legend.colorNamePairs = [(chart.bars[0].fillColor, "阴性"),
                             (chart.bars[1].fillColor, "阳性")]
    d.add(legend)
    d.add(String(30, height - 12, "每日快速检测批次", fontName=main, fontSize=9))
    d.add(String(width / 2, 12, "日期", fontName=main, fontSize=8, textAnchor="middle"))
    return d


def render_monthly(data: MonthlyData) -> bytes:
    title = f"{data.year}年{data.month}月快速检测月度汇总"
    flow = _new_flow(data.workstation or data.market)
    if data.agency:
        flow.title(data.agency)
    flow.title(title)
    flow.line(f"市场：{data.market or '—'}　工作站：{data.workstation or '—'}", 12,
              height=LINE * 0.8)
    total = sum(n for _d, n, _p in data.days)
    pos = sum(p for _d, _n, p in data.days)
    worked = sum(1 for _d, n, _p in data.days if n)
    _heading(flow, "一、总体情况")
    flow.paragraph(
        f"本月开展快速检测{worked}天，检测{total}批次，阳性{pos}批次，阳性率{_pct(pos, total)}；"
        f"检查计量器具{data.scale_checks}台次，发现问题{data.scale_flagged}台次；"
        f"公平秤复秤{data.reweighs}次，短斤缺两{data.reweigh_short}次；"
        f"受理投诉举报{data.complaints}件，办结{data.complaints_closed}件。")
    flow.drawing(_chart(data, TEXT_W, 70 * MM), 72 * MM)
    _heading(flow, "二、分项目检测情况")
    rows = [[item, str(n), str(neg), str(p), _pct(p, n)] for item, n, neg, p in data.by_item]
    rows.append(["合计", str(total), str(total - pos), str(pos), _pct(pos, total)])
    flow.table(["检测项目", "检测批次", "阴性", "阳性", "阳性率"], rows, [34, 16, 16, 16, 18],
               size=TABLE_PT, align=["left", "right", "right", "right", "right"])
    _heading(flow, "三、阳性样品")
    if data.positives:
        flow.table(["日期时间", "样品编号", "摊位", "样品名称", "检测项目及方法", "检测值/限量值",
                    "处置情况"],
                   [[t.time, t.sample_no, t.stall_no, t.product_name, _item_method(t),
                     _value_limit(t), t.follow_up or "（未记录）"] for t in data.positives],
                   [17, 28, 11, 16, 30, 18, 30], size=TABLE_PT)
    else:
        flow.paragraph("本月未检出阳性样品。")
    return flow.render(title)


def monthly_report(session: Session, year: int, month: int,
                   workstation_id: str | None = None) -> bytes:
    return render_monthly(monthly_data(session, year, month, workstation_id))
