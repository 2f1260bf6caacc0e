"""The dashboard's list of running measures: days left, warnings, overdue, emergency
reports; double-click opens one."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _
from inspector_app.core.seizure import service
from inspector_app.ui import labels


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
            todo, color, alert = "", None, False
            if row.term is not None and row.term.overdue:
                overdue += 1
                todo, color, alert = _("Overdue: release it"), QColor("#f8d0d4"), True
            elif row.term is not None and row.term.warn:
                warn += 1
                todo, color = _("Ends soon"), QColor("#fde8c8")
            if row.report_overdue:
                overdue += not alert
                todo = (todo + "; " if todo else "") + _(
                    "Emergency report overdue: report it with the reason for the delay")
                color, alert = QColor("#f8d0d4"), True
            elif row.emergency is not None and row.emergency.reported_at is None:
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
                if col == 3 and alert:
                    item.setIcon(labels.warning_icon())
                if color is not None:
                    item.setBackground(color)
                self.table.setItem(n, col, item)
        self.summary.setText(_("{n} running measures: {warn} ending within 5 days, {overdue} "
                               "overdue").format(n=len(self.rows), warn=warn, overdue=overdue))
