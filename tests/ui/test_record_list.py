"""Record lists: filters, the 2-character Chinese search, lazy rows, the detail view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate, Qt

from inspector_app.core import queries, records
from inspector_app.core.i18n import _
from inspector_app.core.models import LabelCheck
from inspector_app.ui import record_list
from inspector_app.ui.record_list import RecordDialog, RecordTableModel


def _open(qtbot, window, key="check"):
    page = window.show_page(key)
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0)
    return page


def _column(page, key):
    return [c.key for c in page.model.columns].index(key)


def _shown(page, key):
    col = _column(page, key)
    return [page.model.index(r, col).data() for r in range(page.model.rowCount())]


def _choose(qtbot, page, combo, data):
    with qtbot.waitSignal(page.loaded):
        combo.setCurrentIndex(combo.findData(data))
    return page.model.rowCount()


def test_list_shows_every_check_newest_first_with_translated_headers(qtbot, window, known):
    page = _open(qtbot, window)
    assert page.model.rowCount() == len(known.checks) == 7
    assert page.count.text() == "共 7 条"
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(page.model.columnCount())]
    assert headers == ["检查时间", "市场", "摊位", "当事人", "产品名称", "类别", "结论", "状态",
                       "审核"]
    by_age = [c["product"] for c in sorted(known.checks, key=lambda c: c["days"])]
    assert _shown(page, "product") == by_age
    assert "𠮷祥商行" in _shown(page, "party")
    assert set(_shown(page, "status")) == {"草稿", "已完成"}


def test_status_and_market_filters_give_the_right_counts(qtbot, window, known):
    page = _open(qtbot, window)
    finals = [c for c in known.checks if c["status"] == "final"]
    assert _choose(qtbot, page, page.status, "final") == len(finals) == 5
    assert page.count.text() == "共 5 条"
    assert set(_shown(page, "status")) == {"已完成"}

    east = known.markets["东门批发市场"]
    expected = [c for c in finals if c["market"] == "东门批发市场"]
    assert _choose(qtbot, page, page.market, east) == len(expected) == 2
    assert set(_shown(page, "market")) == {"东门批发市场"}

    assert _choose(qtbot, page, page.status, None) == 3  # all of 东门's
    assert _choose(qtbot, page, page.market, None) == 7
    assert page.market.count() == 1 + len(known.markets)  # "all" + each market


def test_date_range_filter(qtbot, window, known):
    page = _open(qtbot, window)
    today = QDate.currentDate()
    page.date_from.setDate(today.addDays(-10))
    page.date_to.setDate(today)
    with qtbot.waitSignal(page.loaded):
        page.any_date.setChecked(False)
    recent = [c for c in known.checks if c["days"] <= 10]
    assert page.model.rowCount() == len(recent) == 5
    with qtbot.waitSignal(page.loaded):
        page.date_from.setDate(today.addDays(-45))
    assert page.model.rowCount() == 6
    with qtbot.waitSignal(page.loaded):
        page.any_date.setChecked(True)
    assert page.model.rowCount() == 7
    assert not page.date_from.isEnabled()
    flt = page.current_filter()
    assert flt.date_from is None and flt.date_to is None


def test_two_character_chinese_search_narrows_to_exactly_the_matches(qtbot, window, known,
                                                                     type_text):
    page = _open(qtbot, window)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        type_text(page.search, "商行")
    assert page.search.text() == "商行"
    expected = {c["id"] for c in known.checks if "商行" in c["party"] or "商行" in c["product"]}
    assert len(expected) == 3  # 华联商贸行 has 商 and 行 but not 商行
    qtbot.waitUntil(lambda: set(page.model.ids) == expected)
    assert page.model.rowCount() == 3 and page.count.text() == "共 3 条"
    assert set(_shown(page, "party")) == {"𠮷祥商行"}

    with qtbot.waitSignal(page.loaded):  # search and filters combine
        page.status.setCurrentIndex(page.status.findData("draft"))
    assert _shown(page, "product") == ["电饭锅"]

    with qtbot.waitSignal(page.loaded):
        page.search.clear()
    assert page.model.rowCount() == 2  # the drafts


def test_search_for_a_plane_2_character(qtbot, window, known):
    page = _open(qtbot, window)
    with qtbot.waitSignal(page.loaded):
        page.search.setText("𠮷")
    assert page.model.rowCount() == 3


def test_search_debounces_typing(qtbot, window, type_text):
    page = _open(qtbot, window)
    loads = []
    page.loaded.connect(loads.append)
    type_text(page.search, "电热水")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert len(loads) == 1  # one query for three key strokes


def test_the_model_fetches_only_the_pages_it_shows(qtbot, window, signed_in):
    store, actor, _inspector = signed_in
    now = datetime.now(UTC)
    with store.write() as session:
        for n in range(450):
            records.create(session, LabelCheck(checked_at=now - timedelta(minutes=n),
                                               product_name=f"批量产品{n}"), actor)
    model = RecordTableModel(store, "check")
    with qtbot.waitSignal(model.loaded) as signal:
        model.load(queries.Filter())
    assert signal.args == [457] and model.rowCount() == 457
    assert model.fetches == 0  # ids only, no rows yet
    product = _column_index(model, "product")
    assert model.index(0, product).data() == "批量产品0"
    assert model.index(99, product).data() == "批量产品99"
    assert model.fetches == 1
    assert model.index(449, product).data() == "批量产品449"
    assert model.fetches == 2  # page 0 and page 4 only


def _column_index(model, key):
    return [c.key for c in model.columns].index(key)


def test_a_newer_filter_wins_over_a_slower_older_one(qtbot, window):
    page = _open(qtbot, window)
    model = page.model
    model.load(queries.Filter(text="电饭锅"))
    with qtbot.waitSignal(model.loaded) as signal:
        model.load(queries.Filter(text="插线板"))
    qtbot.waitUntil(lambda: not model.loading)
    assert signal.args == [1] and _shown(page, "product") == ["插线板"]


def test_double_click_on_a_check_without_checklist_opens_a_read_only_view(
        qtbot, window, known, signed_in):
    store, actor, _inspector = signed_in
    target = next(c for c in known.checks if c["product"] == "电热水壶")
    with store.write() as session:  # a second version
        check = session.get(LabelCheck, target["id"])
        check.brand = "美的"
        records.update(session, check, actor, expected_version=1)
    page = _open(qtbot, window)
    row = page.model.ids.index(target["id"])
    rect = page.table.visualRect(page.model.index(row, 4))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.findChild(RecordDialog) is not None)
    dialog = window.findChild(RecordDialog)
    qtbot.waitUntil(dialog.isVisible)
    text = dialog.browser.toPlainText()
    assert "标识检查" in text
    assert "电热水壶" in text and "美的" in text
    assert "东门批发市场" in text and "𠮷祥商行" in text and "A-101" in text  # names, not ids
    assert "历史版本共 2 个" in text and "当前版本：2" in text
    assert "产品名称" in text and "商标" in text
    assert dialog.browser.isReadOnly()
    assert dialog.view.versions == 2
    assert dialog.view.content["product_name"] == "电热水壶"


def test_detail_view_of_a_seizure_lists_its_items(qtbot, signed_in, known):
    store = signed_in[0]
    with store.read() as session:
        seizure_id = queries.list_ids(session, "seizure")[0]
    dialog = RecordDialog(store, "seizure", seizure_id)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "示例市监强制〔2025〕1号" in text and "已送达" in text
    assert dialog.view.content["kind"] == "seizure"


def test_display_values_are_local_and_translated():
    from inspector_app.ui import labels

    assert labels.display_value("result", "fail") == "不符合"
    assert labels.display_value("state", "issued") == "已送达"
    assert labels.display_value("emergency", True) == "是"
    moment = datetime(2025, 3, 1, 2, 30, tzinfo=UTC)
    local = moment.astimezone().strftime("%Y-%m-%d %H:%M")
    assert labels.display_value("checked_at", "2025-03-01T02:30:00.000000Z") == local
    assert labels.field_label("seizure", "items") == _("Seized items")
    assert record_list.PAGE_SIZE == 100
    assert date.today()  # the module imports cleanly
