"""Scale checks and fair-scale re-weighs, complaints, and the reminders list."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import ClassVar

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import records
from inspector_app.core.i18n import _
from inspector_app.core.worklog import service
from inspector_app.core.worklog import workstation as ws
from inspector_app.ui import labels, tasks
from inspector_app.ui.screen import fit_columns, header_width, text_width


def _item(text: str, level: str | None = None, marker: bool = False) -> QTableWidgetItem:
    """A read-only cell; a row that needs attention (`level`: "alert" or "warn") is
    tinted, and its `marker` cell (the one saying why) also carries the warning icon."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setToolTip(text)
    if level is not None:
        background, foreground = labels.EMPHASIS[level]
        item.setBackground(QBrush(QColor(background)))
        item.setForeground(QBrush(QColor(foreground)))
        if marker:
            item.setIcon(labels.warning_icon())
    return item


def _table(headers: list[str]) -> QTableWidget:
    """Columns as wide as their headers (at least), the last one taking the rest."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    fit_columns(table)
    return table


def _fit_rows(table: QTableWidget) -> None:
    """After filling: each column fits its header and its values, up to a third of the
    table (longer text is elided, with the whole in the tooltip)."""
    limit = max(table.viewport().width() // 3, 160)
    for n in range(table.columnCount()):
        values = [table.item(r, n).text() for r in range(table.rowCount()) if table.item(r, n)]
        icon = 22 if any(not table.item(r, n).icon().isNull() for r in range(table.rowCount())
                         if table.item(r, n)) else 0
        width = min(text_width(table, values) + icon, limit) if values else 0
        table.setColumnWidth(n, max(width, header_width(table, n)))


def _at(day: date, clock: QTime, tz) -> datetime:
    return datetime.combine(day, time(clock.hour(), clock.minute()), tzinfo=tz).astimezone(UTC)


class _LogPanel(QWidget):
    """Common parts: the log shown, the write helper, the message line."""

    changed = Signal()

    def __init__(self, store, actor: records.Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.log_id: str | None = None
        self.closed = True
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)

    def write(self, fn, done=None) -> tasks.Operation:
        log_id, actor = self.log_id, self.actor

        def work(job):
            return fn(job.session, actor, log_id)

        op = tasks.run_in_background(work, store=self.store, session="write")

        def ok(result) -> None:
            self.show_message("")
            if done:
                done(result)
            self.changed.emit()
            self.reload()

        op.succeeded.connect(ok)
        op.failed.connect(self._failed)
        return op

    def _failed(self, exc: BaseException) -> None:
        from inspector_app.ui.errors import message_of

        self.show_message(message_of(exc, _("The change could not be saved.")), error=True)

    def show_message(self, text: str, error: bool = False) -> None:
        from inspector_app.ui.errors import ERROR_STYLE

        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def reload(self) -> None:
        if self.log_id is None:
            self.show_log(None)
            return
        with self.store.read() as session:
            self.show_log(service.load(session, self.log_id))

    def set_log(self, log_id: str | None) -> None:
        self.log_id = log_id
        self.reload()

    def show_log(self, wl) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class ScalePanel(_LogPanel):
    """Scale verification checks (overdue, failed or unmarked flagged) and fair-scale
    re-weighs with claimed and actual weight and the difference."""

    def __init__(self, store, actor: records.Actor, parent: QWidget | None = None):
        super().__init__(store, actor, parent)
        self.kind = QComboBox()
        self.kind.setObjectName("scale_kind")
        self.kind.addItem(_("Scale verification check"), "verification")
        self.kind.addItem(_("Fair-scale re-weigh (公平秤)"), "reweigh")
        self.stall = QLineEdit()
        self.stall.setObjectName("scale_stall")
        self.time = QTimeEdit(QTime.currentTime())
        self.time.setDisplayFormat("HH:mm")
        # verification
        self.name = QLineEdit()
        self.name.setPlaceholderText("电子计价秤")
        self.model = QLineEdit()
        self.serial = QLineEdit()
        self.cert = QLineEdit()
        self.cert.setObjectName("scale_cert")
        self.verified_on = QLineEdit()
        self.verified_on.setPlaceholderText("2026-01-15")
        self.valid_until = QLineEdit()
        self.valid_until.setObjectName("scale_valid_until")
        self.valid_until.setPlaceholderText("2027-01-14")
        self.result = QComboBox()
        self.result.setObjectName("scale_result")
        self.result.addItem(_("Pass"), "pass")
        self.result.addItem(_("Failed"), "fail")
        # re-weigh
        self.product = QLineEdit()
        self.product.setObjectName("scale_product")
        self.claimed = QLineEdit()
        self.claimed.setObjectName("scale_claimed")
        self.claimed.setPlaceholderText("kg")
        self.actual = QLineEdit()
        self.actual.setObjectName("scale_actual")
        self.actual.setPlaceholderText("kg")
        self.note = QLineEdit()

        verification = QWidget()
        vf = QFormLayout(verification)
        vf.addRow(_("Scale"), self.name)
        vf.addRow(_("Model"), self.model)
        vf.addRow(_("Serial no."), self.serial)
        vf.addRow(_("Verification certificate no."), self.cert)
        vf.addRow(_("Verified on"), self.verified_on)
        vf.addRow(_("Valid until"), self.valid_until)
        vf.addRow(_("Result"), self.result)
        reweigh = QWidget()
        rf = QFormLayout(reweigh)
        rf.addRow(_("Goods"), self.product)
        rf.addRow(_("Claimed weight (kg)"), self.claimed)
        rf.addRow(_("Actual weight (kg)"), self.actual)
        self.forms = QStackedWidget()
        self.forms.addWidget(verification)
        self.forms.addWidget(reweigh)
        self.kind.currentIndexChanged.connect(self.forms.setCurrentIndex)
        head = QFormLayout()
        head.addRow(_("Kind"), self.kind)
        head.addRow(_("Stall"), self.stall)
        head.addRow(_("Time"), self.time)
        self.add_button = QPushButton(_("Add"))
        self.add_button.setObjectName("scale_add")
        self.add_button.clicked.connect(self.add)
        left = QVBoxLayout()
        left.addLayout(head)
        left.addWidget(self.forms)
        form_note = QFormLayout()
        form_note.addRow(_("Note"), self.note)
        left.addLayout(form_note)
        left.addWidget(self.add_button)
        left.addWidget(self.message)
        left.addStretch()
        self.table = _table([_("Time"), _("Kind"), _("Stall"), _("Scale / goods"),
                             _("Certificate / claimed"), _("Valid until / actual"),
                             _("Difference (g)"), _("Result"), _("Problems")])
        self.table.setObjectName("scale_table")
        layout = QHBoxLayout(self)
        side = QWidget()
        side.setLayout(left)
        side.setMaximumWidth(360)
        layout.addWidget(side)
        layout.addWidget(self.table, 1)

    def data(self) -> service.ScaleInput:
        return service.ScaleInput(
            kind=self.kind.currentData(), stall_no=self.stall.text(),
            instrument_name=self.name.text(), model=self.model.text(),
            serial_no=self.serial.text(), cert_no=self.cert.text(),
            verified_on=self.verified_on.text(), valid_until=self.valid_until.text(),
            result=self.result.currentData(), product_name=self.product.text(),
            claimed_weight=self.claimed.text() or None, actual_weight=self.actual.text() or None,
            note=self.note.text())

    def add(self) -> tasks.Operation | None:
        if self.log_id is None or self.closed:
            self.show_message(_("Open a shift first."))
            return None
        data = self.data()
        with self.store.read() as session:
            wl = service.load(session, self.log_id)
            data.checked_at = _at(date.fromisoformat(wl.log_date), self.time.time(),
                                  service.log_tz(wl))

        def done(_row) -> None:
            for edit in (self.stall, self.serial, self.cert, self.verified_on,
                         self.valid_until, self.product, self.claimed, self.actual, self.note):
                edit.clear()

        return self.write(lambda s, actor, log_id: service.add_scale_check(
            s, actor, log_id, data), done)

    def show_log(self, wl) -> None:
        self.closed = wl is None or wl.status != service.OPEN
        self.add_button.setEnabled(not self.closed)
        checks = wl.scale_checks if wl is not None else []
        self.table.setRowCount(len(checks))
        day = date.fromisoformat(wl.log_date) if wl is not None else None
        for n, s in enumerate(checks):
            flags = service.scale_flags(s, day)
            when = s.checked_at.astimezone(service.log_tz(wl)).strftime("%H:%M") \
                if s.checked_at else ""
            diff = service.difference(s)
            if s.kind == "reweigh":
                cells = [when, _("Re-weigh"), s.stall_no, s.product_name or "",
                         f"{s.claimed_weight:.3f}", f"{s.actual_weight:.3f}",
                         f"{(diff * 1000).quantize(Decimal(1)):+}" if diff is not None else "",
                         _(service.SCALE_RESULTS.get(s.result, s.result)),
                         "、".join(_(service.FLAG_LABELS[f]) for f in flags)]
            else:
                cells = [when, _("Verification"), s.stall_no,
                         " ".join(x for x in (s.instrument_name, s.model, s.serial_no) if x),
                         s.cert_no, s.valid_until, "",
                         _(service.SCALE_RESULTS.get(s.result, s.result)),
                         "、".join(_(service.FLAG_LABELS[f]) for f in flags)]
            for col, text in enumerate(cells):
                self.table.setItem(n, col, _item(text, "alert" if flags else None,
                                                 marker=col == 8))
        _fit_rows(self.table)


class ComplaintPanel(_LogPanel):
    """Complaints and reports received, with status and follow-up."""

    def __init__(self, store, actor: records.Actor, parent: QWidget | None = None):
        super().__init__(store, actor, parent)
        self.category = QComboBox()
        self.category.setObjectName("complaint_category")
        for key, label in service.COMPLAINT_CATEGORIES.items():
            self.category.addItem(_(label), key)
        self.time = QTimeEdit(QTime.currentTime())
        self.time.setDisplayFormat("HH:mm")
        self.complainant = QLineEdit()
        self.phone = QLineEdit()
        self.stall = QLineEdit()
        self.content = QLineEdit()
        self.content.setObjectName("complaint_content")
        self.handler = QLineEdit()
        form = QFormLayout()
        form.addRow(_("Kind"), self.category)
        form.addRow(_("Received at"), self.time)
        form.addRow(_("Complainant"), self.complainant)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Stall"), self.stall)
        form.addRow(_("Content"), self.content)
        form.addRow(_("Handled by"), self.handler)
        self.add_button = QPushButton(_("Add"))
        self.add_button.setObjectName("complaint_add")
        self.add_button.clicked.connect(self.add)
        self.follow_button = QPushButton(_("Follow-up…"))
        self.follow_button.clicked.connect(lambda: self.follow_up(close=False))
        self.close_button = QPushButton(_("Close with follow-up…"))
        self.close_button.clicked.connect(lambda: self.follow_up(close=True))
        for button in (self.follow_button, self.close_button):
            button.setEnabled(False)  # until a complaint is chosen in the list
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.add_button)
        left.addWidget(self.message)
        left.addStretch()
        side = QWidget()
        side.setLayout(left)
        side.setMaximumWidth(360)
        self.table = _table([_("No."), _("Received at"), _("Kind"), _("Complainant"),
                             _("Stall"), _("Content"), _("Status"), _("Follow-up")])
        self.table.setObjectName("complaint_table")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.follow_button)
        row.addWidget(self.close_button)
        right.addLayout(row)
        layout = QHBoxLayout(self)
        layout.addWidget(side)
        layout.addLayout(right, 1)
        self.positions: list[int] = []
        self.follow_ups: list[str] = []

    def add(self) -> tasks.Operation | None:
        if self.log_id is None or self.closed:
            self.show_message(_("Open a shift first."))
            return None
        with self.store.read() as session:
            wl = service.load(session, self.log_id)
            at = _at(date.fromisoformat(wl.log_date), self.time.time(), service.log_tz(wl))
        data = service.ComplaintInput(
            content=self.content.text(), category=self.category.currentData(),
            complainant=self.complainant.text(), phone=self.phone.text(),
            stall_no=self.stall.text(), handler=self.handler.text(), received_at=at)

        def done(_row) -> None:
            for edit in (self.complainant, self.phone, self.stall, self.content):
                edit.clear()

        return self.write(lambda s, actor, log_id: service.add_complaint(
            s, actor, log_id, data), done)

    def follow_up(self, close: bool) -> tasks.Operation | None:
        n = self.table.currentRow()
        if n < 0 or self.log_id is None:
            self.show_message(_("Choose a complaint in the list first."))
            return None
        text, ok = QInputDialog.getMultiLineText(
            self, _("Follow-up"), _("How was it followed up?"), self.follow_ups[n])
        if not ok:
            return None
        return self.save_follow_up(self.positions[n], text, close)

    def save_follow_up(self, position: int, text: str, close: bool) -> tasks.Operation:
        return self.write(lambda s, actor, log_id: service.update_complaint(
            s, actor, log_id, position, text, close=close))

    def show_log(self, wl) -> None:
        self.closed = wl is None or wl.status != service.OPEN
        self.add_button.setEnabled(not self.closed)
        rows = wl.complaints if wl is not None else []
        self.positions = [c.position for c in rows]
        self.follow_ups = [c.follow_up for c in rows]
        self.table.setRowCount(len(rows))
        for n, c in enumerate(rows):
            when = c.received_at.astimezone(service.log_tz(wl)).strftime("%H:%M")
            cells = [str(c.position), when,
                     _(service.COMPLAINT_CATEGORIES.get(c.category or "complaint", "")),
                     c.complainant, c.stall_no, c.content,
                     _(service.COMPLAINT_STATUSES.get(c.status, c.status)), c.follow_up]
            for col, text in enumerate(cells):
                self.table.setItem(n, col, _item(
                    text, "warn" if c.status != service.CLOSED else None, marker=col == 6))
        _fit_rows(self.table)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.log_id is not None and self.table.currentRow() >= 0 and \
            bool(self.table.selectedItems())
        self.follow_button.setEnabled(chosen)
        self.close_button.setEnabled(chosen)


class RemindersList(QListWidget):
    """Instruments whose verification expires within 30 days, expired reagent batches,
    positives awaiting a re-test, open complaints: most urgent first."""

    COLORS: ClassVar[dict[str, QColor]] = {
        "error": QColor("#b00020"), "warning": QColor("#8a5a00"), "info": QColor("#1f3a5f")}
    ICONS: ClassVar[dict[str, str]] = {"error": "⛔", "warning": "⚠", "info": "ℹ"}

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reminders")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.reminders: list[ws.Reminder] = []

    def show_reminders(self, reminders: list[ws.Reminder]) -> None:
        self.reminders = reminders
        self.clear()
        for r in reminders:
            item = QListWidgetItem(f"{self.ICONS[r.level]} {r.message}")
            item.setForeground(QBrush(self.COLORS[r.level]))
            item.setData(Qt.ItemDataRole.UserRole, r.kind)
            self.addItem(item)
        rows = min(len(reminders), 6)
        self.setFixedHeight(rows * max(self.sizeHintForRow(0), 18) + 2 * self.frameWidth() + 2
                            if rows else 0)
        self.setVisible(bool(reminders))
