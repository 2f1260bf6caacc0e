"""The Sync page (同步): enrolment, progress, last success, each batch's state and error,
and the automatic sync when the network comes back.

Sync itself is `core.sync.agent` run on a worker thread (`tasks.run_in_background`); this
page only shows what it reports. `AutoSync` watches Qt's network reachability
(QNetworkInformation) and, when it changes or on a slow timer, probes the server on a
worker thread with exponential backoff and jitter, then syncs if anything is pending.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import N_, _
from inspector_app.ui import tasks
from inspector_app.ui.errors import ERROR_STYLE, message_of

log = logging.getLogger(__name__)

STATES = {"pending": N_("Waiting"), "acked": N_("Acknowledged"), "failed": N_("Refused")}
_ROOT = QModelIndex()
PHASES = {"build": N_("Preparing batches…"), "send": N_("Sending batches…"),
          "pull": N_("Receiving updates…"), "import": N_("Importing the agency's records…"),
          "done": N_("Finished")}


def refused_text(entries: list[dict[str, Any]]) -> str:
    """The pulled records kept aside, each with its reasons: those the import's rules
    refused, then those that would overwrite changes here or lack their files."""
    from inspector_app.core.transfer import entity_label

    lines: list[str] = []
    for header, group in (
            (_("Pulled records refused (not applied; they break the rules):"),
             [e for e in entries if e.get("why") != "kept"]),
            (_("Pulled records kept aside (not applied; they would overwrite changes made "
               "here, or their files could not be fetched):"),
             [e for e in entries if e.get("why") == "kept"])):
        if not group:
            continue
        lines.append(header)
        for e in group:
            lines.append(_("{kind} {id}, version {version}, document number {number}:").format(
                kind=entity_label(e.get("kind") or "seizure"), id=e.get("id", ""),
                version=e.get("version", ""), number=e.get("number") or _("(none)")))
            lines += [f"  {p}" for p in e.get("problems", ())]
    return "\n".join(lines)


def _local(moment: Any) -> str:
    from datetime import datetime

    if not moment:
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class BatchTableModel(QAbstractTableModel):
    """The latest batches: sequence, changes, state, attempts, time, error."""

    HEADERS = (N_("Batch"), N_("Changes"), N_("State"), N_("Attempts"), N_("Made"),
               N_("Acknowledged"), N_("Error"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return [str(row["seq"]), str(row["records"]), _(STATES.get(row["state"], row["state"])),
                    str(row["attempts"]), _local(row["created_at"]),
                    _local(row["acked_at"]) or (_("exported") if row["exported_at"] else ""),
                    row["error"]][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 6:
            return row["error"] or None
        if role == Qt.ItemDataRole.ForegroundRole and row["state"] == "failed":
            from PySide6.QtGui import QColor

            return QColor("#b00020")
        return None


class AutoSync(QObject):
    """Starts a sync by itself when the server becomes reachable and changes are pending."""

    reachability = Signal(bool)

    def __init__(self, page: SyncPage, interval_ms: int = 5 * 60 * 1000):
        super().__init__(page)
        self.page = page
        self._probe_op: tasks.Operation | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._info = None

    def start(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        try:
            if QNetworkInformation.loadBackendByFeatures(
                    QNetworkInformation.Feature.Reachability):
                self._info = QNetworkInformation.instance()
        except Exception:  # noqa: BLE001 - no backend: the timer and the probe still work
            self._info = None
        if self._info is not None:
            self._info.reachabilityChanged.connect(self._network_changed)
        self._timer.start()
        QTimer.singleShot(0, self.check)

    def stop(self) -> None:
        self._timer.stop()
        if self._probe_op is not None:
            self._probe_op.cancel()

    def _network_changed(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability in (QNetworkInformation.Reachability.Online,
                            QNetworkInformation.Reachability.Site):
            self.check()
        else:
            self.reachability.emit(False)

    def check(self) -> None:
        """Probe the server (worker thread, backoff with jitter); sync if it answers."""
        if self._probe_op is not None or self.page.running():
            return
        info = self.page.sync_info
        if not info.get("enrolled") or not info.get("server_url"):
            return
        url, ca = info["server_url"], info.get("ca_file", "")

        def probe(job: tasks.Job) -> bool:
            from inspector_app.core.sync import reachability

            prober = reachability.Prober(lambda: reachability.probe(url, ca), base=2.0,
                                         cap=120.0, stopped=job.cancelled)
            return prober.wait_until_reachable(max_tries=6)

        def done(reachable: bool) -> None:
            self._probe_op = None
            self.reachability.emit(bool(reachable))
            if reachable and self.page.sync_info.get("pending", 0) > 0:
                self.page.sync_now()

        def failed(exc: BaseException) -> None:
            self._probe_op = None
            log.info("probe failed: %s", type(exc).__name__)

        self._probe_op = tasks.run_in_background(probe, on_success=done, on_failure=failed,
                                                 parent=self)


class SyncPage(QWidget):
    """Enrolment, a sync button, progress, last success and error, and the batches."""

    synced = Signal()  # after every run: the status bar refreshes its pending count

    def __init__(self, store, parent: QWidget | None = None, auto: bool = True):
        super().__init__(parent)
        self.store = store
        self.sync_info: dict[str, Any] = {}
        self._op: tasks.Operation | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        title = QLabel(_("Sync"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)

        self.server = QLabel()
        self.server.setObjectName("server")
        self.server.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.server)
        self.network = QLabel()
        self.network.setObjectName("reachability")
        layout.addWidget(self.network)

        # Enrolment (shown until the device is enrolled).
        self.enrol_box = QGroupBox(_("Enrol this device"))
        form = QFormLayout(self.enrol_box)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://sync.example.gov.cn")
        self.code_edit = QLineEdit()
        self.ca_edit = QLineEdit()
        self.ca_edit.setPlaceholderText(_("optional"))
        form.addRow(_("Server address"), self.url_edit)
        form.addRow(_("Enrolment code"), self.code_edit)
        form.addRow(_("Certificate authority file"), self.ca_edit)
        self.enrol_button = QPushButton(_("Enrol"))
        self.enrol_button.clicked.connect(self.enrol)
        form.addRow(self.enrol_button)
        layout.addWidget(self.enrol_box)

        self.pending = QLabel()
        self.pending.setObjectName("pending")
        big = self.pending.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.pending.setFont(big)
        layout.addWidget(self.pending)
        self.last_success = QLabel()
        self.last_success.setObjectName("last_success")
        layout.addWidget(self.last_success)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.error)
        self.imported = QLabel()  # a supervisor's device: what the last sync imported
        self.imported.setObjectName("imported")
        self.imported.setWordWrap(True)
        self.imported.setVisible(False)
        layout.addWidget(self.imported)
        self.refused = QPlainTextEdit()  # pulled records the rules refused, with reasons
        self.refused.setObjectName("refused")
        self.refused.setReadOnly(True)
        self.refused.setStyleSheet(ERROR_STYLE)
        self.refused.setMaximumHeight(self.fontMetrics().lineSpacing() * 8)
        layout.addWidget(self.refused)

        buttons = QHBoxLayout()
        self.sync_button = QPushButton(_("Sync now"))
        self.sync_button.clicked.connect(self.sync_now)
        self.retry_button = QPushButton(_("Send refused batches again"))
        self.retry_button.clicked.connect(self.retry_failed)
        self.export_button = QPushButton(_("Export to file…"))
        self.export_button.clicked.connect(self.export)
        for b in (self.sync_button, self.retry_button, self.export_button):
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.phase = QLabel()
        self.phase.setObjectName("phase")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.phase)
        layout.addWidget(self.progress)

        self.model = BatchTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        self.auto = AutoSync(self) if auto else None
        if self.auto is not None:
            self.auto.reachability.connect(self._show_reachability)
        self.refresh()
        if self.auto is not None:
            self.auto.start()

    # --- state -----------------------------------------------------------------------

    def running(self) -> bool:
        return self._op is not None

    def refresh(self) -> None:
        from inspector_app.core.sync import agent, state

        info = agent.status(self.store)
        with self.store.read() as session:
            info["ca_file"] = state.CA_FILE.get(session)
        self.sync_info = info
        self.count = info["pending"]
        enrolled = info["enrolled"]
        self.enrol_box.setVisible(not enrolled)
        if not enrolled and not self.url_edit.text():
            self.url_edit.setText(info["server_url"])  # the address saved in the settings
        self.server.setText(_("Central server: {url}").format(url=info["server_url"])
                            if enrolled else _("This device is not enrolled with a central "
                                               "server yet."))
        self.pending.setText(_("Changes waiting to be sent: {n}").format(n=info["pending"]))
        self.last_success.setText(_("Last successful sync: {when}").format(
            when=_local(info["last_success"]) or _("never")))
        self.error.setText(info["last_error"])
        self.error.setVisible(bool(info["last_error"]))
        refused = refused_text(info["refused_pulls"])
        if info["refused_decisions"]:
            refused = "\n".join(filter(None, [refused, _(
                "Pulled decisions not verified (kept aside, not applied):")] + [
                f"{e['kind']} {e['record_id']} {e['action']}: {e['reason']}"
                for e in info["refused_decisions"]]))
        self.refused.setPlainText(refused)
        self.refused.setVisible(bool(refused))
        failed = any(b["state"] == "failed" for b in info["batches"])
        self.retry_button.setVisible(failed)
        self.sync_button.setEnabled(enrolled and not self.running())
        self.export_button.setEnabled(enrolled and not self.running())
        self.model.set_rows(info["batches"])

    def _show_reachability(self, reachable: bool) -> None:
        self.network.setText(_("The central server is reachable.") if reachable else
                             _("The central server is not reachable; changes are kept "
                               "here and sent when it is."))

    # --- actions ---------------------------------------------------------------------

    def sync_now(self) -> tasks.Operation | None:
        if self.running():
            return self._op
        from inspector_app.core.sync import agent

        phase_names = list(PHASES)

        def work(job: tasks.Job):
            def progress(phase: str, done: int, total: int) -> None:
                # A phase change travels as a negative `done`; progress as done/total.
                job.report(-1 - phase_names.index(phase), 0)
                if total:
                    job.report(done, total)

            return agent.SyncAgent(self.store).run(progress, job.cancelled)

        self.sync_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        first = PHASES["build"]
        self.phase.setText(_(first))
        self._op = tasks.run_in_background(work, on_success=self._finished,
                                           on_failure=self._failed,
                                           on_progress=self._progressed, parent=self)
        return self._op

    def _progressed(self, done: int, total: int) -> None:
        if done < 0:
            self.phase.setText(_(list(PHASES.values())[-1 - done]))
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _finished(self, report) -> None:
        self._op = None
        self.progress.setVisible(False)
        if report.error:
            self.phase.setText(_("Sync stopped."))
        elif report.conflicts:
            self.phase.setText(_("Sync finished; {n} changes conflict with the bureau's "
                                 "versions and wait for a supervisor.")
                               .format(n=len(report.conflicts)))
        else:
            self.phase.setText(_("Sync finished: {n} changes acknowledged.")
                               .format(n=report.acked_records))
        if report.imported is not None:
            self.imported.setText("\n".join([report.imported.text(),
                                             *report.imported.refused_lines()]))
            self.imported.setVisible(True)
        self.refresh()
        self.synced.emit()

    def _failed(self, exc: BaseException) -> None:
        self._op = None
        self.progress.setVisible(False)
        self.phase.setText(_("Sync stopped."))
        self.refresh()
        self.error.setText(message_of(exc, _("The sync stopped because of an unexpected "
                                             "error.")))
        self.error.setVisible(True)
        self.synced.emit()

    def retry_failed(self) -> None:
        from inspector_app.core.sync import batches

        batches.retry_failed(self.store)
        self.refresh()
        self.sync_now()

    def enrol(self) -> tasks.Operation:
        from inspector_app.core.sync import agent

        url, code, ca = (self.url_edit.text().strip(), self.code_edit.text().strip(),
                         self.ca_edit.text().strip())
        self.enrol_button.setEnabled(False)

        def done(_result) -> None:
            self.enrol_button.setEnabled(True)
            self.code_edit.clear()
            self.error.setVisible(False)
            self.refresh()
            self.sync_now()

        def failed(exc: BaseException) -> None:
            self.enrol_button.setEnabled(True)
            self.error.setText(message_of(exc, _("The enrolment stopped because of an "
                                                 "unexpected error.")))
            self.error.setVisible(True)

        return tasks.run_in_background(lambda job: agent.enroll(self.store, url, code, ca),
                                       on_success=done, on_failure=failed, parent=self)

    def export(self) -> tasks.Operation | None:
        """Ask where to write the pending batches (e.g. a USB stick), then write them."""
        from inspector_app.core.sync import batches

        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export batches to a file"), "inspector-batches.json",
            _("Batch files (*.json)"))
        if not path:
            return None

        def done(result) -> None:
            count, records = result
            self.phase.setText(_("Wrote {batches} batches ({records} changes) to {path}.")
                               .format(batches=count, records=records, path=path))
            self.refresh()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                message = _("Cannot write {path}: {error}").format(
                    path=path, error=exc.strerror or type(exc).__name__)
            else:
                message = message_of(exc, _("The export stopped because of an unexpected "
                                            "error."))
            self.error.setText(message)
            self.error.setVisible(True)

        return tasks.run_in_background(lambda job: batches.export_file(self.store, path),
                                       on_success=done, on_failure=failed, parent=self)
