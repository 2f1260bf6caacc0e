"""The preview shows every page of the document: the first in sight when it opens, the
last after scrolling down with the keyboard or the mouse wheel; a file that is no PDF
shows no page and no error."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from inspector_app.ui.seizure import workflow
from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog


def ink_rows(image: QImage) -> list[int]:
    """The rows of the picture with dark pixels (text, rules), every 2nd row sampled."""
    return [y for y in range(0, image.height(), 2)
            if any(image.pixelColor(x, y).lightness() < 100
                   for x in range(0, image.width(), 3))]


def open_list(qtbot, agency) -> PdfPreviewDialog:
    """Double-click the 财物清单 of a measure with 30 items (two pages)."""
    page = workflow.SeizurePage(agency.store, agency.actor, agency.issued(items=30))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.tabs.setCurrentWidget(page.status)
    documents = page.status.documents
    row = next(i for i in range(documents.count())
               if documents.item(i).data(Qt.ItemDataRole.UserRole) == "list")
    rect = documents.visualItemRect(documents.item(row))
    qtbot.mouseClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.preview_opened, timeout=30000) as blocker:
        qtbot.mouseDClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = blocker.args[0]
    qtbot.waitExposed(dialog)
    return dialog


def test_the_pages_show_one_under_another_and_scroll(qtbot, agency):
    dialog = open_list(qtbot, agency)
    assert dialog.pages.text() == "共 2 页"
    view = dialog.view
    first = view.viewport().grab().toImage()
    assert ink_rows(first), "the first page shows no text"
    bar = view.verticalScrollBar()
    assert bar.value() == 0 and bar.maximum() > view.viewport().height() // 2  # two pages

    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert bar.value() == bar.maximum()
    last = view.viewport().grab().toImage()
    assert ink_rows(last) and last != first  # the second page, drawn

    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert bar.value() == 0
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(centre, QPointF(view.viewport().mapToGlobal(centre.toPoint())),
                        QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert 0 < bar.value() < bar.maximum()
    assert view.viewport().grab().toImage() not in (first, last)
    dialog.close()


def ink_right(image: QImage) -> int:
    """The right-most column of the picture with dark pixels."""
    return max((x for x in range(0, image.width(), 2)
                if any(image.pixelColor(x, y).lightness() < 100
                       for y in range(0, image.height(), 3))), default=-1)


def test_the_page_follows_the_window_width(qtbot, agency):
    dialog = open_list(qtbot, agency)
    view = dialog.view
    before = ink_right(view.viewport().grab().toImage())
    dialog.resize(dialog.width() + 200, dialog.height())
    qtbot.waitUntil(lambda: view.page_rects()[0].width() == view.viewport().width() - 12)
    after = ink_right(view.viewport().grab().toImage())
    assert after > before + 100  # the page is drawn larger, to the new width
    dialog.close()


def test_a_file_that_is_no_pdf_shows_no_page(qtbot):
    dialog = PdfPreviewDialog(b"not a PDF at all", "x")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.pages.text() == "共 0 页"
    assert dialog.document.pageCount() == 0 and not ink_rows(dialog.view.viewport().grab()
                                                              .toImage())
    assert dialog.print_button.isVisible()
