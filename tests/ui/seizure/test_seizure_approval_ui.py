"""Prior approval (行政强制法 art. 18(一)) and the 24-hour emergency report (art. 19) through
the workflow page's buttons and dialogs, and the overdue report on the dashboard."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
from test_seizure_workflow_ui import approve, open_page, press

from inspector_app.core.i18n import _
from inspector_app.core.store import utcnow
from inspector_app.ui.seizure import workflow


def _ok(qtbot, page) -> bool:
    dialog = page.dialog
    with qtbot.waitSignal(page.op_done, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_issue_names_the_missing_approval_then_the_dialog_records_it(qtbot, agency):
    now = utcnow()
    sid = agency.draft_at(now - timedelta(hours=1), approved=False)
    agency.sign_all(sid, now - timedelta(minutes=50))
    page = open_page(qtbot, agency, sid)
    assert "事先批准：尚未记录" in page.status.state_label.text()
    assert not press(qtbot, page, page.issue_button)
    assert "尚未记录行政机关负责人的事先批准" in page.problems.text()
    assert agency.seizure(sid).state == "draft"
    # an approval dated tomorrow is refused, and nothing is written
    assert not approve(qtbot, page, "王局长", days=1)
    assert "晚于当前时间" in page.problems.text() and agency.seizure(sid).approver is None
    # no name: refused
    assert not approve(qtbot, page, "")
    assert "负责人" in page.problems.text()
    assert approve(qtbot, page, "王局长"), page.problems.text()
    seizure = agency.seizure(sid)
    assert seizure.approver == "王局长" and seizure.approved_at <= utcnow()
    assert "事先批准：王局长，" in page.status.state_label.text()
    assert press(qtbot, page, page.issue_button), page.problems.text()
    assert agency.seizure(sid).state == "issued"
    assert not page.approval_button.isEnabled()  # issued: the approval is frozen


def test_overdue_emergency_report_blocks_extension_until_the_late_report(qtbot, agency):
    sid = agency.issued(now=utcnow() - timedelta(hours=30), emergency=True)
    page = open_page(qtbot, agency, sid)
    # words, colour and icon: the banner, its icon, the header
    assert not page.banner.isHidden() and "紧急措施报告已逾期" in page.banner.text()
    assert "#b00020" in page.banner.styleSheet() and not page.banner_icon.isHidden()
    assert "⚠ 紧急措施报告已逾期" in page.header.text()
    # the extension is refused until the report is recorded
    qtbot.mouseClick(page.extend_button, Qt.MouseButton.LeftButton)
    qtbot.waitExposed(page.dialog)
    page.dialog.findChild(QPlainTextEdit, "extension_reason").setPlainText("需送检验")
    page.dialog.findChild(QLineEdit, "extension_approver").insert("王局长")
    assert not _ok(qtbot, page)
    assert "未在二十四小时内报告" in page.problems.text()
    assert agency.seizure(sid).state == "issued"
    # the late report: the dialog asks for the reason; without it, refused
    qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    reason = dialog.findChild(QPlainTextEdit, "report_reason")
    assert "必填" in dialog.form.labelForField(reason).text()
    dialog.findChild(QLineEdit, "report_approver").insert("王局长")
    assert not _ok(qtbot, page)
    assert "逾期的理由" in page.problems.text()
    assert agency.seizure(sid).emergency_reported_at is None
    qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.findChild(QLineEdit, "report_approver").insert("王局长")
    dialog.findChild(QPlainTextEdit, "report_reason").setPlainText("夜间实施，负责人次日返回")
    assert _ok(qtbot, page), page.problems.text()
    seizure = agency.seizure(sid)
    assert seizure.emergency_report_reason == "夜间实施，负责人次日返回"
    assert seizure.emergency_approver == "王局长"
    assert page.banner.isHidden() and "逾期" not in page.header.text()
    assert "逾期报告，理由：夜间实施，负责人次日返回" in page.status.state_label.text()
    assert not page.report_button.isEnabled()
    # now it can be extended
    qtbot.mouseClick(page.extend_button, Qt.MouseButton.LeftButton)
    qtbot.waitExposed(page.dialog)
    page.dialog.findChild(QPlainTextEdit, "extension_reason").setPlainText("需送检验")
    page.dialog.findChild(QLineEdit, "extension_approver").insert("王局长")
    assert _ok(qtbot, page), page.problems.text()
    assert agency.seizure(sid).state == "extended"


def test_a_report_on_time_needs_no_reason(qtbot, agency):
    sid = agency.issued(now=utcnow() - timedelta(hours=2), emergency=True)
    page = open_page(qtbot, agency, sid)
    assert "#a15c00" in page.banner.styleSheet() and page.banner_icon.isHidden()
    assert "逾期" not in page.header.text()
    qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    reason = dialog.findChild(QPlainTextEdit, "report_reason")
    assert "选填" in dialog.form.labelForField(reason).text()
    dialog.findChild(QLineEdit, "report_approver").insert("王局长")
    assert _ok(qtbot, page), page.problems.text()
    seizure = agency.seizure(sid)
    assert seizure.emergency_reported_at is not None and seizure.emergency_report_reason is None


def test_the_release_dialog_offers_only_the_grounds_the_dates_allow(qtbot, agency):
    from PySide6.QtWidgets import QComboBox

    sid = agency.issued(now=utcnow() - timedelta(days=3))
    page = open_page(qtbot, agency, sid)
    page.close_box.setCurrentIndex(page.close_box.findData("released"))
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitExposed(page.dialog)
    ground = page.dialog.findChild(QComboBox)
    keys = [ground.itemData(i) for i in range(ground.count())]
    assert keys == ["1", "2", "3", "5"]  # the term has not expired
    page.dialog.reject()
    overdue = agency.issued(now=utcnow() - timedelta(days=40))
    page = open_page(qtbot, agency, overdue)
    qtbot.mouseClick(page.release_now, Qt.MouseButton.LeftButton)
    qtbot.waitExposed(page.dialog)
    ground = page.dialog.findChild(QComboBox)
    assert [ground.itemData(i) for i in range(ground.count())] == ["4"]


def test_dashboard_flags_an_overdue_emergency_report(qtbot, agency):
    late = agency.issued(now=utcnow() - timedelta(hours=30), emergency=True)
    soon = agency.issued(now=utcnow() - timedelta(hours=2), emergency=True)
    panel = workflow.DeadlinePanel(agency.store)
    qtbot.addWidget(panel)
    panel.refresh()
    rows = {panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole): r
            for r in range(panel.table.rowCount())}
    assert set(rows) == {late, soon}
    todo = panel.table.item(rows[late], 3)
    assert "紧急报告逾期" in todo.text() and not todo.icon().isNull()
    assert todo.background().color().name() == "#f8d0d4"
    assert panel.summary.text() == _("{n} running measures: {warn} ending within 5 days, "
                                     "{overdue} overdue").format(n=2, warn=0, overdue=1)
    other = panel.table.item(rows[soon], 3)
    assert "逾期" not in other.text() and other.icon().isNull()
