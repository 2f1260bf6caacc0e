"""A labeling check in its own window, and the question asked before it closes unsaved."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QVBoxLayout, QWidget

from inspector_app.core import records
from inspector_app.core.checks.service import LocalDraft, Prefill
from inspector_app.core.i18n import _
from inspector_app.forms.definitions import Registry
from inspector_app.ui import review_panel
from inspector_app.ui.checks.page import CheckPage
from inspector_app.ui.screen import fit_to_screen


class CheckDialog(QDialog):
    """A check in its own window, opened from the 标识检查 list."""

    saved = Signal(str)
    seizure_started = Signal(str)

    def __init__(self, store, actor: records.Actor, *, check_id: str | None = None,
                 draft: LocalDraft | None = None, prefill: Prefill | None = None,
                 registry: Registry | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor, self.registry = store, actor, registry
        self.setWindowTitle(_("Labeling check"))
        self.page = CheckPage(store, actor, check_id=check_id, draft=draft, prefill=prefill,
                              registry=registry, parent=self)
        self.page.saved.connect(self.saved)
        self.page.seizure_started.connect(self.seizure_started)
        self.page.next_requested.connect(self._next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.page)
        self.review = review_panel.panel_for(store, "check", check_id, self)  # 审核意见
        if self.review is not None:
            layout.addWidget(self.review)
        fit_to_screen(self, QSize(980, 820))
        self.next_dialog: CheckDialog | None = None
        self.closing_question: QMessageBox | None = None

    def _next(self, prefill: Prefill) -> None:
        dialog = CheckDialog(self.store, self.actor, prefill=prefill, registry=self.registry,
                             parent=self.parentWidget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.saved)
        dialog.seizure_started.connect(self.seizure_started)
        self.next_dialog = dialog
        dialog.show()
        self.accept()

    def done(self, result: int) -> None:  # every way a dialog closes ends here
        if self.page.busy or self.closing_question is not None:
            return
        if self.page.dirty and self.page.status != "final":
            self.ask_before_closing(result)
            return
        self.page.saver.stop()
        super().done(result)

    def ask_before_closing(self, result: int) -> QMessageBox:
        """Save as a draft record, throw the changes away, or stay (asked without blocking)."""
        box = QMessageBox(QMessageBox.Icon.Question, _("Unsaved check"),
                          _("Save the check as a draft record? (Discard throws the changes "
                            "away.)"),
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("close_question")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        self.closing_question = box

        def answered(_code: int) -> None:
            self.closing_question = None
            clicked = box.clickedButton()
            button = box.standardButton(clicked) if clicked is not None else None
            if button == QMessageBox.StandardButton.Discard:
                self.page.discard()
                self.done(result)
            elif button == QMessageBox.StandardButton.Save:
                op = self.page.save_draft()
                if op is not None:
                    op.succeeded.connect(lambda _r: self.done(result))

        box.finished.connect(answered)
        box.open()
        return box

    def close_keeping_draft(self) -> None:
        """Close now and leave the local draft to reopen later (as after a crash)."""
        self.page.flush()
        self.page.saver.stop()
        super().done(2)
