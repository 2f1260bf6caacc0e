"""Preview a PDF inside the app, print it through the system dialog, save it; and make a
batch of notices on a worker thread with progress and cancel.

The pages are rasterised by the app's one PDF rasteriser (`core.pdf.raster`, PDFium),
which the QR check uses too; the view draws them one under another at the width of the
window (QtPdf would be a second copy of PDFium in the build)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QMargins, QRect, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.core.pdf import raster
from inspector_app.ui import screen, tasks
from inspector_app.ui.errors import show_message

PRINT_DPI = 300
FILL = 0.9  # the preview takes at most this share of the screen's free area
A4 = QSizeF(595.3, 841.9)  # points, for a document without pages


def preview_size(area: QRect, page: QSizeF, chrome: QSize, least_width: int = 0) -> QSize:
    """The preview's size on a screen whose free area is `area`: 90 % of its height, and
    as wide as a page of `page`'s shape then is (a whole page shows at the view's fit-to-
    width zoom), plus `chrome` (margins, frame, scroll bar, the button row). A page too
    wide for 90 % of the width gives a lower window instead; the button row's
    `least_width` widens it, never past 90 %."""
    if not (page.isValid() and page.width() > 0 and page.height() > 0):
        page = A4
    ratio = page.width() / page.height()
    most_w, most_h = int(area.width() * FILL), int(area.height() * FILL)
    page_h = most_h - chrome.height()
    page_w = page_h * ratio
    if page_w + chrome.width() > most_w:
        page_w = most_w - chrome.width()
        page_h = page_w / ratio
    width = max(round(page_w) + chrome.width(), least_width)
    return QSize(min(width, most_w), round(page_h) + chrome.height())


class PdfDocument:
    """The pages of a PDF for Qt: their count, their sizes in points, each as a QImage. A
    PDF that cannot be read has no pages."""

    def __init__(self, pdf: bytes):
        self.pages = raster.Pages(pdf)

    def pageCount(self) -> int:
        return len(self.pages)

    def pagePointSize(self, index: int) -> QSizeF:
        return QSizeF(*self.pages.size(index))

    def render(self, index: int, size: QSize) -> QImage:
        """Page `index`, `size.width()` pixels wide (its height in the page's shape)."""
        pixels = self.pages.render(index, size.width())
        if pixels is None:
            return QImage()
        return QImage(pixels.data, pixels.width, pixels.height, pixels.stride,
                      QImage.Format.Format_RGB32).copy()


class PdfView(QAbstractScrollArea):
    """The pages one under another, each as wide as the view less its margins (fit to
    width), on a grey ground; scrolled with the bar, the wheel, the arrow and page keys, Home
and End. Only the
    pages in sight are rendered, again when the width changes."""

    MARGIN = 6
    SPACING = 6

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.document: PdfDocument | None = None
        self._images: dict[int, QImage] = {}
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Dark)
        self.viewport().setAutoFillBackground(True)

    def setDocument(self, document: PdfDocument) -> None:
        self.document = document
        self._images.clear()
        self._update_bar()
        self.viewport().update()

    def documentMargins(self) -> QMargins:
        m = self.MARGIN
        return QMargins(m, m, m, m)

    def page_rects(self) -> list[QRect]:
        """Where each page is, in the coordinates of the whole column of pages."""
        rects: list[QRect] = []
        if self.document is None:
            return rects
        width = max(self.viewport().width() - 2 * self.MARGIN, 1)
        y = self.MARGIN
        for index in range(self.document.pageCount()):
            size = self.document.pagePointSize(index)
            height = round(width * size.height() / size.width()) if size.width() > 0 else 0
            rects.append(QRect(self.MARGIN, y, width, height))
            y += height + self.SPACING
        return rects

    def _update_bar(self) -> None:
        rects = self.page_rects()
        total = rects[-1].bottom() + 1 + self.MARGIN if rects else 0
        bar = self.verticalScrollBar()
        bar.setRange(0, max(total - self.viewport().height(), 0))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(40)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._images.clear()
        self._update_bar()

    def keyPressEvent(self, event) -> None:
        ends = {Qt.Key.Key_Home: QAbstractSlider.SliderAction.SliderToMinimum,
                Qt.Key.Key_End: QAbstractSlider.SliderAction.SliderToMaximum}
        if event.key() in ends:  # the first and last page (the bar does the page keys)
            self.verticalScrollBar().triggerAction(ends[event.key()])
        else:
            super().keyPressEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def paintEvent(self, event) -> None:
        if self.document is None:
            return
        top = self.verticalScrollBar().value()
        sight = self.viewport().rect().translated(0, top)
        ratio = self.devicePixelRatioF()
        painter = QPainter(self.viewport())
        shown: dict[int, QImage] = {}
        for index, rect in enumerate(self.page_rects()):
            if not rect.intersects(sight):
                continue
            image = self._images.get(index)
            if image is None:
                image = self.document.render(index, QSize(round(rect.width() * ratio), 0))
            shown[index] = image
            target = rect.translated(0, -top)
            painter.fillRect(target, Qt.GlobalColor.white)
            if not image.isNull():
                painter.drawImage(target, image)
        painter.end()
        self._images = shown  # only the pages in sight stay rendered


