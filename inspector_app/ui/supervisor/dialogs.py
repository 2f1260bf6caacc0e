"""The supervisor's small dialogs: a comment or reason, a handover, a conflict side by side."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.ui.screen import fit_to_screen
from inspector_app.ui.supervisor import content_view
from sync import decisions

DIFFERS = "#fff3c4"  # background of a row whose values differ


class TextDialog(QDialog):
    """Asks for the comment or reason of a decision; an empty one is refused in place."""

    def __init__(self, title: str, prompt: str, empty_message: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.empty_message = empty_message
        fit_to_screen(self, QSize(520, 300))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("text")
        layout.addWidget(self.edit)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("ok")
        self.ok.setText(_("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def accept(self) -> None:
        if not self.text():
            self.error.setText(self.empty_message)
            self.error.show()
            self.edit.setFocus()
            return
        if len(self.text()) > decisions.MAX_TEXT:
            self.error.setText(_("The text is too long (at most {n} characters).").format(
                n=decisions.MAX_TEXT))
            self.error.show()
            return
        super().accept()


class HandoverDialog(TextDialog):
    """Choose the inspector's device the record goes to, and say why."""

    def __init__(self, targets, parent: QWidget | None = None):
        super().__init__(_("Hand the record over"),
                         _("Why is the record handed over?"),
                         _("Write why the record is handed over."), parent)
        self.device = QComboBox()
        self.device.setObjectName("device")
        for target in targets:
            self.device.addItem(_("{name} (device {device})").format(
                name=target.inspector, device=target.device_id[:8]), target.device_id)
        form = QFormLayout()
        form.addRow(_("Hand over to"), self.device)
        self.layout().insertLayout(0, form)
        if not targets:
            self.error.setText(_("No other inspector's device is known: sync first."))
            self.error.show()
            self.ok.setEnabled(False)

    def device_id(self) -> str | None:
        return self.device.currentData()


class ConflictDialog(QDialog):
    """The current content and each conflicting one side by side, field by field; a
    button under each column keeps that version (after asking why).

    The last column is a new content merged of them: a click on a differing value keeps
    that content's value of its field (the current one's by default); a list (items,
    attachments...) is kept whole from one content (`decisions.merge`), so every value
    is one an inspector recorded. "Resolve with the merged content" emits it."""

    chosen = Signal(int, str)  # version, sha256
    merged = Signal(dict)  # the merged content (its "version" the next one)

    def __init__(self, kind: str, sides, rows, names: dict[str, str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.sides = sides
        names = names or {}
        # Technical fields are shown only where the contents differ (content_view).
        self.rows = rows = [r for r in rows
                            if r[2] or r[0].rsplit(".", 1)[-1] not in content_view.TECHNICAL]
        self.picks: dict[str, int] = {}  # top-level field -> side its value comes from
        self.setWindowTitle(_("Conflict: contents side by side"))
        fit_to_screen(self, QSize(1340, 680))
        layout = QVBoxLayout(self)
        note = QLabel(_("The record has more than one content. Rows that differ are "
                        "highlighted. Keep one version whole, or click the values to keep "
                        "in a merged content (a list is kept whole from one content) and "
                        "resolve with it."))
        note.setWordWrap(True)
        layout.addWidget(note)
        self.only_diff = QCheckBox(_("Show only the fields that differ"))
        self.only_diff.setObjectName("only_diff")
        layout.addWidget(self.only_diff)
        self.table = QTableWidget(len(rows), len(sides) + 2)
        self.table.setObjectName("table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        headers = [_("Field")] + [self.side_title(s) for s in sides] + [_("Merged")]
        self.table.setHorizontalHeaderLabels(headers)
        self.cells: list[list[tuple[str, str]]] = []  # per row: each side's (text, tip)
        for r, (path, values, differs) in enumerate(rows):
            key = path.rsplit(".", 1)[-1]
            label = path_label(kind, path)
            cells = [content_view.value(key, v, names, side.offset)
                     for v, side in zip(values, sides, strict=True)]
            self.cells.append(cells)
            for c, (text, tip) in enumerate([(label, label)] + cells + [cells[0]]):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, path)
                elif differs and c <= len(sides):  # shows which value the merge keeps
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                if differs:
                    item.setBackground(QBrush(QColor(DIFFERS)))
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 240)
        self.table.cellClicked.connect(self._clicked)
        layout.addWidget(self.table)
        choose = QHBoxLayout()
        choose.addSpacing(240)
        self.keep_buttons: list[QPushButton] = []
        for n, side in enumerate(sides):
            button = QPushButton(_("Keep this version"))
            button.setObjectName(f"keep_{n}")
            button.setToolTip(self.side_title(side))
            button.clicked.connect(lambda _checked=False, s=side: self.chosen.emit(
                s.version, s.sha256))
            self.keep_buttons.append(button)
            choose.addWidget(button, 1)
        self.merge_button = QPushButton(_("Resolve with the merged content"))
        self.merge_button.setObjectName("resolve_merged")
        self.merge_button.clicked.connect(lambda _checked=False: self.merged.emit(
            self.merged_content()))
        choose.addWidget(self.merge_button, 1)
        layout.addLayout(choose)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.only_diff.toggled.connect(self._filter)
        for field in {path.split(".", 1)[0] for path in self.differing_paths()}:
            self.pick(field, 0)

    @staticmethod
    def side_title(side) -> str:
        when = side.received_at.astimezone().strftime("%Y-%m-%d %H:%M") \
            if side.received_at else ""
        who = side.inspector or _("device {device}").format(device=side.device_id[:8])
        title = _("Version {version} · {who} · {time}").format(
            version=side.version, who=who, time=when)
        return (_("Current: {title}") if side.current else _("Conflicting: {title}")).format(
            title=title)

    def pick(self, field: str, side: int) -> None:
        """Keep side `side`'s value of the top-level `field` in the merged content."""
        self.picks[field] = side
        merged_col = len(self.sides) + 1
        for r, (path, _values, differs) in enumerate(self.rows):
            if not differs or path.split(".", 1)[0] != field:
                continue
            for n in range(len(self.sides)):
                self.table.item(r, n + 1).setCheckState(
                    Qt.CheckState.Checked if n == side else Qt.CheckState.Unchecked)
            text, tip = self.cells[r][side]
            self.table.item(r, merged_col).setText(text)
            self.table.item(r, merged_col).setToolTip(tip)

    def merged_content(self) -> dict:
        contents = [side.content or {} for side in self.sides]
        return decisions.merge(contents, self.picks, self.sides[0].version + 1)

    def _clicked(self, row: int, column: int) -> None:
        path, _values, differs = self.rows[row]
        if differs and 1 <= column <= len(self.sides):
            self.pick(path.split(".", 1)[0], column - 1)

    def differing_paths(self) -> list[str]:
        return [path for path, _values, differs in self.rows if differs]

    def _filter(self, only: bool) -> None:
        for r, (_path, _values, differs) in enumerate(self.rows):
            self.table.setRowHidden(r, only and not differs)


path_label = content_view.path_label
