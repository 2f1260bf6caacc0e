"""The document preview fits the screen it opens on, its Print… and Save as PDF… buttons on
that screen, and shows a whole page.

The module runs twice: on the test session's offscreen screen, and (the last test) once
more in a fresh process whose screen is a 1280x800 laptop's free area (1280x760), where
it also saves a picture of the screen ($PREVIEW_SHOTS, default: the test's tmp folder)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, QSizeF, Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screens import on_screen, run_on_screen, screen_shot

from inspector_app.ui import screen
from inspector_app.ui.fonts import install_app_fonts
from inspector_app.ui.seizure import workflow
from inspector_app.ui.seizure.pdf_preview import FILL, PdfPreviewDialog, preview_size

SMALL = QRect(0, 0, 1280, 760)  # a 1280x800 screen less a 40 px taskbar
ON_SMALL = on_screen(SMALL)
A4 = QSizeF(595.3, 841.9)
CHROME = QSize(40, 70)


def page_shape(size: QSize, chrome: QSize = CHROME) -> float:
    return (size.height() - chrome.height()) / (size.width() - chrome.width())


@pytest.mark.parametrize("area", [
    SMALL, QRect(0, 0, 1366, 728), QRect(0, 0, 1920, 1040), QRect(1920, 0, 2560, 1400),
    QRect(0, 0, 1024, 560),
])
def test_size_is_at_most_90_percent_of_the_screen_and_keeps_the_page_shape(area):
    size = preview_size(area, A4, CHROME)
    assert size.height() == int(area.height() * FILL)
    assert size.width() <= area.width() * FILL
    assert page_shape(size) == pytest.approx(297 / 210, rel=0.01)


def test_a_landscape_page_on_a_narrow_screen_gives_a_lower_window():
    area = QRect(0, 0, 800, 1200)
    size = preview_size(area, A4.transposed(), CHROME)
    assert size.width() == int(800 * FILL) and size.height() < 1200 * FILL
    assert page_shape(size) == pytest.approx(210 / 297, rel=0.01)


def test_the_button_row_widens_a_small_window_never_past_90_percent():
    area = QRect(0, 0, 1024, 400)  # a page of this height is narrower than the buttons
    assert preview_size(area, A4, CHROME).width() < 400
    assert preview_size(area, A4, CHROME, least_width=500).width() == 500
    assert preview_size(area, A4, CHROME, least_width=5000).width() == int(1024 * FILL)


def test_a_document_without_a_page_size_is_shown_as_a4():
    assert preview_size(SMALL, QSizeF(), CHROME) == preview_size(SMALL, A4, CHROME)


def open_preview(qtbot, qapp, agency, kind: str) -> PdfPreviewDialog:
    """Double-click the document in the record's status tab, as the user does (with the
    app's fonts, which set the button row's height)."""
    install_app_fonts(qapp)
    page = workflow.SeizurePage(agency.store, agency.actor, agency.issued(items=30))
    qtbot.addWidget(page)
    page.resize(1000, 680)
    page.show()
    qtbot.waitExposed(page)
    page.tabs.setCurrentWidget(page.status)
    documents = page.status.documents
    row = next(i for i in range(documents.count())
               if documents.item(i).data(Qt.ItemDataRole.UserRole) == kind)
    rect = documents.visualItemRect(documents.item(row))
    qtbot.mouseClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.preview_opened, timeout=30000) as blocker:
        qtbot.mouseDClick(documents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = blocker.args[0]
    qtbot.waitExposed(dialog)
    return dialog


def on_screen_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def test_the_preview_fits_its_screen_with_print_and_save_on_it(qtbot, qapp, agency, tmp_path):
    dialog = open_preview(qtbot, qapp, agency, "list")
    area = screen.available(dialog.parentWidget())
    if ON_SMALL:
        assert area == SMALL
    frame = dialog.frameGeometry()
    assert area.contains(frame), (frame, area)
    inner = dialog.geometry()  # without the window's frame
    assert inner.height() == int(area.height() * FILL)  # the height it has, less a tenth
    assert inner.width() <= area.width() * FILL
    for button in (dialog.print_button, dialog.save_button):
        assert button.isVisible()
        where = on_screen_rect(button)
        assert area.contains(where), (button.text(), where, area)
        assert dialog.childAt(dialog.mapFromGlobal(where.center())) is button  # not covered
    # a whole page shows at the view's fit-to-width zoom
    view = dialog.view
    margins = view.documentMargins()
    page = dialog.document.pagePointSize(0)
    shown_w = view.viewport().width() - margins.left() - margins.right()
    shown_h = shown_w * page.height() / page.width()
    assert shown_h <= view.viewport().height() - margins.top() - margins.bottom() + 2
    assert shown_h >= view.viewport().height() * 0.9  # and not much more than a page
    if ON_SMALL:
        qtbot.wait(1500)  # the view draws its pages in the background
        shots = Path(os.environ.get("PREVIEW_SHOTS") or tmp_path)
        picture = screen_shot(shots / "preview-1280x800.png", SMALL)
        assert picture.stat().st_size > 10_000
    dialog.close()


@pytest.mark.skipif(ON_SMALL, reason="already on the 1280x800 screen")
def test_everything_fits_a_1280x800_screen(tmp_path):
    """This module again, in a fresh process with a 1280x760 offscreen screen."""
    run = run_on_screen(__file__, tmp_path, SMALL)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "9 passed, 1 skipped" in run.stdout.splitlines()[-1], run.stdout[-2000:]
