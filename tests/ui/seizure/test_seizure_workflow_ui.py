"""The workflow page, the preview and print, batch printing, verify dialog, deadline panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QPushButton
from seizure_helpers import ISSUE_TIME

from inspector_app.core.seizure import qr, service
from inspector_app.ui.seizure import workflow
from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog, print_pdf, start_batch
from inspector_app.ui.seizure.verify_dialog import VerifyDialog


@pytest.fixture
def warnings(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(workflow.QMessageBox, "warning",
                        lambda parent, title, text, *a, **k: shown.append(text))
    return shown


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


def test_new_draft_one_officer_refused_then_issued(qtbot, agency, warnings):
    page = workflow.SeizurePage(agency.store, agency.actor)
    qtbot.addWidget(page)
    fill(page, agency, agency.officers[:1])
    assert page.save() and page.seizure_id
    assert page.version == 1 and page.state == "draft"
    # one officer: refused with the rule's message, nothing issued
    assert not page.issue()
    assert warnings and "2名" in warnings[-1]
    assert agency.seizure(page.seizure_id).state == "draft"
    # a zero quantity: refused, the draft keeps its version
    page.items.item(0, 3).setText("0")
    assert not page.save()
    assert "大于零" in warnings[-1] and agency.seizure(page.seizure_id).version == 2
    page.items.item(0, 3).setText("12")
    fill(page, agency, agency.officers)
    with qtbot.waitSignal(page.saved):
        assert page.issue(), warnings
    seizure = agency.seizure(page.seizure_id)
    assert seizure.state == "issued" and seizure.number.startswith("示例市监强制")
    assert len(seizure.officers) == 2 and seizure.items[0].name == "电热水壶"
    assert not page.save_button.isEnabled() and page.extend_button.isEnabled()
    kinds = [page.documents.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(page.documents.count())]
    assert kinds == ["decision", "list", "record", "seals"]
    assert page.history.rowCount() == 1


def test_a_31_day_term_is_refused_in_the_form(qtbot, agency, warnings):
    page = workflow.SeizurePage(agency.store, agency.actor)
    qtbot.addWidget(page)
    fill(page, agency, agency.officers)
    page.term.setValue(31)
    assert not page.save() and page.seizure_id is None
    assert "30" in warnings[-1]


def test_preview_shows_the_pages_and_prints(qtbot, agency, tmp_path):
    sid = agency.issued(items=30)
    page = workflow.SeizurePage(agency.store, agency.actor, sid)
    qtbot.addWidget(page)
    dialog = page.preview("list")
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
    assert dialog.page.state == "issued" and "示例市监强制" in dialog.page.state_label.text()
