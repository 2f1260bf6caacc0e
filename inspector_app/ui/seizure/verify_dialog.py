"""Verify a printed notice: open a photo, scan or PDF, or paste the QR code's text."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.ui import tasks


class VerifyDialog(QDialog):
    verified = Signal(list)  # the verdicts, after each check

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("Verify a notice"))
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(_("Paste the text of the QR code here, or open a photo, "
                                       "scan or PDF of the notice."))
        self.text.setMaximumHeight(90)
        self.open_button = QPushButton(_("Open image or PDF…"))
        self.open_button.clicked.connect(self.open_file)
        self.check_button = QPushButton(_("Verify text"))
        self.check_button.clicked.connect(lambda: self.verify(self.text.toPlainText()))
        self.status = QLabel()
        self.status.setStyleSheet("font-size: 18pt; font-weight: bold")
        self.details = QTextBrowser()
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.check_button)
        row.addStretch()
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.details, 1)
        self.resize(620, 460)
        self.operation: tasks.Operation | None = None

    def open_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open image or PDF"), "",
            _("Images and PDF (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.pdf);;All files (*)"))
        if path:
            self.verify(path)

    def verify(self, source: str) -> tasks.Operation | None:
        """Check `source` (a file path or QR text) on a worker thread."""
        from inspector_app.core.seizure import verify

        if not source.strip():
            return None
        self.status.setText(_("Checking…"))
        self.status.setStyleSheet("font-size: 18pt; font-weight: bold; color: #555")
        self.details.clear()
        self.operation = tasks.run_in_background(
            lambda job: verify.verify_input(job.session, source), store=self.store,
            session="read", on_success=self.show_verdicts, on_failure=self._failed,
            parent=self)
        return self.operation

    def show_verdicts(self, verdicts: list) -> None:
        ok = bool(verdicts) and all(v.valid for v in verdicts)
        word = _("VALID") if ok else _("INVALID")
        self.status.setText(word)
        self.status.setStyleSheet("font-size: 18pt; font-weight: bold; color: "
                                  + ("#1b7f2a" if ok else "#b00020"))
        parts = []
        for v in verdicts:
            head = _("VALID") if v.valid else _("INVALID") + ": " + v.reason
            rows = "".join(f"<tr><td>{_esc(label)}</td><td>{_esc(value)}</td></tr>"
                           for label, value in v.summary)
            note = f"<p>{_esc(v.note)}</p>" if v.note else ""
            parts.append(f"<h3>{_esc(head)}</h3><table>{rows}</table>{note}")
        self.details.setHtml("".join(parts))
        self.verified.emit(verdicts)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(_("INVALID"))
        self.details.setPlainText(str(exc))
        self.verified.emit([])


def _esc(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
