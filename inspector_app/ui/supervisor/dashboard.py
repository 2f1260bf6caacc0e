"""The supervisor's oversight page (监督总览): deadlines across inspectors, emergency
reports, positive rapid tests and non-conformity rates (QtCharts bar charts), with filters
by period, market and inspector. Every tile and every bar opens the records behind it.

QtCharts, because it is Qt's own chart module, shipped in PySide6 (no other dependency),
draws with the widgets' fonts (Chinese labels) and works offscreen for tests.

The figures come from core/agency/oversight.py, computed on a worker thread
(ui/tasks.py); the page only shows them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import queries
from inspector_app.core.agency import export, oversight
from inspector_app.core.i18n import N_, _, ngettext
from inspector_app.ui.tasks import run_in_background

LIST_LIMIT = 500
BARS = 12  # bars per chart (the highest rates; the list holds them all)
PERIODS = (("all", N_("All time")), ("month", N_("This month")),
           ("last_month", N_("Last month")), ("quarter", N_("Last 3 months")),
           ("year", N_("This year")))
TILES = (
    ("seizures_expiring", N_("Seizures expiring within 5 days")),
    ("seizures_overdue", N_("Seizures overdue")),
    ("emergency_unreported", N_("Emergency measures awaiting the 24-hour report")),
    ("emergency_late", N_("Emergency reports overdue")),
    ("positive_worklogs", N_("Work logs with positive rapid tests")),
    ("nonconforming", N_("Non-conforming checks")),
)
CHARTS = (("market", N_("Non-conformity rate by market")),
          ("category", N_("Non-conformity rate by product category")),
          ("month", N_("Non-conformity rate by month")))


def period_days(key: str, today: date) -> tuple[str, str]:
    """(from, to) of a period choice; empty strings for all time."""
    if key == "month":
        return today.replace(day=1).isoformat(), today.isoformat()
    if key == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1).isoformat(), end.isoformat()
    if key == "quarter":
        return (today - timedelta(days=91)).isoformat(), today.isoformat()
    if key == "year":
        return today.replace(month=1, day=1).isoformat(), today.isoformat()
    return "", ""


class Tile(QPushButton):
    """A count that opens its records when pressed."""

    def __init__(self, key: str, heading: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"tile_{key}")
        self.setMinimumHeight(86)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(
            "QPushButton { background: white; border: 1px solid #d0d4da; border-radius: 6px; }"
            "QPushButton:hover { border-color: #2f5d95; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        self.heading = QLabel(heading)
        self.heading.setStyleSheet("color: #444; border: none;")
        self.number = QLabel()
        self.number.setObjectName("number")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.number.setFont(font)
        for label in (self.heading, self.number):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        self.set_value(None)

    def set_value(self, n: int | None, warn: bool = False) -> None:
        self.value = n
        self.number.setText("…" if n is None else str(n))
        color = "#c0392b" if warn and n else "#1f3a5f"
        self.number.setStyleSheet(f"color: {color}; border: none;")

    def text(self) -> str:  # what the tile shows, heading and number
        return f"{self.heading.text()}\n{self.number.text()}"


class RecordsDialog(QDialog):
    """The records behind one figure, with CSV / XLSX export of all of them."""

    def __init__(self, store, key: str, flt: oversight.Filters, heading: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.key, self.flt = store, key, flt
        self.setWindowTitle(heading)
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        self.summary = QLabel(_("Loading…"))
        self.summary.setObjectName("summary")
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("records")
        self.table.setHorizontalHeaderLabels(
            [_("Date"), _("Title"), _("Record kind"), _("Officer"), _("Market"), _("Status"),
             _("Report due") if key.startswith("emergency") else _("Deadline")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton(_("Export…"),
                                               QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setObjectName("export")
        self.export_button.clicked.connect(lambda: self.export())
        close = buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.total = 0
        run_in_background(self._load, store=store, session="read",
                          on_success=self._show, on_failure=self._failed, parent=self)

    def _load(self, job):
        return (oversight.count(job.session, self.key, self.flt),
                oversight.records(job.session, self.key, self.flt, limit=LIST_LIMIT))

    def _show(self, result) -> None:
        self.total, rows = result
        kinds = {k: _(v) for k, v in queries.KIND_LABELS.items()}
        self.table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            state = _(queries.STATUSES.get(r.kind, {}).get(r.state, r.state))
            cells = [r.day, r.title, kinds.get(r.kind, r.kind), r.inspector, r.market, state,
                     oversight.due_text(r.report_due) if self.key.startswith("emergency")
                     else r.deadline]
            for col, value in enumerate(cells):
                self.table.setItem(n, col, QTableWidgetItem(value))
        if len(rows) < self.total:
            self.summary.setText(_("{shown} of {total} records; export gives all of them.")
                                 .format(shown=len(rows), total=self.total))
        else:
            self.summary.setText(ngettext("{total} record.", "{total} records.", self.total)
                                 .format(total=self.total))

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(_("The records could not be read: {error}").format(error=exc))

    def export(self, path: str | None = None) -> None:
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Export the list"), "", _("Excel workbook (*.xlsx);;CSV (*.csv)"))
            if not path:
                return
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        if not path.lower().endswith((".csv", ".xlsx")):
            path += ".xlsx"
        sel = export.Selection(filters=self.flt, figure=self.key)
        self.export_button.setEnabled(False)
        run_in_background(lambda job: export.export(job.session, sel, fmt, Path(path)),
                          store=self.store, session="read", parent=self,
                          on_success=lambda n: self._exported(path, n),
                          on_failure=self._export_failed)

    def _exported(self, path: str, n: int) -> None:
        self.export_button.setEnabled(True)
        self.summary.setText(_("Wrote {path}: {n} records.").format(path=path, n=n))

    def _export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        QMessageBox.warning(self, _("Export"), str(exc))


class RateChart(QChartView):
    """Non-conformity rates as bars; pressing a bar opens its non-conforming checks."""

    bar_pressed = Signal(str)  # the figure key

    def __init__(self, group: str, heading: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.group = group
        self.setObjectName(f"chart_{group}")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(200)  # two rows of charts fit a 768-pixel screen
        chart = QChart()
        chart.setTitle(heading)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(4)
        self.setChart(chart)
        self.keys: list[str] = []
        self.rates: list[oversight.Rate] = []

    def set_rates(self, rates: list[oversight.Rate]) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        shown = rates[:BARS] if self.group != "month" else rates[-BARS:]
        if self.group != "month":
            shown = list(reversed(shown))  # highest on top of a horizontal chart
        self.rates = shown
        self.keys = [r.key for r in shown]
        bars = QBarSet(_("Non-conformity rate"))
        bars.setColor(QColor("#c0392b"))
        for r in shown:
            bars.append(round(r.rate * 100, 1))
        series = QHorizontalBarSeries() if self.group != "month" else QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        bars.clicked.connect(self._clicked)
        chart.addSeries(series)
        labels = QBarCategoryAxis()
        labels.append([f"{(r.label or '—')[:12]}（{r.checked}）" for r in shown] or [""])
        values = QValueAxis()
        top = max([r.rate * 100 for r in shown] + [1])
        span = -(-top * 1.15 // 10) * 10  # up to a multiple of 10 with room for labels
        if span > 60:
            span = 100
        values.setRange(0, span)
        values.setTickCount(int(span // 10) + 1 if span <= 60 else 6)
        values.setLabelFormat("%.0f%%")
        label_side, value_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom)
                                  if self.group != "month" else
                                  (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
        chart.addAxis(labels, label_side)
        chart.addAxis(values, value_side)
        series.attachAxis(labels)
        series.attachAxis(values)

    def _clicked(self, index: int) -> None:
        if 0 <= index < len(self.keys):
            self.bar_pressed.emit(f"nc_{self.group}:{self.keys[index]}")

    def press_bar(self, index: int) -> None:
        """Press bar `index` as a click on it does."""
        self._clicked(index)


class OversightPage(QWidget):
    """The 监督总览 page of a supervisor's device."""

    figures_shown = Signal()

    def __init__(self, store, parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent)
        self.store = store
        self.today = today
        self.figures: oversight.Figures | None = None
        self.dialog: RecordsDialog | None = None
        self._pending = 0
        layout = QVBoxLayout(self)
        title = QLabel(_("Oversight"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)

        bar = QHBoxLayout()
        self.period = QComboBox()
        self.period.setObjectName("period")
        for key, label in PERIODS:
            self.period.addItem(_(label), key)
        self.market = QComboBox()
        self.market.setObjectName("market")
        self.inspector = QComboBox()
        self.inspector.setObjectName("inspector")
        for label, box in ((_("Period"), self.period), (_("Market"), self.market),
                           (_("Officer"), self.inspector)):
            bar.addWidget(QLabel(label))
            bar.addWidget(box, 1)
        self.status = QLabel()
        self.status.setObjectName("status")
        bar.addWidget(self.status, 1)
        layout.addLayout(bar)

        tiles = QGridLayout()
        self.tiles: dict[str, Tile] = {}
        for n, (key, heading) in enumerate(TILES):
            tile = Tile(key, _(heading))
            tile.clicked.connect(lambda _checked=False, k=key: self.open_records(k))
            tiles.addWidget(tile, n // 3, n % 3)
            self.tiles[key] = tile
        layout.addLayout(tiles)

        charts = QGridLayout()
        self.charts: dict[str, RateChart] = {}
        for n, (group, heading) in enumerate(CHARTS):
            chart = RateChart(group, _(heading))
            chart.bar_pressed.connect(self.open_records)
            charts.addWidget(chart, 0 if n < 2 else 1, n % 2 if n < 2 else 0, 1,
                             1 if n < 2 else 2)
            self.charts[group] = chart
        layout.addLayout(charts, 1)
        self._filling = True
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.market.currentIndexChanged.connect(lambda _i: self.refresh())
        self.inspector.currentIndexChanged.connect(lambda _i: self.refresh())
        run_in_background(lambda job: (oversight.markets(job.session),
                                       oversight.inspectors(job.session)),
                          store=store, session="read", on_success=self._fill_filters,
                          parent=self)

    def _fill_filters(self, found) -> None:
        markets, inspectors = found
        self._filling = True
        self.market.addItem(_("All markets"), "")
        for market_id, name in markets:
            self.market.addItem(name, market_id)
        self.inspector.addItem(_("All officers"), "")
        for name in inspectors:
            self.inspector.addItem(name, name)
        self._filling = False
        self.refresh()

    def filters(self) -> oversight.Filters:
        day_from, day_to = period_days(self.period.currentData() or "all",
                                       self.today or date.today())
        return oversight.Filters(day_from=day_from, day_to=day_to,
                                 market_id=self.market.currentData() or "",
                                 inspector=self.inspector.currentData() or "")

    def refresh(self) -> None:
        if self._filling:
            return
        flt = self.filters()
        self._pending += 1
        self.status.setText(_("Counting…"))
        today = self.today
        run_in_background(lambda job: (flt, oversight.figures(job.session, flt, today=today)),
                          store=self.store, session="read", on_success=self._show,
                          on_failure=self._failed, parent=self)

    def _show(self, result) -> None:
        self._pending -= 1
        flt, fig = result
        if flt != self.filters():  # an older answer, the filters changed since
            return
        self.figures = fig
        values = {"seizures_expiring": fig.seizures_expiring,
                  "seizures_overdue": fig.seizures_overdue,
                  "emergency_unreported": fig.emergency_unreported,
                  "emergency_late": fig.emergency_late,
                  "positive_worklogs": fig.positive_worklogs,
                  "nonconforming": fig.nonconforming}
        for key, tile in self.tiles.items():
            tile.set_value(values[key], warn=key in ("seizures_overdue", "emergency_late"))
        self.tiles["positive_worklogs"].setToolTip(
            _("{n} positive rapid tests").format(n=fig.positive_tests))
        for group, chart in self.charts.items():
            chart.set_rates(fig.rates.get(group, []))
        rate = f"{fig.nonconforming / fig.checked * 100:.1f}%" if fig.checked else "—"
        self.status.setText(_("{checked} final checks, non-conformity rate {rate}")
                            .format(checked=fig.checked, rate=rate))
        self.figures_shown.emit()

    def _failed(self, exc: BaseException) -> None:
        self._pending -= 1
        self.status.setText(_("The figures could not be counted: {error}").format(error=exc))

    def open_records(self, key: str) -> RecordsDialog:
        heading = {k: _(v) for k, v in TILES}.get(key, "")
        if not heading:
            group, _sep, value = key.partition(":")
            label = value
            if self.figures is not None:
                for r in self.figures.rates.get(group.split("_", 1)[1], []):
                    if r.key == value:
                        label = r.label
            heading = _("Non-conforming checks: {group}").format(group=label)
        self.dialog = RecordsDialog(self.store, key, self.filters(), heading, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.show()
        return self.dialog
