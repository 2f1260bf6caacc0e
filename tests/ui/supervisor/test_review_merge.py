"""A conflict resolved with a merged content on the 审核 page: the supervisor clicks the
values to keep (the current content's by default), reads the merged column, presses
以合并内容处理, says why; the record then holds the merged content as its next version.
On a 1366x768 laptop too, with pictures in $SUPERVISOR_SHOTS (default: the test's
temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from screens import LAPTOP, ON_LAPTOP, run_on_laptop, screen_shot, track_windows

from inspector_app.core.agency import review
from inspector_app.core.models import AgencyConflict, AgencyRecord

CONFLICTS = 8


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_cell(qtbot, table, row: int, column: int) -> None:
    item = table.item(row, column)
    table.scrollToItem(item)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(item).center())


def _merge(qtbot, window, type_text, shots: Path | None = None) -> None:
    page = window.pages["review"]
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    qtbot.waitUntil(lambda: not page.busy())
    row = next(r for r in range(page.model.rowCount()) if page.model.value(r, "conflicts"))
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: not page.busy())
    kind, record_id = page.current
    click(qtbot, page.conflict_button)
    qtbot.waitUntil(lambda: page.conflict_dialog is not None
                    and page.conflict_dialog.isVisible())
    dialog = page.conflict_dialog
    table = dialog.table
    if shots:
        dialog.move(window.geometry().center() - dialog.rect().center())
        qtbot.wait(50)
        assert LAPTOP.contains(dialog.frameGeometry()), dialog.frameGeometry()
    assert table.horizontalHeaderItem(3).text() == "合并结果"
    assert dialog.differing_paths() == ["quantity", "remarks"]
    current_qty, other_qty = table.item(0, 1).text(), table.item(0, 2).text()
    current_note, other_note = table.item(1, 1).text(), table.item(1, 2).text()
    assert current_note != other_note and current_qty != other_qty
    # By default the merge keeps the current values, ticked.
    assert [table.item(r, 3).text() for r in (0, 1)] == [current_qty, current_note]
    assert table.item(1, 1).checkState() == Qt.CheckState.Checked
    assert table.item(1, 2).checkState() == Qt.CheckState.Unchecked
    # The other device's remarks: clicked, ticked, shown in the merged column.
    click_cell(qtbot, table, 1, 2)
    assert table.item(1, 2).checkState() == Qt.CheckState.Checked
    assert table.item(1, 1).checkState() == Qt.CheckState.Unchecked
    assert [table.item(r, 3).text() for r in (0, 1)] == [current_qty, other_note]
    click_cell(qtbot, table, 5, 2)  # a value both hold: nothing to choose
    assert table.item(5, 2).checkState() != Qt.CheckState.Checked
    if shots:
        screen_shot(shots / "zh-supervisor-merge.png")
    sides = [s.content for s in dialog.sides]

    click(qtbot, dialog.merge_button)
    reason = page.comment_dialog
    assert reason.windowTitle() == "以合并内容处理"
    click(qtbot, reason.ok)
    assert reason.isVisible() and reason.error.text() == "请填写保留这些值的理由。"
    type_text(reason.edit, "数量以现场记录为准，备注以复查为准")
    click(qtbot, reason.ok)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: not page.busy())

    with window.store.read() as session:
        record = session.get(AgencyRecord, (kind, record_id))
        assert (record.version, record.conflicts, record.review_state) == (3, 0, "pending")
        made = review.content(session, kind, record_id, 3, record.content_sha256)
        assert session.query(AgencyConflict).filter_by(record_id=record_id,
                                                       resolved_by=None).count() == 0
        [decision] = [h for h in review.history(session, kind, record_id)
                      if h["type"] == "decision"]
    assert made == sides[0] | {"remarks": sides[1]["remarks"], "version": 3}
    assert decision["action"] == "resolve" and decision["content"] == made
    # The page shows the merged content, and no conflict left.
    assert page.model.index(page.model.row_of(kind, record_id), CONFLICTS).data() == ""
    shown = page.detail.toPlainText()
    assert sides[1]["remarks"] in shown and "当前版本：3" in shown
    assert "张三：冲突已处理（版本 2）\n采用由冲突内容合并的新内容，为第 3 版" in shown
    assert "张三处理冲突时形成的版本 3" in shown
    assert page.approve_button.isEnabled() and not page.conflict_button.isEnabled()
    if shots:
        screen_shot(shots / "zh-supervisor-merged.png")


def test_a_conflict_is_resolved_with_values_from_both_contents(qtbot, supervisor_window,
                                                               type_text):
    _merge(qtbot, supervisor_window, type_text)


@pytest.mark.skipif(not ON_LAPTOP, reason="runs on the laptop screen (the next test)")
def test_the_merge_on_a_laptop(qtbot, supervisor_window, type_text, tmp_path):
    track_windows()
    shots = Path(os.environ.get("SUPERVISOR_SHOTS") or tmp_path / "shots")
    supervisor_window.showMaximized()
    _merge(qtbot, supervisor_window, type_text, shots)
    assert len(list(shots.glob("zh-supervisor-merge*.png"))) == 2


@pytest.mark.skipif(ON_LAPTOP, reason="already on the laptop screen")
def test_the_merge_on_a_1366x768_laptop(tmp_path):
    run = run_on_laptop(__file__, tmp_path, "-k", "test_the_merge_on_a_laptop")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-2000:]
