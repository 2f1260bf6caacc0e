"""The draft's fields, on four tabs: basics, officers, items and seals, on-site record.

`DraftForm` builds the tabs, fills them from a `service.DraftInput` and reads one back;
it never writes to the store (the page does, off the main thread).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from inspector_app.core.i18n import N_, _
from inspector_app.core.models import Inspector, Market, Party
from inspector_app.core.seizure import rules, service

ITEM_COLUMNS = [("name", N_("Name")), ("spec", N_("Specification")), ("unit", N_("Unit")),
                ("quantity", N_("Quantity")), ("remark", N_("Remark"))]
SEAL_COLUMNS = [("number", N_("Seal number")), ("location", N_("Where placed"))]
PRESENCE_LABELS = (("present", N_("Party present")),
                   ("absent", N_("Party absent (witness signs)")),
                   ("refused", N_("Party refuses to sign")))


def qdatetime(moment: datetime | None) -> QDateTime:
    if moment is None:
        return QDateTime.currentDateTime()
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def pydatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ItemTable(QTableWidget):
    """An editable table of rows of text, with add and remove."""

    def __init__(self, columns: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(0, len(columns), parent)
        self.keys = [key for key, _label in columns]
        self.setHorizontalHeaderLabels([_(label) for _key, label in columns])
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

    def add_row(self, values: dict | None = None) -> int:
        row = self.rowCount()
        self.insertRow(row)
        for col, key in enumerate(self.keys):
            self.setItem(row, col, QTableWidgetItem(str((values or {}).get(key, "") or "")))
        return row

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.selectedIndexes()}, reverse=True):
            self.removeRow(row)

    def rows(self) -> list[dict[str, str]]:
        out = []
        for row in range(self.rowCount()):
            values = {key: (self.item(row, col).text().strip() if self.item(row, col) else "")
                      for col, key in enumerate(self.keys)}
            if any(values.values()):
                out.append(values)
        return out


class DraftForm:
    """The widgets of the draft's fields; `tabs` are (widget, title) in order."""

    def __init__(self, owner: QWidget):
        self.tabs: list[tuple[QWidget, str]] = [
            (self._basics(), _("Basics")), (self._officers(), _("Officers")),
            (self._table_tab("items"), _("Items and places")),
            (self._table_tab("seals"), _("Seals")),
            (self._record(owner), _("On-site record"))]

    # --- the tabs ---------------------------------------------------------------------

    def _basics(self) -> QWidget:
        basics = QWidget()
        form = QFormLayout(basics)
        self.measure = QComboBox()
        self.measure.addItem(_("Sealing (查封)"), "seal")
        self.measure.addItem(_("Detention (扣押)"), "detain")
        self.market = QComboBox()
        self.party = QComboBox()
        self.party.setObjectName("party")
        self.party_names = {}
        self.new_party_button = QPushButton(_("New party…"))
        self.complete_party_button = QPushButton(_("Complete party…"))
        self.complete_party_button.setToolTip(_(
            "Add the missing details (e.g. the unified social credit code) to the party "
            "chosen, e.g. one typed in at a check, instead of entering it again"))
        party_row = QHBoxLayout()
        party_row.addWidget(self.party, 1)
        party_row.addWidget(self.complete_party_button)
        party_row.addWidget(self.new_party_button)
        self.party.currentIndexChanged.connect(
            lambda _i: self.complete_party_button.setEnabled(bool(self.party.currentData())))
        self.place = QLineEdit()
        self.violation = QComboBox()
        self.violation.setEditable(True)
        self.basis = QComboBox()
        self.basis.setEditable(True)
        for combo in (self.violation, self.basis):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(20)
        self.term = QSpinBox()
        self.term.setRange(1, 60)  # the rule (≤ 30) answers with its message
        self.term.setValue(rules.MAX_TERM_DAYS)
        self.term.setSuffix(" " + _("days"))
        self.custody_place = QLineEdit()
        self.custodian = QLineEdit()
        self.contact_phone = QLineEdit()
        self.emergency = QCheckBox(_("Taken on the spot before approval (report within 24 "
                                     "hours)"))
        form.addRow(_("Measure"), self.measure)
        form.addRow(_("Market"), self.market)
        form.addRow(_("Party"), party_row)
        form.addRow(_("Place"), self.place)
        form.addRow(_("Suspected violation"), self.violation)
        form.addRow(_("Legal basis"), self.basis)
        form.addRow(_("Term"), self.term)
        form.addRow(_("Custody place"), self.custody_place)
        form.addRow(_("Custodian"), self.custodian)
        form.addRow(_("Contact phone"), self.contact_phone)
        form.addRow("", self.emergency)
        return basics

    def _officers(self) -> QWidget:
        self.officers = QListWidget()
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(QLabel(_("Tick at least two officers with an enforcement certificate.")))
        box.addWidget(self.officers)
        return tab

    def _table_tab(self, which: str) -> QWidget:
        table = ItemTable(ITEM_COLUMNS if which == "items" else SEAL_COLUMNS)
        setattr(self, which, table)
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(table)
        row = QHBoxLayout()
        add = QPushButton(_("Add row"))
        add.clicked.connect(lambda: table.add_row())
        remove = QPushButton(_("Remove selected"))
        remove.clicked.connect(lambda: table.remove_selected())
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch()
        box.addLayout(row)
        return tab

    def _record(self, owner: QWidget) -> QWidget:
        record = QWidget()
        form = QFormLayout(record)
        self.started = QDateTimeEdit()
        self.started.setCalendarPopup(True)
        self.ended = QDateTimeEdit()
        self.ended.setCalendarPopup(True)
        self.presence = QButtonGroup(owner)
        presence_row = QHBoxLayout()
        for n, (key, label) in enumerate(PRESENCE_LABELS):
            button = QRadioButton(_(label))
            button.setProperty("key", key)
            self.presence.addButton(button, n)
            presence_row.addWidget(button)
        presence_row.addStretch()
        self.presence.button(0).setChecked(True)
        self.witness = QLineEdit()
        self.notified = QCheckBox(_("The party was notified to be present"))
        self.notified.setChecked(True)
        self.record_text = QPlainTextEdit()
        self.statement = QPlainTextEdit()
        self.statement.setMaximumHeight(80)
        form.addRow(_("From"), self.started)
        form.addRow(_("To"), self.ended)
        form.addRow(_("Party"), presence_row)
        form.addRow(_("Witness"), self.witness)
        form.addRow("", self.notified)
        form.addRow(_("What was found"), self.record_text)
        form.addRow(_("Party's statement"), self.statement)
        return record

    # --- choices from the store -----------------------------------------------------------

    def load_choices(self, s) -> None:
        self.basis.clear()
        self.basis.addItems(service.legal_bases(s))
        self.violation.clear()
        self.violation.addItems([str(v) for v in service.VIOLATIONS.get(s)])
        self.market.clear()
        self.market.addItem("", None)
        for market in s.scalars(select(Market).order_by(Market.name)):
            self.market.addItem(market.name, market.id)
        self.load_parties(s)
        self.officers.clear()
        for inspector in s.scalars(select(Inspector).where(Inspector.active)
                                   .order_by(Inspector.name)):
            label = _("{name}  (enforcement certificate {cert})").format(
                name=inspector.name, cert=inspector.cert_no or _("(none)"))
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, inspector.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.officers.addItem(item)

    def load_parties(self, s, select_id: str | None = None) -> None:
        current = select_id or self.party.currentData()
        self.party.clear()
        self.party.addItem("", None)
        self.party_names: dict[str, str] = {}
        for party in s.scalars(select(Party).order_by(Party.name)):
            self.party_names[party.id] = party.name
            label = party.name if party.credit_code or party.id_number else _(
                "{name} (details to complete)").format(name=party.name)
            self.party.addItem(label, party.id)
        if current:
            self.party.setCurrentIndex(max(0, self.party.findData(current)))
        self.complete_party_button.setEnabled(bool(self.party.currentData()))

    # --- filling and reading --------------------------------------------------------------

    def set_presence(self, presence: str) -> None:
        for button in self.presence.buttons():
            button.setChecked(button.property("key") == presence)

    def fill(self, d: service.DraftInput) -> None:
        self.measure.setCurrentIndex(max(0, self.measure.findData(d.measure)))
        self.market.setCurrentIndex(max(0, self.market.findData(d.market_id)))
        self.party.setCurrentIndex(max(0, self.party.findData(d.party_id)))
        self.place.setText(d.place)
        self.violation.setCurrentText(d.suspected_violation)
        if d.legal_basis:
            self.basis.setCurrentText(d.legal_basis)
        else:
            self.basis.setCurrentIndex(0)
        self.term.setValue(d.term_days)
        self.custody_place.setText(d.custody_place)
        self.custodian.setText(d.custodian)
        self.contact_phone.setText(d.contact_phone)
        self.emergency.setChecked(d.emergency)
        for row in range(self.officers.count()):
            item = self.officers.item(row)
            on = item.data(Qt.ItemDataRole.UserRole) in d.officer_ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.items.setRowCount(0)
        for item in d.items:
            self.items.add_row({"name": item.name, "spec": item.spec, "unit": item.unit,
                                "quantity": service._qty(item.quantity), "remark": item.remark})
        self.seals.setRowCount(0)
        for seal in d.seals:
            self.seals.add_row({"number": seal.number, "location": seal.location})
        self.started.setDateTime(qdatetime(d.started_at))
        self.ended.setDateTime(qdatetime(d.record_ended_at))
        self.set_presence(d.party_presence)
        self.witness.setText(d.witness_name)
        self.notified.setChecked(d.party_notified)
        self.record_text.setPlainText(d.onsite_record)
        self.statement.setPlainText(d.party_statement)

    def draft_input(self) -> service.DraftInput:
        officer_ids = [self.officers.item(r).data(Qt.ItemDataRole.UserRole)
                       for r in range(self.officers.count())
                       if self.officers.item(r).checkState() == Qt.CheckState.Checked]
        presence = next((b.property("key") for b in self.presence.buttons() if b.isChecked()),
                        "present")
        return service.DraftInput(
            officer_ids=officer_ids, party_id=self.party.currentData(),
            market_id=self.market.currentData(), measure=self.measure.currentData(),
            place=self.place.text(), suspected_violation=self.violation.currentText(),
            legal_basis=self.basis.currentText(), term_days=self.term.value(),
            custody_place=self.custody_place.text(), custodian=self.custodian.text(),
            items=[service.ItemInput(r["name"], r["quantity"], r["unit"], r["spec"],
                                     r["remark"]) for r in self.items.rows()],
            seals=[service.SealInput(r["number"], r["location"]) for r in self.seals.rows()],
            onsite_record=self.record_text.toPlainText(),
            party_statement=self.statement.toPlainText(), party_presence=presence,
            party_notified=self.notified.isChecked(), witness_name=self.witness.text(),
            emergency=self.emergency.isChecked(), started_at=pydatetime(self.started.dateTime()),
            record_ended_at=pydatetime(self.ended.dateTime()),
            contact_phone=self.contact_phone.text())

    def party_name(self) -> str:
        """The chosen party's name as stored (without the "to complete" hint)."""
        return self.party_names.get(self.party.currentData(), "")
