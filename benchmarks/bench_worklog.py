"""Workstation logs: pasting 200 test rows and saving them; the daily report of 500 tests.

Both run on their own store in the run's temp folder: a workstation with 60 days of
history (100 tests a day, so completions and defaults have something to learn from).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from common import benchmark, median, percentile, result

_STORES: dict[str, object] = {}
HISTORY_DAYS = 60


def _station(ctx):
    """(store, actor, workstation): made once per run."""
    if "station" in _STORES:
        return _STORES["station"]
    from inspector_app.core import auth, records, settings
    from inspector_app.core.store import Store
    from inspector_app.core.worklog import demo

    store = Store(ctx.tmp / "worklog-store")
    now = datetime.now().astimezone().replace(hour=10, minute=0, second=0, microsecond=0)
    with store.write() as s:
        first = auth.first_setup(s, "示例市市场监督管理局", "示例", auth.NewInspector(
            "张三", "zhang", "demo1234", "32010001", "supervisor"))
        actor = records.Actor(settings.device_id(s), first.id)
        station = demo.make_station(s, actor, now.date())
    days = 10 if ctx.quick else HISTORY_DAYS
    for back in range(days, 0, -1):
        with store.write() as s:
            demo.fill_day(s, actor, station, 100, now - timedelta(days=back))
    _STORES["station"] = (store, actor, station, now)
    return _STORES["station"]


def _paste_text(n: int) -> str:
    products = ["青菜", "菠菜", "韭菜", "芹菜", "豇豆", "黄瓜", "番茄", "生菜", "小白菜", "茼蒿"]
    return "".join(f"A{i % 30 + 1:02d}\t{products[i % 10]}\t农药残留\t{(i * 7) % 480 / 10}\n"
                   for i in range(n))


@benchmark("worklog_paste_200")
def paste_200(ctx) -> dict:
    """200 tab-separated rows pasted into the entry table: checked cell by cell, then saved
    into the log as one version (audit entry, history, outbox, search) and committed (s)."""
    from inspector_app.core.worklog import importing, service

    store, actor, station, now = _station(ctx)
    text = _paste_text(200)
    columns = ["stall_no", "product_name", "test_item", "value"]
    runs = 5 if ctx.quick else 15
    times, checks = [], []
    for n in range(runs):
        at = now + timedelta(minutes=n)
        with store.write() as s:
            current = service.current_log(s, station.workstation_id)
            if current is not None:
                service.close_shift(s, actor, current.id, now=at)
            log_id = service.open_shift(s, actor, "李四", station.workstation_id, now=at).id
        t = time.perf_counter()
        with store.read() as s:  # what the entry table holds when the paste comes
            ctx_entry = service.entry_context(s, service.load(s, log_id), at)
        pasted = importing.parse_paste(text, columns, ctx_entry)
        checked = time.perf_counter()
        with store.write() as s:
            added = importing.commit(s, actor, log_id, pasted, importing.GOOD, now=at)
        times.append(time.perf_counter() - t)
        checks.append(checked - t)
        assert added == 200 and not pasted.bad
    value = median(times)
    return result(value, "s", "<= 1 s", value <= 1.0, p90=round(percentile(times, 90), 3),
                  check_only=round(median(checks), 3), runs=runs,
                  history_tests=(10 if ctx.quick else HISTORY_DAYS) * 100)


@benchmark("worklog_daily_report_500")
def daily_report_500(ctx) -> dict:
    """The daily report 日报 of a day with 500 tests (plus re-tests, scale checks, re-weighs
    and complaints): read it, draw every page, save the PDF (s)."""
    from inspector_app.core.worklog import demo, reports, service

    store, actor, station, now = _station(ctx)
    day = (now + timedelta(days=1)).date()  # a day of its own
    with store.write() as s:
        current = service.current_log(s, station.workstation_id)
        if current is not None:
            service.close_shift(s, actor, current.id, now=now)
        wl = demo.fill_day(s, actor, station, 500, now + timedelta(days=1, hours=1),
                           close=False)
        tests = len(wl.tests)
        service.close_shift(s, actor, wl.id, now=now + timedelta(days=1, hours=1))
    runs = 3 if ctx.quick else 9
    t = time.perf_counter()
    with store.read() as s:
        pdf = reports.daily_report(s, day)
    first = time.perf_counter() - t
    times = []
    for _n in range(runs):
        t = time.perf_counter()
        with store.read() as s:
            pdf = reports.daily_report(s, day)
        times.append(time.perf_counter() - t)
    value = median(times)
    return result(value, "s", "<= 2 s", value <= 2.0 and first <= 2.0,
                  first_with_font_loading=round(first, 3), tests=tests,
                  pages=pdf.count(b"/Type /Page\n") or None, kb=len(pdf) // 1024)
