"""The 审核 page and its dialogs on a 1366x768 laptop: each fits the screen, and pictures
of them go to $SUPERVISOR_SHOTS (default: the test's temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from screens import LAPTOP, ON_LAPTOP, run_on_laptop, screen_shot, track_windows


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _centre(dialog, window) -> None:
    """Where a window manager puts a dialog: over the middle of its window (the offscreen
    platform leaves it in the corner)."""
    dialog.move(window.geometry().center() - dialog.rect().center())


def _fits(widget) -> None:
    frame = widget.frameGeometry()
    assert LAPTOP.contains(frame), (widget, frame)


@pytest.mark.skipif(not ON_LAPTOP, reason="runs on the laptop screen (the next test)")
def test_review_pages_on_a_laptop(qtbot, supervisor_window, type_text, tmp_path):
    track_windows()
    shots = Path(os.environ.get("SUPERVISOR_SHOTS") or tmp_path / "shots")
    window = supervisor_window
    window.showMaximized()
    page = window.pages["review"]
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    page.state.setCurrentIndex(page.state.findData(None))
    qtbot.waitUntil(lambda: not page.busy())
    _fits(window)
    row = next(r for r in range(page.model.rowCount())
               if page.model.value(r, "kind") == "seizure"
               and page.model.value(r, "review_state") == "returned")
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: not page.busy())
    assert "退回更正" in page.detail.toPlainText()
    screen_shot(shots / "zh-supervisor-review.png")

    row = next(r for r in range(page.model.rowCount())
               if page.model.value(r, "review_state") == "pending"
               and not page.model.value(r, "conflicts"))
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: not page.busy())
    click(qtbot, page.return_button)
    type_text(page.comment_dialog.edit, "产品批号与实物不符，请核对后更正")
    _centre(page.comment_dialog, window)
    _fits(page.comment_dialog)
    screen_shot(shots / "zh-supervisor-return.png")
    page.comment_dialog.reject()

    row = next(r for r in range(page.model.rowCount()) if page.model.value(r, "conflicts"))
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: not page.busy())
    click(qtbot, page.conflict_button)
    qtbot.waitUntil(lambda: page.conflict_dialog is not None)
    dialog = page.conflict_dialog
    _centre(dialog, window)
    qtbot.wait(50)
    _fits(dialog)
    assert dialog.table.columnWidth(2) > 300  # each content readable beside the other
    screen_shot(shots / "zh-supervisor-conflict.png")
    dialog.reject()

    click(qtbot, page.handover_button)
    type_text(page.handover_dialog.edit, "原执法人员调岗，由其接续办理")
    _centre(page.handover_dialog, window)
    _fits(page.handover_dialog)
    screen_shot(shots / "zh-supervisor-handover.png")
    page.handover_dialog.reject()
    assert len(list(shots.glob("zh-supervisor-*.png"))) == 4


@pytest.mark.skipif(ON_LAPTOP, reason="already on the laptop screen")
def test_review_pages_on_a_1366x768_laptop(tmp_path):
    run = run_on_laptop(__file__, tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-2000:]
