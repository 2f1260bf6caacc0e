"""The review queue fetches its rows a page at a time as the list is scrolled, and its
filters narrow it (kind, inspector, market, period, review state)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from PySide6.QtCore import QDate, QThreadPool

from inspector_app.core.models import AgencyRecord
from inspector_app.core.sync.state import DEVICE_ROLE
from inspector_app.ui.supervisor import review_page
from inspector_app.ui.supervisor.review_page import ReviewPage

N = 450
START = date(2026, 1, 1)
INSPECTORS = ["李娜", "王磊", "赵静"]
MARKETS = [("m-east", "东门批发市场"), ("m-west", "西城小商品市场")]


def _fill(store) -> None:
    now = datetime.now(UTC)
    with store.write() as session:
        DEVICE_ROLE.set(session, "supervisor")
        session.add_all(AgencyRecord(
            kind=("check", "seizure", "worklog")[n % 3], record_id=f"rec-{n:05d}", version=1,
            content_sha256="0" * 64, device_id="d", owner_device_id="d",
            inspector=INSPECTORS[n % 3], market_id=MARKETS[n % 2][0],
            market=MARKETS[n % 2][1], day=(START + timedelta(days=n % 100)).isoformat(),
            state="final", result="conforming", title=f"产品{n}",
            review_state="returned" if n % 10 == 0 else "pending", conflicts=0,
            updated_at=now) for n in range(N))


def _expected(pred) -> int:
    return sum(1 for n in range(N) if n % 10 and pred(n))


def test_rows_come_a_page_at_a_time_as_the_list_scrolls(qtbot, qapp, store):
    _fill(store)
    page = ReviewPage(store, SimpleNamespace(name="张三"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    started = time.perf_counter()
    page.start()
    # The queries run on a worker: start() returns before any row is read.
    assert page.count.text() == "正在加载…" and page.model.rowCount() == 0
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    first_rows = time.perf_counter() - started
    pending = _expected(lambda n: True)
    assert page.count.text() == f"共 {pending} 条"
    assert page.model.rowCount() == review_page.PAGE_SIZE == 200
    assert page.model.fetches == 1
    page.table.scrollToBottom()
    assert page.model.loading and not page.model.canFetchMore()  # no second fetch meanwhile
    qtbot.waitUntil(lambda: page.model.rowCount() == 400)
    qtbot.wait(100)
    assert page.model.rowCount() == 400 and page.model.fetches == 2
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == pending)
    assert not page.model.canFetchMore()
    titles = {page.model.index(r, 1).data() for r in range(page.model.rowCount())}
    assert len(titles) == pending and "产品0" not in titles  # returned: not awaiting review
    assert first_rows < 1.0, first_rows


def test_a_filter_changed_during_a_load_drops_the_stale_rows(qtbot, qapp, store,
                                                             monkeypatch):
    from inspector_app.core.agency import review

    _fill(store)
    queue = review.queue

    def slow_queue(session, **filters):  # a slow disk: the older reads come back last
        if filters.get("offset") or filters.get("kind") == "seizure":
            time.sleep(0.4)
        return queue(session, **filters)

    monkeypatch.setattr(review, "queue", slow_queue)
    pool = QThreadPool.globalInstance()
    threads = pool.maxThreadCount()
    pool.setMaxThreadCount(8)  # the reads run side by side, not queued behind each other
    try:
        _filter_twice_while_loading(qtbot, store)
    finally:
        pool.setMaxThreadCount(threads)


def _filter_twice_while_loading(qtbot, store) -> None:
    page = ReviewPage(store, SimpleNamespace(name="张三"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.start()
    qtbot.waitUntil(lambda: page.model.rowCount() == review_page.PAGE_SIZE)
    page.table.scrollToBottom()  # the next page is being read...
    assert page.model.loading
    page.kind.setCurrentIndex(page.kind.findData("seizure"))  # ...when the kind changes
    page.kind.setCurrentIndex(page.kind.findData("worklog"))  # twice
    qtbot.waitUntil(lambda: not page.busy())
    qtbot.wait(700)  # the stale reads have come back by now
    worklogs = _expected(lambda n: n % 3 == 2)
    assert page.model.total == worklogs and page.count.text() == f"共 {worklogs} 条"
    assert page.model.rowCount() == worklogs  # 135: one page, nothing from the old filter
    assert {page.model.index(r, 0).data() for r in range(page.model.rowCount())} == {
        "工作站日志"}


def test_filters_narrow_the_queue(qtbot, qapp, store):
    _fill(store)
    page = ReviewPage(store, SimpleNamespace(name="张三"))
    qtbot.addWidget(page)
    page.start()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)

    def choose(combo, data) -> int:
        combo.setCurrentIndex(combo.findData(data))
        qtbot.waitUntil(lambda: not page.busy())
        return page.model.total

    assert [page.inspector.itemText(i) for i in range(page.inspector.count())] == [
        "全部执法人员", *sorted(INSPECTORS)]
    assert choose(page.kind, "seizure") == _expected(lambda n: n % 3 == 1)
    assert {page.model.index(r, 0).data() for r in range(page.model.rowCount())} == {
        "查封扣押"}
    assert choose(page.inspector, "王磊") == _expected(lambda n: n % 3 == 1)
    assert choose(page.kind, None) == _expected(lambda n: n % 3 == 1)  # 王磊's
    assert choose(page.market, "m-west") == _expected(lambda n: n % 3 == 1 and n % 2)
    assert choose(page.inspector, None) == _expected(lambda n: n % 2)
    assert choose(page.market, "m-east") == _expected(lambda n: n % 2 == 0)
    assert choose(page.state, "returned") == sum(1 for n in range(N) if n % 10 == 0) == 45
    assert {page.model.index(r, 7).data() for r in range(page.model.rowCount())} == {
        "已退回"}
    choose(page.state, "pending")
    choose(page.market, None)
    page.any_date.setChecked(False)
    page.date_from.setDate(QDate(2026, 1, 11))
    page.date_to.setDate(QDate(2026, 1, 20))
    qtbot.waitUntil(lambda: not page.busy())
    assert page.model.total == _expected(lambda n: 10 <= n % 100 <= 19)
