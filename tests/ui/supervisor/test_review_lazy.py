"""The review queue fetches its rows a page at a time as the list is scrolled, and its
filters narrow it (kind, inspector, market, period, review state)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from PySide6.QtCore import QDate

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
    first_rows = time.perf_counter() - started
    pending = _expected(lambda n: True)
    assert page.count.text() == f"共 {pending} 条"
    assert page.model.rowCount() == review_page.PAGE_SIZE == 200
    assert page.model.fetches == 1
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == 400)
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == pending)
    assert not page.model.canFetchMore()
    titles = {page.model.index(r, 1).data() for r in range(page.model.rowCount())}
    assert len(titles) == pending and "产品0" not in titles  # returned: not awaiting review
    assert first_rows < 1.0, first_rows


def test_filters_narrow_the_queue(qtbot, qapp, store):
    _fill(store)
    page = ReviewPage(store, SimpleNamespace(name="张三"))
    qtbot.addWidget(page)
    page.start()

    def choose(combo, data) -> int:
        combo.setCurrentIndex(combo.findData(data))
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
    assert page.model.total == _expected(lambda n: 10 <= n % 100 <= 19)
