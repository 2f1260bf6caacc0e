"""The daily report of a day with a character no bundled font has: refused, named."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QMessageBox
from worklog_ui_helpers import NOW, when_modal

from inspector_app.core.worklog import entry, service
from inspector_app.ui.fonts import install_app_fonts


@pytest.fixture
def page(qapp, qtbot, station):
    from inspector_app.ui.worklog.page import WorklogPage

    with station.store.write() as s:
        wl = service.load(s, station.log_id)
        ctx = service.entry_context(s, wl, NOW)
        rare = entry.check_row({"product_name": "韭菜\U0002EBF0", "test_item": "农药残留",
                                "value": "73.4", "stall_no": "C01", "tested_at": "08:59"},
                               ctx).test
        service.add_tests(s, station.actor, wl.id, [rare], now=NOW)
    install_app_fonts(qapp)
    page = WorklogPage(station.store, actor=station.actor, clock=lambda: NOW)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    with qtbot.waitSignal(page.entry.loaded, timeout=10_000):
        page.start()
    yield page
    qtbot.waitUntil(lambda: not page.entry.busy(), timeout=10_000)
    QThreadPool.globalInstance().waitForDone(10_000)


def test_daily_report_button_refuses_with_a_message_box(qtbot, page):
    when_modal(lambda dialog: dialog.accept())  # the day the dialog proposes: the clock's
    qtbot.mouseClick(page.buttons["daily"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "unprintable_box", None) is not None, timeout=20_000)
    box = page.unprintable_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.windowTitle() == "无法打印"
    assert "\U0002EBF0（U+2EBF0）" in box.text() and box.text() == page.message.text()
    assert getattr(page, "preview", None) is None and getattr(page, "last_pdf", None) is None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