def print_pdf(doc: PdfDocument, printer: QPrinter) -> int:
    """Draw every page of `doc` on `printer` at its resolution; return the pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        pages = doc.pageCount()
        first, last = printer.fromPage(), printer.toPage()
        wanted = range(max(first, 1) - 1, min(last or pages, pages)) if first else range(pages)
        for n, index in enumerate(wanted):
            if n:
                printer.newPage()
            target = printer.pageLayout().paintRectPixels(printer.resolution())
            size = doc.pagePointSize(index)
            dpi = min(printer.resolution(), PRINT_DPI)
            image = doc.render(index, QSize(int(size.width() * dpi / 72),
                                            int(size.height() * dpi / 72)))
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            # The paint engine scales (a printer or PDF keeps the page at `dpi`).
            painter.drawImage(QRect(target.x(), target.y(), scaled.width(), scaled.height()),
                              image)
            printed += 1
    finally:
        painter.end()
    return printed


class PdfPreviewDialog(QDialog):
    """A PDF shown page by page, with Print… and Save as PDF…."""

    def __init__(self, pdf: bytes, title: str = "", copies: int = 1,
                 parent: QWidget | None = None, suggested_name: str = "notice.pdf"):
        super().__init__(parent)
        self.setWindowTitle(title or _("Preview"))
        self.pdf = pdf
        self.copies = copies
        self.suggested_name = suggested_name
        self.document = PdfDocument(pdf)
        self.view = PdfView(self)
        self.view.setDocument(self.document)
        self.pages = QLabel(_("{n} pages").format(n=self.document.pageCount()))
        self.print_button = QPushButton(_("Print…"))
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button = QPushButton(_("Save as PDF…"))
        self.save_button.clicked.connect(self.save_dialog)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.pages)
        row.addStretch()
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._fit_screen(parent, row)

    def _fit_screen(self, parent: QWidget | None, row: QHBoxLayout) -> None:
        """Size to the screen the parent is on (see `preview_size`) and stay on it."""
        layout = self.layout()
        margins, inside = layout.contentsMargins(), self.view.documentMargins()
        frame = 2 * self.view.frameWidth()
        bar = self.view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None,
                                            self.view)
        sides = margins.left() + margins.right()
        chrome = QSize(sides + frame + bar + inside.left() + inside.right(),
                       margins.top() + margins.bottom() + layout.spacing()
                       + row.sizeHint().height() + frame + inside.top() + inside.bottom())
        page = self.document.pagePointSize(0) if self.document.pageCount() else A4
        size = preview_size(screen.available(parent or self), page, chrome,
                            row.sizeHint().width() + sides)
        screen.fit_to_screen(self, size)

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        printer.setCopyCount(self.copies)
        printer.setFromTo(1, self.document.pageCount())
        return printer

    def print_dialog(self) -> None:
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.document.pageCount())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            print_pdf(self.document, printer)

    def save_dialog(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Save as PDF"),
                                                    self.suggested_name, "PDF (*.pdf)")
        if path:
            self.save(Path(path))

    def save(self, path: Path) -> None:
        try:
            path.write_bytes(self.pdf)
        except OSError as exc:
            show_message(self, _("Save as PDF"), _("Cannot write {path}: {error}")
                         .format(path=path, error=exc.strerror))


def show_unprintable(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """Tell the user a document was not made because of characters the fonts lack
    (`fonts.UnprintableText`), naming them; nothing was printed or saved."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Cannot print"),
                      getattr(exc, "message", None) or str(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def start_batch(store, seizure_ids: Sequence[str], kinds: Sequence[str],
                on_done: Callable[[bytes], None], parent: QWidget | None = None,
                on_failure: Callable[[BaseException], None] | None = None
                ) -> tuple[tasks.Operation, QProgressDialog]:
    """Make one PDF of `kinds` for every seizure, on a worker thread, with progress and a
    Cancel button. `on_done(pdf)` runs on the main thread unless it was cancelled."""
    from inspector_app.core.seizure import documents, service

    total = len(seizure_ids)

    def work(job: tasks.Job) -> bytes | None:
        jobs = []
        for n, sid in enumerate(seizure_ids, start=1):
            if job.cancelled():
                return None
            jobs += service.notice_jobs(store, job.session, sid, kinds)
            job.report(n, total * 2)
        return documents.render(
            jobs, progress=lambda done, all_: job.report(total + done * total // all_,
                                                         total * 2),
            cancelled=job.cancelled)

    dialog = QProgressDialog(_("Making {n} notices…").format(n=total), _("Cancel"), 0,
                             max(total * 2, 1), parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def done(pdf: bytes | None) -> None:
        dialog.close()
        if pdf is not None:
            on_done(pdf)

    op = tasks.run_in_background(work, store=store, session="write", on_success=done,
                                 on_failure=on_failure, parent=parent)
    op.progressed.connect(lambda d, t: (dialog.setMaximum(max(t, 1)), dialog.setValue(d)))
    dialog.canceled.connect(op.cancel)
    op.finished.connect(dialog.close)
    dialog.setValue(0)
    return op, dialog
