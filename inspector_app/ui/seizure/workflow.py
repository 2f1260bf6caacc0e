"""The seizure workflow page: fill in a draft, collect signatures, issue, print, follow the
term (extend, testing periods, release / confiscate / destroy / transfer).

Thin: every change is one or more calls of `core.seizure.service`, each in its own write
session on a worker thread (`ui.tasks`); while one runs, the buttons that change or print
the record are disabled, so pressing twice writes once. A refused change shows the rule's
message above the tabs and changes nothing. The header names the document number, the
party and the state. `SeizureDialog` wraps the page for the 查封扣押 list; the dashboard's
`DeadlinePanel` lives in `deadlines`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from inspector_app.core import records
from inspector_app.core.fonts import UnprintableText
from inspector_app.core.i18n import _
from inspector_app.core.models import Attachment, Party
from inspector_app.core.seizure import documents, rules, service
from inspector_app.core.validation import ValidationError
from inspector_app.ui import labels, review_panel, tasks
from inspector_app.ui.seizure.deadlines import DeadlinePanel
from inspector_app.ui.seizure.dialogs import ActionDialog, PartyDialog
from inspector_app.ui.seizure.form_tabs import DraftForm, pydate, pydatetime
from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog, show_unprintable
from inspector_app.ui.seizure.record_tabs import SignaturesTab, StatusTab
from inspector_app.ui.seizure.signature_pad import SignatureDialog

__all__ = ["DeadlinePanel", "PartyDialog", "SeizureDialog", "SeizurePage"]

log = logging.getLogger(__name__)

# Errors a user can cause: their message is shown, nothing is written.
REFUSED = (ValidationError, service.NotFound, records.VersionConflict)
# A step runs in its own write session: step(session, ctx) with ctx["seizure_id"] (set
# by the step that creates the seizure) and ctx["result"] (what the last step returned).
Step = Callable[[Any, dict], Any]


@dataclass
class Outcome:
    seizure_id: str | None
    error: str | None  # the refusal's message, translated
    changed: bool  # at least one step was written
    result: Any = None


def run_steps(store, seizure_id: str | None, steps: list[Step]) -> Outcome:
    """Run `steps` in order (worker thread), each committed on its own; stop at a refusal."""
    ctx: dict[str, Any] = {"seizure_id": seizure_id, "result": None}
    changed = False
    for step in steps:
        try:
            with store.write() as s:
                ctx["result"] = step(s, ctx)
        except REFUSED as exc:
            return Outcome(ctx["seizure_id"], getattr(exc, "message", None) or str(exc),
                           changed, None)
        changed = True
    return Outcome(ctx["seizure_id"], None, changed, ctx["result"])


class SeizurePage(QWidget):
    """One seizure: a new draft (seizure_id None) or an existing record."""

    saved = Signal(str)  # the seizure id, after every successful change
    op_done = Signal(bool)  # a background change or print finished (True: not refused)
    preview_opened = Signal(object)  # the PdfPreviewDialog

    def __init__(self, store, actor: records.Actor, seizure_id: str | None = None,
                 source_check_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.seizure_id = seizure_id
        self.source_check_id = source_check_id
        self.version = 0
        self.state = rules.DRAFT
        self.number = ""
        self.enabled: dict[QWidget, bool] = {}
        self.busy = False
        self.op: tasks.Operation | None = None
        self.dialog: QDialog | None = None  # the signature/party/action dialog open now
        self.preview_dialog: PdfPreviewDialog | None = None
        self.emergency_state: rules.EmergencyStatus | None = None
        self._build()
        self.load()
        from inspector_app.ui.seizure import recovery  # what is typed survives a crash

        self.recovery = recovery.attach(self)

    # --- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = QLabel()
        self.header.setObjectName("seizure_header")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.header.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.header.setFont(font)
        self.problems = QLabel()
        self.problems.setObjectName("seizure_problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020; background: #fdecee; padding: 6px;")
        self.problems.hide()
        self.banner = QLabel()
        self.banner.setObjectName("seizure_banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.banner_icon = QLabel()  # the warning icon beside an overdue banner
        self.banner_icon.setPixmap(labels.warning_icon().pixmap(24, 24))
        self.banner_icon.hide()
        self.release_now = QPushButton(_("Release now…"))
        self.release_now.clicked.connect(lambda: self.close_measure(rules.RELEASED))
        self.release_now.hide()
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner_icon)
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.release_now)

        self.tabs = QTabWidget()
        self.form = DraftForm(self)
        for name in self.FIELDS:
            setattr(self, name, getattr(self.form, name))
        for widget, title in self.form.tabs:
            self.tabs.addTab(widget, title)
        self.form.new_party_button.clicked.connect(lambda: self.edit_party(new=True))
        self.form.complete_party_button.clicked.connect(lambda: self.edit_party(new=False))
        self.form.party.currentIndexChanged.connect(lambda _i: self._show_header())
        self.signatures = SignaturesTab(self.sign, self)
        self.signatures.photos_button.clicked.connect(lambda: self.add_photos())
        self.tabs.addTab(self.signatures, _("Signatures and photos"))
        self.status = StatusTab(self.preview, self)
        self.tabs.addTab(self.status, _("State and documents"))
        self.review = review_panel.panel_for(self.store, "seizure", self.seizure_id, self)
        if self.review is not None:  # 审核意见, when decisions were received
            self.tabs.addTab(self.review, _("Review comments"))

        self.save_button = QPushButton(_("Save draft"))
        self.save_button.clicked.connect(lambda: self.save())
        self.issue_button = QPushButton(_("Issue"))
        self.issue_button.clicked.connect(lambda: self.issue())
        self.extend_button = QPushButton(_("Extend…"))
        self.extend_button.clicked.connect(lambda: self.extend())
        self.testing_button = QPushButton(_("Testing period…"))
        self.testing_button.clicked.connect(lambda: self.testing())
        self.approval_button = QPushButton(_("Prior approval…"))
        self.approval_button.clicked.connect(lambda: self.record_approval())
        self.report_button = QPushButton(_("Report emergency…"))
        self.report_button.clicked.connect(lambda: self.report_emergency())
        self.close_box = QComboBox()
        for target in rules.CLOSING:
            self.close_box.addItem(_(rules.STATE_LABELS[target]), target)
        self.close_button = QPushButton(_("Decide…"))
        self.close_button.clicked.connect(lambda: self.close_measure(self.close_box.currentData()))
        actions = QHBoxLayout()
        for w in (self.save_button, self.approval_button, self.issue_button,
                  self.extend_button, self.testing_button, self.report_button):
            actions.addWidget(w)
        actions.addStretch()
        actions.addWidget(self.close_box)
        actions.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.problems)
        layout.addLayout(banner_row)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)

    # The draft's fields, as the page's own (tests and callers reach them here).
    FIELDS = ("measure", "market", "party", "place", "violation", "basis", "term",
              "custody_place", "custodian", "contact_phone", "emergency", "officers", "items",
              "seals", "started", "ended", "presence", "witness", "notified", "record_text",
              "statement", "new_party_button", "complete_party_button")

    def draft_input(self) -> service.DraftInput:
        return self.form.draft_input()

    # --- loading -------------------------------------------------------------------------

    def load(self, fill: bool = True) -> None:
        """Show the record as stored; `fill` False keeps what is typed in the draft's fields
        (after a signature or a photo, which change only their own lists)."""
        with self.store.read() as s:
            if fill:
                self.form.load_choices(s)
            if self.seizure_id is None:
                data = (service.draft_from_check(s, self.source_check_id)
                        if self.source_check_id else service.DraftInput())
                if self.actor.inspector_id and not data.officer_ids:
                    data.officer_ids = [self.actor.inspector_id]
                if fill:
                    self.form.fill(data)
                self._refresh_status(None, s)
                return
            seizure = service.load(s, self.seizure_id)
            self.version = seizure.version
            self.state = seizure.state
            self.number = seizure.number
            if fill:
                self.form.fill(service.draft_input(seizure))
            self._refresh_status(seizure, s)

    def _show_header(self) -> None:
        """Number (or "unnumbered"), party and state, after every step."""
        state = (_(rules.STATE_LABELS.get(self.state, self.state)) if self.seizure_id
                 else _("not saved yet"))
        text = _("Number: {number}    Party: {party}    State: {state}").format(
            number=self.number or _("unnumbered (draft)"),
            party=self.form.party_name() or _("(no party chosen)"), state=state)
        emergency = self.emergency_state
        if emergency is not None and emergency.overdue:
            text += "    ⚠ " + _("Emergency report overdue")
        self.header.setText(text)

    def _refresh_status(self, seizure, s) -> None:
        draft = seizure is None or seizure.state == rules.DRAFT
        for n in range(len(self.form.tabs)):
            self.tabs.widget(n).setEnabled(draft)
        active = seizure is not None and seizure.state in rules.ACTIVE
        term = self.status.refresh(seizure)
        term_over = active and term is not None and term.overdue
        self.enabled = {
            self.save_button: draft, self.issue_button: draft,
            self.approval_button: draft,
            self.extend_button: active and seizure.state == rules.ISSUED and not term_over,
            self.testing_button: active, self.close_box: active, self.close_button: active,
            self.report_button: (seizure is not None and seizure.emergency
                                 and seizure.emergency_reported_at is None),
            self.release_now: True,
        }
        for widget, on in self.enabled.items():
            widget.setEnabled(on)
        photos = 0
        if seizure is not None:
            photos = len(s.scalars(select(Attachment.id).where(
                Attachment.record_kind == "seizure", Attachment.record_id == seizure.id,
                Attachment.role == "photo")).all())
        self.signatures.refresh(seizure, photos)
        self.emergency_state = (rules.emergency_status(seizure, datetime.now(UTC))
                                if seizure is not None else None)
        self._show_header()
        self.banner.hide()
        self.banner_icon.hide()
        self.release_now.hide()
        if seizure is None:
            return
        if term is not None:
            if term.overdue:
                self._banner(_("The term ended on {date}: the measure must be released now; "
                               "print the release notice.").format(date=term.end.isoformat()),
                             "#b00020")
                self.release_now.show()
            elif term.warn:
                self._banner(_("Only {days} days left in the term (until {date}).").format(
                    days=term.days_left, date=term.end.isoformat()), "#a15c00")
        emergency = self.emergency_state
        if emergency is not None and emergency.reported_at is None:
            due = emergency.due.astimezone(service.seizure_tz(seizure)).strftime(
                "%Y-%m-%d %H:%M")
            if emergency.overdue:
                text = _("Emergency report overdue: it was due by {time} (24 hours, "
                         "行政强制法 art. 19). Record the late report with the reason for the "
                         "delay; until then the measure can only be released.").format(time=due)
            else:
                text = _("Emergency measure: report it and get approval by {time}.").format(
                    time=due)
            self._banner(text, "#b00020" if emergency.overdue else "#a15c00")

    def _banner(self, text: str, color: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"color: white; background: {color}; padding: 6px;")
        self.banner.show()
        self.banner_icon.setVisible(color == "#b00020")

    def show_problem(self, message: str | None) -> None:
        self.problems.setText(message or "")
        self.problems.setVisible(bool(message))

    # --- running changes off the main thread -----------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget, on in self.enabled.items():
            widget.setEnabled(on and not busy)
        self.signatures.set_busy(busy)
        self.form.new_party_button.setEnabled(not busy)
        self.form.complete_party_button.setEnabled(not busy and bool(self.party.currentData()))

    def _start(self, work: Callable[[tasks.Job], Any], label: str,
               done: Callable[[Any], None]) -> tasks.Operation | None:
        """Run `work` on a worker; `done(result)` on the main thread. None while busy."""
        if self.busy:
            return None
        self._set_busy(True)

        def finished() -> None:
            if self.busy:  # an unexpected error: shown by tasks; the page is usable again
                self._set_busy(False)
                self.op_done.emit(False)

        op = tasks.run_in_background(work, store=self.store, parent=self)
        op.succeeded.connect(done)
        op.finished.connect(finished)
        tasks.with_progress(op, self, label)
        self.op = op
        return op

    def run(self, steps: list[Step], label: str, *, fill: bool = True,
            then: Callable[[Outcome], None] | None = None) -> tasks.Operation | None:
        """Write `steps` in the background, then show the record (or the refusal)."""
        seizure_id = self.seizure_id

        def done(outcome: Outcome) -> None:
            self._set_busy(False)
            self.seizure_id = outcome.seizure_id or self.seizure_id
            if outcome.changed or fill:
                self.load(fill=fill and outcome.error is None)
            self.show_problem(outcome.error)
            if outcome.changed and self.seizure_id:
                self.saved.emit(self.seizure_id)
            if then is not None:
                then(outcome)
            self.op_done.emit(outcome.error is None)

        return self._start(lambda job: run_steps(job.store, seizure_id, steps), label, done)

    def _save_step(self) -> Step:
        data, version, check_id = self.draft_input(), self.version, self.source_check_id

        def step(s, ctx):
            if ctx["seizure_id"] is None:
                ctx["seizure_id"] = service.create_draft(
                    s, self.actor, data, source_check_id=check_id).id
            else:
                service.update_draft(s, self.actor, ctx["seizure_id"], data, version)
        return step

    # --- actions -------------------------------------------------------------------------

    def save(self) -> tasks.Operation | None:
        return self.run([self._save_step()], _("Saving the seizure…"))

    def issue(self) -> tasks.Operation | None:
        """Save the draft, then issue it (refused, with what is missing, until it may be)."""
        def issue_step(s, ctx):
            service.issue(self.store, s, self.actor, ctx["seizure_id"])
        return self.run([self._save_step(), issue_step], _("Issuing the seizure…"))

    def edit_party(self, new: bool) -> PartyDialog | None:
        """A new party, or the chosen one completed (the same record, a new version)."""
        party_id = None if new else self.party.currentData()
        current, version = None, None
        if party_id is not None:
            with self.store.read() as s:
                party = s.get(Party, party_id)
                if party is None:
                    return None
                current, version = service.party_input(party), party.version
        dialog = PartyDialog(self, current)

        def submitted() -> None:
            data = dialog.party_input()

            def step(s, _ctx):
                return service.save_party(s, self.actor, data, party_id, version).id

            def then(outcome: Outcome) -> None:
                if outcome.error:
                    dialog.show_error(outcome.error)
                    self.show_problem(None)
                    return
                with self.store.read() as s:
                    self.form.load_parties(s, outcome.result)
                self._show_header()
                dialog.accept()
            self.run([step], _("Saving the party…"), fill=False, then=then)

        dialog.submitted.connect(submitted)
        dialog.open()
        self.dialog = dialog
        return dialog

    def sign(self, role: str, label: str, officer_id: str | None, can_refuse: bool) -> None:
        signer = label if role == "officer" else (
            self.form.party_name() if role in ("party", documents.DECISION_RECEIPT)
            else self.witness.text())
        dialog = SignatureDialog(label, signer, can_refuse, self)
        dialog.accepted.connect(lambda: self.store_signature(role, officer_id,
                                                             dialog.result_data()))
        dialog.open()
        self.dialog = dialog

    def store_signature(self, role: str, officer_id: str | None, data: dict
                        ) -> tasks.Operation | None:
        def step(s, ctx):
            service.add_signature(self.store, s, self.actor, ctx["seizure_id"], role,
                                  data["signer"], png=data["png"], strokes=data["strokes"],
                                  refused=data["refused"], officer_id=officer_id)
        def then(outcome: Outcome) -> None:
            if outcome.changed and role == "party" and data["refused"]:
                self.form.set_presence("refused")  # as the record now says
        return self.run([step], _("Saving the signature…"), fill=False, then=then)

    def add_photos(self, paths: list[str] | None = None) -> tasks.Operation | None:
        if self.seizure_id is None:
            return None
        if paths is None:
            paths, _filter = QFileDialog.getOpenFileNames(self, _("Add photos"), "",
                                                          _("Images (*.jpg *.jpeg *.png)"))
        if not paths:
            return None

        def photo_step(path: str) -> Step:
            def step(s, ctx):
                data = Path(path).read_bytes()
                mime = "image/png" if path.lower().endswith(".png") else "image/jpeg"
                service.add_photo(self.store, s, self.actor, ctx["seizure_id"], data,
                                  Path(path).name, mime)
            return step
        return self.run([photo_step(p) for p in paths], _("Adding the photos…"), fill=False)

    def _ask(self, title: str, rows: list[tuple[str, QWidget]],
             on_ok: Callable[[], None]) -> ActionDialog:
        dialog = ActionDialog(title, self)
        for label, widget in rows:
            dialog.form.addRow(label, widget)
        dialog.accepted.connect(on_ok)
        dialog.open()
        self.dialog = dialog
        return dialog

    def extend(self) -> ActionDialog:
        days = QSpinBox()
        days.setRange(1, 60)
        days.setValue(rules.MAX_EXTENSION_DAYS)
        reason, approver = QPlainTextEdit(), QLineEdit()
        reason.setObjectName("extension_reason")
        approver.setObjectName("extension_approver")

        def ok() -> None:
            values = (days.value(), reason.toPlainText(), approver.text())
            self.run([lambda s, ctx: service.extend(self.store, s, self.actor,
                                                    ctx["seizure_id"], *values)],
                     _("Extending the term…"))
        return self._ask(_("Extend the term"), [(_("Extra days"), days),
                                                (_("Written reasons"), reason),
                                                (_("Approved by"), approver)], ok)

    def testing(self) -> ActionDialog:
        with self.store.read() as s:
            running = any(p.end_date is None
                          for p in service.load(s, self.seizure_id).testing_periods)
        start, end = QDateEdit(QDate.currentDate()), QDateEdit(QDate.currentDate())
        for w in (start, end):
            w.setCalendarPopup(True)
        has_end = QCheckBox(_("The end date is known"))
        has_end.setChecked(True)
        description = QLineEdit()

        def ok() -> None:
            if running:
                day = pydate(end.date())
                step = lambda s, ctx: service.end_testing(
                    s, self.actor, ctx["seizure_id"], day)
            else:
                first = pydate(start.date())
                last = pydate(end.date()) if has_end.isChecked() else None
                text = description.text()
                step = lambda s, ctx: service.declare_testing(
                    s, self.actor, ctx["seizure_id"], first, last, text)
            self.run([step], _("Saving the testing period…"))
        rows = ([(_("End of the running testing period"), end)] if running else
                [(_("Start"), start), ("", has_end), (_("End"), end),
                 (_("What is tested, and by whom"), description)])
        return self._ask(_("Testing period"), rows, ok)

    def close_measure(self, target: str) -> ActionDialog:
        ground = QComboBox()
        rows: list[tuple[str, QWidget]] = []
        if target == rules.RELEASED:
            with self.store.read() as s:
                seizure = service.load(s, self.seizure_id)
                term = rules.term(seizure, service.today_for(seizure),
                                  service.seizure_tz(seizure))
            # Only the grounds the dates allow: "term expired" from the last day on, and
            # after the term has ended only that one (rules.check_release_ground).
            for key, text in rules.RELEASE_GROUNDS.items():
                if term is not None and term.overdue and key != rules.EXPIRED_GROUND:
                    continue
                if term is not None and term.days_left > 0 and key == rules.EXPIRED_GROUND:
                    continue
                ground.addItem(text, key)
            rows.append((_("Ground (行政强制法 art. 28)"), ground))
        reason = QPlainTextEdit()
        rows.append((_("Reason"), reason))

        def ok() -> None:
            why = reason.toPlainText()
            chosen = ground.currentData() if target == rules.RELEASED else None

            def then(outcome: Outcome) -> None:
                if outcome.error is None and target == rules.RELEASED:
                    self.preview("release")
            self.run([lambda s, ctx: service.close(self.store, s, self.actor,
                                                   ctx["seizure_id"], target, why,
                                                   ground=chosen)],
                     _("Saving the decision…"), then=then)
        return self._ask(_(rules.STATE_LABELS[target]), rows, ok)

    def record_approval(self) -> ActionDialog:
        """The agency head's prior approval (who, when), recorded on the saved draft."""
        approver = QLineEdit()
        approver.setObjectName("approval_approver")
        when = QDateTimeEdit(QDateTime.currentDateTime())
        when.setObjectName("approval_time")
        when.setDisplayFormat("yyyy-MM-dd HH:mm")
        when.setCalendarPopup(True)

        def ok() -> None:
            name, moment = approver.text(), pydatetime(when.dateTime())
            self.run([self._save_step(), lambda s, ctx: service.record_approval(
                s, self.actor, ctx["seizure_id"], name, moment)],
                _("Saving the approval…"))
        return self._ask(_("Prior approval by the agency head"),
                         [(_("Approved by"), approver), (_("Approved at"), when)], ok)

    def report_emergency(self) -> ActionDialog:
        approver = QLineEdit()
        approver.setObjectName("report_approver")
        reason = QPlainTextEdit()
        reason.setObjectName("report_reason")
        late = self.emergency_state is not None and self.emergency_state.overdue
        label = (_("Reason for the late report (required)") if late
                 else _("Remarks (optional)"))

        def ok() -> None:
            name, why = approver.text(), reason.toPlainText()
            self.run([lambda s, ctx: service.report_emergency(s, self.actor,
                                                              ctx["seizure_id"], name, why)],
                     _("Saving the report…"))
        return self._ask(_("Report the emergency measure"), [(_("Approved by"), approver),
                                                             (label, reason)], ok)

    def preview(self, kind: str) -> tasks.Operation | None:
        """Render `kind` on a worker; the preview opens when it is ready."""
        if self.seizure_id is None:
            return None
        seizure_id, store = self.seizure_id, self.store

        def work(job: tasks.Job) -> tuple[str | UnprintableText | None, bytes | None]:
            try:
                with job.store.write() as s:  # may register this device's key
                    jobs = service.notice_jobs(store, s, seizure_id, [kind])
                return None, documents.render(jobs)  # refuses what the record contradicts
            except UnprintableText as exc:  # a character no font has: refuse, name it
                return exc, None
            except REFUSED as exc:
                return getattr(exc, "message", None) or str(exc), None

        def done(result: tuple[str | UnprintableText | None, bytes | None]) -> None:
            self._set_busy(False)
            error, pdf = result
            if isinstance(error, UnprintableText):
                self.unprintable_box = show_unprintable(self, error)
                error = error.message
            self.show_problem(error)
            if pdf is not None:
                dialog = PdfPreviewDialog(
                    pdf, _(service.KIND_LABELS[kind]), copies=documents.wording.COPIES.get(kind, 1),
                    parent=self, suggested_name=f"{kind}.pdf")
                dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                dialog.open()
                self.preview_dialog = dialog
                self.preview_opened.emit(dialog)
            self.op_done.emit(error is None)

        return self._start(work, _("Preparing the document…"), done)


class SeizureDialog(QDialog):
    """The workflow page in a window, opened from the 查封扣押 list; it fits the screen
    (a 1366×768 laptop included)."""

    def __init__(self, store, actor: records.Actor, seizure_id: str | None = None,
                 source_check_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Seizure"))
        self.page = SeizurePage(store, actor, seizure_id, source_check_id, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        screen = (parent.screen() if parent is not None else None) or \
            QGuiApplication.primaryScreen()
        width, height = 1000, 700
        if screen is not None:
            room = screen.availableGeometry()
            width, height = min(width, room.width() - 40), min(height, room.height() - 60)
        self.resize(width, height)

    def done(self, result: int) -> None:
        self.page.recovery.close()  # closed: saved, or the changes thrown away
        super().done(result)
