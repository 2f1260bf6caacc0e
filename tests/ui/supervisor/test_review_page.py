"""The supervisor's 审核 page, used as a supervisor does: choose a record, press 退回 / 驳回 /
通过, write the comment, resolve a conflict, hand a record over; read what the screen shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from PySide6.QtCore import QPoint, Qt

from inspector_app.core import device_key
from inspector_app.core.models import AgencyRecord, Decision, KnownKey
from inspector_app.ui.supervisor.dialogs import DIFFERS
from sync import decisions

REVIEW, CONFLICTS, TITLE = 7, 8, 1


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _page(qtbot, window):
    page = window.pages["review"]
    assert window.current_page_key() == "review"
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    _settle(qtbot, page)
    return page


def _settle(qtbot, page) -> None:
    """Wait until the page has read what it shows (the queue and the chosen record are
    read on a worker)."""
    qtbot.waitUntil(lambda: not page.busy())


def _select(qtbot, page, row: int) -> tuple[str, str]:
    index = page.model.index(row, TITLE)
    page.table.scrollTo(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.table.visualRect(index).center())
    assert page.current == page.model.key(row)
    _settle(qtbot, page)
    return page.current


def _first_plain_row(page) -> int:
    return next(r for r in range(page.model.rowCount())
                if not page.model.value(r, "conflicts"))


def _show_all_states(qtbot, page) -> None:
    page.state.setCurrentIndex(page.state.findData(None))
    assert page.state.currentText() == "全部审核状态"
    _settle(qtbot, page)


def _record(window, kind, record_id) -> AgencyRecord:
    with window.store.read() as session:
        record = session.get(AgencyRecord, (kind, record_id))
        session.expunge(record)
        return record


def test_a_supervisor_store_opens_on_the_review_page_without_record_pages(qtbot,
                                                                        supervisor_window):
    window = supervisor_window
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["审核", "监督总览", "同步", "设置"]  # no pages that make an inspector's records
    assert window.user_label.text() == "审核人员：张三"
    page = _page(qtbot, window)
    with window.store.read() as session:
        pending = session.query(AgencyRecord).filter_by(review_state="pending").count()
    assert page.count.text() == f"共 {pending} 条"
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(page.model.columnCount())]
    assert headers == ["类别", "记录", "执法人员", "市场", "日期", "状态", "结果", "审核",
                       "冲突"]
    assert {page.model.index(r, REVIEW).data() for r in range(page.model.rowCount())} == {
        "待审核"}


def test_return_asks_for_a_comment_and_the_list_shows_it_returned(qtbot, supervisor_window,
                                                                  type_text):
    window = supervisor_window
    page = _page(qtbot, window)
    before = page.model.total
    kind, record_id = _select(qtbot, page, _first_plain_row(page))
    click(qtbot, page.return_button)
    dialog = page.comment_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "退回记录"
    click(qtbot, dialog.ok)  # nothing written: refused
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert dialog.error.text() == "请填写退回意见，执法人员将据此更正记录。"
    with window.store.read() as session:
        assert session.query(Decision).filter_by(record_id=record_id).count() == 0
    type_text(dialog.edit, "产品批号与实物不符，请核对后更正")
    click(qtbot, dialog.ok)
    assert not dialog.isVisible()
    _settle(qtbot, page)

    # Gone from the queue of records awaiting review; shown as returned among all.
    assert page.model.row_of(kind, record_id) == -1
    assert page.count.text() == f"共 {before - 1} 条"
    _show_all_states(qtbot, page)
    row = page.model.row_of(kind, record_id)
    assert page.model.index(row, REVIEW).data() == "已退回"
    _select(qtbot, page, row)
    shown = page.detail.toPlainText()
    assert "审核状态：已退回" in shown
    assert "退回更正（版本" in shown and "产品批号与实物不符，请核对后更正" in shown
    assert not page.return_button.isEnabled() and not page.approve_button.isEnabled()

    # The decision is signed by this device's key, as the inspector's device will check.
    with window.store.read() as session:
        stored = session.query(Decision).filter_by(record_id=record_id).one()
        envelope = {"decision": json.loads(stored.body), "signature": stored.signature}
    key = device_key.load_or_create(window.store.data_dir)
    decided = decisions.verify(key.public_key(), envelope)
    assert (decided["action"], decided["text"], decided["by"]) == (
        "return", "产品批号与实物不符，请核对后更正", "张三")


def test_reject_needs_a_reason_and_approve_needs_none(qtbot, supervisor_window, type_text):
    window = supervisor_window
    page = _page(qtbot, window)
    _show_all_states(qtbot, page)
    rows = [r for r in range(page.model.rowCount())
            if page.model.value(r, "review_state") == "pending"
            and not page.model.value(r, "conflicts")][:2]
    rejected = _select(qtbot, page, rows[0])
    click(qtbot, page.reject_button)
    dialog = page.comment_dialog
    type_text(dialog.edit, "   ")
    click(qtbot, dialog.ok)
    assert dialog.isVisible() and dialog.error.text() == "请填写驳回理由。"
    type_text(dialog.edit, "检查记录不完整")
    click(qtbot, dialog.ok)
    _settle(qtbot, page)
    assert page.model.index(page.model.row_of(*rejected), REVIEW).data() == "已驳回"

    approved = _select(qtbot, page, page.model.row_of(*page.model.key(rows[1])))
    click(qtbot, page.approve_button)
    _settle(qtbot, page)
    assert page.model.index(page.model.row_of(*approved), REVIEW).data() == "已通过"
    assert _record(window, *approved).review_state == "approved"


def test_a_conflict_is_shown_field_by_field_and_resolved_by_choosing_a_version(
        qtbot, supervisor_window, type_text):
    window = supervisor_window
    page = _page(qtbot, window)
    row = next(r for r in range(page.model.rowCount()) if page.model.value(r, "conflicts"))
    assert page.model.index(row, CONFLICTS).data() == "1"
    kind, record_id = _select(qtbot, page, row)
    assert "1个冲突内容" in page.detail.toPlainText()
    assert not page.approve_button.isEnabled()
    assert page.approve_button.toolTip() == "请先处理冲突。"
    click(qtbot, page.conflict_button)
    qtbot.waitUntil(lambda: page.conflict_dialog is not None)  # read on a worker
    dialog = page.conflict_dialog
    assert dialog.isVisible()
    headers = [dialog.table.horizontalHeaderItem(c).text()
               for c in range(dialog.table.columnCount())]
    assert headers[0] == "字段"
    assert headers[1].startswith("当前：版本 2 · ") and headers[2].startswith("冲突：版本 2 · ")
    # The two devices' edits: quantity and remarks differ, highlighted, listed first.
    assert dialog.differing_paths() == ["quantity", "remarks"]
    assert [dialog.table.item(r, 0).text() for r in range(2)] == ["数量", "备注"]
    assert dialog.table.item(0, 1).background().color().name() == DIFFERS
    assert dialog.table.item(0, 1).text() != dialog.table.item(0, 2).text()
    same = dialog.table.item(3, 1)
    assert same.text() == dialog.table.item(3, 2).text()
    assert same.background().color().name() != DIFFERS
    qtbot.mouseClick(dialog.only_diff, Qt.MouseButton.LeftButton,
                     pos=QPoint(8, dialog.only_diff.height() // 2))  # on its box
    assert dialog.only_diff.isChecked()
    visible = [r for r in range(dialog.table.rowCount()) if not dialog.table.isRowHidden(r)]
    assert visible == [0, 1]

    chosen = dialog.sides[1]
    click(qtbot, dialog.keep_buttons[1])
    reason = page.comment_dialog
    assert reason.windowTitle() == "采用版本 2"
    click(qtbot, reason.ok)
    assert reason.isVisible() and reason.error.text() == "请填写采用此版本的理由。"
    type_text(reason.edit, "经电话核实，复查时的数量正确")
    click(qtbot, reason.ok)
    assert not dialog.isVisible()
    _settle(qtbot, page)

    record = _record(window, kind, record_id)
    # The chosen content is the record's next version, 3, as the server makes it.
    assert (record.version, record.conflicts) == (3, 0)
    from inspector_app.core.agency import review

    with window.store.read() as session:
        made = review.content(session, kind, record_id, 3, record.content_sha256)
        picked = review.content(session, kind, record_id, 2, chosen.sha256)
    assert made == picked | {"version": 3}
    assert page.model.index(page.model.row_of(kind, record_id), CONFLICTS).data() == ""
    assert "冲突已处理" in page.detail.toPlainText()
    assert page.approve_button.isEnabled() and not page.conflict_button.isEnabled()


def test_handover_offers_the_other_inspectors_devices_and_moves_the_record(
        qtbot, supervisor_window, type_text):
    window = supervisor_window
    page = _page(qtbot, window)
    kind, record_id = _select(qtbot, page, _first_plain_row(page))
    owner = _record(window, kind, record_id).owner_device_id
    with window.store.write() as session:  # a revoked device is never offered
        session.add(KnownKey(key_id="00" * 8, public_key="x", device_id="0" * 8 + "-0000-"
                             "4000-8000-" + "0" * 12, agency="", source="server",
                             added_at=datetime.now(UTC), revoked_at=datetime.now(UTC),
                             inspector="已注销设备的人员"))
        devices = {k.device_id: k.inspector for k in session.query(KnownKey)
                   if k.revoked_at is None and k.device_id != owner}
    click(qtbot, page.handover_button)
    dialog = page.handover_dialog
    offered = {dialog.device.itemData(i): dialog.device.itemText(i)
               for i in range(dialog.device.count())}
    assert set(offered) == set(devices) and len(offered) == 2
    for device, name in devices.items():
        assert offered[device] == f"{name}（设备 {device[:8]}）"
    click(qtbot, dialog.ok)
    assert dialog.isVisible() and dialog.error.text() == "请填写移交理由。"
    dialog.device.setCurrentIndex(1)
    target = dialog.device.currentData()
    type_text(dialog.edit, "原执法人员调岗，由其接续办理")
    click(qtbot, dialog.ok)
    assert not dialog.isVisible()
    _settle(qtbot, page)
    assert _record(window, kind, record_id).owner_device_id == target
    shown = page.detail.toPlainText()
    assert "已移交" in shown and "原执法人员调岗，由其接续办理" in shown


def test_the_supervisor_pages_follow_a_language_switch(qtbot, supervisor_window):
    window = supervisor_window
    window.language_actions["en"].trigger()
    try:
        labels = [window.nav.item(i).text() for i in range(window.nav.count())]
        assert labels == ["Review", "Oversight", "Sync", "Settings"]
        page = window.pages["review"]
        assert window.current_page_key() == "review"
        qtbot.waitUntil(lambda: page.model.rowCount() > 0)
        assert page.approve_button.text() == "Approve"
        assert page.model.index(0, REVIEW).data() == "Awaiting review"
        assert window.user_label.text() == "Supervisor: 张三"
    finally:
        window.language_actions["zh_CN"].trigger()
    assert window.pages["review"].approve_button.text() == "通过"
