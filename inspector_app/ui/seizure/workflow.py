"""The seizure workflow page: fill in a draft, collect signatures, issue, print, follow the
term (extend, testing periods, release / confiscate / destroy / transfer).

Thin: every change is one call of `core.seizure.service` in a write session; a refused
change shows the rule's message and changes nothing. `SeizureDialog` wraps the page for the
查封扣押 list; `DeadlinePanel` is the dashboard's list of running measures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from inspector_app.core import records
from inspector_app.core.i18n import _
from inspector_app.core.models import Attachment, Inspector, Market, Party
from inspector_app.core.seizure import rules, service
from inspector_app.core.validation import ValidationError
from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog
from inspector_app.ui.seizure.signature_pad import SignatureDialog

ITEM_COLUMNS = [("name", "Name"), ("spec", "Specification"), ("unit", "Unit"),
                ("quantity", "Quantity"), ("remark", "Remark")]
SEAL_COLUMNS = [("number", "Seal number"), ("location", "Where placed")]


def _qdt(moment: datetime | None) -> QDateTime:
    if moment is None:
        return QDateTime.currentDateTime()
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def _pydt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def _pydate(value: QDate) -> date:
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


class ActionDialog(QDialog):
    """The fields one transition asks for."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)


class SeizurePage(QWidget):
    """One seizure: a new draft (seizure_id None) or an existing record."""

    saved = Signal(str)  # the seizure id, after every successful change

    def __init__(self, store, actor: records.Actor, seizure_id: str | None = None,
                 source_check_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.seizure_id = seizure_id
        self.source_check_id = source_check_id
        self.version = 0
        self.state = rules.DRAFT
        self._build()
        self.load()

    # --- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.tabs = QTabWidget()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.release_now = QPushButton(_("Release now…"))
        self.release_now.clicked.connect(lambda: self.close_measure(rules.RELEASED))
        self.release_now.hide()
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.release_now)

        # basics
        basics = QWidget()
        form = QFormLayout(basics)
        self.measure = QComboBox()
        self.measure.addItem(_("Sealing (查封)"), "seal")
        self.measure.addItem(_("Detention (扣押)"), "detain")
        self.market = QComboBox()
        self.party = QComboBox()
        new_party = QPushButton(_("New party…"))
        new_party.clicked.connect(self.new_party)
        party_row = QHBoxLayout()
        party_row.addWidget(self.party, 1)
        party_row.addWidget(new_party)
        self.place = QLineEdit()
        self.violation = QComboBox()
        self.violation.setEditable(True)
        self.basis = QComboBox()
        self.basis.setEditable(True)
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
        self.tabs.addTab(basics, _("Basics"))

        # officers
        self.officers = QListWidget()
        officers_tab = QWidget()
        box = QVBoxLayout(officers_tab)
        box.addWidget(QLabel(_("Tick at least two officers with an enforcement certificate.")))
        box.addWidget(self.officers)
        self.tabs.addTab(officers_tab, _("Officers"))

        # items and seals
        self.items = ItemTable(ITEM_COLUMNS)
        self.seals = ItemTable(SEAL_COLUMNS)
        for table, label in ((self.items, _("Items and places")), (self.seals, _("Seals"))):
            tab = QWidget()
            box = QVBoxLayout(tab)
            box.addWidget(table)
            row = QHBoxLayout()
            add = QPushButton(_("Add row"))
            add.clicked.connect(lambda _c=False, t=table: t.add_row())
            remove = QPushButton(_("Remove selected"))
            remove.clicked.connect(table.remove_selected)
            row.addWidget(add)
            row.addWidget(remove)
            row.addStretch()
            box.addLayout(row)
            self.tabs.addTab(tab, label)

        # on-site record
        record = QWidget()
        form = QFormLayout(record)
        self.started = QDateTimeEdit()
        self.started.setCalendarPopup(True)
        self.ended = QDateTimeEdit()
        self.ended.setCalendarPopup(True)
        self.presence = QButtonGroup(self)
        presence_row = QHBoxLayout()
        for n, (key, label) in enumerate((("present", _("Party present")),
                                          ("absent", _("Party absent (witness signs)")),
                                          ("refused", _("Party refuses to sign")))):
            button = QRadioButton(label)
            button.setProperty("key", key)
            self.presence.addButton(button, n)
            presence_row.addWidget(button)
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
        self.tabs.addTab(record, _("On-site record"))

        # signatures and photos
        sign = QWidget()
        box = QVBoxLayout(sign)
        self.sign_buttons = QGridLayout()
        box.addLayout(self.sign_buttons)
        self.signature_list = QListWidget()
        box.addWidget(self.signature_list)
        photos = QPushButton(_("Add photos…"))
        photos.clicked.connect(self.add_photos)
        self.photo_count = QLabel()
        row = QHBoxLayout()
        row.addWidget(photos)
        row.addWidget(self.photo_count)
        row.addStretch()
        box.addLayout(row)
        self.tabs.addTab(sign, _("Signatures and photos"))

        # state, documents, history
        status = QWidget()
        box = QVBoxLayout(status)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        box.addWidget(self.state_label)
        self.documents = QListWidget()
        self.documents.itemDoubleClicked.connect(lambda item: self.preview(item.data(
            Qt.ItemDataRole.UserRole)))
        box.addWidget(QLabel(_("Documents (double-click to preview and print)")))
        box.addWidget(self.documents)
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels([_("When"), _("From"), _("To"), _("Reason")])
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        box.addWidget(QLabel(_("History of states")))
        box.addWidget(self.history)
        self.tabs.addTab(status, _("State and documents"))

        # actions
        self.save_button = QPushButton(_("Save draft"))
        self.save_button.clicked.connect(self.save)
        self.issue_button = QPushButton(_("Issue"))
        self.issue_button.clicked.connect(self.issue)
        self.extend_button = QPushButton(_("Extend…"))
        self.extend_button.clicked.connect(self.extend)
        self.testing_button = QPushButton(_("Testing period…"))
        self.testing_button.clicked.connect(self.testing)
        self.report_button = QPushButton(_("Report emergency…"))
        self.report_button.clicked.connect(self.report_emergency)
        self.close_box = QComboBox()
        for target in rules.CLOSING:
            self.close_box.addItem(_(rules.STATE_LABELS[target]), target)
        self.close_button = QPushButton(_("Decide…"))
        self.close_button.clicked.connect(lambda: self.close_measure(self.close_box.currentData()))
        actions = QHBoxLayout()
        for w in (self.save_button, self.issue_button, self.extend_button, self.testing_button,
                  self.report_button):
            actions.addWidget(w)
        actions.addStretch()
        actions.addWidget(self.close_box)
        actions.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(banner_row)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)

    # --- loading -------------------------------------------------------------------------

    def load(self) -> None:
        with self.store.read() as s:
            self.basis.clear()
            self.basis.addItems(service.legal_bases(s))
            self.violation.clear()
            self.violation.addItems([str(v) for v in service.VIOLATIONS.get(s)])
            self.market.clear()
            self.market.addItem("", None)
            for market in s.scalars(select(Market).order_by(Market.name)):
                self.market.addItem(market.name, market.id)
            self._load_parties(s)
            self.officers.clear()
            for inspector in s.scalars(select(Inspector).where(Inspector.active)
                                       .order_by(Inspector.name)):
                label = f"{inspector.name}  {_('Certificate')}: " + (
                    inspector.cert_no or _("(none)"))
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, inspector.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.officers.addItem(item)
            if self.seizure_id is None:
                data = (service.draft_from_check(s, self.source_check_id)
                        if self.source_check_id else service.DraftInput())
                if self.actor.inspector_id and not data.officer_ids:
                    data.officer_ids = [self.actor.inspector_id]
                self._fill(data)
                self._refresh_status(None, s)
                return
            seizure = service.load(s, self.seizure_id)
            self.version = seizure.version
            self.state = seizure.state
            self._fill(service.draft_input(seizure))
            self._refresh_status(seizure, s)

    def _load_parties(self, s, select_id: str | None = None) -> None:
        current = select_id or self.party.currentData()
        self.party.clear()
        self.party.addItem("", None)
        for party in s.scalars(select(Party).order_by(Party.name)):
            self.party.addItem(party.name, party.id)
        if current:
            self.party.setCurrentIndex(max(0, self.party.findData(current)))

    def _fill(self, d: service.DraftInput) -> None:
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
        self.started.setDateTime(_qdt(d.started_at))
        self.ended.setDateTime(_qdt(d.record_ended_at))
        for button in self.presence.buttons():
            button.setChecked(button.property("key") == d.party_presence)
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
            emergency=self.emergency.isChecked(), started_at=_pydt(self.started.dateTime()),
            record_ended_at=_pydt(self.ended.dateTime()),
            contact_phone=self.contact_phone.text())

    def _refresh_status(self, seizure, s) -> None:
        draft = seizure is None or seizure.state == rules.DRAFT
        for w in (self.tabs.widget(0), self.tabs.widget(1), self.tabs.widget(2),
                  self.tabs.widget(3), self.tabs.widget(4)):
            w.setEnabled(draft)
        self.save_button.setEnabled(draft)
        self.issue_button.setEnabled(draft)
        active = seizure is not None and seizure.state in rules.ACTIVE
        term_over = active and rules.term(seizure, service.today_for(seizure),
                                          service.seizure_tz(seizure)).overdue
        self.extend_button.setEnabled(active and seizure.state == rules.ISSUED
                                      and not term_over)
        self.testing_button.setEnabled(active)
        self.close_box.setEnabled(active)
        self.close_button.setEnabled(active)
        self.report_button.setEnabled(seizure is not None and seizure.emergency
                                      and seizure.emergency_reported_at is None)
        self._refresh_signers(seizure)
        self.documents.clear()
        self.history.setRowCount(0)
        self.banner.hide()
        self.release_now.hide()
        if seizure is None:
            self.state_label.setText(_("New seizure (not saved yet)"))
            self.photo_count.setText("")
            return
        photos = len(s.scalars(select(Attachment).where(
            Attachment.record_kind == "seizure", Attachment.record_id == seizure.id,
            Attachment.role == "photo")).all())
        self.photo_count.setText(_("{n} photos").format(n=photos))
        lines = [_("State: {state}").format(state=_(rules.STATE_LABELS[seizure.state]))]
        if seizure.number:
            lines.append(_("Decision number: {number}").format(number=seizure.number))
        term = rules.term(seizure, service.today_for(seizure), service.seizure_tz(seizure))
        if term is not None and term.overdue:
            lines.append(_("Term ended {date} ({days} days overdue; {testing} testing days not "
                           "counted)").format(date=term.end.isoformat(), days=-term.days_left,
                                              testing=term.testing_days))
        elif term is not None:
            lines.append(_("Term ends {date} ({days} days left; {testing} testing days not "
                           "counted)").format(date=term.end.isoformat(), days=term.days_left,
                                              testing=term.testing_days))
        if term is not None:
            if term.overdue:
                self._banner(_("The term ended on {date}: the measure must be released now; "
                               "print the release notice.").format(date=term.end.isoformat()),
                             "#b00020")
                self.release_now.show()
            elif term.warn:
                self._banner(_("Only {days} days left in the term (until {date}).").format(
                    days=term.days_left, date=term.end.isoformat()), "#a15c00")
        emergency = rules.emergency_status(seizure, datetime.now(UTC))
        if emergency is not None and emergency.reported_at is None:
            due = emergency.due.astimezone().strftime("%Y-%m-%d %H:%M")
            text = _("Emergency measure: report it and get approval by {time}.").format(
                time=due)
            self._banner(text, "#b00020" if emergency.overdue else "#a15c00")
        self.state_label.setText("\n".join(lines))
        for kind in service.available_kinds(seizure):
            label = _(service.KIND_LABELS[kind])
            if seizure.state == rules.DRAFT:
                label += " " + _("(draft)")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.documents.addItem(item)
        for t in seizure.transitions:
            row = self.history.rowCount()
            self.history.insertRow(row)
            for col, value in enumerate((
                    t.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    _(rules.STATE_LABELS.get(t.from_state, t.from_state)),
                    _(rules.STATE_LABELS.get(t.to_state, t.to_state)),
                    t.reason + (f" ({t.approver})" if t.approver else ""))):
                self.history.setItem(row, col, QTableWidgetItem(value))

    def _banner(self, text: str, color: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"color: white; background: {color}; padding: 6px;")
        self.banner.show()

    def _refresh_signers(self, seizure) -> None:
        while self.sign_buttons.count():
            item = self.sign_buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.signature_list.clear()
        if seizure is None:
            self.sign_buttons.addWidget(QLabel(_("Save the draft first.")), 0, 0)
            return
        signers = [("party", _("Party"), None, True), ("witness", _("Witness"), None, True)]
        signers += [("officer", o.name, o.inspector_id, False) for o in seizure.officers]
        for n, (role, label, officer_id, can_refuse) in enumerate(signers):
            button = QPushButton(_("Sign: {who}").format(who=label))
            button.clicked.connect(lambda _c=False, r=role, lb=label, o=officer_id,
                                   cr=can_refuse: self.sign(r, lb, o, cr))
            self.sign_buttons.addWidget(button, n // 3, n % 3)
        for sig in seizure.signatures:
            state = _("refused to sign") if sig.status == "refused" else _("signed")
            self.signature_list.addItem(f"{sig.signer}: {state} "
                                        f"({sig.signed_at.astimezone():%Y-%m-%d %H:%M})")

    # --- actions -------------------------------------------------------------------------

    def _run(self, change) -> bool:
        """Run `change(session)` in a write session; show a refused change's message."""
        try:
            with self.store.write() as s:
                result = change(s)
                if result is not None and hasattr(result, "id"):
                    self.seizure_id = self.seizure_id or result.id
        except (ValidationError, service.NotFound, records.VersionConflict) as exc:
            QMessageBox.warning(self, _("Seizure"), getattr(exc, "message", str(exc)))
            return False
        self.load()
        self.saved.emit(self.seizure_id)
        return True

    def save(self) -> bool:
        data = self.draft_input()
        if self.seizure_id is None:
            return self._run(lambda s: service.create_draft(
                s, self.actor, data, source_check_id=self.source_check_id))
        return self._run(lambda s: service.update_draft(s, self.actor, self.seizure_id, data,
                                                        self.version))

    def issue(self) -> bool:
        if not self.save():
            return False
        return self._run(lambda s: service.issue(self.store, s, self.actor, self.seizure_id))

    def new_party(self) -> None:
        dialog = PartyDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        holder: dict[str, str] = {}

        def create(s):
            party = service.save_party(s, self.actor, dialog.party_input())
            holder["id"] = party.id

        try:
            with self.store.write() as s:
                create(s)
        except ValidationError as exc:
            QMessageBox.warning(self, _("Party"), exc.message)
            return
        with self.store.read() as s:
            self._load_parties(s, holder["id"])

    def sign(self, role: str, label: str, officer_id: str | None, can_refuse: bool) -> None:
        signer = label if role == "officer" else (
            self.party.currentText() if role == "party" else self.witness.text())
        dialog = SignatureDialog(label, signer, can_refuse, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.store_signature(role, officer_id, dialog.result_data())

    def store_signature(self, role: str, officer_id: str | None, data: dict) -> bool:
        return self._run(lambda s: service.add_signature(
            self.store, s, self.actor, self.seizure_id, role, data["signer"], png=data["png"],
            strokes=data["strokes"], refused=data["refused"], officer_id=officer_id))

    def add_photos(self) -> None:
        if self.seizure_id is None:
            return
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Add photos"), "",
                                                      _("Images (*.jpg *.jpeg *.png)"))
        for path in paths:
            with open(path, "rb") as fh:
                data = fh.read()
            mime = "image/png" if path.lower().endswith(".png") else "image/jpeg"
            self._run(lambda s, d=data, p=path, m=mime: service.add_photo(
                self.store, s, self.actor, self.seizure_id, d, p.rsplit("/", 1)[-1], m))

    def extend(self) -> bool:
        dialog = ActionDialog(_("Extend the term"), self)
        days = QSpinBox()
        days.setRange(1, 60)
        days.setValue(rules.MAX_EXTENSION_DAYS)
        reason = QPlainTextEdit()
        approver = QLineEdit()
        dialog.form.addRow(_("Extra days"), days)
        dialog.form.addRow(_("Written reasons"), reason)
        dialog.form.addRow(_("Approved by"), approver)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self._run(lambda s: service.extend(self.store, s, self.actor, self.seizure_id,
                                                  days.value(), reason.toPlainText(),
                                                  approver.text()))

    def testing(self) -> bool:
        with self.store.read() as s:
            running = any(p.end_date is None
                          for p in service.load(s, self.seizure_id).testing_periods)
        dialog = ActionDialog(_("Testing period"), self)
        start, end = QDateEdit(QDate.currentDate()), QDateEdit(QDate.currentDate())
        for w in (start, end):
            w.setCalendarPopup(True)
        has_end = QCheckBox(_("The end date is known"))
        has_end.setChecked(True)
        description = QLineEdit()
        if running:
            dialog.form.addRow(_("End of the running testing period"), end)
        else:
            dialog.form.addRow(_("Start"), start)
            dialog.form.addRow("", has_end)
            dialog.form.addRow(_("End"), end)
            dialog.form.addRow(_("What is tested, and by whom"), description)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        if running:
            return self._run(lambda s: service.end_testing(s, self.actor, self.seizure_id,
                                                           _pydate(end.date())))
        return self._run(lambda s: service.declare_testing(
            s, self.actor, self.seizure_id, _pydate(start.date()),
            _pydate(end.date()) if has_end.isChecked() else None, description.text()))

    def close_measure(self, target: str) -> bool:
        dialog = ActionDialog(_(rules.STATE_LABELS[target]), self)
        ground = QComboBox()
        if target == rules.RELEASED:
            for key, text in rules.RELEASE_GROUNDS.items():
                ground.addItem(text, key)
            with self.store.read() as s:
                seizure = service.load(s, self.seizure_id)
                term = rules.term(seizure, service.today_for(seizure),
                                  service.seizure_tz(seizure))
            if term is not None and term.overdue:
                ground.setCurrentIndex(ground.findData(rules.EXPIRED_GROUND))
            dialog.form.addRow(_("Ground (行政强制法 art. 28)"), ground)
        reason = QPlainTextEdit()
        dialog.form.addRow(_("Reason"), reason)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        ok = self._run(lambda s: service.close(
            self.store, s, self.actor, self.seizure_id, target, reason.toPlainText(),
            ground=ground.currentData() if target == rules.RELEASED else None))
        if ok and target == rules.RELEASED:
            self.preview("release")
        return ok

    def report_emergency(self) -> bool:
        dialog = ActionDialog(_("Report the emergency measure"), self)
        approver = QLineEdit()
        dialog.form.addRow(_("Approved by"), approver)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self._run(lambda s: service.report_emergency(s, self.actor, self.seizure_id,
                                                            approver.text()))

    def notice_pdf(self, kind: str) -> bytes | None:
        from inspector_app.core.seizure import documents

        try:
            with self.store.write() as s:
                jobs = service.notice_jobs(self.store, s, self.seizure_id, [kind])
        except (ValidationError, service.NotFound) as exc:
            QMessageBox.warning(self, _("Seizure"), getattr(exc, "message", str(exc)))
            return None
        return documents.render(jobs)

    def preview(self, kind: str) -> PdfPreviewDialog | None:
        pdf = self.notice_pdf(kind)
        if pdf is None:
            return None
        dialog = PdfPreviewDialog(pdf, _(service.KIND_LABELS[kind]), copies=2 if kind in (
            "decision", "list", "extension", "release") else 1, parent=self,
            suggested_name=f"{kind}.pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class PartyDialog(QDialog):
    """A new party, with its codes checked as they are typed in."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("New party"))
        self.kind = QComboBox()
        self.kind.addItem(_("Enterprise"), "enterprise")
        self.kind.addItem(_("Individual"), "individual")
        self.fields = {key: QLineEdit() for key in (
            "name", "credit_code", "licence_name", "address", "legal_rep", "id_number",
            "phone")}
        labels = {"name": _("Name"), "credit_code": _("Unified social credit code"),
                  "licence_name": _("Licence"), "address": _("Address"),
                  "legal_rep": _("Legal representative"), "id_number": _("ID number"),
                  "phone": _("Phone")}
        form = QFormLayout()
        form.addRow(_("Kind"), self.kind)
        for key, edit in self.fields.items():
            form.addRow(labels[key], edit)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def party_input(self) -> service.PartyInput:
        return service.PartyInput(kind=self.kind.currentData(),
                                  **{k: e.text() for k, e in self.fields.items()})

    def _accept(self) -> None:
        try:
            service.check_party_input(self.party_input())
        except ValidationError as exc:
            self.error.setText(exc.message)
            if exc.field in self.fields:
                self.fields[exc.field].setFocus()
            return
        self.accept()


class SeizureDialog(QDialog):
    """The workflow page in a window, opened from the 查封扣押 list."""

    def __init__(self, store, actor: records.Actor, seizure_id: str | None = None,
                 source_check_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Seizure"))
        self.page = SeizurePage(store, actor, seizure_id, source_check_id, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        self.resize(980, 720)


class DeadlinePanel(QWidget):
    """Running measures for the dashboard: days left, warnings, overdue, emergency reports."""

    open_seizure = Signal(str)

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Document number"), _("Party"), _("Days left"),
                                              _("To do")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.cellDoubleClicked.connect(
            lambda row, _col: self.open_seizure.emit(self.table.item(row, 0).data(
                Qt.ItemDataRole.UserRole)))
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.rows: list[service.DueRow] = []

    def refresh(self, now: datetime | None = None) -> None:
        with self.store.read() as s:
            self.rows = service.due_rows(s, now)
        self.table.setRowCount(0)
        overdue = warn = 0
        for row in self.rows:
            n = self.table.rowCount()
            self.table.insertRow(n)
            todo, color = "", None
            if row.term is not None and row.term.overdue:
                overdue += 1
                todo, color = _("Overdue: release it"), QColor("#f8d0d4")
            elif row.term is not None and row.term.warn:
                warn += 1
                todo, color = _("Ends soon"), QColor("#fde8c8")
            if row.emergency is not None and row.emergency.reported_at is None:
                todo = (todo + "; " if todo else "") + _("Report the emergency measure")
                color = color or QColor("#fde8c8")
            days = ""
            if row.term is not None:
                days = (str(row.term.days_left) if row.term.days_left >= 0 else
                        _("{n} days overdue").format(n=-row.term.days_left))
            values = [row.number or _("(draft)"), row.party, days, todo]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, row.seizure_id)
                if color is not None:
                    item.setBackground(color)
                self.table.setItem(n, col, item)
        self.summary.setText(_("{n} running measures: {warn} ending within 5 days, {overdue} "
                               "overdue").format(n=len(self.rows), warn=warn, overdue=overdue))
