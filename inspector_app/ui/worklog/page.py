"""The 工作站日志 page: the open shift's tests, scale checks and complaints, the reminders,
the set-up, the CSV import and the reports; the list of every log below them.

Made for the main window's page stack: `start()` when it is shown, `data_changed()` after
a write elsewhere (the same interface as `RecordListPage`).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import records, settings
from inspector_app.core.i18n import _
from inspector_app.core.store import utcnow
from inspector_app.core.worklog import reports, service
from inspector_app.core.worklog import workstation as ws
from inspector_app.ui import tasks
from inspector_app.ui.errors import show_message
from inspector_app.ui.worklog.entry_table import TestEntryWidget
from inspector_app.ui.worklog.panels import ComplaintPanel, RemindersList, ScalePanel


class WorklogPage(QWidget):
    """Everything a workstation operator does in a day, on one page."""

    seizure_started = Signal(str)  # a seizure draft made from a positive test
    check_started = Signal(str)  # a labeling check draft made from a positive test
    changed = Signal()  # something was written (the shell refreshes its counts)

    def __init__(self, store, user=None, parent: QWidget | None = None, *,
                 actor: records.Actor | None = None, clock=utcnow):
        super().__init__(parent)
        self.store = store
        self.user = user
        self.clock = clock
        self.actor = actor or self._actor()
        self.workstation_id: str | None = None
        self.log_id: str | None = None
        self.started = False
        self._own_change = False

        title = QLabel(_("Workstation log"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.station_label = QLabel()
        self.station_label.setObjectName("station")
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addWidget(self.station_label)
        bar.addStretch()
        for key, label, slot in (
                ("setup", _("Set-up…"), self.open_setup),
                ("open", _("Open shift…"), self.open_shift),
                ("close", _("Close shift…"), self.close_shift),
                ("import", _("Import CSV…"), self.import_csv),
                ("daily", _("Daily report"), self.daily_report),
                ("monthly", _("Monthly summary"), self.monthly_report)):
            button = QPushButton(label)
            button.setObjectName(f"worklog_{key}")
            button.clicked.connect(slot)  # every slot here takes no argument
            bar.addWidget(button)
            self.buttons[key] = button
        for key in ("open", "close", "import"):  # until `refresh` knows the shift
            self.buttons[key].setEnabled(False)

        self.reminders = RemindersList()
        self.entry = TestEntryWidget(store, self.actor, self, clock=clock)
        self.entry.changed.connect(self._written)
        self.entry.seizure_started.connect(self.seizure_started)
        self.entry.check_started.connect(self.check_started)
        self.scales = ScalePanel(store, self.actor)
        self.scales.changed.connect(self._written)
        self.complaints = ComplaintPanel(store, self.actor)
        self.complaints.changed.connect(self._written)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("worklog_tabs")
        self.tabs.addTab(self.entry, _("Rapid tests"))
        self.tabs.addTab(self.scales, _("Scales and re-weighs"))
        self.tabs.addTab(self.complaints, _("Complaints"))
        self.list_page = None
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.reminders)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

    def _actor(self) -> records.Actor:
        with self.store.write() as session:
            device = settings.device_id(session)
        return records.Actor(device, getattr(self.user, "id", None))

    # --- the page interface ---------------------------------------------------------------

    def start(self) -> None:
        """Shown: (re)load the workstation, the open shift and the reminders."""
        if self.list_page is None:
            from inspector_app.ui.record_list import RecordListPage

            self.list_page = RecordListPage(self.store, "worklog")
            self.tabs.addTab(self.list_page, _("All logs"))
        self.started = True
        self.refresh()
        self.list_page.start()

    def data_changed(self) -> None:
        """Something was written (here or elsewhere): refresh what shows it. A change made
        on this page (the shell calls back while `changed` is emitted) only refreshes the
        list of logs: the page already shows it, and the entry table is not disturbed."""
        if not self.started:
            return
        if not self._own_change:
            self.refresh()
        if self.list_page is not None:
            self.list_page.data_changed()

    def refresh(self) -> tasks.Operation:
        today = self.clock().astimezone().date()

        def work(job):
            session = job.session
            station = ws.the_workstation(session)
            wl = service.current_log(session, station.id if station else None)
            return (station.id if station else None, station.name if station else "",
                    wl.id if wl else None, ws.reminders(session, today))

        op = tasks.run_in_background(work, store=self.store, session="read")
        op.succeeded.connect(self._refreshed)
        return op

    def _refreshed(self, result) -> None:
        self.workstation_id, name, self.log_id, reminders = result
        self.station_label.setText(name or _("(no workstation set up yet)"))
        self.reminders.show_reminders(reminders)
        has_log = self.log_id is not None
        self.message.setStyleSheet("")
        self.buttons["open"].setEnabled(self.workstation_id is not None and not has_log)
        self.buttons["close"].setEnabled(has_log)
        self.buttons["import"].setEnabled(has_log)
        if self.workstation_id is None:
            self.message.setText(_("Set up the workstation first (market, operators, "
                                   "instruments, reagent batches)."))
        elif not has_log:
            self.message.setText(_("No shift is open: open one to record tests."))
        else:
            self.message.setText("")
        self.entry.load(self.log_id)
        self.scales.set_log(self.log_id)
        self.complaints.set_log(self.log_id)

    def _written(self) -> None:
        self._own_change = True
        try:
            self.changed.emit()
        finally:
            self._own_change = False
        today = self.clock().astimezone().date()
        op = tasks.run_in_background(lambda job: ws.reminders(job.session, today),
                                     store=self.store, session="read")
        op.succeeded.connect(self.reminders.show_reminders)

    # --- set-up and shifts ----------------------------------------------------------------

    def open_setup(self) -> QDialog:
        from inspector_app.ui.worklog.setup_dialog import WorkstationDialog

        dialog = WorkstationDialog(self.store, self.actor, self.workstation_id, self)
        dialog.saved.connect(lambda _id: (self.refresh(), self._written()))
        dialog.open()
        self.setup_dialog = dialog
        return dialog

    def operators(self) -> list[str]:
        names = []
        if self.workstation_id:
            with self.store.read() as session:
                station = ws.load(session, self.workstation_id)
                names = [o.name for o in station.operators if o.active is not False]
        user = getattr(self.user, "name", "")
        return list(dict.fromkeys([*names, *([user] if user else [])]))

    def open_shift(self) -> tasks.Operation | None:
        """Ask who is on duty, then open the day's shift."""
        if self.workstation_id is None:
            return None
        names = self.operators()
        operator, ok = QInputDialog.getItem(self, _("Open shift"), _("Operator on duty"),
                                            names, 0, True)
        operator = operator.strip()
        if not ok or not operator:
            return None
        actor, station, now = self.actor, self.workstation_id, self.clock()
        op = tasks.run_in_background(
            lambda job: service.open_shift(job.session, actor, operator, station,
                                           now=now).id, store=self.store, session="write")
        op.succeeded.connect(lambda _id: (self.refresh(), self._written()))
        op.failed.connect(self._failed)
        return op

    def close_shift(self) -> tasks.Operation | None:
        """Ask for the day's summary, then close the open shift."""
        if self.log_id is None:
            return None
        if self.entry.model.unsaved():
            show_message(self, _("Close shift"), _(
                "Some rows are not saved yet: finish or clear them first."))
            return None
        summary, ok = QInputDialog.getMultiLineText(
            self, _("Close shift"), _("Summary of the day (left empty, it is written "
                                      "from the day's figures):"), "")
        if not ok:
            return None
        actor, log_id, now = self.actor, self.log_id, self.clock()
        op = tasks.run_in_background(
            lambda job: service.close_shift(job.session, actor, log_id, summary, now=now).id,
            store=self.store, session="write")
        op.succeeded.connect(lambda _id: (self.refresh(), self._written()))
        op.failed.connect(self._failed)
        return op

    def _failed(self, exc: BaseException) -> None:
        from inspector_app.core.fonts import UnprintableText
        from inspector_app.ui.errors import ERROR_STYLE, message_of

        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(message_of(exc, _("The change could not be saved.")))
        if isinstance(exc, UnprintableText):  # a report with a character no font has
            from inspector_app.ui.seizure.pdf_preview import show_unprintable

            self.unprintable_box = show_unprintable(self, exc)

    # --- import ------------------------------------------------------------------------------

    def import_csv(self) -> QDialog | None:
        from inspector_app.ui.worklog.import_dialog import CsvImportDialog

        ctx = self.entry.model.ctx
        if self.log_id is None or ctx is None or self.entry.model.read_only:
            return None
        ctx.now = self.clock()
        dialog = CsvImportDialog(self.store, ctx, self)
        dialog.imported.connect(self.entry._add)
        dialog.open()
        self.import_dialog = dialog
        return dialog

    # --- reports -------------------------------------------------------------------------------

    def daily_report(self) -> tasks.Operation | None:
        """Ask for the day, then make its report and preview it."""
        day = self._ask_day()
        if day is None:
            return None
        station = self.workstation_id
        op = tasks.run_in_background(
            lambda job: reports.render_daily(reports.daily_data(job.session, day, station)),
            store=self.store, session="read")
        op.succeeded.connect(lambda pdf: self.show_pdf(
            pdf, _("Daily report {day}").format(day=day.isoformat()),
            f"日报-{day.isoformat()}.pdf"))
        op.failed.connect(self._failed)
        tasks.with_progress(op, self, _("Making the daily report…"))
        return op

    def monthly_report(self) -> tasks.Operation | None:
        """Ask for a day of the month, then make the month's summary and preview it."""
        day = self._ask_day(_("Any day of the month"))
        if day is None:
            return None
        year, mon = day.year, day.month
        station = self.workstation_id
        op = tasks.run_in_background(
            lambda job: reports.render_monthly(reports.monthly_data(job.session, year, mon,
                                                                    station)),
            store=self.store, session="read")
        op.succeeded.connect(lambda pdf: self.show_pdf(
            pdf, _("Monthly summary {year}-{month:02d}").format(year=year, month=mon),
            f"月度汇总-{year}-{mon:02d}.pdf"))
        op.failed.connect(self._failed)
        tasks.with_progress(op, self, _("Making the monthly summary…"))
        return op

    def _ask_day(self, label: str | None = None) -> date | None:
        dialog = QDialog(self)
        dialog.setWindowTitle(_("Report day"))
        edit = QDateEdit(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        today = self.clock().astimezone().date()
        edit.setDate(QDate(today.year, today.month, today.day))
        form = QFormLayout(dialog)
        form.addRow(label or _("Day"), edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        value = edit.date()
        return date(value.year(), value.month(), value.day())

    def show_pdf(self, pdf: bytes, title: str, name: str) -> None:
        self.last_pdf = pdf
        from inspector_app.ui.seizure.pdf_preview import PdfPreviewDialog

        dialog = PdfPreviewDialog(pdf, title, parent=self, suggested_name=name)
        dialog.open()
        self.preview = dialog

