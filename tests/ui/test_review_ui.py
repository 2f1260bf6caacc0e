"""An inspector's view of the review: the 审核 column and filter of the record lists, and the
审核意见 of a record (decisions a sync stored, inserted here as rows)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTabWidget
from sqlalchemy import text

from inspector_app.core import records
from inspector_app.core.models import Decision, LabelCheck
from inspector_app.ui.record_list import RecordDialog

SUPERVISOR_DEVICE = "22222222-2222-4222-8222-222222222222"
TABLES = {"check": "label_checks", "seizure": "seizures"}


def decide(store, kind, record_id, action, comment, at, version=None):
    with store.write() as session:
        if version is None:
            version = session.execute(text(
                f"SELECT version FROM {TABLES[kind]} "
                "WHERE id = :id"), {"id": record_id}).scalar_one()
        session.add(Decision(id=str(uuid.uuid4()), kind=kind, record_id=record_id,
                             version=version, action=action, text=comment, by="王科长",
                             decided_at=at, device_id=SUPERVISOR_DEVICE,
                             key_id="0123456789abcdef", body="{}", signature="sig",
                             received_at=datetime.now(UTC)))


def _open(qtbot, window, key="check"):
    page = window.show_page(key)
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() > 0)
    return page


def _review_of(page):
    col = [c.key for c in page.model.columns].index("review")
    return {page.model.record_id(r): page.model.index(r, col).data()
            for r in range(page.model.rowCount())}


def _choose_in_popup(qtbot, page, combo, label):
    """Open the combo box's list and click the entry `label`, as a user does."""
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    row = next(r for r in range(combo.count()) if combo.itemText(r) == label)
    rect = view.visualRect(view.model().index(row, 0))
    with qtbot.waitSignal(page.loaded):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return set(page.model.ids)


