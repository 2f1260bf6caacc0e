"""The labeling check page: header, the definition's fields and checklist, photos, outcome.

The page is built from the definition of the chosen category (`FieldsForm`, `Checklist`).
Every change is kept in the local drafts table by `DraftSaver` (on a single worker thread,
in order: a field is saved when it is left or chosen, and while typing after a short
pause), so a crash loses at most the field being typed and the page reopens on the next
start (`open_recovered_drafts`). "Save draft" and "Finalise" write the record through the
core service on a worker thread; problems come back and are shown under their fields.
The "where and whom" box is `header.HeaderBox`; the dialog around the page is
`dialog.CheckDialog`.
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import queries, records
from inspector_app.core.checks import barcode, rules, service
from inspector_app.core.checks.rules import CheckInput
from inspector_app.core.checks.service import CheckError, CheckInvalid, LocalDraft, Prefill, Saved
from inspector_app.core.i18n import _
from inspector_app.forms import definitions
from inspector_app.forms.definitions import Definition, Registry
from inspector_app.ui import tasks
from inspector_app.ui.checks.drafts import DraftSaver
from inspector_app.ui.checks.form import Checklist, EnterMovesOn, FieldsForm, error_label
from inspector_app.ui.checks.header import HeaderBox, with_error
from inspector_app.ui.checks.photos import PhotoStrip

log = logging.getLogger(__name__)

TYPING_PAUSE_MS = 600
OUTCOME_COLOURS = {"conforming": "#2e7d32", "nonconforming": "#b00020", "pending": "#5f6b7a"}


def _outcome_label(key: str) -> str:
    return _(queries.OUTCOMES.get(key, key))


class CheckPage(QWidget):
    """One labeling check: a new one, a saved draft, a recovered local draft, or (read
    only) a final check."""

    saved = Signal(str)  # check id, after each save
    seizure_started = Signal(str)  # seizure id: open it
    next_requested = Signal(object)  # a Prefill: start the next check at this stall
    busy_changed = Signal(bool)

    def __init__(self, store, actor: records.Actor, *, check_id: str | None = None,
                 draft: LocalDraft | None = None, prefill: Prefill | None = None,
                 registry: Registry | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.check_id: str | None = None
        self.version: int | None = None
        self.status = "new"
        self.seizure_id: str | None = None
        self.defn: Definition | None = None
        self.fields: FieldsForm | None = None
        self.checklist: Checklist | None = None
        self.busy = False
        self.dirty = False
        self.last_saved: Saved | None = None
        self.last_op: tasks.Operation | None = None
        self._loading = True
        self._filter = EnterMovesOn(self)
        self.recorded_officers: list[tuple[str, str, str]] = []  # of a saved check
        with store.read() as session:
            self.registry = registry or definitions.registry_for(session)
            self.markets = [(i, n) for i, n in queries.markets(session)]
            data, record = self._initial(session, check_id, draft, prefill)
        self.draft_id = draft.id if draft else records.new_id()
        self.saver = DraftSaver(store, actor, self.draft_id, self)
        if record is not None:
            self.check_id, self.version, self.status, self.seizure_id = record
            self.saver.record_id, self.saver.base_version = self.check_id, self.version
        if draft is not None:
            self.saver.record_id, self.saver.base_version = draft.record_id, draft.base_version
            self.check_id, self.version = draft.record_id, draft.base_version
            self.status = "draft" if draft.record_id else "new"
            self.dirty = True
        self._build()
        self._fill(data)
        self._loading = False
        self._refresh()
        if self.status == "final":
            self.header.show_recorded_officers(self.recorded_officers)
            self._set_read_only(True)

    # --- loading ------------------------------------------------------------------------

    def _initial(self, session, check_id, draft, prefill
                 ) -> tuple[CheckInput, tuple[str, int, str, str | None] | None]:
        if draft is not None:
            return draft.data, None
        if check_id is not None:
            check = service.load(session, check_id)
            defn = service.definition_of(self.registry, check)
            if defn is None:
                raise CheckError(_("This check was made without a checklist this device "
                                   "knows ({form}); it can be viewed in the record list.")
                                 .format(form=check.form_id or "—"))
            data = service.input_of(session, check, defn)
            self.recorded_officers = [(o.inspector_id, o.name, o.cert_no)
                                      for o in check.officers]
            return data, (check.id, check.version, check.status, check.seizure_id)
        current = self.registry.current()
        if not current:
            raise CheckError(_("No checklist definitions are installed."))
        defn = current[0]
        if prefill is not None and self.registry.latest(prefill.form_id):
            defn = self.registry.latest(prefill.form_id)
        data = rules.new_input(defn)
        data.checked_at = datetime.now(UTC)
        if prefill is not None:
            data.market_id, data.stall_id = prefill.market_id, prefill.stall_id
            data.stall_number, data.party_id = prefill.stall_number, prefill.party_id
            data.party_name = prefill.party_name
            data.second_officer_id = prefill.second_officer_id
        return data, None

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setStyleSheet("font-size: 17px; font-weight: bold;")
        self.state_label = QLabel()
        self.state_label.setObjectName("state")
        self.state_label.setStyleSheet("color: #5f6b7a;")
        self.category = QComboBox()
        self.category.setObjectName("category")
        for d in self.registry.current():
            self.category.addItem(d.category(), d.id)
        self.category.installEventFilter(self._filter)
        self.repeat_button = QPushButton(_("Repeat last check at this stall"))
        self.repeat_button.setObjectName("repeat_last")
        self.repeat_button.setToolTip(_("Fill in the market, stall and party of the last check "
                                        "at the chosen stall (or your last check)"))
        self.repeat_button.clicked.connect(self.repeat_last)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(QLabel(_("Category")))
        top.addWidget(self.category)
        top.addWidget(self.repeat_button)

        self.header = HeaderBox(self.store, self.actor, self.markets)
        where = self.header
        self.market, self.stall, self.party = where.market, where.stall, where.party
        self.checked_at, self.second_officer = where.checked_at, where.second_officer
        self.first_officer = where.first_officer
        self.header_errors = where.errors
        for widget in where.editors():
            widget.installEventFilter(self._filter)
        self.second_officer.currentIndexChanged.connect(lambda _i: self._header_committed())
        self.market.currentIndexChanged.connect(self._market_changed)
        self.stall.currentIndexChanged.connect(self._stall_chosen)
        self.stall.lineEdit().editingFinished.connect(self._header_committed)
        self.party.lineEdit().editingFinished.connect(self._header_committed)
        self.party.currentIndexChanged.connect(lambda _i: self._header_committed())
        self.checked_at.editingFinished.connect(self._header_committed)

        self.product_box = QGroupBox(_("Product details"))
        self.product_box.setObjectName("product")
        self.product_layout = QVBoxLayout(self.product_box)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #5f6b7a;")
        self.product_layout.addWidget(self.note_label)
        self.checklist_box = QGroupBox(_("Checklist"))
        self.checklist_box.setObjectName("checklist")
        self.checklist_layout = QVBoxLayout(self.checklist_box)

        self.photo_box = QGroupBox(_("Photos of the label"))
        photo_layout = QVBoxLayout(self.photo_box)
        self.photos = PhotoStrip(self.store)
        self.photos.changed.connect(self._photos_changed)
        self.photos.busy_changed.connect(self._photos_busy)
        self.photos.barcode_requested.connect(self.read_barcode_of_photo)
        photo_layout.addWidget(self.photos)

        # outcome
        self.outcome_box = QGroupBox(_("Outcome"))
        self.outcome_box.setObjectName("outcome")
        oform = QFormLayout(self.outcome_box)
        oform.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.computed = QLabel()
        self.computed.setObjectName("computed_outcome")
        self.override = QComboBox()
        self.override.setObjectName("override")
        self.override.addItem(_("As the checklist says"), "")
        self.override.addItem(_("Conforming"), "conforming")
        self.override.addItem(_("Non-conforming"), "nonconforming")
        self.reason = QLineEdit()
        self.reason.setObjectName("override_reason")
        self.reason.setPlaceholderText(_("Why the outcome differs from the checklist"))
        self.measure = QComboBox()
        self.measure.setObjectName("measure")
        for key, label in rules.MEASURE_LABELS.items():
            self.measure.addItem(_(label), key)
        self.remarks = QPlainTextEdit()
        self.remarks.setObjectName("remarks")
        self.remarks.setTabChangesFocus(True)
        self.remarks.setFixedHeight(self.remarks.fontMetrics().lineSpacing() * 3 + 12)
        self.outcome_errors = {key: error_label(f"error_{key}")
                               for key in ("override_reason", "measure", "remarks")}
        self.reason_label = QLabel(_("Reason"))
        oform.addRow(QLabel(_("From the checklist")), self.computed)
        oform.addRow(QLabel(_("Outcome")), self.override)
        oform.addRow(self.reason_label,
                     with_error(self.reason, self.outcome_errors["override_reason"]))
        oform.addRow(QLabel(_("Measure")),
                     with_error(self.measure, self.outcome_errors["measure"]))
        oform.addRow(QLabel(_("Remarks")),
                     with_error(self.remarks, self.outcome_errors["remarks"]))
        self.outcome_form = oform
        for widget in (self.override, self.reason, self.measure):
            widget.installEventFilter(self._filter)
        self.override.currentIndexChanged.connect(self._outcome_changed)
        self.measure.currentIndexChanged.connect(self._outcome_changed)
        self.reason.textChanged.connect(self._typed)
        self.reason.editingFinished.connect(self._committed)
        self.remarks.textChanged.connect(self._typed)

        self.problem_label = error_label("problems")
        self.save_button = QPushButton(_("Save draft"))
        self.save_button.setObjectName("save_draft")
        self.save_button.clicked.connect(self.save_draft)
        self.final_button = QPushButton(_("Finalise"))
        self.final_button.setObjectName("finalise")
        self.final_button.setToolTip(_("Check everything and make the check final (Ctrl+Enter)"))
        self.final_button.clicked.connect(self.finalise)
        self.print_button = QPushButton(_("Print record…"))
        self.print_button.setObjectName("print")
        self.print_button.clicked.connect(self.print_record)
        self.next_button = QPushButton(_("Next product at this stall"))
        self.next_button.setObjectName("next_at_stall")
        self.next_button.clicked.connect(self.next_at_stall)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problem_label, 1)
        buttons.addStretch(1)
        for button in (self.print_button, self.next_button, self.save_button,
                       self.final_button):
            buttons.addWidget(button)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.finalise)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.finalise)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save_draft)

        body = QWidget()
        body.setObjectName("body")
        column = QVBoxLayout(body)
        column.addWidget(where)
        column.addWidget(self.product_box)
        column.addWidget(self.checklist_box)
        column.addWidget(self.photo_box)
        column.addWidget(self.outcome_box)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state_label)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)
        self.category.currentIndexChanged.connect(self._category_changed)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.autosave)

    def _use_definition(self, defn: Definition, values: dict[str, Any] | None = None) -> None:
        """Build the fields and checklist of `defn` (replacing those shown)."""
        for old in (self.fields, self.checklist):
            if old is not None:
                old.setParent(None)
                old.deleteLater()
        self.defn = defn
        self.fields = FieldsForm(defn)
        self.fields.setObjectName("fields")
        self.checklist = Checklist(defn)
        self.checklist.setObjectName("items")
        self.product_layout.addWidget(self.fields)
        self.checklist_layout.addWidget(self.checklist)
        self.fields.show()  # now, not at the next event loop turn: they may take the focus
        self.checklist.show()
        self.note_label.setText(defn.note() if defn.note else "")
        self.note_label.setVisible(defn.note is not None)
        self.fields.changed.connect(self._field_changed)
        self.fields.committed.connect(lambda _k: self._committed())
        self.fields.barcode_photo_requested.connect(self.read_barcode_from_file)
        self.checklist.changed.connect(lambda _k: self._typed())
        self.checklist.committed.connect(lambda _k: self._committed())
        if values is not None:
            self.fields.set_values(values)
        self._tab_order()

    def _tab_order(self) -> None:
        chain: list[QWidget] = [self.category, self.market, self.stall, self.party,
                                self.checked_at, self.second_officer]
        chain += self.fields.editors() if self.fields else []
        chain += self.checklist.editors() if self.checklist else []
        chain += [self.photos.add_button, self.override, self.reason, self.measure,
                  self.remarks, self.save_button, self.final_button]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    # --- filling --------------------------------------------------------------------------

    def _fill(self, data: CheckInput) -> None:
        defn = self.registry.get(data.form_id, data.form_version) or \
            self.registry.latest(data.form_id) or self.registry.current()[0]
        index = self.category.findData(defn.id)
        self.category.blockSignals(True)
        if index < 0:  # an older version than the current ones: show its own category
            self.category.addItem(defn.category(), defn.id)
            index = self.category.count() - 1
        self.category.setCurrentIndex(index)
        self.category.blockSignals(False)
        self._use_definition(defn, data.values)
        self.checklist.set_answers(data.answers)
        self.market.setCurrentIndex(max(self.market.findData(data.market_id), 0))
        self.header.load_stalls(data.market_id)
        self.header.set_stall(data.stall_id, data.stall_number)
        self.header.set_party(data.party_id, data.party_name)
        moment = data.checked_at or datetime.now(UTC)
        self.checked_at.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())))
        self.second_officer.set_officer(data.second_officer_id)
        self.photos.set_photos(list(data.photos))
        self.override.setCurrentIndex(max(self.override.findData(data.outcome_override), 0))
        self.reason.setText(data.override_reason)
        self.measure.setCurrentIndex(max(self.measure.findData(data.measure), 0))
        self.remarks.setPlainText(data.remarks)

    # --- reading the form -----------------------------------------------------------------

    def current_input(self) -> CheckInput:
        assert self.defn is not None and self.fields is not None and self.checklist is not None
        stall_id, stall_number = self.header.stall_choice()
        party_id, party_name = self.header.party_choice()
        moment = datetime.fromtimestamp(self.checked_at.dateTime().toSecsSinceEpoch(), UTC)
        return CheckInput(
            form_id=self.defn.id, form_version=self.defn.version,
            market_id=self.market.currentData(), stall_id=stall_id,
            stall_number="" if stall_id else stall_number, party_id=party_id,
            party_name="" if party_id else party_name, checked_at=moment,
            values=self.fields.values(), answers=self.checklist.answers(),
            photos=list(self.photos.photos), outcome_override=self.override.currentData(),
            override_reason=self.reason.text(), measure=self.measure.currentData(),
            remarks=self.remarks.toPlainText(),
            second_officer_id=self.second_officer.officer_id())

    # --- reacting -------------------------------------------------------------------------

    def _category_changed(self, _index: int) -> None:
        if self._loading:
            return
        defn = self.registry.latest(self.category.currentData())
        if defn is None or defn is self.defn:
            return
        keep = self.fields.values() if self.fields else {}
        values = {**rules.new_input(defn).values,
                  **{k: v for k, v in keep.items() if defn.field(k) is not None}}
        answers = self.checklist.answers() if self.checklist else {}
        self._use_definition(defn, values)
        self.checklist.set_answers({k: a for k, a in answers.items() if defn.item(k)})
        self._refresh()
        self._committed()

    def _market_changed(self, _index: int) -> None:
        if self._loading:
            return
        self.header.load_stalls(self.market.currentData())
        self._committed()

    def _stall_chosen(self, index: int) -> None:
        if self._loading or index < 0:
            return
        data = self.stall.itemData(index)
        if data and data[1] and not self.party.currentText().strip():
            self.header.set_party(data[1], "")
        self._committed()

    def _header_committed(self) -> None:
        if not self._loading:
            self._committed()

    def _field_changed(self, _key: str) -> None:
        self._typed()

    def _outcome_changed(self, _index: int) -> None:
        if not self._loading:
            self._committed()

    def _photos_changed(self) -> None:
        self._committed()

    def _photos_busy(self, busy: bool) -> None:
        self._update_buttons()

    def _typed(self) -> None:
        """A value is being typed: save after a pause."""
        if self._loading or self.status == "final":
            return
        self.dirty = True
        self._refresh()
        self._typing.start()

    def _committed(self) -> None:
        """A value was entered (field left, item answered): save now."""
        if self._loading or self.status == "final":
            return
        self.dirty = True
        self._typing.stop()
        self._refresh()
        self.autosave()

    def autosave(self) -> None:
        if self.status != "final" and self.defn is not None:
            self.saver.save(self.current_input())
            self.state_label.setText(self._state_text(_("changes kept on this device")))

    def _refresh(self) -> None:
        if self.defn is None or self.fields is None or self.checklist is None:
            return
        values = self.fields.values()
        self.checklist.apply(values)
        answers = self.checklist.answers()
        computed = rules.computed_outcome(self.defn, values, answers)
        open_items, failed = rules.open_and_failed(self.defn, values, answers)
        text = _outcome_label(computed)
        if failed:
            text += " — " + _("{n} item(s) fail").format(n=failed)
        elif open_items:
            text += " — " + _("{n} item(s) not checked yet").format(n=open_items)
        self.computed.setText(text)
        self.computed.setStyleSheet(f"color: {OUTCOME_COLOURS[computed]}; font-weight: bold;")
        overriding = self.override.currentData() not in ("", computed)
        self.outcome_form.setRowVisible(self.reason_label, overriding
                                        or bool(self.reason.text()))
        self.title.setText(_("Labeling check: {product}").format(
            product=values.get("product_name") or self.defn.category()))
        self.state_label.setText(self._state_text())
        self._update_buttons()

    def _state_text(self, extra: str = "") -> str:
        states = {"new": _("New, not saved yet"), "draft": _("Draft"),
                  "final": _("Final (read only)")}
        parts = [states.get(self.status, self.status)]
        if self.version:
            parts.append(_("version {n}").format(n=self.version))
        if self.defn is not None:
            parts.append(_("{category} checklist, version {version}").format(
                category=self.defn.category(), version=self.defn.version))
        if self.seizure_id:
            parts.append(_("seizure started"))
        if extra:
            parts.append(extra)
        return " · ".join(parts)

    def _update_buttons(self) -> None:
        editable = self.status != "final"
        working = self.busy or self.photos.busy
        self.save_button.setEnabled(editable and not working)
        self.final_button.setEnabled(editable and not working)
        self.save_button.setVisible(editable)
        self.final_button.setVisible(editable)
        self.print_button.setEnabled(self.check_id is not None and not self.busy)
        self.next_button.setVisible(self.status == "final")
        self.repeat_button.setEnabled(editable)
        self.category.setEnabled(editable)

    def _set_read_only(self, read_only: bool) -> None:
        for widget in (self.market, self.stall, self.party, self.checked_at, self.override,
                       self.measure, self.second_officer):
            widget.setEnabled(not read_only)
        self.reason.setReadOnly(read_only)
        self.remarks.setReadOnly(read_only)
        if self.fields:
            self.fields.set_read_only(read_only)
        if self.checklist:
            self.checklist.set_read_only(read_only)
        self.photos.set_read_only(read_only)
        self._update_buttons()

    # --- problems -------------------------------------------------------------------------

    def show_problems(self, problems: dict[str, str]) -> None:
        assert self.fields is not None and self.checklist is not None
        self.fields.show_problems(problems)
        self.checklist.show_problems(problems)
        for key, label in {**self.header_errors, **self.outcome_errors}.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        if problems:
            self.problem_label.setText(_("{n} problem(s) to fix: they are marked in red.")
                                       .format(n=len(problems)))
            self.problem_label.show()
            self._focus_problem(next(iter(self._ordered(problems))))
        else:
            self.problem_label.hide()

    def _ordered(self, problems: dict[str, str]) -> list[str]:
        order = ["market", "party", "checked_at", "second_officer"]
        order += [f.key for f in self.defn.fields] if self.defn else []
        order += [f"item:{i.key}" for i in self.defn.checklist] if self.defn else []
        order += ["override_reason", "measure", "remarks"]
        return [k for k in order if k in problems] + [k for k in problems if k not in order]

    def _focus_problem(self, key: str) -> None:
        widgets = {"market": self.market, "party": self.party, "checked_at": self.checked_at,
                   "second_officer": self.second_officer,
                   "override_reason": self.reason, "measure": self.measure,
                   "remarks": self.remarks}
        widget = widgets.get(key)
        if widget is None and key.startswith("item:") and self.checklist:
            row = self.checklist.rows.get(key[5:])
            widget = row.switch if row else None
        if widget is None and self.fields and key in self.fields.rows:
            widget = self.fields.rows[key].editor
        if widget is not None:
            self.scroll.ensureWidgetVisible(widget)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- saving ---------------------------------------------------------------------------

    def save_draft(self) -> tasks.Operation | None:
        return self._save(final=False)

    def finalise(self) -> tasks.Operation | None:
        return self._save(final=True)

    def _save(self, final: bool) -> tasks.Operation | None:
        if self.busy or self.photos.busy or self.status == "final" or self.defn is None:
            return None
        data = self.current_input()
        registry = self.registry
        check_id, version, draft_id = self.check_id, self.version, self.draft_id
        store, actor = self.store, self.actor
        self._typing.stop()
        self.saver.stop()  # the record replaces the local draft in the save's transaction

        def work(job: tasks.Job) -> Saved:
            return service.save(job.session, actor, data, final=final, check_id=check_id,
                                expected_version=version, draft_id=draft_id, store=store,
                                registry=registry)

        self.busy = True
        self.busy_changed.emit(True)
        self._update_buttons()
        self.state_label.setText(self._state_text(_("saving…")))
        op = tasks.run_in_background(work, store=store, session="write", parent=self)
        op.succeeded.connect(self._saved)
        op.failed.connect(self._save_failed)
        self.last_op = op
        return op

    def _resume_autosave(self) -> None:
        self.saver = DraftSaver(self.store, self.actor, self.draft_id, self)
        self.saver.record_id, self.saver.base_version = self.check_id, self.version

    def _saved(self, saved: Saved) -> None:
        self.busy = False
        self.last_saved = saved
        self.check_id, self.version, self.status = saved.check_id, saved.version, saved.status
        self.seizure_id = saved.seizure_id or self.seizure_id
        self.dirty = False
        self.draft_id = records.new_id()  # the next changes go in a new local draft
        self._resume_autosave()
        self.show_problems({})
        if saved.status == "final":
            self._set_read_only(True)
        self._refresh()
        self.state_label.setText(self._state_text(_("saved")))
        if saved.seizure_error:
            self.problem_label.setText(saved.seizure_error)
            self.problem_label.show()
        self.busy_changed.emit(False)
        self.saved.emit(saved.check_id)
        if saved.seizure_id:
            self.seizure_started.emit(saved.seizure_id)

    def _save_failed(self, exc: BaseException) -> None:
        self.busy = False
        self._resume_autosave()
        self.autosave()  # keep what was typed
        if isinstance(exc, CheckInvalid):
            self.show_problems(exc.problems)
        elif isinstance(exc, (CheckError, records.VersionConflict)):
            self.problem_label.setText(getattr(exc, "message", None) or str(exc))
            self.problem_label.show()
        else:
            log.error("saving a check failed: %s", type(exc).__name__)
            self.problem_label.setText(_("The check could not be saved ({error}). What you "
                                         "typed is kept on this device.").format(
                error=type(exc).__name__))
            self.problem_label.show()
        self._refresh()
        self.busy_changed.emit(False)

    # --- stall, barcode, printing -----------------------------------------------------------

    def repeat_last(self) -> None:
        stall_id, _number = self.header.stall_choice()
        with self.store.read() as session:
            prefill = service.last_at_stall(session, stall_id=stall_id,
                                            inspector_id=self.actor.inspector_id)
            if prefill is None and stall_id:
                prefill = service.last_at_stall(session, inspector_id=self.actor.inspector_id)
        if prefill is None:
            self.state_label.setText(self._state_text(_("no earlier check to repeat")))
            return
        self.apply_prefill(prefill)

    def apply_prefill(self, prefill: Prefill) -> None:
        self._loading = True
        try:
            self.market.setCurrentIndex(max(self.market.findData(prefill.market_id), 0))
            self.header.load_stalls(prefill.market_id)
            self.header.set_stall(prefill.stall_id, prefill.stall_number)
            self.header.set_party(prefill.party_id, prefill.party_name)
            if prefill.second_officer_id and not self.second_officer.officer_id():
                self.second_officer.set_officer(prefill.second_officer_id)
        finally:
            self._loading = False
        self._committed()
        if self.fields is not None:
            self.fields.focus("product_name")

    def next_at_stall(self) -> None:
        if self.check_id is None:
            return
        with self.store.read() as session:
            prefill = service.prefill_of(session, service.load(session, self.check_id))
        self.next_requested.emit(prefill)

    def read_barcode_from_file(self) -> None:
        if self.photos.photos:
            self.photos._barcode_of_selected()
            return
        kinds = _("Photos") + " (*.jpg *.jpeg *.png *.webp)"
        path, _f = QFileDialog.getOpenFileName(self, _("Photo of the barcode"), "", kinds)
        if path:
            self.read_barcode(path=path)

    def read_barcode_of_photo(self, sha256: str) -> tasks.Operation:
        return self.read_barcode(sha256=sha256)

    def read_barcode(self, path: str | None = None, sha256: str | None = None
                     ) -> tasks.Operation:
        """Decode an EAN-13 or QR code from a file or a kept photo, on a worker thread."""
        from pathlib import Path

        store = self.store

        def work(job: tasks.Job):
            from inspector_app.core.checks import photos

            data = Path(path).read_bytes() if path else photos.original_bytes(store, sha256)
            return barcode.read_gtin(data, Path(path).name if path else "")

        op = tasks.run_in_background(work, parent=self)
        op.succeeded.connect(self._barcode_read)
        op.failed.connect(self._barcode_failed)
        self.last_op = op
        return op

    def _barcode_read(self, result) -> None:
        gtin, found = result
        if self.fields is None or "barcode" not in self.fields.rows:
            return
        row = self.fields.rows["barcode"]
        if gtin:
            self.fields.set_value("barcode", gtin)
            self._committed()
        else:
            texts = ", ".join(f"{d.format}: {d.text[:40]}" for d in found)
            row.error.setText(_("No EAN-13 or QR code with a product number was found in the "
                                "photo.") + (f" ({texts})" if texts else ""))
            row.error.show()

    def _barcode_failed(self, exc: BaseException) -> None:
        if self.fields is not None and "barcode" in self.fields.rows:
            row = self.fields.rows["barcode"]
            row.error.setText(getattr(exc, "message", None) or type(exc).__name__)
            row.error.show()

    def make_pdf(self) -> tasks.Operation | None:
        if self.check_id is None:
            return None
        store, registry, check_id = self.store, self.registry, self.check_id

        def work(job: tasks.Job) -> bytes:
            from inspector_app.core.checks import documents

            return documents.check_pdf(job.session, store, check_id, registry)

        op = tasks.run_in_background(work, store=store, session="read", parent=self)
        self.last_op = op
        return op

    def print_record(self) -> None:
        op = self.make_pdf()
        if op is not None:
            op.succeeded.connect(self._show_pdf)
            op.failed.connect(self._print_failed)

    def _print_failed(self, exc: BaseException) -> None:
        from inspector_app.core.fonts import UnprintableText
        from inspector_app.ui.errors import report_exception
        from inspector_app.ui.seizure.pdf_preview import show_unprintable

        if isinstance(exc, UnprintableText):  # a character no font has: refuse, name it
            self.unprintable_box = show_unprintable(self, exc)
        else:
            report_exception(type(exc), exc, exc.__traceback__)

    def _show_pdf(self, pdf: bytes) -> None:
        from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog

        dialog = PdfPreviewDialog(pdf, _("Check record"), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # --- closing ------------------------------------------------------------------------

    def discard(self) -> None:
        """Drop the local draft (the saved record, if any, stays as it is)."""
        self._typing.stop()
        self.saver.discard()
        self.dirty = False

    def flush(self) -> None:
        """Write the local draft now and wait for it (before closing)."""
        self._typing.stop()
        if self.dirty and self.status != "final":
            self.autosave()
        self.saver.pool.waitForDone(10_000)
        QThreadPool.globalInstance().waitForDone(100)
