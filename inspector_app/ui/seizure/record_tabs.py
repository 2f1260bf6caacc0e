"""The tabs that show what the record holds: signatures and photos (with what issuing still
needs), and the state, documents and history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.core.seizure import rules, service
from inspector_app.core.seizure.documents import DECISION_RECEIPT
from inspector_app.core.store import utcnow

# (role, label, officer id, can refuse): what the page's sign callback receives
SignRequest = Callable[[str, str, str | None, bool], None]


class SignaturesTab(QWidget):
    """A button per signer, the signatures taken so far, what is still missing, photos."""

    def __init__(self, on_sign: SignRequest, parent: QWidget | None = None):
        super().__init__(parent)
        self.on_sign = on_sign
        box = QVBoxLayout(self)
        self.sign_buttons = QGridLayout()
        box.addLayout(self.sign_buttons)
        self.missing = QLabel()
        self.missing.setObjectName("signatures_missing")
        self.missing.setWordWrap(True)
        box.addWidget(self.missing)
        self.signature_list = QListWidget()
        box.addWidget(self.signature_list)
        self.photos_button = QPushButton(_("Add photos…"))
        self.photo_count = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.photos_button)
        row.addWidget(self.photo_count)
        row.addStretch()
        box.addLayout(row)
        self.buttons: dict[tuple[str, str | None], QPushButton] = {}

    def refresh(self, seizure, photos: int) -> None:
        while self.sign_buttons.count():
            item = self.sign_buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons = {}
        self.signature_list.clear()
        self.missing.setText("")
        if seizure is None:
            self.sign_buttons.addWidget(QLabel(_("Save the draft first.")), 0, 0)
            self.photo_count.setText("")
            return
        self.photo_count.setText(_("{n} photos").format(n=photos))
        signers = [("party", _("Party"), None, True), ("witness", _("Witness"), None, False)]
        signers += [("officer", o.name, o.inspector_id, False) for o in seizure.officers]
        if service.document_row(seizure, "decision") is not None:
            # the party's 签收 of the issued decision: its own signature, or its refusal
            signers.append((DECISION_RECEIPT, _("Party's receipt of the decision"), None, True))
        for n, (role, label, officer_id, can_refuse) in enumerate(signers):
            button = QPushButton(_("Sign: {who}").format(who=label))
            button.clicked.connect(lambda _c=False, r=role, lb=label, o=officer_id,
                                   cr=can_refuse: self.on_sign(r, lb, o, cr))
            self.sign_buttons.addWidget(button, n // 3, n % 3)
            self.buttons[(role, officer_id)] = button
        for sig in seizure.signatures:
            state = _("refused to sign") if sig.status == "refused" else _("signed")
            if sig.role == DECISION_RECEIPT:
                state = _("refused to sign for the decision") if sig.status == "refused" \
                    else _("signed for the decision")
            self.signature_list.addItem(_("{signer}: {state} ({time})").format(
                signer=sig.signer, state=state,
                time=f"{sig.signed_at.astimezone():%Y-%m-%d %H:%M}"))
        if seizure.state == rules.DRAFT:
            problems = rules.signature_problems(
                seizure.party_presence, seizure.witness_name,
                [(o.inspector_id, o.name) for o in seizure.officers], seizure.signatures)
            if problems:
                self.missing.setText(_("Still needed before issuing:") + "\n" + "\n".join(
                    p.message for p in problems))
                self.missing.setStyleSheet("color: #a15c00")
            else:
                self.missing.setText(_("The signatures needed for issuing are in place."))
                self.missing.setStyleSheet("color: #1b5e20")

    def set_busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not busy)
        self.photos_button.setEnabled(not busy)


class StatusTab(QWidget):
    """The state and term, the documents (double-click to preview), the history of states."""

    def __init__(self, on_preview: Callable[[str], object], parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        box.addWidget(self.state_label)
        self.documents = QListWidget()
        self.documents.itemDoubleClicked.connect(lambda item: on_preview(item.data(
            Qt.ItemDataRole.UserRole)))
        box.addWidget(QLabel(_("Documents (double-click to preview and print)")))
        box.addWidget(self.documents)
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels([_("When"), _("From"), _("To"), _("Reason")])
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        box.addWidget(QLabel(_("History of states")))
        box.addWidget(self.history)

    def refresh(self, seizure) -> rules.Term | None:
        """Show `seizure` (None: not saved yet); returns its term."""
        self.documents.clear()
        self.history.setRowCount(0)
        if seizure is None:
            self.state_label.setText(_("New seizure (not saved yet)"))
            return None
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
        lines += approval_lines(seizure)
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
            reason = t.reason
            if t.approver:
                reason = _("{reason} (approved by {approver})").format(reason=reason,
                                                                       approver=t.approver)
            for col, value in enumerate((
                    t.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    _(rules.STATE_LABELS.get(t.from_state, t.from_state)),
                    _(rules.STATE_LABELS.get(t.to_state, t.to_state)), reason)):
                self.history.setItem(row, col, QTableWidgetItem(value))
        return term


def approval_lines(seizure) -> list[str]:
    """The prior approval, or the emergency report, as the record holds them."""
    tz = service.seizure_tz(seizure)

    def clock(moment) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    lines = []
    if seizure.approver and seizure.approved_at:
        lines.append(_("Prior approval: {approver}, {time}").format(
            approver=seizure.approver, time=clock(seizure.approved_at)))
    elif not seizure.emergency:
        lines.append(_("Prior approval: not recorded yet"))
    status = rules.emergency_status(seizure, seizure.emergency_reported_at or utcnow())
    if status is not None and status.reported_at is not None:
        text = _("Emergency measure reported at {time}, approved by {approver}").format(
            time=clock(status.reported_at), approver=seizure.emergency_approver or "")
        if status.late:
            text += " " + _("(late; reason: {reason})").format(reason=status.reason)
        lines.append(text)
    elif status is not None:
        lines.append(_("Emergency measure: not reported yet (due {time})").format(
            time=clock(status.due)))
    return lines