def test_review_column_filter_and_comments(qtbot, window, signed_in, known):
    store, actor, _user = signed_in
    ids = {c["product"]: c["id"] for c in known.checks}
    decide(store, "check", ids["电热水壶"], "return", "缺少生产日期照片",
           "2026-11-30T08:00:00.000000Z")
    decide(store, "check", ids["插线板"], "approve", "", "2026-11-30T08:05:00.000000Z")
    decide(store, "check", ids["儿童玩具"], "return", "标签不全", "2026-11-30T08:06:00.000000Z")
    decide(store, "check", ids["儿童玩具"], "approve", "已补正", "2026-11-30T09:00:00.000000Z",
           version=1)  # the newest decision is the state
    decide(store, "check", ids["复合肥料"], "reject", "非本辖区", "2026-11-30T08:07:00.000000Z")
    decide(store, "check", ids["蔬菜种子"], "return", "请复核", "2026-11-30T08:08:00.000000Z")
    with store.write() as session:  # 蔬菜种子 corrected here after it was returned
        check = session.get(LabelCheck, ids["蔬菜种子"])
        check.brand = "金种子"
        records.update(session, check, actor, expected_version=1)

    page = _open(qtbot, window)
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(page.model.columnCount())]
    assert headers[-1] == "审核"
    shown = _review_of(page)
    assert shown[ids["电热水壶"]] == "已退回"
    assert shown[ids["插线板"]] == "已通过"
    assert shown[ids["儿童玩具"]] == "已通过"
    assert shown[ids["复合肥料"]] == "已驳回"
    assert shown[ids["蔬菜种子"]] == "已退回（已修改，待同步）"
    assert shown[ids["电饭锅"]] == "" and shown[ids["LED台灯"]] == ""

    assert _choose_in_popup(qtbot, page, page.review, "已退回") == {
        ids["电热水壶"], ids["蔬菜种子"]}
    assert page.count.text() == "共 2 条"
    assert _choose_in_popup(qtbot, page, page.review, "已驳回") == {ids["复合肥料"]}
    assert _choose_in_popup(qtbot, page, page.review, "未审核") == {
        ids["电饭锅"], ids["LED台灯"]}
    assert _choose_in_popup(qtbot, page, page.review, "全部审核状态") == set(ids.values())

    with store.write() as session:  # the correction reached the server: back in the queue
        session.execute(text("UPDATE outbox SET acked_at = CURRENT_TIMESTAMP"))
    page.data_changed()
    qtbot.waitUntil(lambda: not page.model.loading)
    assert _review_of(page)[ids["蔬菜种子"]] == "待审核"
    assert _choose_in_popup(qtbot, page, page.review, "待审核") == {ids["蔬菜种子"]}
    assert _choose_in_popup(qtbot, page, page.review, "全部审核状态") == set(ids.values())

    # the record's view: its state and every comment, read-only
    row = page.model.ids.index(ids["儿童玩具"])
    rect = page.table.visualRect(page.model.index(row, 4))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.findChild(RecordDialog) is not None)
    dialog = window.findChild(RecordDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.review.title() == "审核意见"
    assert dialog.review.state.text() == "审核：已通过"
    comments = dialog.review.comments.toPlainText()
    assert "标签不全" in comments and "已补正" in comments and "王科长" in comments
    assert comments.index("标签不全") < comments.index("已补正")  # oldest first
    assert "已退回" in comments and "第 1 版" in comments
    assert dialog.review.comments.isReadOnly()
    dialog.close()


def test_a_seizure_shows_its_comments_in_a_tab(qtbot, window, signed_in):
    store = signed_in[0]
    page = _open(qtbot, window, "seizure")
    seizure_id = page.model.ids[0]
    decide(store, "seizure", seizure_id, "return", "补充物品照片", "2026-11-30T08:00:00.000000Z")
    page.data_changed()
    qtbot.waitUntil(lambda: not page.model.loading)
    assert _review_of(page)[seizure_id] == "已退回"
    rect = page.table.visualRect(page.model.index(0, 1))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def seizure_dialog():
        return next((w for w in QApplication.topLevelWidgets()
                     if type(w).__name__ == "SeizureDialog" and w.isVisible()), None)

    qtbot.waitUntil(lambda: seizure_dialog() is not None)
    dialog = seizure_dialog()
    tabs = dialog.findChild(QTabWidget)
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles[-1] == "审核意见"
    tabs.tabBar().setCurrentIndex(tabs.count() - 1)
    panel = tabs.widget(tabs.count() - 1)
    assert panel.state.text() == "审核：已退回"
    assert "补充物品照片" in panel.comments.toPlainText()
    dialog.close()


def test_worklogs_have_the_column_and_filter_too(qtbot, window):
    page = window.show_page("worklog")
    lst = page.list_page
    qtbot.waitUntil(lambda: not lst.model.loading and lst.model.rowCount() > 0)
    assert lst.model.headerData(lst.model.columnCount() - 1, Qt.Orientation.Horizontal) == "审核"
    assert _review_of(lst) == {lst.model.record_id(0): ""}
    assert _choose_in_popup(qtbot, lst, lst.review, "已通过") == set()


def test_a_check_opened_in_its_form_shows_its_comments(qtbot, window, known):
    store = window.store
    with store.write() as session:
        check = records.create(session, LabelCheck(
            checked_at=datetime.now(UTC), market_id=known.markets["东门批发市场"],
            product_name="审核水壶", category="家用电器及电器附件", form_id="electrical_ccc",
            form_version=1, status="draft"), window.actor)
        check_id = check.id
    decide(store, "check", check_id, "return", "3C标志照片不清晰", "2026-11-30T08:00:00.000000Z")
    page = window.show_page("check")
    window.data_changed()
    qtbot.waitUntil(lambda: not page.model.loading and check_id in page.model.ids)
    assert _review_of(page)[check_id] == "已退回"
    row = page.model.ids.index(check_id)
    rect = page.table.visualRect(page.model.index(row, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def check_dialog():
        return next((w for w in QApplication.topLevelWidgets()
                     if type(w).__name__ == "CheckDialog" and w.isVisible()), None)

    qtbot.waitUntil(lambda: check_dialog() is not None)
    dialog = check_dialog()
    assert dialog.review.title() == "审核意见"
    assert dialog.review.state.text() == "审核：已退回"
    assert "3C标志照片不清晰" in dialog.review.comments.toPlainText()
    dialog.reject()
