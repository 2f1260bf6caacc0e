"""审核: the agency's records awaiting review, a record's content and history, decisions.

The table model holds only the rows fetched so far: the first page when the filter
changes, the next page of PAGE_SIZE rows each time the view scrolls to the end
(canFetchMore / fetchMore over `review.queue(offset=, limit=)`), like the record lists.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import queries
from inspector_app.core.i18n import N_, _, ngettext
from inspector_app.ui import labels
from inspector_app.ui.record_list import record_table
from inspector_app.ui.supervisor import ACTIONS, REVIEW_STATES

PAGE_SIZE = 200

COLUMNS = [  # (key, label)
    ("kind", N_("Kind")), ("title", N_("Record")), ("inspector", N_("Made by")),
    ("market", N_("Market")), ("day", N_("Day")), ("state", N_("State")),
    ("result", N_("Result")), ("review_state", N_("Review")),
    ("conflicts", N_("Conflicts")),
]
_KEYS = [k for k, _label in COLUMNS]
_Index = QModelIndex | QPersistentModelIndex


def _review():
    from inspector_app.core.agency import review

    return review


class ReviewModel(QAbstractTableModel):
    """The records that match the filter, fetched PAGE_SIZE at a time."""

    loaded = Signal(int)  # how many records match, after each (re)load

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.filters: dict[str, Any] = {"state": "pending"}
        self.rows: list[tuple[Any, ...]] = []
        self.total = 0
        self.fetches = 0
        self.loading = False  # a load or a fetchMore is running on a worker
        self._generation = 0  # a result of an older load is dropped

    def load(self, filters: dict[str, Any]) -> None:
        """Count and fetch the first page for `filters` on a worker; `loaded` follows."""
        from inspector_app.ui.tasks import run_in_background

        self._generation += 1
        generation, filters = self._generation, dict(filters)
        self.loading = True

        def work(job):
            return (_review().count(job.session, **filters), self._page(job.session, filters, 0))

        def done(result) -> None:
            if generation != self._generation:
                return  # the filter changed while this ran
            self.beginResetModel()
            self.filters = filters
            self.total, self.rows = result
            self.loading = False
            self.endResetModel()
            self.loaded.emit(self.total)

        run_in_background(work, store=self.store, session="read", on_success=done,
                          on_failure=lambda exc: self._failed(generation, exc), parent=self)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.loading = False
            from inspector_app.ui.errors import report_exception

            report_exception(type(exc), exc, exc.__traceback__)

    def _page(self, session, filters: dict[str, Any], offset: int) -> list[tuple[Any, ...]]:
        self.fetches += 1  # the worker's count of queries run; read on the main thread
        return [tuple(getattr(r, k) for k in ("kind", "record_id", *_KEYS[1:]))
                for r in _review().queue(session, **filters, offset=offset,
                                         limit=PAGE_SIZE)]

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.loading and len(self.rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        from inspector_app.ui.tasks import run_in_background

        if not self.canFetchMore(parent):
            return
        self.loading = True
        generation, filters, offset = self._generation, dict(self.filters), len(self.rows)

        def done(more) -> None:
            if generation != self._generation:
                return
            self.loading = False
            if not more:
                self.total = len(self.rows)
                return
            self.beginInsertRows(QModelIndex(), len(self.rows),
                                 len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

        run_in_background(lambda job: self._page(job.session, filters, offset),
                          store=self.store, session="read", on_success=done,
                          on_failure=lambda exc: self._failed(generation, exc), parent=self)

    def key(self, row: int) -> tuple[str, str]:
        return self.rows[row][0], self.rows[row][1]

    def row_of(self, kind: str, record_id: str) -> int:
        for n, r in enumerate(self.rows):
            if r[0] == kind and r[1] == record_id:
                return n
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def value(self, row: int, key: str) -> Any:
        r = self.rows[row]
        return r[0] if key == "kind" else r[1 + _KEYS.index(key)]

    def text(self, row: int, column: int) -> str:
        key = _KEYS[column]
        raw = self.value(row, key)
        if key == "kind":
            return _(queries.KIND_LABELS.get(raw, raw))
        if key == "state":
            return labels.display_value("state", raw)
        if key == "result":
            return _(queries.OUTCOMES[raw]) if raw in queries.OUTCOMES else raw
        if key == "review_state":
            return _(REVIEW_STATES[raw]) if raw in REVIEW_STATES else raw
        if key == "conflicts":
            return str(raw) if raw else ""
        return str(raw or "")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, key = index.row(), _KEYS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.value(row, "conflicts"):
                return QBrush(QColor(labels.EMPHASIS["alert"][0]))
            if key == "result" and self.value(row, "result") == "nonconforming":
                return QBrush(QColor(labels.EMPHASIS["warn"][0]))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section][1])
        return str(section + 1)


class ReviewPage(QWidget):
    """Filters and the queue on the left; the chosen record and its decisions on the right."""

    decided = Signal(str)  # the action, after a decision was stored

    def __init__(self, store, user, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.user = user
        self.current: tuple[str, str] | None = None
        self.comment_dialog = None
        self.conflict_dialog = None
        self.handover_dialog = None
        self.message_box = None
        self._started = False
        self.shown: tuple[str, str] | None = None  # the record whose detail is shown
        self.model = ReviewModel(store, self)
        self.model.loaded.connect(self._on_loaded)
        self._keep: tuple[str, str] | None = None  # the chosen record, kept over a reload
        self.model.modelAboutToBeReset.connect(lambda: setattr(self, "_keep", self.current))
        self._refreshing = False
        self._request = 0  # the latest read of the chosen record

        self.kind = self._combo("kind", _("All kinds"),
                                [(k, _(v)) for k, v in queries.KIND_LABELS.items()])
        self.inspector = self._combo("inspector", _("All inspectors"), [])
        self.market = self._combo("market", _("All markets"), [])
        self.state = self._combo("state", _("All review states"),
                                 [(k, _(v)) for k, v in REVIEW_STATES.items()])
        self.state.setCurrentIndex(self.state.findData("pending"))
        self.any_date = QCheckBox(_("Any date"))
        self.any_date.setObjectName("any_date")
        self.any_date.setChecked(True)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit, name in ((self.date_from, "date_from"), (self.date_to, "date_to")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.count = QLabel()
        self.count.setObjectName("count")
        filters = QHBoxLayout()
        for widget in (self.kind, self.inspector, self.market, self.state):
            filters.addWidget(widget)
        filters.addSpacing(8)
        filters.addWidget(self.any_date)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("to")))
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        filters.addWidget(self.count)

        self.table = record_table(self.model)
        em = self.table.fontMetrics().horizontalAdvance("商")
        for n, chars in enumerate((5, 9, 4, 7, 6, 4, 4, 4, 3)):
            self.table.setColumnWidth(n, chars * em + 16)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_row(current.row()))

        self.detail = QTextBrowser()
        self.detail.setObjectName("detail")
        self.detail.setOpenLinks(False)
        self.approve_button = self._button("approve", _("Approve"), self.approve)
        self.return_button = self._button("return", _("Return…"), self.return_record)
        self.reject_button = self._button("reject", _("Reject…"), self.reject_record)
        self.conflict_button = self._button("conflict", _("Conflict…"), self.open_conflict)
        self.handover_button = self._button("handover", _("Hand over…"), self.open_handover)
        self.decision_buttons = (self.approve_button, self.return_button, self.reject_button,
                                 self.conflict_button, self.handover_button)
        actions = QHBoxLayout()
        for button in self.decision_buttons:
            actions.addWidget(button)
        pane = QWidget()
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.addWidget(self.detail)
        pane_layout.addLayout(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3 * 1000, 2 * 1000 - 300])  # the whole queue row, the record beside
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        for combo in (self.kind, self.inspector, self.market, self.state):
            combo.currentIndexChanged.connect(self.reload)
        self.any_date.toggled.connect(self._any_date_toggled)
        self.date_from.dateChanged.connect(self.reload)
        self.date_to.dateChanged.connect(self.reload)
        self._show_row(-1)

    def _combo(self, name: str, everything: str, items) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.addItem(everything, None)
        for data, text in items:
            combo.addItem(text, data)
        return combo

    def _button(self, name: str, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # --- loading ---------------------------------------------------------------------

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.refresh()

    def refresh(self) -> None:
        """Fill the filter choices and the queue (after a sync or an import too), from a
        worker."""
        from inspector_app.core.agency import review_view
        from inspector_app.ui.tasks import run_in_background

        self._started = True
        self._refreshing = True
        self.count.setText(_("Loading…"))

        def done(result) -> None:
            self._refreshing = False
            inspectors, markets = result
            self._refill(self.inspector, [(n, n) for n in inspectors])
            self._refill(self.market, markets)
            self.reload()

        def failed(exc: BaseException) -> None:
            self._refreshing = False
            from inspector_app.ui.errors import report_exception

            report_exception(type(exc), exc, exc.__traceback__)

        run_in_background(lambda job: (review_view.inspectors(job.session),
                                       review_view.markets(job.session)),
                          store=self.store, session="read", on_success=done,
                          on_failure=failed, parent=self)

    def busy(self) -> bool:
        """Whether the queue or the chosen record is still being read."""
        return self._refreshing or self.model.loading or self.shown != self.current

    def _refill(self, combo: QComboBox, items) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for data, text in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
        combo.blockSignals(False)

    def filters(self) -> dict[str, Any]:
        out = {"state": self.state.currentData(), "kind": self.kind.currentData(),
               "inspector": self.inspector.currentData(),
               "market": self.market.currentData()}
        if not self.any_date.isChecked():
            out["day_from"] = _pydate(self.date_from.date())
            out["day_to"] = _pydate(self.date_to.date())
        return out

    def reload(self) -> None:
        if not self._started:
            return
        self.count.setText(_("Loading…"))
        self.model.load(self.filters())

    def _any_date_toggled(self, checked: bool) -> None:
        self.date_from.setEnabled(not checked)
        self.date_to.setEnabled(not checked)
        self.reload()

    def _on_loaded(self, n: int) -> None:
        self.count.setText(ngettext("{n} record", "{n} records", n).format(n=n))
        keep, self._keep = self._keep, None
        row = self.model.row_of(*keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
            self._show_row(row)  # its review state may have changed
        else:
            self.table.clearSelection()
            self._show_row(-1)

    # --- the chosen record ---------------------------------------------------------------

    def _show_row(self, row: int) -> None:
        if row < 0 or row >= self.model.rowCount():
            self.current = self.shown = None
            self.detail.setHtml(f"<p>{escape(_('Choose a record in the list.'))}</p>")
            for button in self.decision_buttons:
                button.setEnabled(False)
            return
        self.current = self.model.key(row)
        self.show_record(*self.current)

    def show_record(self, kind: str, record_id: str) -> None:
        """Read the record, its content and history on a worker, then show them (unless
        another record was chosen meanwhile)."""
        from inspector_app.ui.tasks import run_in_background

        self.shown = None
        for button in self.decision_buttons:
            button.setEnabled(False)
        self._request += 1
        key, request = (kind, record_id), self._request
        run_in_background(lambda job: _read_record(job.session, kind, record_id),
                          store=self.store, session="read",
                          on_success=lambda found: self._show_record(key, request, found),
                          parent=self)

    def _show_record(self, key: tuple[str, str], request: int,
                     found: dict[str, Any] | None) -> None:
        if request != self._request or key != self.current:
            return  # another record was chosen (or read again) meanwhile
        if found is None:
            self._show_row(-1)
            return
        state, conflicts = found["state"], found["conflicts"]
        self.detail.setHtml(detail_html(*key, found["content"], found["names"],
                                        found["history"], state, conflicts))
        pending = state == "pending"
        for button in (self.approve_button, self.return_button, self.reject_button):
            button.setEnabled(pending and not conflicts)
            button.setToolTip(
                _("Resolve the conflict first.") if conflicts else
                "" if pending else _("Already decided: the inspector's next version comes "
                                     "back for review."))
        self.conflict_button.setEnabled(bool(conflicts))
        self.conflict_button.setToolTip("" if conflicts else _("The record has no conflict."))
        self.handover_button.setEnabled(True)
        self.shown = key

    # --- decisions -----------------------------------------------------------------------

    def decide(self, action: str, text: str = "", **extra) -> bool:
        review = _review()
        if self.current is None:
            return False
        kind, record_id = self.current
        try:
            review.decide(self.store, kind, record_id, action, text, user=self.user, **extra)
        except review.DecisionError as exc:
            self._warn(exc.message)
            return False
        self.refresh()
        self.decided.emit(action)
        return True

    def _warn(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, _("Decision not made"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.button(QMessageBox.StandardButton.Ok).setText(_("OK"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()

    def approve(self) -> None:
        self.decide("approve")

    def _ask(self, title: str, prompt: str, empty: str, then, parent=None) -> None:
        from inspector_app.ui.supervisor.dialogs import TextDialog

        dialog = TextDialog(title, prompt, empty, parent or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: then(dialog.text()))
        self.comment_dialog = dialog
        dialog.open()

    def return_record(self) -> None:
        self._ask(_("Return the record"), _("What should the inspector correct?"),
                  _("Write the comment the inspector will correct the record by."),
                  lambda text: self.decide("return", text))

    def reject_record(self) -> None:
        self._ask(_("Reject the record"), _("Why is the record rejected?"),
                  _("Write the reason for rejecting the record."),
                  lambda text: self.decide("reject", text))

    def open_conflict(self) -> None:
        """Read the contents in conflict on a worker, then set them side by side."""
        from inspector_app.core.agency import review_view
        from inspector_app.ui.tasks import run_in_background

        if self.current is None:
            return
        kind, record_id = self.current

        def work(job):
            sides = review_view.conflict_sides(job.session, kind, record_id)
            return sides, review_view.reference_names(job.session,
                                                      [s.content or {} for s in sides])

        self.conflict_dialog = None
        self.conflict_button.setEnabled(False)  # once, while it is read
        run_in_background(work, store=self.store, session="read",
                          on_success=lambda found: self._open_conflict(kind, record_id,
                                                                       *found),
                          parent=self)

    def _open_conflict(self, kind: str, record_id: str, sides, names) -> None:
        from inspector_app.core.agency import review_view
        from inspector_app.ui.supervisor.dialogs import ConflictDialog

        self.conflict_button.setEnabled(self.shown == (kind, record_id) and len(sides) > 1)
        if self.current != (kind, record_id):
            return  # another record was chosen meanwhile
        dialog = ConflictDialog(kind, sides, review_view.differing(sides), names, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda version, sha: self._resolve(dialog, version, sha))
        dialog.merged.connect(lambda content: self._resolve_merged(dialog, content))
        self.conflict_dialog = dialog
        dialog.open()

    def _resolve(self, dialog, version: int, sha256: str) -> None:
        def done(text: str) -> None:
            if self.decide("resolve", text, chosen_version=version, chosen_sha256=sha256):
                dialog.accept()

        self._ask(_("Keep version {version}").format(version=version),
                  _("Why is this version kept?"), _("Write why this version is chosen."),
                  done, parent=dialog)  # above the conflict, which stays open

    def _resolve_merged(self, dialog, content: dict) -> None:
        def done(text: str) -> None:
            if self.decide("resolve", text, content=content):
                dialog.accept()

        self._ask(_("Resolve with the merged content"),
                  _("Why is the conflict resolved with these values?"),
                  _("Write why these values are kept."), done, parent=dialog)

    def open_handover(self) -> None:
        from inspector_app.core.agency import review_view
        from inspector_app.ui.supervisor.dialogs import HandoverDialog

        if self.current is None:
            return
        with self.store.read() as session:
            targets = review_view.handover_targets(session, *self.current)
        dialog = HandoverDialog(targets, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.decide("handover", dialog.text(),
                                                    to_device_id=dialog.device_id()))
        self.handover_dialog = dialog
        dialog.open()


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _read_record(session, kind: str, record_id: str) -> dict[str, Any] | None:
    """On a worker: what the detail pane shows of the record (plain values)."""
    from inspector_app.core.agency import review_view
    from inspector_app.core.models import AgencyRecord

    review = _review()
    record = session.get(AgencyRecord, (kind, record_id))
    if record is None:
        return None
    content = review.content(session, kind, record_id, record.version,
                             record.content_sha256)
    return {"content": content, "history": review.history(session, kind, record_id),
            "names": review_view.reference_names(session, [content]),
            "state": record.review_state, "conflicts": record.conflicts}


def detail_html(kind: str, record_id: str, content: dict[str, Any], names: dict[str, str],
                history: list[dict[str, Any]], state: str, conflicts: int) -> str:
    """The record as the detail pane shows it: review state, history (the comments), then
    the content."""
    from inspector_app.ui.supervisor import content_view

    versions = sum(1 for h in history if _is_version(h))
    shown_state = _(REVIEW_STATES[state]) if state in REVIEW_STATES else state
    head = f"<p><b>{escape(_('Review state: {state}').format(state=shown_state))}</b>"
    if conflicts:
        head += (" · <span style='color:#b00020'>"
                 + escape(ngettext("{n} conflicting content", "{n} conflicting contents",
                                   conflicts).format(n=conflicts)) + "</span>")
    head += "</p>"
    return (head + history_html(history)
            + content_view.content_html(kind, record_id, content, names, versions))


def _is_version(entry: dict[str, Any]) -> bool:
    return entry.get("type", "decision" if "action" in entry else "version") == "version"


def history_html(history: list[dict[str, Any]]) -> str:
    from inspector_app.ui.supervisor import content_view

    rows = []
    for entry in history:
        when = content_view.moment(entry.get("at") or entry.get("decided_at") or "")
        if _is_version(entry) and entry.get("made_by"):
            what = _("Version {version} made by {who}'s resolve").format(
                version=entry.get("version"), who=entry["made_by"])
            text = ""
        elif _is_version(entry):
            who = entry.get("inspector") or entry.get("device_id", "")[:8]
            what = _("Version {version} received from {who}").format(
                version=entry.get("version"), who=who)
            text = ""
        else:
            action = entry.get("action", "")
            what = _("{action} by {who} (version {version})").format(
                action=_(ACTIONS[action]) if action in ACTIONS else action,
                who=entry.get("by", ""), version=entry.get("version"))
            outcome = _review().resolve_outcome(entry)  # on a line of its own
            what += f"\n{outcome}" if outcome else ""
            text = entry.get("text") or ""
        rows.append(f"<tr><td style='padding-right:10px'>{escape(when)}</td>"
                    f"<td>{escape(what).replace(chr(10), '<br>')}"
                    + (f"<br><i>{escape(text)}</i>" if text else "") + "</td></tr>")
    return (f"<h3>{escape(_('History'))}</h3>"
            f"<table cellspacing='0' cellpadding='3'>{''.join(rows)}</table>")
