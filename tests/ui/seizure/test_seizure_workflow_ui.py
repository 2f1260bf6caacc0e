"""The workflow page, the preview and print, batch printing, verify dialog, deadline panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QPushButton
from seizure_helpers import ISSUE_TIME
from sqlalchemy import select
from test_signature_pad import draw

from inspector_app.core.seizure import qr, service
from inspector_app.ui.seizure import workflow
from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog, print_pdf, start_batch
from inspector_app.ui.seizure.verify_dialog import VerifyDialog


def press(qtbot, page, button, timeout: int = 30000) -> bool:
    """Press `button` and wait for the background change it starts; True: not refused."""
    with qtbot.waitSignal(page.op_done, timeout=timeout) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def open_page(qtbot, agency, sid=None):
    page = workflow.SeizurePage(agency.store, agency.actor, sid)
    qtbot.addWidget(page)
    page.resize(1000, 680)
    page.show()
    qtbot.waitExposed(page)
    return page


def sign(qtbot, page, role, officer_id=None, refuse=False):
    """Press the signer's button, sign on the pad (or tick the refusal), press OK."""
    page.tabs.setCurrentWidget(page.signatures)
    qtbot.mouseClick(page.signatures.buttons[(role, officer_id)], Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    if refuse:
        qtbot.mouseClick(dialog.refused, Qt.MouseButton.LeftButton)
    else:
        draw(qtbot, dialog.pad, [(50, 100), (120, 40), (200, 120), (300, 60)])
    with qtbot.waitSignal(page.op_done, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    assert blocker.args[0], page.problems.text()


def approve(qtbot, page, name, days=0):
    """Press "Prior approval…", type the approver (and move the time by `days`), OK."""
    from PySide6.QtWidgets import QDateTimeEdit, QLineEdit

    qtbot.mouseClick(page.approval_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.findChild(QLineEdit, "approval_approver").insert(name)
    when = dialog.findChild(QDateTimeEdit, "approval_time")
    when.setDateTime(when.dateTime().addDays(days))
    with qtbot.waitSignal(page.op_done, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    return blocker.args[0]


def fill(page, agency, officers):
    page.party.setCurrentIndex(page.party.findData(agency.party_id))
    page.place.setText("东门农副产品批发市场A12号摊位")
    page.violation.setCurrentText("销售不符合保障人体健康和人身、财产安全的国家标准的产品")
    page.custody_place.setText("东门市场仓库3号")
    page.custodian.setText("王五")
    page.record_text.setPlainText("执法人员发现电热水壶未标注CCC认证标志。")
    for row in range(page.officers.count()):
        item = page.officers.item(row)
        on = item.data(Qt.ItemDataRole.UserRole) in officers
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
    page.items.setRowCount(0)
    page.items.add_row({"name": "电热水壶", "spec": "1.7L", "unit": "台", "quantity": "12"})
    page.seals.setRowCount(0)
    page.seals.add_row({"number": "FT-0001", "location": "仓库门"})


def test_new_draft_refused_then_signed_and_issued_by_pressing_the_buttons(qtbot, agency):
    page = open_page(qtbot, agency)
    assert "未编号（草稿）" in page.header.text() and "尚未保存" in page.header.text()
    fill(page, agency, agency.officers[:1])
    assert press(qtbot, page, page.save_button) and page.seizure_id
    assert page.version == 1 and page.state == "draft"
    header = page.header.text()
    assert "未编号（草稿）" in header and "𠮷祥日杂商行" in header and "草稿" in header
    # one officer and no signatures: refused, the message on screen names what is missing
    assert not press(qtbot, page, page.issue_button)
    assert page.problems.isVisible()
    assert "2名" in page.problems.text() and "当事人尚未签名" in page.problems.text()
    assert "事先批准" in page.problems.text()  # the agency head's approval is missing too
    assert agency.seizure(page.seizure_id).state == "draft"
    # a zero quantity: refused, the draft keeps its version
    page.items.item(0, 3).setText("0")
    assert not press(qtbot, page, page.save_button)
    assert "大于零" in page.problems.text() and agency.seizure(page.seizure_id).version == 2
    page.items.item(0, 3).setText("12")
    fill(page, agency, agency.officers)
    assert press(qtbot, page, page.save_button) and not page.problems.isVisible()
    # the signatures, taken on the pad, one by one
    sign(qtbot, page, "party")
    for officer in agency.officers:
        sign(qtbot, page, "officer", officer)
    assert "已具备" in page.signatures.missing.text()
    assert page.signatures.signature_list.count() == 3
    approve(qtbot, page, "王局长")
    with qtbot.waitSignal(page.saved):
        assert press(qtbot, page, page.issue_button), page.problems.text()
    seizure = agency.seizure(page.seizure_id)
    assert seizure.state == "issued" and seizure.number.startswith("示例市监强制")
    assert len(seizure.officers) == 2 and seizure.items[0].name == "电热水壶"
    assert len(seizure.signatures) == 3
    header = page.header.text()
    assert seizure.number in header and "𠮷祥日杂商行" in header and "已送达" in header
    assert not page.save_button.isEnabled() and page.extend_button.isEnabled()
    kinds = [page.status.documents.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(page.status.documents.count())]
    assert kinds == ["decision", "list", "record", "seals"]
    assert page.status.history.rowCount() == 1


def test_issue_without_signatures_shows_what_is_missing(qtbot, agency):
    sid = agency.draft()
    page = open_page(qtbot, agency, sid)
    missing = page.signatures.missing.text()
    assert "执法人员张三尚未签名" in missing and "当事人尚未签名" in missing
    assert not press(qtbot, page, page.issue_button)
    text = page.problems.text()
    assert page.problems.isVisible()
    assert "执法人员张三尚未签名。" in text and "执法人员李四尚未签名。" in text
    assert "当事人尚未签名" in text
    assert agency.seizure(sid).state == "draft"


def test_refusal_with_a_witness_is_issued(qtbot, agency):
    sid = agency.draft(witness_name="赵见证")
    page = open_page(qtbot, agency, sid)
    sign(qtbot, page, "party", refuse=True)
    assert page.presence.checkedButton().property("key") == "refused"
    for officer in agency.officers:
        sign(qtbot, page, "officer", officer)
    assert not press(qtbot, page, page.issue_button)
    assert "见证人尚未签名" in page.problems.text()
    sign(qtbot, page, "witness")
    assert press(qtbot, page, page.issue_button), page.problems.text()
    assert agency.seizure(sid).state == "issued"


def test_pressing_twice_writes_once(qtbot, agency):
    sid = agency.draft(approved=False)
    page = open_page(qtbot, agency, sid)
    with qtbot.waitSignal(page.op_done, timeout=30000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        assert page.busy and not page.save_button.isEnabled()
        assert not page.issue_button.isEnabled()
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)  # disabled: ignored
    assert agency.seizure(sid).version == 2 and page.save_button.isEnabled()


def test_a_31_day_term_is_refused_in_the_form(qtbot, agency):
    page = open_page(qtbot, agency)
    fill(page, agency, agency.officers)
    page.term.setValue(31)
    assert not press(qtbot, page, page.save_button) and page.seizure_id is None
    assert "30" in page.problems.text()
    assert page.place.text() == "东门农副产品批发市场A12号摊位"  # what was typed stays


def test_a_future_start_is_refused_in_the_form(qtbot, agency):
    page = open_page(qtbot, agency)
    fill(page, agency, agency.officers)
    page.started.setDateTime(page.started.dateTime().addDays(2))
    assert not press(qtbot, page, page.save_button) and page.seizure_id is None
    assert "措施开始时间晚于当前时间" in page.problems.text()


def test_a_party_typed_at_a_check_is_completed_in_the_window(qtbot, agency):
    from check_helpers import kettle

    from inspector_app.core import records
    from inspector_app.core.checks import service as checks
    from inspector_app.core.models import LabelCheck, Market, Party, Seizure

    store, actor = agency.store, agency.actor
    with store.write() as s:
        market = records.create(s, Market(name="东门批发市场"), actor).id
        saved = checks.save(s, actor, kettle(market, measure="seizure", party_name="王记日杂",
                                             second_officer_id=agency.officers[1]),
                            final=True, store=store)
    page = open_page(qtbot, agency, saved.seizure_id)
    assert "王记日杂" in page.header.text()
    assert page.party.currentText() == "王记日杂（待补全信息）"
    qtbot.mouseClick(page.complete_party_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    assert dialog.fields["name"].text() == "王记日杂"
    qtbot.keyClicks(dialog.fields["credit_code"], "91350102MA2Y8K3P71")
    with qtbot.waitSignal(dialog.accepted, timeout=30000):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    assert page.party.currentText() == "王记日杂" and "王记日杂" in page.header.text()
    with store.read() as s:
        [party] = s.scalars(select(Party).where(Party.name == "王记日杂")).all()
        assert party.credit_code == "91350102MA2Y8K3P71" and party.version == 2
        assert s.get(LabelCheck, saved.check_id).party_id == party.id
        assert s.get(Seizure, saved.seizure_id).party_id == party.id
    # a new party with the same code is refused in the dialog, which stays open
    qtbot.mouseClick(page.new_party_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    dialog.fields["name"].setText("王记")  # Chinese comes in through the input method
    qtbot.keyClicks(dialog.fields["credit_code"], "91350102MA2Y8K3P71")
    with qtbot.waitSignal(page.op_done, timeout=30000):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "王记日杂" in dialog.error.text()
    dialog.reject()


def test_preview_shows_the_pages_and_prints(qtbot, agency, tmp_path):
    sid = agency.issued(items=30)
    page = open_page(qtbot, agency, sid)
    page.tabs.setCurrentWidget(page.status)
    documents = page.status.documents
    row = next(i for i in range(documents.count())
               if documents.item(i).data(Qt.ItemDataRole.UserRole) == "list")
    rect = documents.visualItemRect(documents.item(row))
    qtbot.mouseClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.preview_opened, timeout=30000) as blocker:
        qtbot.mouseDClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = blocker.args[0]
    assert isinstance(dialog, PdfPreviewDialog)
    assert dialog.document.pageCount() >= 2 and dialog.copies == 2
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert print_pdf(dialog.document, printer) == dialog.document.pageCount()
    assert out.read_bytes()[:5] == b"%PDF-"
    # the printed copy still carries a code that verifies
    assert qr.decode_pdf(out.read_bytes())
    dialog.save(tmp_path / "saved.pdf")
    assert (tmp_path / "saved.pdf").read_bytes() == dialog.pdf
    dialog.close()


def test_overdue_measure_prompts_release(qtbot, agency, monkeypatch):
    sid = agency.issued(now=ISSUE_TIME - timedelta(days=400))
    page = workflow.SeizurePage(agency.store, agency.actor, sid)
    qtbot.addWidget(page)
    assert not page.banner.isHidden() and not page.release_now.isHidden()
    assert "解除" in page.banner.text()


def test_batch_print_runs_on_a_worker_with_progress(qtbot, agency):
    ids = [agency.issued(items=3) for _ in range(3)]
    got: list[bytes] = []
    progress: list[int] = []
    op, _dialog = start_batch(agency.store, ids, ["decision", "list"], got.append)
    op.progressed.connect(lambda d, t: progress.append(d))
    with qtbot.waitSignal(op.finished, timeout=30000):
        pass
    assert got and got[0][:5] == b"%PDF-"
    assert len(qr.decode_pdf(got[0])) == 6  # 3 decisions and 3 lists, each its own code
    assert progress and max(progress) > 0


def test_batch_can_be_cancelled(qtbot, agency):
    ids = [agency.issued(items=2) for _ in range(2)]
    got: list[bytes] = []
    op, dialog = start_batch(agency.store, ids * 20, ["decision"], got.append)
    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # Cancel
    with qtbot.waitSignal(op.finished, timeout=30000):
        pass
    assert got == []


def test_verify_dialog_text_and_file(qtbot, agency, tmp_path):
    sid = agency.issued(items=2)
    with agency.store.write() as s:
        seizure = service.load(s, sid)
        text = service.payload_for(agency.store, s, seizure, "decision",
                                   service.snapshot(s, seizure))
        pdf = service.notice_pdf(agency.store, s, sid, "decision")
    dialog = VerifyDialog(agency.store)
    qtbot.addWidget(dialog)
    dialog.text.setPlainText(text)
    with qtbot.waitSignal(dialog.verified, timeout=10000) as blocker:
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0][0].valid and dialog.status.text() == "有效"
    assert "𠮷祥日杂商行" in dialog.details.toPlainText()
    with qtbot.waitSignal(dialog.verified, timeout=10000) as blocker:
        dialog.verify(text.replace("|2|", "|9|"))
    assert not blocker.args[0][0].valid and dialog.status.text() == "无效"
    assert "签名无效" in dialog.details.toPlainText()
    path = tmp_path / "page.png"
    next(qr.pdf_page_images(pdf, dpi=150)).save(path)
    with qtbot.waitSignal(dialog.verified, timeout=20000) as blocker:
        dialog.verify(str(path))
    assert blocker.args[0] and blocker.args[0][0].valid


def test_deadline_panel(qtbot, agency):
    overdue = agency.issued(now=ISSUE_TIME - timedelta(days=400))
    panel = workflow.DeadlinePanel(agency.store)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.table.rowCount() == 1
    assert "解除" in panel.table.item(0, 3).text()
    with qtbot.waitSignal(panel.open_seizure) as blocker:
        panel.table.cellDoubleClicked.emit(0, 0)
    assert blocker.args == [overdue]


def test_seizure_dialog_opens_an_existing_record(qtbot, agency):
    sid = agency.issued()
    dialog = workflow.SeizureDialog(agency.store, agency.actor, sid)
    qtbot.addWidget(dialog)
    assert dialog.page.state == "issued" and "示例市监强制" in dialog.page.status.state_label.text()
    assert "示例市监强制" in dialog.page.header.text()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_window_fits_a_1366x768_laptop_without_clipping(qtbot, agency, lang, tmp_path):
    from PySide6.QtWidgets import (
        QApplication,
        QCheckBox,
        QRadioButton,
        QTableWidget,
    )

    from inspector_app.core import i18n

    i18n.set_language(lang)
    sid = agency.issued(items=4)
    dialog = workflow.SeizureDialog(agency.store, agency.actor, sid)
    qtbot.addWidget(dialog)
    # The size the dialog picks on a 1366×768 screen less a 40-pixel task bar.
    room_w, room_h = 1366, 768 - 40
    width, height = min(1000, room_w - 40), min(700, room_h - 60)
    assert dialog.minimumSizeHint().width() <= width
    assert dialog.minimumSizeHint().height() <= height
    dialog.resize(width, height)
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.page
    assert page.tabs.tabBar().sizeHint().width() <= page.tabs.width()  # no scroll arrows
    for n in range(page.tabs.count()):
        page.tabs.setCurrentIndex(n)
        QApplication.processEvents()  # lay the tab out
        dialog.grab().save(str(tmp_path / f"{lang}-{n}.png"))
        for table in page.tabs.currentWidget().findChildren(QTableWidget):
            header = table.horizontalHeader()
            for col in range(table.columnCount()):
                text = table.horizontalHeaderItem(col).text()
                assert header.sectionSize(col) >= header.fontMetrics().horizontalAdvance(text), \
                    (lang, n, text)
        buttons = [b for kind in (QPushButton, QCheckBox, QRadioButton)
                   for b in page.findChildren(kind)]
        for button in buttons:
            if button.isVisible():
                assert button.width() >= button.sizeHint().width(), (lang, button.text())
    assert page.header.width() <= page.width()
    assert page.header.heightForWidth(page.header.width()) <= 2 * page.header.sizeHint().height()


def test_extend_then_release_through_the_dialogs(qtbot, agency):
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    from inspector_app.core.store import utcnow

    sid = agency.issued(now=utcnow() - timedelta(days=3))
    page = open_page(qtbot, agency, sid)
    qtbot.mouseClick(page.extend_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.findChild(QPlainTextEdit).setPlainText("需送检验机构检验")
    dialog.findChild(QLineEdit, "extension_approver").insert("王局长")
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    with qtbot.waitSignal(page.op_done, timeout=30000) as blocker:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert blocker.args[0], page.problems.text()
    assert agency.seizure(sid).state == "extended" and "已延长" in page.header.text()
    assert not page.extend_button.isEnabled()
    page.close_box.setCurrentIndex(page.close_box.findData("released"))
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    with qtbot.waitSignal(page.preview_opened, timeout=30000) as blocker:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # released: the notice opens
    assert agency.seizure(sid).state == "released" and "已解除" in page.header.text()
    assert blocker.args[0].document.pageCount() >= 1
    blocker.args[0].close()
