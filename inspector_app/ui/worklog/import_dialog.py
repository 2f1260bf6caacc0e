"""Bad rows of a paste or import, and the CSV import with its editable column mapping."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _, ngettext
from inspector_app.core.worklog import entry, importing
from inspector_app.core.worklog.importing import CsvMapping, MappingError
from inspector_app.ui import tasks
from inspector_app.ui.screen import fit_to_screen


class BadRowsDialog(QDialog):
    """Every bad row with its reason; the user adds the good rows, or none."""

    chosen = Signal(str)  # importing.GOOD or importing.NONE

    def __init__(self, result: importing.ImportResult, title: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("bad_rows_dialog")
        self.setWindowTitle(title)
        self.result = result
        self.choice = importing.NONE
        self._decided = False
        good, bad = len(result.good), len(result.bad)
        summary = QLabel(ngettext(
            "{bad} row cannot be added. {good} rows are good.",
            "{bad} rows cannot be added. {good} rows are good.", bad).format(bad=bad,
                                                                          good=good))
        summary.setObjectName("summary")
        summary.setWordWrap(True)
        if result.skipped:
            summary.setText(summary.text() + " " + _(
                "{n} rows were left out (empty, or of another day).").format(
                n=len(result.skipped)))
        self.table = QTableWidget(bad, 3, self)
        self.table.setObjectName("bad_rows")
        self.table.setHorizontalHeaderLabels([_("Line"), _("Reason"), _("Row")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for n, row in enumerate(result.bad):
            cells = " | ".join(v for k, v in row.cells.items() if v and k in entry.FIELD_KEYS
                               and k in (result.columns or entry.FIELD_KEYS)) or row.raw
            for col, text in enumerate((str(row.line), row.reason(), cells)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(n, col, item)
        self.table.resizeRowsToContents()
        self.good_button = QPushButton(ngettext("Add the {n} good row", "Add the {n} good rows",
                                                good).format(n=good))
        self.good_button.setObjectName("import_good")
        self.good_button.setEnabled(good > 0)
        self.good_button.clicked.connect(lambda: self._choose(importing.GOOD))
        self.none_button = QPushButton(_("Add none"))
        self.none_button.setObjectName("import_none")
        self.none_button.clicked.connect(lambda: self._choose(importing.NONE))
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.none_button)
        buttons.addWidget(self.good_button)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(820, 420))
        self.none_button.setFocus()

    def _choose(self, choice: str) -> None:
        if self._decided:
            return
        self._decided = True
        self.choice = choice
        self.chosen.emit(choice)
        if choice == importing.GOOD:
            super().accept()
        else:
            super().reject()

    def reject(self) -> None:  # Escape, or closing the window: add none
        self._choose(importing.NONE)


_FIELD_CHOICES = [*entry.FIELD_KEYS, importing.CONCLUSION_FIELD, importing.DATE_FIELD]


def field_label(key: str) -> str:
    if key == importing.CONCLUSION_FIELD:
        return _("Instrument's conclusion (checked, not stored)")
    if key == importing.DATE_FIELD:
        return _("Test date (when the time column has none)")
    return _(entry.FIELDS_BY_KEY[key].label)


class CsvImportDialog(QDialog):
    """Choose a file and a mapping (editable: which column holds each field), check the
    file, and import: with bad rows the user sees them all and chooses."""

    imported = Signal(object)  # the ImportResult whose good rows the user chose to add

    def __init__(self, store, ctx: entry.EntryContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("csv_import_dialog")
        self.setWindowTitle(_("Import an instrument's CSV file"))
        self.store = store
        self.ctx = ctx
        self.data: bytes | None = None
        self.header: list[str] = []
        self.result: importing.ImportResult | None = None
        with store.read() as session:
            self.mappings = importing.load_mappings(session)

        self.path = QLineEdit()
        self.path.setReadOnly(True)
        browse = QPushButton(_("Choose file…"))
        browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)

        self.mapping_box = QComboBox()
        self.mapping_box.setObjectName("mapping")
        for m in self.mappings:
            self.mapping_box.addItem(m.name)
        self.mapping_box.currentIndexChanged.connect(self._show_mapping)
        self.name = QLineEdit()
        self.encoding = QComboBox()
        self.encoding.setEditable(True)
        self.encoding.addItem(_("automatic"), "auto")  # told apart from the file's bytes
        self.encoding.addItems(["utf-8", "gb18030"])
        self.delimiter = QComboBox()
        for label, value in ((_("automatic"), "auto"), (",", ","), (";", ";"),
                             (_("tab"), "\t"), ("|", "|")):
            self.delimiter.addItem(label, value)
        self.header_row = QSpinBox()
        self.header_row.setRange(0, 50)
        self.header_row.setSpecialValueText(_("none (columns by number)"))
        self.header_row.valueChanged.connect(self._read_header)
        self.only_day = QCheckBox(_("Leave out rows of other days"))
        self.default_item = QLineEdit()
        self.default_item.setPlaceholderText(_("e.g. 农药残留, when the file has no item column"))

        self.columns = QTableWidget(len(_FIELD_CHOICES), 2)
        self.columns.setObjectName("columns")
        self.columns.setHorizontalHeaderLabels([_("Field"), _("Column of the file")])
        self.columns.verticalHeader().hide()
        self.columns.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.columns.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for n, key in enumerate(_FIELD_CHOICES):
            item = QTableWidgetItem(field_label(key))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.columns.setItem(n, 0, item)
            combo = QComboBox()
            combo.setEditable(True)
            combo.setObjectName(f"column_{key}")
            self.columns.setCellWidget(n, 1, combo)

        form = QFormLayout()
        form.addRow(_("File"), file_row)
        form.addRow(_("Mapping"), self.mapping_box)
        form.addRow(_("Mapping name"), self.name)
        form.addRow(_("Encoding"), self.encoding)
        form.addRow(_("Delimiter"), self.delimiter)
        form.addRow(_("Header line"), self.header_row)
        form.addRow(_("Test item when empty"), self.default_item)
        form.addRow("", self.only_day)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        save = QPushButton(_("Save mapping"))
        save.clicked.connect(self.save_mapping)
        load_json = QPushButton(_("Open mapping file…"))
        load_json.clicked.connect(self.open_mapping)
        export_json = QPushButton(_("Save mapping file…"))
        export_json.clicked.connect(self.export_mapping)
        self.check_button = QPushButton(_("Check and import"))
        self.check_button.setObjectName("check_import")
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.check_file)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(save)
        buttons.addWidget(load_json)
        buttons.addWidget(export_json)
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(_("Which column of the file holds each field (alternatives "
                                  "separated by |, or #3 for the third column):")))
        layout.addWidget(self.columns, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(720, 760))
        self._show_mapping(0)

    # --- the mapping -------------------------------------------------------------------------

    def _combo(self, key: str) -> QComboBox:
        return self.columns.cellWidget(_FIELD_CHOICES.index(key), 1)

    def _show_mapping(self, n: int) -> None:
        if not 0 <= n < len(self.mappings):
            return
        m = self.mappings[n]
        self.name.setText(m.name)
        if m.encoding in ("", "auto"):
            self.encoding.setCurrentIndex(0)
        else:
            self.encoding.setCurrentText(m.encoding)
        self.delimiter.setCurrentIndex(max(0, self.delimiter.findData(m.delimiter)))
        self.header_row.setValue(m.header_row)
        self.only_day.setChecked(m.only_log_date)
        self.default_item.setText(m.defaults.get("test_item", ""))
        for key in _FIELD_CHOICES:
            self._combo(key).setCurrentText(m.columns.get(key, ""))
        self._read_header()

    def mapping(self) -> CsvMapping:
        """The mapping as the form shows it (checked)."""
        columns = {key: self._combo(key).currentText().strip() for key in _FIELD_CHOICES}
        defaults = {"test_item": self.default_item.text().strip()} \
            if self.default_item.text().strip() else {}
        return CsvMapping.from_dict({
            "name": self.name.text().strip() or _("Unnamed mapping"),
            "columns": {k: v for k, v in columns.items() if v},
            "encoding": self._encoding(),
            "delimiter": self.delimiter.currentData(),
            "header_row": self.header_row.value(),
            "defaults": defaults,
            "only_log_date": self.only_day.isChecked()})

    def _encoding(self) -> str:
        """The encoding chosen or typed; "auto" for the first item (自动)."""
        text = self.encoding.currentText().strip()
        return "auto" if not text or text == self.encoding.itemText(0) else text

    def save_mapping(self) -> None:
        try:
            mapping = self.mapping()
            with self.store.write() as session:
                importing.save_mapping(session, mapping)
        except MappingError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(_("The mapping “{name}” was saved.").format(name=mapping.name))
        if self.mapping_box.findText(mapping.name) < 0:
            self.mappings.append(mapping)
            self.mapping_box.addItem(mapping.name)
        else:
            self.mappings[self.mapping_box.findText(mapping.name)] = mapping

    def open_mapping(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Open mapping file"), "",
                                                    _("Mapping (*.json)"))
        if not path:
            return
        try:
            mapping = CsvMapping.from_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, MappingError) as exc:
            self.message.setText(getattr(exc, "message", None) or str(exc))
            return
        self.mappings.append(mapping)
        self.mapping_box.addItem(mapping.name)
        self.mapping_box.setCurrentIndex(self.mapping_box.count() - 1)

    def export_mapping(self) -> None:
        try:
            mapping = self.mapping()
        except MappingError as exc:
            self.message.setText(exc.message)
            return
        path, _filter = QFileDialog.getSaveFileName(self, _("Save mapping file"),
                                                    f"{mapping.name}.json",
                                                    _("Mapping (*.json)"))
        if path:
            Path(path).write_text(mapping.to_json() + "\n", encoding="utf-8")

    # --- the file ------------------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose the CSV file"), "",
                                                    _("CSV files (*.csv *.txt);;All files (*)"))
        if path:
            self.set_file(Path(path))

    def set_file(self, path: Path) -> None:
        try:
            self.data = path.read_bytes()
        except OSError as exc:
            self.message.setText(_("The file cannot be read: {error}").format(
                error=exc.strerror or exc))
            return
        self.path.setText(str(path))
        self._read_header()

    def _read_header(self) -> None:
        """Offer the file's column names in the mapping's drop-downs."""
        if self.data is None:
            return
        try:
            mapping = CsvMapping(name="-", columns={"product_name": "#1", "value": "#2"},
                                 encoding=self._encoding(),
                                 delimiter=self.delimiter.currentData() or "auto",
                                 header_row=0)
            table = importing.read_table(self.data, mapping)
        except MappingError as exc:
            self.message.setText(exc.message)
            return
        line = self.header_row.value()
        if line and len(table) >= line:
            self.header = table[line - 1]
            names = [h for h in self.header if h.strip()]
        else:
            width = max((len(r) for r in table[:20]), default=0)
            self.header = []
            names = [f"#{n}" for n in range(1, width + 1)]
        for key in _FIELD_CHOICES:
            combo = self._combo(key)
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(["", *names])
            combo.setCurrentText(current)
            combo.blockSignals(False)
        self.message.setText(_("The file has {n} lines.").format(n=len(table)))

    def check_file(self) -> tasks.Operation | None:
        if self.data is None:
            self.message.setText(_("Choose the file first."))
            return None
        try:
            mapping = self.mapping()
        except MappingError as exc:
            self.message.setText(exc.message)
            return None
        data, ctx = self.data, self.ctx
        self.check_button.setEnabled(False)
        self.message.setText(_("Checking the file…"))
        op = tasks.run_in_background(lambda job: importing.parse_csv(data, mapping, ctx))
        op.succeeded.connect(self._checked)
        op.failed.connect(self._check_failed)
        return op

    def _check_failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        from inspector_app.ui.errors import message_of

        self.message.setText(message_of(exc, _("The file could not be read.")))

    def _checked(self, result: importing.ImportResult) -> None:
        self.check_button.setEnabled(True)
        self.result = result
        self.message.setText(result.summary())
        if not result.good and not result.bad:
            return
        if result.bad:
            dialog = BadRowsDialog(result, self.windowTitle(), self)
            self.bad_rows_dialog = dialog
            dialog.chosen.connect(self._chosen)
            dialog.open()
            return
        answer = QMessageBox.question(
            self, self.windowTitle(),
            ngettext("Add the {n} row to the log?", "Add the {n} rows to the log?",
                     len(result.good)).format(n=len(result.good)))
        if answer == QMessageBox.StandardButton.Yes:
            self._chosen(importing.GOOD)

    def _chosen(self, choice: str) -> None:
        if choice == importing.GOOD and self.result is not None:
            self.imported.emit(self.result)
            self.accept()
        else:
            self.message.setText(_("Nothing was added."))
