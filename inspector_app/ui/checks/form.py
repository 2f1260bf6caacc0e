"""Widgets built from a checklist definition: its fields, and its checklist.

`FieldsForm` makes one editor per field (line edit, text box, choice list, yes/no switch,
barcode entry), marks required fields, shows and hides conditional fields as values change,
and shows each problem under its field in the user's language. `Checklist` makes one row
per item with its legal basis and a conforms / does not conform / not applicable switch.

Keyboard: Tab and Shift+Tab go through the editors in the definition's order; Enter goes to
the next one. On a switch, 1 / Y / P means yes or conforms, 2 / N / F no or does not
conform, 3 / 0 / - not applicable; choosing moves on to the next editor (to the note after
a failed item).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.checks import rules
from inspector_app.core.checks.rules import Answer
from inspector_app.core.i18n import _
from inspector_app.forms.definitions import Definition, Field, Item
from inspector_app.ui.errors import ERROR_STYLE

REQUIRED_MARK = "<span style='color:#b00020'> *</span>"
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def focus_next(widget: QWidget) -> None:
    """Give the focus to the next widget that takes it by Tab (as Tab does, but also from
    widgets that use Tab themselves, such as a date editor's sections)."""
    current = widget
    for _n in range(1000):
        current = current.nextInFocusChain()
        if current is widget:
            return
        if (current.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus \
                and current.isVisible() and current.isEnabled() \
                and current.focusProxy() is None and current.window() is widget.window():
            current.setFocus(Qt.FocusReason.TabFocusReason)
            return


class EnterMovesOn(QObject):
    """Enter in an editor moves the focus to the next one (as Tab does)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in _ENTER and not event.modifiers() & (
                    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            if isinstance(obj, QWidget):
                focus_next(obj)
                return True
        return False


class Switch(QFrame):
    """A row of mutually exclusive buttons chosen by click or key; one focus stop.

    `options` are (value, label, keys). The value is "" until one is chosen.
    """

    changed = Signal(str)
    chosen_by_key = Signal(str)

    def __init__(self, options: list[tuple[str, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._value = ""
        self._keys: dict[str, str] = {}
        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 2, 2, 2)
        row.setSpacing(2)
        for value, label, keys in options:
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setObjectName(f"opt_{value}")
            button.setMinimumWidth(56)
            button.clicked.connect(lambda _c=False, v=value: self.set_value(v, user=True))
            row.addWidget(button)
            self.buttons[value] = button
            for key in keys:
                self._keys[key] = value
        row.addStretch(1)
        self._style()

    def value(self) -> str:
        return self._value

    def set_value(self, value: str, user: bool = False) -> None:
        if value not in self.buttons and value != "":
            value = ""
        for v, button in self.buttons.items():
            button.setChecked(v == value)
        changed = value != self._value
        self._value = value
        self._style()
        if changed or user:
            self.changed.emit(value)

    def _style(self) -> None:
        colours = {"pass": "#2e7d32", "yes": "#2e7d32", "fail": "#b00020", "no": "#455a64",
                   "na": "#607d8b"}
        for v, button in self.buttons.items():
            if button.isChecked():
                button.setStyleSheet(f"QToolButton {{ background: {colours.get(v, '#1f3a5f')};"
                                     " color: white; border-radius: 3px; padding: 3px 8px; }")
            else:
                button.setStyleSheet("QToolButton { padding: 3px 8px; }")

    def focusInEvent(self, event) -> None:
        self.setStyleSheet("Switch { border: 2px solid #2f5d95; border-radius: 4px; }")
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.setStyleSheet("")
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text().lower()
        values = list(self.buttons)
        if text and text in self._keys:
            self.set_value(self._keys[text], user=True)
            self.chosen_by_key.emit(self._value)
            return
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Space):
            step = -1 if event.key() == Qt.Key.Key_Left else 1
            index = values.index(self._value) if self._value in values else -1
            self.set_value(values[(index + step) % len(values)], user=True)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.set_value("", user=True)
            return
        super().keyPressEvent(event)


def yes_no_switch() -> Switch:
    return Switch([("yes", _("Yes"), "1y是"), ("no", _("No"), "2n0否")])


class FieldRow:
    """The editor, label and error line of one field."""

    def __init__(self, field: Field, editor: QWidget, container: QWidget, label: QLabel,
                 error: QLabel, get: Callable[[], Any], put: Callable[[Any], None]):
        self.field, self.editor, self.container = field, editor, container
        self.label, self.error = label, error
        self.get, self.put = get, put
        self.touched = False


class FieldsForm(QWidget):
    """The fields of a definition."""

    changed = Signal(str)  # a field's value changed (its key)
    committed = Signal(str)  # a field was left or chosen: save the draft now
    barcode_photo_requested = Signal()

    def __init__(self, defn: Definition, parent: QWidget | None = None):
        super().__init__(parent)
        self.defn = defn
        self.rows: dict[str, FieldRow] = {}
        self._filter = EnterMovesOn(self)
        self._loading = False
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for f in defn.fields:
            self._add(f)
        self.update_visibility()

    # --- building -------------------------------------------------------------------------

    def _add(self, f: Field) -> None:
        text = f.label()
        if f.unit:
            text += f" ({f.unit()})"
        label = QLabel(text + (REQUIRED_MARK if f.required else ""))
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setObjectName(f"label_{f.key}")
        if f.help:
            label.setToolTip(f.help())
        editor, get, put, extra = self._editor(f)
        editor.setObjectName(f"field_{f.key}")
        if f.help:
            editor.setToolTip(f.help())
        error = error_label(f"error_{f.key}")
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        if extra is not None:
            line = QHBoxLayout()
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(editor, 1)
            line.addWidget(extra)
            column.addLayout(line)
        else:
            column.addWidget(editor)
        column.addWidget(error)
        label.setBuddy(editor)
        self.form.addRow(label, container)
        self.rows[f.key] = FieldRow(f, editor, container, label, error, get, put)

    def _editor(self, f: Field):
        key = f.key
        if f.type == "multiline":
            box = QPlainTextEdit()
            box.setTabChangesFocus(True)
            box.setFixedHeight(box.fontMetrics().lineSpacing() * 3 + 12)
            box.textChanged.connect(lambda: self._typed(key))
            box.installEventFilter(_FocusOut(box, lambda: self._left(key)))
            return box, box.toPlainText, lambda v: box.setPlainText(v or ""), None
        if f.type == "choice":
            combo = QComboBox()
            combo.addItem("", "")
            for choice in f.choices:
                combo.addItem(choice.label(), choice.value)
            combo.installEventFilter(self._filter)
            combo.currentIndexChanged.connect(lambda _i: self._chosen(key))

            def put_choice(v: Any, combo=combo) -> None:
                combo.setCurrentIndex(max(combo.findData(v if v is not None else ""), 0))

            return combo, lambda: combo.currentData() or "", put_choice, None
        if f.type == "yesno":
            switch = yes_no_switch()
            switch.changed.connect(lambda _v: self._chosen(key))
            switch.chosen_by_key.connect(lambda _v, s=switch: focus_next(s))
            switch.installEventFilter(self._filter)

            def get_yes() -> Any:
                return {"yes": True, "no": False}.get(switch.value())

            def put_yes(v: Any) -> None:
                switch.set_value("yes" if v is True else "no" if v is False else "")

            return switch, get_yes, put_yes, None
        edit = QLineEdit()
        edit.installEventFilter(self._filter)
        if f.placeholder:
            edit.setPlaceholderText(f.placeholder())
        elif f.type == "date":
            edit.setPlaceholderText(_("YYYY-MM-DD"))
        if f.type in ("text",) and f.max_length:
            edit.setMaxLength(f.max_length)
        edit.textChanged.connect(lambda _t: self._typed(key))
        edit.editingFinished.connect(lambda: self._left(key))
        extra = None
        if f.type == "gtin13":
            edit.setMaxLength(20)
            edit.setPlaceholderText(_("13 digits"))
            button = QPushButton(_("Read from photo…"))
            button.setObjectName("read_barcode")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(self.barcode_photo_requested)
            extra = button
        return edit, edit.text, lambda v: edit.setText("" if v is None else str(v)), extra

    # --- values ---------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, row in self.rows.items():
            value = row.get()
            if isinstance(value, bool) or (value not in (None, "")):
                out[key] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for key, row in self.rows.items():
                row.put(values.get(key))
        finally:
            self._loading = False
        self.update_visibility()

    def set_value(self, key: str, value: Any) -> None:
        row = self.rows[key]
        row.put(value)
        row.touched = True
        self.validate_touched()
        self.committed.emit(key)

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows.values():
            editor = row.editor
            if isinstance(editor, (QLineEdit, QPlainTextEdit)):
                editor.setReadOnly(read_only)
            else:
                editor.setEnabled(not read_only)
        for button in self.findChildren(QPushButton):
            button.setEnabled(not read_only)

    # --- reacting -------------------------------------------------------------------------

    def _typed(self, key: str) -> None:
        if self._loading:
            return
        self.update_visibility()
        if self.rows[key].error.isVisible():
            self.validate_touched()  # the message goes as soon as the value is right
        self.changed.emit(key)

    def _left(self, key: str) -> None:
        if self._loading:
            return
        row = self.rows[key]
        if row.field.type == "date":
            day = rules.parse_date(row.get() or "")
            if day is not None and row.get() != day.isoformat():
                row.put(day.isoformat())
        row.touched = True
        self.validate_touched()
        self.committed.emit(key)

    def _chosen(self, key: str) -> None:
        if self._loading:
            return
        self.rows[key].touched = True
        self.update_visibility()
        self.validate_touched()
        self.changed.emit(key)
        self.committed.emit(key)

    def update_visibility(self) -> None:
        shown = set(self.defn.visible_keys(self.values()))
        for key, row in self.rows.items():
            visible = key in shown
            if self.form.isRowVisible(row.container) != visible:
                self.form.setRowVisible(row.container, visible)

    def is_shown(self, key: str) -> bool:
        return self.form.isRowVisible(self.rows[key].container)

    # --- problems -------------------------------------------------------------------------

    def validate_touched(self) -> dict[str, str]:
        """Show the problems of the fields the inspector has been in (drafts' rules)."""
        _clean, problems = rules.check_values(self.defn, self.values(), final=False)
        self.show_problems({k: v for k, v in problems.items() if self.rows[k].touched},
                           replace=True)
        return problems

    def show_problems(self, problems: dict[str, str], replace: bool = True) -> None:
        for key, row in self.rows.items():
            message = problems.get(key)
            if message:
                row.error.setText(message)
                row.error.show()
            elif replace:
                row.error.clear()
                row.error.hide()

    def problems_shown(self) -> dict[str, str]:
        return {k: r.error.text() for k, r in self.rows.items() if r.error.isVisible()}

    def focus(self, key: str) -> None:
        row = self.rows.get(key)
        if row is not None:
            row.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def editors(self) -> list[QWidget]:
        return [row.editor for row in self.rows.values()]


class _FocusOut(QObject):
    def __init__(self, parent: QObject, callback: Callable[[], None]):
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._callback()
        return False


class ItemRow:
    def __init__(self, item: Item, frame: QWidget, switch: Switch, note: QLineEdit,
                 error: QLabel, number: QLabel):
        self.item, self.frame, self.switch, self.note = item, frame, switch, note
        self.error, self.number = error, number


class Checklist(QWidget):
    """The checklist of a definition: one row per item, numbered as it applies."""

    changed = Signal(str)  # an answer changed (item key)
    committed = Signal(str)

    def __init__(self, defn: Definition, parent: QWidget | None = None):
        super().__init__(parent)
        self.defn = defn
        self.rows: dict[str, ItemRow] = {}
        self._filter = EnterMovesOn(self)
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for item in defn.checklist:
            layout.addWidget(self._row(item))

    def _row(self, item: Item) -> QWidget:
        frame = QFrame()
        frame.setObjectName(f"item_{item.key}")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        number = QLabel()
        number.setMinimumWidth(22)
        number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        title = QLabel(item.label())
        title.setWordWrap(True)
        title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        basis = QLabel(_("Basis: {basis}").format(basis=item.basis()))
        basis.setWordWrap(True)
        basis.setStyleSheet("color: #5f6b7a; font-size: 11px;")
        if item.hint:
            title.setToolTip(item.hint())
        options = [("pass", _("Conforms"), "1yp"), ("fail", _("Fails"), "2nf")]
        if item.allow_na:
            options.append(("na", _("N/A"), "30-"))
        switch = Switch(options)
        switch.setObjectName(f"result_{item.key}")
        switch.installEventFilter(self._filter)
        note = QLineEdit()
        note.setObjectName(f"note_{item.key}")
        note.setPlaceholderText(item.fail_note() if item.fail_note else _("Note (what was found)"))
        note.installEventFilter(self._filter)
        error = error_label(f"item_error_{item.key}")
        grid.addWidget(number, 0, 0, 2, 1)
        grid.addWidget(title, 0, 1)
        grid.addWidget(switch, 0, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(basis, 1, 1)
        grid.addWidget(note, 1, 2)
        grid.addWidget(error, 2, 1, 1, 2)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        row = ItemRow(item, frame, switch, note, error, number)
        self.rows[item.key] = row
        switch.changed.connect(lambda _v, k=item.key: self._answered(k))
        switch.chosen_by_key.connect(lambda v, r=row: self._advance(r, v))
        note.textChanged.connect(lambda _t, k=item.key: self._noted(k))
        note.editingFinished.connect(lambda k=item.key: self.committed.emit(k))
        return frame

    def _advance(self, row: ItemRow, value: str) -> None:
        if value == "fail":
            row.note.setFocus(Qt.FocusReason.TabFocusReason)
        else:  # skip the note of an item that conforms
            focus_next(row.note)

    def _answered(self, key: str) -> None:
        if self._loading:
            return
        row = self.rows[key]
        row.error.hide()
        self.changed.emit(key)
        self.committed.emit(key)

    def _noted(self, key: str) -> None:
        if not self._loading:
            self.changed.emit(key)

    def answers(self) -> dict[str, Answer]:
        return {k: Answer(r.switch.value(), r.note.text()) for k, r in self.rows.items()
                if r.switch.value() or r.note.text()}

    def set_answers(self, answers: dict[str, Answer]) -> None:
        self._loading = True
        try:
            for key, row in self.rows.items():
                answer = answers.get(key, Answer())
                row.switch.set_value(answer.result)
                row.note.setText(answer.note)
        finally:
            self._loading = False

    def set_answer(self, key: str, result: str, note: str = "") -> None:
        row = self.rows[key]
        row.switch.set_value(result, user=True)
        if note:
            row.note.setText(note)

    def apply(self, values: dict[str, Any]) -> None:
        """Show the items that apply for `values`, numbered in order."""
        applicable = {i.key for i in self.defn.applicable_items(values)}
        n = 0
        for key, row in self.rows.items():
            shown = key in applicable
            row.frame.setVisible(shown)
            if shown:
                n += 1
                row.number.setText(f"{n}.")

    def applicable_keys(self) -> list[str]:
        return [k for k, r in self.rows.items() if not r.frame.isHidden()]

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, row in self.rows.items():
            message = problems.get(f"item:{key}")
            row.error.setText(message or "")
            row.error.setVisible(bool(message))

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows.values():
            row.switch.setEnabled(not read_only)
            row.note.setReadOnly(read_only)

    def editors(self) -> list[QWidget]:
        out: list[QWidget] = []
        for row in self.rows.values():
            out += [row.switch, row.note]
        return out
