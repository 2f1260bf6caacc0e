"""Record lists: one table model for every record kind, holding ids and fetching rows lazily.

The model keeps only the ordered ids that match the filter (`queries.list_ids`, run on a
worker thread) and fetches the columns of the rows that are drawn, a page at a time
(`queries.fetch_rows`), keeping recent pages in a small cache. No widget per row.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import queries
from inspector_app.core.i18n import _, ngettext
from inspector_app.ui import labels, tasks
from inspector_app.ui.screen import CELL_PADDING, fit_to_screen, header_width, text_width

PAGE_SIZE = 100
MAX_PAGES = 64  # cached pages per list (6,400 rows)
SEARCH_DEBOUNCE_MS = 150

_Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    """The records of one kind that match a filter, newest first."""

    loaded = Signal(int)  # the number of matching records, after each (re)load

    def __init__(self, store, kind: str, parent=None):
        super().__init__(parent)
        self.store = store
        self.kind = kind
        self.columns = queries.list_columns(kind)
        self.ids: list[str] = []
        self._pages: OrderedDict[int, dict[str, tuple[Any, ...]]] = OrderedDict()
        self._generation = 0
        self.loading = False
        self.fetches = 0  # page fetches so far (for tests and benchmarks)

    # --- loading -------------------------------------------------------------------

    def load(self, flt: queries.Filter) -> tasks.Operation:
        """Find the matching ids on a worker thread; newer loads win over older ones."""
        self._generation += 1
        generation = self._generation
        self.loading = True
        kind = self.kind

        def find(job: tasks.Job) -> tuple[int, list[str]]:
            return generation, queries.list_ids(job.session, kind, flt)

        op = tasks.run_in_background(find, store=self.store, session="read")
        # A bound method of this QObject: Qt drops the connection if the model is gone.
        op.succeeded.connect(self._loaded)
        return op

    def _loaded(self, result: tuple[int, list[str]]) -> None:
        generation, ids = result
        if generation != self._generation:
            return  # the filter changed again meanwhile
        self.beginResetModel()
        self.ids = ids
        self._pages.clear()
        self.endResetModel()
        self.loading = False
        self.loaded.emit(len(ids))

    def refresh(self) -> None:
        """Forget cached rows (after a write), keeping the ids."""
        self._pages.clear()
        if self.ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.ids) - 1, len(self.columns) - 1))

    def _row(self, row: int) -> tuple[Any, ...] | None:
        page_no = row // PAGE_SIZE
        page = self._pages.get(page_no)
        if page is None:
            page_ids = self.ids[page_no * PAGE_SIZE:(page_no + 1) * PAGE_SIZE]
            with self.store.read() as session:
                page = queries.fetch_rows(session, self.kind, page_ids, self.columns)
                if self.kind == "seizure":  # each row ends with its term (None if none)
                    terms = _terms(session, page_ids)
                    page = {i: (*v, terms.get(i)) for i, v in page.items()}
            self.fetches += 1
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page.get(self.ids[row])

    def record_id(self, row: int) -> str:
        return self.ids[row]

    # --- QAbstractTableModel -------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def emphasis(self, row: int) -> tuple[str, str] | None:
        """(level, column key) when row `row` needs attention: a non-conforming check, a
        seizure overdue ("alert") or ending within 5 days ("warn"), a log with positive
        rapid tests."""
        values = self._row(row)
        if values is None:
            return None
        keys = [c.key for c in self.columns]
        if self.kind == "check" and values[keys.index("outcome")] == "nonconforming":
            return "alert", "outcome"
        if self.kind == "worklog" and (values[keys.index("positives")] or 0) > 0:
            return "alert", "positives"
        if self.kind == "seizure" and values[-1] is not None:
            term = values[-1]
            if term.overdue:
                return "alert", "status"
            if term.warn:
                return "warn", "status"
        if values[keys.index("review")] in ("returned", "rejected"):
            return "warn", "review"  # to correct, or refused: the inspector acts on it
        return None

    def text(self, row: int, column: int) -> str:
        values = self._row(row)
        if values is None:
            return ""
        col = self.columns[column]
        shown = queries.display(self.kind, col, values[column])
        if col.key == "category":
            shown = labels.category_label(shown)
        if self.kind == "seizure" and col.key == "status" and values[-1] is not None:
            term = values[-1]
            if term.overdue:
                shown += " · " + _("{n} days overdue").format(n=-term.days_left)
            elif term.warn:
                shown += " · " + _("{n} days left").format(n=term.days_left)
        return shown

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.ids):
            return None
        row = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            shown = self.text(row, index.column())
            if role == Qt.ItemDataRole.ToolTipRole:
                return shown or None
            return shown
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[row]
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.FontRole):
            marked = self.emphasis(row)
            if marked is None:
                return None
            level, key = marked
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(labels.EMPHASIS[level][0]))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(labels.EMPHASIS[level][1]))
            if self.columns[index.column()].key != key:
                return None
            if role == Qt.ItemDataRole.DecorationRole:
                return labels.warning_icon()
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _(self.columns[section].label)
        return str(section + 1)


class RecordListPage(QWidget):
    """Search, filters, the count and the table of one record kind."""

    loaded = Signal(int)

    def __init__(self, store, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.kind = kind
        # What opening a record and "New" do; the read-only view unless the window says.
        self.open_handler: Callable[[str], object] | None = None
        self.new_handler: Callable[[], object] | None = None
        self._started = False
        self._markets_loaded = False
        self.model = RecordTableModel(store, kind, self)
        self.model.loaded.connect(self._on_loaded)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search: product, party, stall, market…"))
        self.search.setMinimumWidth(260)
        self.market = QComboBox()
        self.market.setObjectName("market")
        self.market.addItem(_("All markets"), None)
        self.market.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = QComboBox()
        self.status.setObjectName("status")
        self.status.addItem(_("All statuses"), None)
        for key, label in queries.STATUSES[kind].items():
            self.status.addItem(_(label), key)
        self.review = QComboBox()
        self.review.setObjectName("review")
        self.review.addItem(_("All review states"), None)
        for key, label in queries.review_states().items():
            self.review.addItem(_(label), key)
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
        self.new_button = QPushButton(_("New…"))
        self.new_button.setObjectName("new")
        self.new_button.setVisible(False)
        self.new_button.clicked.connect(lambda: self.new_handler and self.new_handler())

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.market, 1)
        filters.addWidget(self.status)
        filters.addWidget(self.review)
        filters.addSpacing(8)
        filters.addWidget(self.any_date)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("to")))
        filters.addWidget(self.date_to)
        filters.addSpacing(8)
        filters.addWidget(self.count)
        filters.addWidget(self.new_button)

        self.table = record_table(self.model)
        self.table.horizontalHeader().setHighlightSections(False)
        self._set_column_widths()
        # activated: a double-click (or a single click where the platform says so) and
        # Enter. doubleClicked as well would open every record twice.
        self.table.activated.connect(self.open_record)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        self.market.currentIndexChanged.connect(self.reload)
        self.status.currentIndexChanged.connect(self.reload)
        self.review.currentIndexChanged.connect(self.reload)
        self.any_date.toggled.connect(self._any_date_toggled)
        self.date_from.dateChanged.connect(self.reload)
        self.date_to.dateChanged.connect(self.reload)

    def _set_column_widths(self) -> None:
        """Each column as wide as its header and its widest coded value (a marked value is
        bold, after an icon); free text gets a typical width, is elided and has a
        tooltip."""
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        for n, width in enumerate(column_widths(self.table, self.model)):
            self.table.setColumnWidth(n, width)

    def start(self) -> None:
        """Fill the market filter and load the list, the first time the page is shown."""
        if self._started:
            return
        self._started = True
        self.load_markets()
        self.reload()

    def load_markets(self) -> None:
        with self.store.read() as session:
            markets = queries.markets(session)
        current = self.market.currentData()
        self.market.blockSignals(True)
        while self.market.count() > 1:
            self.market.removeItem(1)
        for market_id, name in markets:
            self.market.addItem(name, market_id)
        index = self.market.findData(current) if current else 0
        self.market.setCurrentIndex(max(index, 0))
        self.market.blockSignals(False)

    def current_filter(self) -> queries.Filter:
        flt = queries.Filter(text=self.search.text(), market_id=self.market.currentData(),
                             status=self.status.currentData(),
                             review=self.review.currentData())
        if not self.any_date.isChecked():
            flt.date_from = _pydate(self.date_from.date())
            flt.date_to = _pydate(self.date_to.date())
        return flt

    def reload(self) -> None:
        if not self._started:
            return
        self._debounce.stop()
        self.count.setText(_("Searching…"))
        self.model.load(self.current_filter())

    def data_changed(self) -> None:
        """Records were written: reload what is shown (markets may be new too)."""
        if self._started:
            self.load_markets()
            self.reload()

    def _any_date_toggled(self, checked: bool) -> None:
        self.date_from.setEnabled(not checked)
        self.date_to.setEnabled(not checked)
        self.reload()

    def _on_loaded(self, n: int) -> None:
        self.count.setText(ngettext("{n} record", "{n} records", n).format(n=n))
        self.loaded.emit(n)

    def set_handlers(self, open_handler: Callable[[str], object] | None,
                     new_handler: Callable[[], object] | None) -> None:
        self.open_handler = open_handler
        self.new_handler = new_handler
        self.new_button.setVisible(new_handler is not None)

    def open_record(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if self.open_handler is not None:
            self.open_handler(self.model.record_id(index.row()))
            return
        dialog = RecordDialog(self.store, self.kind, self.model.record_id(index.row()), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


# Typical widths of free text, in CJK characters.
_TEXT_WIDTHS = {"market": 10, "stall": 5, "party": 12, "product": 10, "category": 10,
                "number": 18, "operator": 5}


def _samples(kind: str, key: str) -> list[str]:
    """The widest texts a coded column shows, in the current language."""
    if key == "status":
        shown = [_(label) for label in queries.STATUSES[kind].values()]
        if kind == "seizure":
            shown = [s + " · " + _("{n} days overdue").format(n=88) for s in shown]
            shown += [s + " · " + _("{n} days left").format(n=5)
                      for s in (_(queries.STATUSES[kind]["issued"]),)]
        return shown
    if key == "outcome":
        return [_(label) for label in queries.OUTCOMES.values()]
    if key == "review":
        from inspector_app.core.agency.review import state_label

        return [state_label(k) for k in ("pending", "returned", "approved", "rejected",
                                         "returned_edited")]
    if key == "measure":
        return [_(label) for label in queries.MEASURES.values()]
    if key in ("checked_at", "started_at"):
        return ["2026-12-31 23:59"]
    if key == "log_date":
        return ["2026-12-31"]
    if key in ("items", "tests", "positives"):
        return ["8888"]
    return []


def column_widths(table: QTableView, model: RecordTableModel) -> list[int]:
    """Widths in pixels that show each header and the usual values whole (a marked value
    is bold, after an icon)."""
    style = table.style()
    icon = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, table) + 6
    em = table.fontMetrics().horizontalAdvance("商")
    widths = []
    for n, column in enumerate(model.columns):
        samples = _samples(model.kind, column.key)
        marked = column.key in ("outcome", "status", "positives", "review")
        if samples:
            value = text_width(table, samples, bold=marked) + (icon if marked else 0)
        else:
            value = _TEXT_WIDTHS.get(column.key, 8) * em + CELL_PADDING
        widths.append(max(value, header_width(table, n)))
    return widths


def _terms(session, ids: list[str]) -> dict[str, Any]:
    from inspector_app.core.seizure import service

    return {r.seizure_id: r.term for r in service.due_rows(session, ids=ids)
            if r.term is not None}


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


# --- the read-only detail view ---------------------------------------------------------

class RecordDialog(QDialog):
    """A record's current content, read-only, with how many versions its history holds."""

    def __init__(self, store, kind: str, record_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        from inspector_app.core import record_view

        with store.read() as session:
            view = record_view.load(session, kind, record_id)
        self.view = view
        self.setWindowTitle(_(queries.KIND_LABELS[kind]))
        fit_to_screen(self, QSize(720, 640))
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setObjectName("content")
        self.browser.setOpenLinks(False)
        layout.addWidget(self.browser)
        from inspector_app.ui import review_panel

        self.review = review_panel.panel_for(store, kind, record_id, self)  # 审核意见
        if self.review is not None:
            layout.addWidget(self.review)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if view is None:
            self.browser.setPlainText(_("This record no longer exists."))
            return
        self.browser.setHtml(render_html(view))


def record_table(model) -> QTableView:
    """A read-only table of records: whole rows selected one at a time, one line a row,
    the last column stretched (the record lists and the supervisor's review queue)."""
    table = QTableView()
    table.setObjectName("table")
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(True)
    return table


# Not shown as fields: the record's own kind, id and version (in the heading), the time
# zones (times are shown in it), a checklist item's internal key (its label is shown) and
# frozen_block (the printed party and agency details, shown by the documents).
HIDDEN = frozenset({"kind", "id", "version", "created_offset", "updated_offset",
                    "frozen_block", "item_key"})


def render_html(view) -> str:
    """A record's content as its detail pane shows it (the names of what it refers to,
    from `view.names`, instead of their ids)."""
    from html import escape

    def cell(key: str, raw: Any, top: bool) -> str:
        if top and key in view.names:
            return escape(str(view.names[key] or ""))
        return escape(labels.display_value(key, raw))

    return content_html(view.kind, view.record_id, view.content, view.versions, cell=cell,
                        notice=view.handed_over)


def content_html(kind: str, record_id: str, content: dict[str, Any], versions: int, *,
                 cell: Callable[[str, Any, bool], str],
                 label: Callable[[str], str] | None = None, notice: str = "") -> str:
    """The content of a record: its heading (kind, version, history, id, `notice`: that it
    was handed over), a row per field and a table per list of child rows. `cell(key, raw, top)` gives a value's HTML (`top`:
    a field of the record, not of a child row); `label(key)` a field's name."""
    from html import escape

    label = label or (lambda key: labels.field_label(kind, key))

    def row(key: str, html: str) -> str:
        return (f"<tr><th align='left' style='padding-right:12px'>{escape(label(key))}"
                f"</th><td>{html}</td></tr>")

    rows: list[str] = []
    lists: list[str] = []
    for key in sorted(content, key=labels.order_key):
        raw = content[key]
        if key in HIDDEN or raw in ("", None) or raw == []:
            continue
        if isinstance(raw, list):
            children = [c for c in raw if isinstance(c, dict)]
            if not children:  # a list of plain values
                rows.append(row(key, escape("、".join(str(c) for c in raw))))
                continue
            cols = sorted({k for child in children for k in child if k not in HIDDEN},
                          key=labels.order_key)
            head = "".join(f"<th>{escape(label(c))}</th>" for c in cols)
            body = "".join("<tr>" + "".join(f"<td>{cell(c, child.get(c), False)}</td>"
                                            for c in cols) + "</tr>" for child in children)
            lists.append(f"<h3>{escape(label(key))} ({len(raw)})</h3>"
                         f"<table border='1' cellspacing='0' cellpadding='3'>"
                         f"<tr>{head}</tr>{body}</table>")
            continue
        shown = cell(key, raw, True)
        if shown:
            rows.append(row(key, shown))
    title = escape(_(queries.KIND_LABELS.get(kind, kind)))
    history = escape(ngettext("{n} version in its history", "{n} versions in its history",
                              versions).format(n=versions))
    current = escape(_("Current version: {version}").format(version=content.get("version")))
    handed = (f"<p style='color:#b45309'><b>{escape(notice)}</b> "
              f"{escape(_('It can no longer be changed on this device.'))}</p>"
              if notice else "")
    return (f"<h2>{title}</h2>{handed}<p>{current} · {history}<br>"
            f"<small>{escape(_('Record id: {id}').format(id=record_id))}</small></p>"
            f"<table cellspacing='0' cellpadding='3'>{''.join(rows)}</table>"
            f"{''.join(lists)}")
