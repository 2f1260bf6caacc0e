"""The dashboard offers the next actions: a new check, a new seizure, today's log."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def _visible(class_name: str) -> list:
    return [w for w in QApplication.topLevelWidgets()
            if type(w).__name__ == class_name and w.isVisible()]


def test_the_dashboard_shows_the_three_next_actions(window):
    buttons = window.pages["dashboard"].action_buttons
    assert [b.text() for b in buttons.values()] == ["新建标识检查", "新建查封扣押",
                                                    "今日工作站日志"]
    assert all(b.isVisible() and b.isEnabled() for b in buttons.values())


def test_new_check_opens_an_empty_check(qtbot, window):
    qtbot.mouseClick(window.pages["dashboard"].action_buttons["new_check"],
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_visible("CheckDialog")))
    dialog = _visible("CheckDialog")[-1]
    assert dialog.windowTitle() == "标识检查"
    assert dialog.page.status == "new" and dialog.page.check_id is None
    dialog.reject()


def test_new_seizure_opens_an_empty_seizure(qtbot, window):
    qtbot.mouseClick(window.pages["dashboard"].action_buttons["new_seizure"],
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_visible("SeizureDialog")))
    dialog = _visible("SeizureDialog")[-1]
    assert dialog.windowTitle() == "查封扣押"
    assert dialog.page.seizure_id is None
    dialog.reject()


def test_todays_log_goes_to_the_worklog_page_on_the_shift(qtbot, window):
    page = window.pages["worklog"]
    page.tabs.setCurrentIndex(page.tabs.count() - 1)  # left on another tab before
    qtbot.mouseClick(window.pages["dashboard"].action_buttons["today_worklog"],
                     Qt.MouseButton.LeftButton)
    assert window.current_page_key() == "worklog"
    assert window.nav.currentItem().text() == "工作站日志"
    assert page.tabs.currentWidget() is page.entry
    assert page.tabs.tabText(page.tabs.currentIndex()) == "快速检测"
