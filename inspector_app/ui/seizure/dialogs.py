"""Small dialogs of the seizure workflow: the fields of one transition, and a party's details
(a new party, or the same party completed, e.g. a trader typed in at a check)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.core.seizure import service
from inspector_app.core.validation import ValidationError
from inspector_app.ui.errors import ERROR_STYLE


class ActionDialog(QDialog):
    """The fields one transition asks for."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)


PARTY_FIELDS = ("name", "credit_code", "licence_name", "address", "legal_rep", "id_number",
                "phone")


class PartyDialog(QDialog):
    """A party's details, checked as they are entered: a new party, or (given `current`)
    the details of an existing party completed or corrected. OK checks the fields and
    emits `submitted`; whoever saves them closes the dialog with `accept()`, or leaves it
    open with `show_error()`."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None,
                 current: service.PartyInput | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Complete the party") if current else _("New party"))
        self.kind = QComboBox()
        self.kind.addItem(_("Enterprise"), "enterprise")
        self.kind.addItem(_("Individual"), "individual")
        self.fields = {key: QLineEdit() for key in PARTY_FIELDS}
        metrics = self.fontMetrics()
        for key, edit in self.fields.items():
            edit.setObjectName(key)
            # Room for an 18-character code and a typical address without scrolling.
            sample = "商" * 30 if key == "address" else "0" * 22
            edit.setMinimumWidth(metrics.horizontalAdvance(sample) + 16)
        labels = {"name": _("Name"), "credit_code": _("Unified social credit code"),
                  "licence_name": _("Licence"), "address": _("Address"),
                  "legal_rep": _("Legal representative"), "id_number": _("ID number"),
                  "phone": _("Phone")}
        form = QFormLayout()
        form.addRow(_("Kind"), self.kind)
        for key, edit in self.fields.items():
            form.addRow(labels[key], edit)
        if current is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(current.kind)))
            for key, edit in self.fields.items():
                edit.setText(getattr(current, key))
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if current is not None:
            note = QLabel(_("The changes are a new version of the same party; its earlier "
                            "details stay in its history."))
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def party_input(self) -> service.PartyInput:
        return service.PartyInput(kind=self.kind.currentData(),
                                  **{k: e.text() for k, e in self.fields.items()})

    def show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        if field in self.fields:
            self.fields[field].setFocus()

    def _accept(self) -> None:
        try:
            service.check_party_input(self.party_input())
        except ValidationError as exc:
            self.show_error(exc.message, exc.field)
            return
        self.error.setText("")
        self.submitted.emit()
