"""The "where and whom" box of the check page: market, stall, party, time, the officers.

The stalls and parties offered are the chosen market's (`service.market_stalls`); a stall or
party typed in that is not on the list is made when the check is saved (the service's).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import records
from inspector_app.core.checks import service
from inspector_app.core.i18n import _
from inspector_app.ui.checks.form import error_label
from inspector_app.ui.checks.officers import OfficerPicker, me_label, officer_label

HEADER_KEYS = ("market", "party", "checked_at", "second_officer")


def required_label(text: str) -> QLabel:
    label = QLabel(text + "<span style='color:#b00020'> *</span>")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def with_error(widget: QWidget, error: QLabel) -> QWidget:
    """`widget` with its error label under it."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(1)
    column.addWidget(widget)
    column.addWidget(error)
    return box


class HeaderBox(QGroupBox):
    """Where the check was made and by whom; `errors` holds each key's error label."""

    def __init__(self, store, actor: records.Actor, markets: list[tuple[str, str]]):
        super().__init__(_("Where and whom"))
        self.store = store
        self.setObjectName("where")
        self.market = QComboBox()
        self.market.setObjectName("market")
        self.market.addItem("", None)
        for market_id, name in markets:
            self.market.addItem(name, market_id)
        self.stall = QComboBox()
        self.stall.setObjectName("stall")
        self.stall.setEditable(True)
        self.stall.lineEdit().setPlaceholderText(_("Stall number, e.g. A-101"))
        self.party = QComboBox()
        self.party.setObjectName("party")
        self.party.setEditable(True)
        self.party.lineEdit().setPlaceholderText(_("Name of the operator (party)"))
        self.checked_at = QDateTimeEdit()
        self.checked_at.setObjectName("checked_at")
        self.checked_at.setCalendarPopup(True)
        self.checked_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        with store.read() as session:
            self.first_officer = me_label(session, actor.inspector_id)
            self.second_officer = OfficerPicker(session, actor.inspector_id)
        self.errors = {key: error_label(f"error_{key}") for key in HEADER_KEYS}
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(required_label(_("Market")), with_error(self.market, self.errors["market"]))
        form.addRow(QLabel(_("Stall")), self.stall)
        form.addRow(required_label(_("Party (operator)")),
                    with_error(self.party, self.errors["party"]))
        form.addRow(required_label(_("Checked at")),
                    with_error(self.checked_at, self.errors["checked_at"]))
        self.first_officer_label = QLabel(_("Officer (you)"))
        form.addRow(self.first_officer_label, self.first_officer)
        form.addRow(required_label(_("Second officer")),
                    with_error(self.second_officer, self.errors["second_officer"]))

    def editors(self) -> list[QWidget]:
        return [self.market, self.stall, self.party, self.checked_at, self.second_officer]

    def show_recorded_officers(self, officers: list[tuple[str, str, str]]) -> None:
        """A final check shows the officers it names, as it names them (not who opens it)."""
        if not officers:
            return
        self.first_officer_label.setText(_("Officer"))
        self.first_officer.setText(officer_label(*officers[0][1:]))
        if len(officers) > 1:
            self.second_officer.show_recorded(*officers[1])

    def load_stalls(self, market_id: str | None) -> None:
        """Offer the stalls and parties of `market_id`, keeping what is typed."""
        self.stall.blockSignals(True)
        text = self.stall.currentText()
        self.stall.clear()
        self.party.blockSignals(True)
        party_text = self.party.currentText()
        self.party.clear()
        if market_id:
            with self.store.read() as session:
                stalls, parties = service.market_stalls(session, market_id)
            for stall_id, number, party_id in stalls:
                self.stall.addItem(number, (stall_id, party_id))
            for party_id, name in parties:
                self.party.addItem(name, party_id)
        self.stall.setCurrentIndex(-1)
        self.stall.setEditText(text)
        self.party.setCurrentIndex(-1)
        self.party.setEditText(party_text)
        self.stall.blockSignals(False)
        self.party.blockSignals(False)

    def set_stall(self, stall_id: str | None, number: str) -> None:
        self.stall.blockSignals(True)
        index = next((i for i in range(self.stall.count())
                      if (self.stall.itemData(i) or (None,))[0] == stall_id), -1) \
            if stall_id else -1
        self.stall.setCurrentIndex(index)
        if index < 0:
            self.stall.setEditText(number)
        self.stall.blockSignals(False)

    def set_party(self, party_id: str | None, name: str) -> None:
        self.party.blockSignals(True)
        index = self.party.findData(party_id) if party_id else -1
        if party_id and index < 0:
            with self.store.read() as session:
                known = service.party_name(session, party_id)
            if known is not None:
                self.party.addItem(known, party_id)
                index = self.party.count() - 1
        self.party.setCurrentIndex(index)
        if index < 0:
            self.party.setEditText(name)
        self.party.blockSignals(False)

    def stall_choice(self) -> tuple[str | None, str]:
        text = self.stall.currentText().strip()
        index = self.stall.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            return self.stall.itemData(index)[0], text
        return None, text

    def party_choice(self) -> tuple[str | None, str]:
        text = self.party.currentText().strip()
        index = self.party.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0 and self.party.itemData(index):
            return self.party.itemData(index), text
        return None, text
