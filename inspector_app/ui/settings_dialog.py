"""Settings, built from the declared options (`core.settings.OPTIONS`)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import i18n, settings, validation
from inspector_app.core.i18n import _
from inspector_app.core.seizure import numbering
from inspector_app.core.seizure.service import SEIZURE_OPTIONS
from inspector_app.ui.errors import ERROR_STYLE
from inspector_app.ui.screen import fit_to_screen, scrolling

_REQUIRED = {settings.AGENCY_NAME.key, settings.AGENCY_ABBR.key}
# Checks of a value before it is saved (each raises ValidationError with its message).
_CHECKS = {
    numbering.DEVICE_SEGMENT.key: numbering.check_segment,
    settings.DOC_NUMBER_PATTERN.key: numbering.check_pattern,
    numbering.EXTENSION_PATTERN.key: numbering.check_pattern,
    numbering.RELEASE_PATTERN.key: numbering.check_pattern,
}


def editable_options() -> list[settings.Option]:
    """The general settings, then the seizure ones that are plain text."""
    return ([o for o in settings.OPTIONS if o.user_editable]
            + [o for o in SEIZURE_OPTIONS if o.type is str])


class SettingsForm(QWidget):
    """One editor per user-editable option; `save()` writes them in one transaction."""

    saved = Signal()
    language_changed = Signal(str)

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.editors: dict[str, QWidget] = {}
        self.options = editable_options()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        with store.read() as session:
            values = {o.key: o.get(session) for o in self.options}
            device = settings.DEVICE_ID.get(session)
        for option in self.options:
            editor = self._editor(option, values[option.key])
            editor.setObjectName(option.key)
            self.editors[option.key] = editor
            form.addRow(_(option.description), editor)
        self.language_note = QLabel(_("A new language applies at once."))
        self.language_note.setStyleSheet("color: #555;")
        form.addRow("", self.language_note)
        form.addRow(_(settings.DEVICE_ID.description), QLabel(device or "—"))
        form.addRow(_("Data folder"), QLabel(str(store.data_dir)))
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.message = QLabel()
        self.message.setObjectName("message")
        layout.addWidget(self.message)
        layout.addStretch(1)

    def _editor(self, option, value) -> QWidget:
        if option.key == settings.LANGUAGE.key:
            combo = QComboBox()
            for code, name in i18n.LANGUAGES.items():
                combo.addItem(name, code)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            return combo
        if option.type is bool:
            box = QCheckBox()
            box.setChecked(bool(value))
            return box
        if option.type is int:
            spin = QSpinBox()
            spin.setRange(-1_000_000, 1_000_000)
            spin.setValue(int(value))
            return spin
        edit = QLineEdit(str(value))
        edit.setMinimumWidth(360)
        return edit

    def value(self, key: str):
        editor = self.editors[key]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def save(self) -> bool:
        values = {}
        for option in self.options:
            value = self.value(option.key)
            if option.key in _REQUIRED and not value:
                self.error.setText(_("{field} may not be empty.").format(
                    field=_(option.description)))
                self.error.show()
                return False
            check = _CHECKS.get(option.key)
            if check and value:
                try:
                    value = check(value)
                except validation.ValidationError as exc:
                    self.error.setText(_("{field}: {message}").format(
                        field=_(option.description), message=exc.message))
                    self.error.show()
                    return False
            values[option.key] = value
        self.error.hide()
        with self.store.write() as session:
            old_language = settings.LANGUAGE.get(session)
            for option in self.options:
                option.set(session, values[option.key])
        self.message.setText(_("Saved."))
        self.saved.emit()
        new_language = self.value(settings.LANGUAGE.key)
        if new_language != old_language:
            self.language_changed.emit(new_language)
        return True


class SettingsPage(QWidget):
    """The settings form with a Save button, as a page of the main window."""

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        title = QLabel(_("Settings"))
        title.setObjectName("title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        title.setFont(font)
        layout.addWidget(title)
        self.form = SettingsForm(store)
        layout.addWidget(scrolling(self.form), 1)
        row = QHBoxLayout()
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self.form.save)
        row.addWidget(self.save_button)
        row.addStretch()
        layout.addLayout(row)


class SettingsDialog(QDialog):
    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        layout = QVBoxLayout(self)
        self.form = SettingsForm(store)
        layout.addWidget(scrolling(self.form), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        hint = self.form.sizeHint()
        fit_to_screen(self, QSize(hint.width() + 48, hint.height() + 80))

    def _save(self) -> None:
        if self.form.save():
            self.accept()
