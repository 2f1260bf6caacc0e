"""The workstation set-up: market, operators, instruments (verification certificate number,
date and valid-until) and reagent batches (expiry)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import queries, records
from inspector_app.core.i18n import N_, _
from inspector_app.core.worklog import workstation as ws
from inspector_app.core.worklog.items import WorklogError
from inspector_app.ui import tasks
from inspector_app.ui.errors import ERROR_STYLE
from inspector_app.ui.screen import fit_columns, fit_to_screen

OPERATOR_COLUMNS = [("name", N_("Name")), ("cert_no", N_("Certificate no.")),
                    ("active", N_("In use"))]
INSTRUMENT_COLUMNS = [("number", N_("Instrument no.")), ("name", N_("Name")),
                      ("model", N_("Model")), ("serial_no", N_("Serial no.")),
                      ("cert_no", N_("Verification certificate no.")),
                      ("verified_on", N_("Verified on")), ("valid_until", N_("Valid until")),
                      ("test_items", N_("Test items")), ("active", N_("In use"))]
REAGENT_COLUMNS = [("test_item", N_("Test item")), ("batch_no", N_("Batch no.")),
                   ("name", N_("Name")), ("manufacturer", N_("Manufacturer")),
                   ("received_on", N_("Received on")), ("expires_on", N_("Expires on"))]
YES, NO = "是", "否"


class RowsTable(QTableWidget):
    """Editable rows of text, with Add and Remove; Enter moves on like a spreadsheet."""

    def __init__(self, columns: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(0, len(columns), parent)
        self.keys = [key for key, _label in columns]
        self.setHorizontalHeaderLabels([_(label) for _key, label in columns])
        # As wide as the headers (the last takes the rest); wider ones scroll sideways.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        wide = {"name": 140, "test_items": 160, "manufacturer": 160}
        fit_columns(self, {n: wide.get(key, 96) for n, key in enumerate(self.keys)})
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)

    def add_row(self, values: dict[str, str] | None = None) -> int:
        row = self.rowCount()
        self.insertRow(row)
        for col, key in enumerate(self.keys):
            default = YES if key == "active" else ""
            self.setItem(row, col, QTableWidgetItem(str((values or {}).get(key, default))))
        return row

    def remove_current(self) -> None:
        if self.currentRow() >= 0:
            self.removeRow(self.currentRow())

    def rows(self) -> list[dict[str, str]]:
        out = []
        for row in range(self.rowCount()):
            values = {key: (self.item(row, col).text().strip() if self.item(row, col) else "")
                      for col, key in enumerate(self.keys)}
            if any(v for k, v in values.items() if k != "active"):
                out.append(values)
        return out


def _with_buttons(table: RowsTable) -> QWidget:
    box = QWidget()
    add = QPushButton(_("Add"))
    add.clicked.connect(lambda: table.add_row())
    remove = QPushButton(_("Remove"))
    remove.clicked.connect(table.remove_current)
    row = QHBoxLayout()
    row.addWidget(add)
    row.addWidget(remove)
    row.addStretch()
    layout = QVBoxLayout(box)
    layout.addWidget(table, 1)
    layout.addLayout(row)
    return box


def _active(text: str) -> bool:
    return text.strip().lower() not in (NO, "no", "n", "0", "false", "停用")


class WorkstationDialog(QDialog):
    """Edit the workstation's set-up; saving makes one new version of it."""

    saved = Signal(str)  # the workstation's id

    def __init__(self, store, actor: records.Actor, workstation_id: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("workstation_dialog")
        self.setWindowTitle(_("Workstation set-up"))
        self.store, self.actor, self.workstation_id = store, actor, workstation_id
        self.version: int | None = None
        self.name = QLineEdit()
        self.name.setObjectName("ws_name")
        self.market = QComboBox()
        self.market.setObjectName("ws_market")
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.operators = RowsTable(OPERATOR_COLUMNS)
        self.instruments = RowsTable(INSTRUMENT_COLUMNS)
        self.reagents = RowsTable(REAGENT_COLUMNS)
        basics = QWidget()
        form = QFormLayout(basics)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Market"), self.market)
        form.addRow(_("Address"), self.address)
        form.addRow(_("Phone"), self.phone)
        tabs = QTabWidget()
        tabs.addTab(basics, _("Workstation"))
        tabs.addTab(_with_buttons(self.operators), _("Operators"))
        tabs.addTab(_with_buttons(self.instruments), _("Instruments"))
        tabs.addTab(_with_buttons(self.reagents), _("Reagent batches"))
        self.tabs = tabs
        note = QLabel(_("Dates are written as 2026-11-26. Test items of an instrument are "
                        "separated by 、. An instrument or operator no longer in use is marked "
                        "否 (it stays in the history)."))
        note.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        save = QPushButton(_("Save"))
        save.setObjectName("ws_save")
        save.setDefault(True)
        save.clicked.connect(self.save)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(980, 560))
        self._load()

    def _load(self) -> None:
        with self.store.read() as session:
            markets = queries.markets(session)
            station = ws.load(session, self.workstation_id) if self.workstation_id else None
            data = ws.as_input(station) if station else None
            self.version = station.version if station else None
        self.market.addItem(_("(none)"), None)
        for market_id, name in markets:
            self.market.addItem(name, market_id)
        if data is None:
            return
        self.name.setText(data.name)
        self.market.setCurrentIndex(max(0, self.market.findData(data.market_id)))
        self.address.setText(data.address)
        self.phone.setText(data.phone)
        for op in data.operators:
            self.operators.add_row({"name": op.name, "cert_no": op.cert_no,
                                    "active": YES if op.active else NO})
        for inst in data.instruments:
            self.instruments.add_row({
                "number": inst.number, "name": inst.name, "model": inst.model,
                "serial_no": inst.serial_no, "cert_no": inst.cert_no,
                "verified_on": inst.verified_on, "valid_until": inst.valid_until,
                "test_items": "、".join(inst.test_items), "active": YES if inst.active else NO})
        for r in data.reagents:
            self.reagents.add_row({"test_item": r.test_item, "batch_no": r.batch_no,
                                   "name": r.name, "manufacturer": r.manufacturer,
                                   "received_on": r.received_on, "expires_on": r.expires_on})

    def data(self) -> ws.WorkstationInput:
        return ws.WorkstationInput(
            name=self.name.text(), market_id=self.market.currentData(),
            address=self.address.text(), phone=self.phone.text(),
            operators=[ws.OperatorInput(r["name"], r["cert_no"], None, _active(r["active"]))
                       for r in self.operators.rows()],
            instruments=[ws.InstrumentInput(
                r["number"], r["name"], r["model"], r["serial_no"], r["cert_no"],
                r["verified_on"], r["valid_until"],
                [t.strip() for t in r["test_items"].replace(",", "、").replace("，", "、")
                 .split("、") if t.strip()], _active(r["active"]))
                for r in self.instruments.rows()],
            reagents=[ws.ReagentInput(r["test_item"], r["batch_no"], r["expires_on"],
                                      r["name"], r["manufacturer"], r["received_on"])
                      for r in self.reagents.rows()])

    def save(self) -> tasks.Operation:
        data, actor = self.data(), self.actor
        workstation_id, version = self.workstation_id, self.version

        def work(job) -> str:
            return ws.save(job.session, actor, data, workstation_id, version).id

        op = tasks.run_in_background(work, store=self.store, session="write")
        op.succeeded.connect(self._saved)
        op.failed.connect(self._failed)
        return op

    def _saved(self, workstation_id: str) -> None:
        self.workstation_id = workstation_id
        self.saved.emit(workstation_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, (WorklogError, records.VersionConflict)) or hasattr(exc, "message"):
            self.message.setText(getattr(exc, "message", None) or str(exc))
            return
        from inspector_app.ui.errors import report_exception

        report_exception(type(exc), exc, exc.__traceback__)
