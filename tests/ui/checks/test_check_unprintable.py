"""Printing a check record with a character no bundled font has: a message box, no PDF."""

from __future__ import annotations

from check_helpers import kettle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from inspector_app.core.checks import service
from inspector_app.ui import checks
from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog


def test_print_button_refuses_a_record_with_a_character_no_font_has(qtbot, env):
    store, actor, market = env
    data = kettle(market)
    data.values["manufacturer"] = "佛山市美厨\U0002EBF0电器有限公司"  # Ext I: in no font
    with store.write() as session:
        saved = service.save(session, actor, data, final=True, store=store)
    dialog = checks.open_check(store, actor, saved.check_id)
    qtbot.addWidget(dialog)
    page = dialog.page
    dialog.show()
    qtbot.waitUntil(page.print_button.isEnabled)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "unprintable_box", None) is not None, timeout=20_000)
    box = page.unprintable_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.windowTitle() == "无法打印"
    assert box.text().startswith("无法打印：字体中没有以下字符：\U0002EBF0（U+2EBF0）。")
    assert not [w for w in dialog.findChildren(PdfPreviewDialog)]  # no document shown
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
