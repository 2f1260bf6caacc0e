"""Every window fits the screen: opened through the control a user presses, a dialog's
frame lies inside the screen's free area.

The module runs twice: on the test session's offscreen screen, and (the last test) once
more in a fresh process whose offscreen screen is a 1366x768 laptop's free area (1366x728
with the taskbar), where the main window and every dialog must also fit."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screens import LAPTOP, ON_LAPTOP, run_on_laptop

from inspector_app.ui import screen


def assert_fits(widget) -> None:
    area = screen.available(widget)
    frame = widget.frameGeometry()
    assert area.contains(frame), f"{type(widget).__name__} {frame} is not inside {area}"
    if ON_LAPTOP:
        assert area == LAPTOP


def _visible(class_name: str) -> list:
    return [w for w in QApplication.topLevelWidgets()
            if type(w).__name__ == class_name and w.isVisible()]


def _wait_dialog(qtbot, class_name: str):
    qtbot.waitUntil(lambda: bool(_visible(class_name)), timeout=10_000)
    return _visible(class_name)[-1]


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_main_window_fits(window):
    if not ON_LAPTOP and screen.available(window).width() < window.minimumWidth():
        pytest.skip("this session's screen is narrower than the window's minimum width")
    assert_fits(window)


def test_fit_to_screen_never_exceeds_the_free_area(qtbot):
    from PySide6.QtWidgets import QDialog

    dialog = QDialog()
    qtbot.addWidget(dialog)
    area = screen.available(dialog)
    size = screen.fit_to_screen(dialog, (area.width() + 400, area.height() + 300))
    assert size.width() <= area.width() and size.height() <= area.height()
    dialog.move(area.right() - 10, area.bottom() - 10)  # mostly off screen
    dialog.show()
    qtbot.waitExposed(dialog)
    assert_fits(dialog)


def test_the_new_check_dialog_fits_and_scrolls(qtbot, window):
    _click(qtbot, window.pages["dashboard"].action_buttons["new_check"])
    dialog = _wait_dialog(qtbot, "CheckDialog")
    assert_fits(dialog)
    # What does not fit scrolls: the form is taller than the dialog.
    page = dialog.page
    assert page.scroll.widget().sizeHint().height() > page.scroll.viewport().height()
    dialog.reject()


def test_the_check_list_new_button_opens_a_dialog_that_fits(qtbot, window):
    page = window.show_page("check")
    _click(qtbot, page.new_button)
    dialog = _wait_dialog(qtbot, "CheckDialog")
    assert_fits(dialog)
    dialog.reject()


def test_the_seizure_window_fits(qtbot, window):
    _click(qtbot, window.pages["dashboard"].action_buttons["new_seizure"])
    dialog = _wait_dialog(qtbot, "SeizureDialog")
    assert_fits(dialog)
    dialog.reject()


def test_the_settings_dialog_fits(qtbot, window):
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: window.settings_dialog.isVisible())
    assert_fits(window.settings_dialog)
    window.settings_dialog.reject()


def test_the_workstation_setup_dialog_fits(qtbot, window):
    page = window.show_page("worklog")
    _click(qtbot, page.buttons["setup"])
    qtbot.waitUntil(lambda: page.setup_dialog.isVisible())
    assert_fits(page.setup_dialog)
    page.setup_dialog.reject()


def test_the_csv_import_dialog_fits(qtbot, window):
    from inspector_app.core.worklog import demo, service

    with window.store.write() as session:
        station = demo.make_station(session, window.actor, date.today())
        service.open_shift(session, window.actor, "李四", station.workstation_id)
    page = window.show_page("worklog")
    page.refresh()
    qtbot.waitUntil(lambda: page.log_id is not None and page.buttons["import"].isEnabled()
                    and page.entry.model.ctx is not None and not page.entry.model.read_only,
                    timeout=10_000)
    _click(qtbot, page.buttons["import"])
    qtbot.waitUntil(lambda: page.import_dialog.isVisible())
    assert_fits(page.import_dialog)
    page.import_dialog.reject()


def test_the_check_record_preview_fits(qtbot, window, known):
    from datetime import UTC, datetime

    from inspector_app.core import records
    from inspector_app.core.models import LabelCheck

    with window.store.write() as session:
        records.create(session, LabelCheck(
            checked_at=datetime.now(UTC), market_id=known.markets["东门批发市场"],
            product_name="预览水壶", category="家用电器及电器附件", form_id="electrical_ccc",
            form_version=1, status="draft"), window.actor)
    page = window.show_page("check")
    window.data_changed()
    qtbot.waitUntil(lambda: not page.model.loading and any(
        page.model.text(r, 4) == "预览水壶" for r in range(page.model.rowCount())))
    row = next(r for r in range(page.model.rowCount()) if page.model.text(r, 4) == "预览水壶")
    rect = page.table.visualRect(page.model.index(row, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = _wait_dialog(qtbot, "CheckDialog")
    _click(qtbot, dialog.page.print_button)
    preview = _wait_dialog(qtbot, "PdfPreviewDialog")
    assert_fits(preview)
    preview.reject()
    dialog.reject()


def test_the_verify_dialog_fits(qtbot, window):
    seen: dict = {}

    def measure() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, measure)
            return
        seen["name"] = type(dialog).__name__
        seen["fits"] = screen.available(dialog).contains(dialog.frameGeometry())
        dialog.reject()

    QTimer.singleShot(0, measure)
    window.verify_action.trigger()
    qtbot.waitUntil(lambda: "fits" in seen, timeout=10_000)
    assert seen == {"name": "VerifyDialog", "fits": True}


CREDIT_CODE = "91350100M000100Y43"  # 18 characters
ADDRESS = "福建省福州市鼓楼区东街口东门批发市场A区018号"


def test_the_party_dialog_fits_a_credit_code_and_an_address(qtbot, window):
    _click(qtbot, window.pages["dashboard"].action_buttons["new_seizure"])
    seizure = _wait_dialog(qtbot, "SeizureDialog")
    new_party = next(b for b in seizure.findChildren(QPushButton)
                     if b.text() == "新建当事人…")
    seen: dict = {}

    def fill_and_measure() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, fill_and_measure)
            return
        dialog.fields["credit_code"].setText(CREDIT_CODE)
        dialog.fields["address"].setText(ADDRESS)
        QApplication.processEvents()
        seen["frame"] = dialog.frameGeometry()
        seen["area"] = screen.available(dialog)
        seen["cut"] = [key for key in ("credit_code", "address")
                       if not _shows_whole(dialog.fields[key])]
        dialog.reject()

    QTimer.singleShot(0, fill_and_measure)
    _click(qtbot, new_party)
    qtbot.waitUntil(lambda: "cut" in seen, timeout=10_000)
    seizure.reject()
    assert seen["area"].contains(seen["frame"])
    assert seen["cut"] == []


def _shows_whole(edit: QLineEdit) -> bool:
    room = edit.contentsRect().width() - 2 * edit.style().pixelMetric(
        edit.style().PixelMetric.PM_DefaultFrameWidth) - 6
    return edit.fontMetrics().horizontalAdvance(edit.text()) <= room


@pytest.mark.skipif(ON_LAPTOP, reason="already on the laptop screen")
def test_everything_fits_a_1366x768_laptop(tmp_path):
    """This module again, in a fresh process with a 1366x728 offscreen screen."""
    run = run_on_laptop(__file__, tmp_path)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-2000:]
