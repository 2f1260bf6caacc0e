"""Tables show their headers and coded values whole, in Chinese and in English; rows that
need attention stand out by more than colour; no internal key shows on screen."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QAbstractListModel, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QStyle,
    QTabWidget,
)

from inspector_app.core import records
from inspector_app.core.models import LabelCheck, RapidTest, Seizure, WorkLog

LANGUAGES = ["zh_CN", "en"]
CODED = {"checked_at", "started_at", "log_date", "outcome", "status", "measure", "items",
         "tests", "positives"}
Role = Qt.ItemDataRole


def _switch(qtbot, window, code: str) -> None:
    if code != "zh_CN":
        window.language_actions[code].trigger()
        qtbot.waitUntil(lambda: window.pages["dashboard"].isVisible())


def _header_fits(view: QAbstractItemView) -> list[str]:
    """The headers of `view` that do not fit their section: (text, needed, width)."""
    header = view.horizontalHeader()
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    metrics = header.fontMetrics()
    cut = []
    for n in range(view.model().columnCount()):
        if header.isSectionHidden(n):
            continue
        text = str(view.model().headerData(n, Qt.Orientation.Horizontal))
        needed = metrics.horizontalAdvance(text) + 2 * margin
        if needed > header.sectionSize(n):
            cut.append(f"{text}: {needed} > {header.sectionSize(n)}")
    return cut


def _cell_fits(view: QAbstractItemView, row: int, column: int) -> bool:
    index = view.model().index(row, column)
    text = str(index.data(Role.DisplayRole) or "")
    font = index.data(Role.FontRole) or view.font()
    if not isinstance(font, QFont):
        font = view.font()
    font = QFont(font)
    font.setBold(bool(index.data(Role.FontRole) and index.data(Role.FontRole).bold()))
    needed = QFontMetrics(font).horizontalAdvance(text) + 8
    if index.data(Role.DecorationRole) is not None:
        needed += view.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) + 4
    return needed <= view.columnWidth(column)


def _list_pages(qtbot, window):
    for kind in ("check", "seizure", "worklog"):
        page = window.show_page(kind)
        page = page.list_page if kind == "worklog" else page
        qtbot.waitUntil(lambda p=page: not p.model.loading and p.model.rowCount() > 0,
                        timeout=10_000)
        yield kind, page


@pytest.fixture
def marked(signed_in, known):
    """An overdue seizure, one ending in 3 days, a log with a positive rapid test, and a
    non-conforming check."""
    store, actor, _inspector = signed_in
    now = datetime.now(UTC)
    market = known.markets["东门批发市场"]
    with store.write() as session:
        overdue = records.create(session, Seizure(
            started_at=now - timedelta(days=40), issued_at=now - timedelta(days=40),
            market_id=market, number="示例市监强制〔2025〕7号", state="issued", term_days=30),
            actor)
        soon = records.create(session, Seizure(
            started_at=now - timedelta(days=27), issued_at=now - timedelta(days=27),
            market_id=market, number="示例市监强制〔2025〕8号", state="issued", term_days=30),
            actor)
        log = records.create(session, WorkLog(
            market_id=market, log_date=(date.today() - timedelta(days=1)).isoformat(),
            operator_name="王五", opened_at=now - timedelta(days=1), status="closed",
            tests=[RapidTest(position=1, sample_no="S-001", product_name="小白菜",
                             test_item="农药残留", value=Decimal("62.5"), conclusion="positive",
                             tested_at=now - timedelta(days=1))]), actor)
        check = session.query(LabelCheck).filter_by(product_name="插线板").one()
        check.outcome = "nonconforming"
        records.update(session, check, actor, check.version)
    return {"overdue": overdue.id, "soon": soon.id, "log": log.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_record_lists_show_headers_and_coded_values_whole(qtbot, window, marked, language):
    _switch(qtbot, window, language)
    for kind, page in _list_pages(qtbot, window):
        table, model = page.table, page.model
        assert _header_fits(table) == [], (kind, language)
        for row in range(model.rowCount()):
            for n, column in enumerate(model.columns):
                index = model.index(row, n)
                if column.key in CODED:
                    assert _cell_fits(table, row, n), (kind, column.key, index.data())
                else:  # free text may be elided: the tooltip has all of it
                    assert index.data(Role.ToolTipRole) in (index.data(), None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_worklog_tables_show_their_headers_whole(qtbot, window, language):
    from inspector_app.core.worklog import demo, service

    with window.store.write() as session:
        station = demo.make_station(session, window.actor, date.today())
        service.open_shift(session, window.actor, "李四", station.workstation_id)
    _switch(qtbot, window, language)
    page = window.show_page("worklog")
    page.refresh()
    qtbot.waitUntil(lambda: page.entry.model.ctx is not None, timeout=10_000)
    for view in (page.entry.view, page.scales.table, page.complaints.table):
        assert _header_fits(view) == [], (view.objectName(), language)
    view = page.entry.view
    conclusion = next(k for k in range(view.model().columnCount())
                      if view.model().headerData(k, Qt.Orientation.Horizontal)
                      in ("结论", "Conclusion"))
    from inspector_app.core.i18n import _
    from inspector_app.core.worklog import items

    metrics = QFontMetrics(QFont(view.font()))
    widest = max(metrics.horizontalAdvance(_(x)) for x in items.CONCLUSION_LABELS.values())
    assert widest < view.columnWidth(conclusion)
    qtbot.mouseClick(page.buttons["setup"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.setup_dialog.isVisible())
    tables = [page.setup_dialog.operators, page.setup_dialog.instruments,
              page.setup_dialog.reagents]
    for table in tables:
        assert _header_fits(table) == [], language
    page.setup_dialog.reject()


def test_marked_rows_stand_out_by_colour_icon_and_words(qtbot, window, marked):
    pages = dict(_list_pages(qtbot, window))

    def row_of(page, record_id=None, where=None):
        model = page.model
        for row in range(model.rowCount()):
            if record_id == model.record_id(row) or (where and where(model, row)):
                return row
        raise AssertionError("row not found")

    checks = pages["check"].model
    keys = [c.key for c in checks.columns]
    bad = row_of(pages["check"], where=lambda m, r: m.text(r, 4) == "插线板")
    good = row_of(pages["check"], where=lambda m, r: m.text(r, 4) == "电热水壶")
    outcome = keys.index("outcome")
    cell = checks.index(bad, outcome)
    assert cell.data() == "不合格"
    assert cell.data(Role.BackgroundRole) is not None
    assert cell.data(Role.DecorationRole) is not None  # the warning icon
    assert cell.data(Role.FontRole).bold()
    assert checks.index(bad, 0).data(Role.BackgroundRole) is not None  # the whole row
    assert checks.index(good, outcome).data(Role.BackgroundRole) is None

    seizures = pages["seizure"].model
    status = [c.key for c in seizures.columns].index("status")
    overdue = seizures.index(row_of(pages["seizure"], marked["overdue"]), status)
    soon = seizures.index(row_of(pages["seizure"], marked["soon"]), status)
    assert overdue.data().startswith("已送达 · 已超期")
    assert soon.data() == "已送达 · 剩余 3 天"
    for cell in (overdue, soon):
        assert cell.data(Role.BackgroundRole) is not None
        assert cell.data(Role.DecorationRole) is not None
    assert overdue.data(Role.BackgroundRole) != soon.data(Role.BackgroundRole)

    logs = pages["worklog"].model
    positives = [c.key for c in logs.columns].index("positives")
    cell = logs.index(row_of(pages["worklog"], marked["log"]), positives)
    assert cell.data() == "1"
    assert cell.data(Role.BackgroundRole) is not None
    assert cell.data(Role.DecorationRole) is not None


KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _visible_texts(root) -> list[str]:
    texts: list[str] = []
    for label in root.findChildren(QLabel):
        if label.isVisibleTo(root) and "/" not in label.text():  # file paths are no keys
            texts.append(label.text())
    for button in root.findChildren(QAbstractButton):
        if button.isVisibleTo(root):
            texts.append(button.text())
    for combo in root.findChildren(QComboBox):
        texts += [combo.itemText(i) for i in range(combo.count())]
    for edit in root.findChildren(QLineEdit):
        if edit.isVisibleTo(root) and not isinstance(edit.parent(), QComboBox):
            texts += [edit.text(), edit.placeholderText()]
    for tabs in root.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
        for row in range(min(model.rowCount(), 50)):
            for col in range(columns):
                texts.append(str(model.index(row, col).data() or ""))
        for col in range(columns):
            texts.append(str(model.headerData(col, Qt.Orientation.Horizontal) or ""))
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_internal_key_shows_on_screen(qtbot, window, marked, language):
    _switch(qtbot, window, language)
    shown: list[str] = []
    for _kind, page in _list_pages(qtbot, window):
        shown += _visible_texts(page)
    for key in ("dashboard", "sync", "settings"):
        shown += _visible_texts(window.show_page(key))
    # A check made with a checklist: its form names the checklist by its category.
    page = window.show_page("check")
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(type(w).__name__ == "CheckDialog" and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = [w for w in QApplication.topLevelWidgets()
              if type(w).__name__ == "CheckDialog" and w.isVisible()][-1]
    shown += _visible_texts(dialog)
    dialog.reject()
    # A record opened from the list of all logs shows in the read-only record view.
    logs = window.pages["worklog"].list_page
    row = next(r for r in range(logs.model.rowCount()) if logs.model.record_id(r) == marked["log"])
    rect = logs.table.visualRect(logs.model.index(row, 0))
    qtbot.mouseClick(logs.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(logs.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: any(type(w).__name__ == "RecordDialog" and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    view = [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "RecordDialog"][-1]
    shown.append(view.browser.toPlainText())
    view.reject()
    found = sorted({m.group() for text in shown for m in KEY.finditer(text)})
    assert found == [], found
