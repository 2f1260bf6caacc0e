"""A document with a character no bundled font has is refused on screen, naming it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_seizure_workflow_ui import open_page

from inspector_app.core.seizure import service

LACKING = "\U0002EBF0"  # CJK Ext I: no bundled font has a glyph for it


def test_preview_of_a_name_no_font_has_shows_a_message_and_no_document(qtbot, agency):
    with agency.store.write() as s:
        service.save_party(s, agency.actor, service.PartyInput(
            name=f"𠮷祥{LACKING}日杂商行", credit_code="91350100M000100Y43",
            licence_name="营业执照", address="东门路1号", legal_rep="王五",
            phone="13812345678"), agency.party_id)
    sid = agency.issued(items=2)
    page = open_page(qtbot, agency, sid)
    opened = []
    page.preview_opened.connect(opened.append)
    page.tabs.setCurrentWidget(page.status)
    documents = page.status.documents
    row = next(i for i in range(documents.count())
               if documents.item(i).data(Qt.ItemDataRole.UserRole) == "decision")
    rect = documents.visualItemRect(documents.item(row))
    qtbot.mouseClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.op_done, timeout=30000) as blocker:
        qtbot.mouseDClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[0] is False
    box = page.unprintable_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.windowTitle() == "无法打印"
    text = box.text()
    assert text.startswith("无法打印：字体中没有以下字符：")
    assert f"{LACKING}（U+2EBF0）" in text and "𠮷" not in text
    assert page.problems.text() == text  # also said on the page
    assert opened == []  # no preview, nothing to print or save
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
