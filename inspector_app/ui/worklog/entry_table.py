"""Keyboard-only entry of rapid tests: a table whose last row is always a new one.

Typing a test is four cells and four Enters: stall ⏎ product ⏎ test item ⏎ value ⏎. Each
cell completes inline from what was typed before (most used first; Delete drops the
suggestion; F4 or Alt+↓ lists them all). Enter on the value (or on any cell after it)
checks the row: a bad cell turns red with its reason and keeps the cursor; a good row gets
its sample number and is queued. Queued rows are saved on a worker thread, as many at once
as are waiting, in one version of the log. Tab and Shift+Tab move across every cell.

Ctrl+D duplicates the row (a new row with the same stall, product and item), Ctrl+R makes
the re-test of a positive, Ctrl+V pastes tab-separated rows from a spreadsheet (checked
cell by cell: with bad rows, the user chooses to add the good rows, or none).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import records
from inspector_app.core.i18n import N_, _
from inspector_app.core.store import utcnow
from inspector_app.core.worklog import entry, importing, items, service
from inspector_app.core.worklog.entry import EntryContext, TestInput
from inspector_app.ui import labels, tasks
from inspector_app.ui.errors import ERROR_STYLE, show_message
from inspector_app.ui.screen import fit_columns, text_width

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex

# The table's columns, in order. The first four after the sample number are the fast path.
COLUMNS = ("sample_no", "stall_no", "product_name", "test_item", "value", "conclusion",
           "category", "unit", "limit_value", "tester", "tested_at", "instrument_no",
           "reagent_batch", "retest_of", "state")
FAST = ("stall_no", "product_name", "test_item", "value")
READ_ONLY = frozenset({"conclusion", "state"})
EXTRA_LABELS = {"conclusion": N_("Conclusion"), "state": N_("Status")}
COMPLETED = ("stall_no", "product_name", "test_item", "category", "tester", "instrument_no",
             "reagent_batch", "limit_value")

NEW, DRAFT, PENDING, SAVING, SAVED, ERROR = "new", "draft", "pending", "saving", "saved", \
    "error"
STATE_LABELS = {NEW: "", DRAFT: N_("Not saved"), PENDING: N_("Saving…"),
                SAVING: N_("Saving…"), SAVED: N_("Saved"), ERROR: N_("Check the red cells")}

RED_CELL = QColor("#f8d7da")
YELLOW_CELL = QColor("#fff3cd")
POSITIVE = QColor("#c62828")
GREY = QColor("#8a8a8a")
_uids = itertools.count(1)


@dataclass
class Row:
    cells: dict[str, str]
    state: str = NEW
    uid: int = field(default_factory=lambda: next(_uids))
    conclusion: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    attempted: bool = False
    stored_sample: str | None = None  # the sample number as stored (saved rows)
    test: TestInput | None = None  # what is being saved
    follow_up: str = ""
    linked: bool = False

    @property
    def is_blank(self) -> bool:
        return not any(v.strip() for k, v in self.cells.items() if k != "sample_no")


def blank_cells() -> dict[str, str]:
    return {key: "" for key in entry.FIELD_KEYS}


def stored_cells(t, tz) -> dict[str, str]:
    """The cells of a stored test, as the table shows them."""
    value = items.format_value(t.value) if t.value is not None else \
        entry.format_reading(t.conclusion)
    return {"sample_no": t.sample_no, "stall_no": t.stall_no, "product_name": t.product_name,
            "category": t.category, "test_item": t.test_item, "value": value,
            "unit": t.unit, "limit_value": t.limit_value, "tester": t.tester,
            "tested_at": t.tested_at.astimezone(tz).strftime("%H:%M:%S") if t.tested_at
            else "", "instrument_no": t.instrument_no, "reagent_batch": t.reagent_batch,
            "method": t.method, "retest_of": t.retest_of or ""}


class TestEntryModel(QAbstractTableModel):
    """The tests of one log, then the rows being typed, then one new row."""

    queued = Signal()  # rows are waiting to be saved
    __test__ = False  # not a pytest test class

    def __init__(self, parent=None, clock: Callable[[], datetime] = utcnow):
        super().__init__(parent)
        self.rows: list[Row] = [Row(blank_cells())]
        self.ctx: EntryContext | None = None
        self.read_only = True
        self.clock = clock

    # --- loading -------------------------------------------------------------------------

    def set_log(self, tests: list[Row], ctx: EntryContext | None, read_only: bool) -> None:
        """The stored tests; rows typed but not saved yet are kept after them."""
        unsaved = [r for r in self.rows if r.state in (DRAFT, PENDING, SAVING, ERROR)]
        self.beginResetModel()
        self.ctx = ctx
        self.read_only = read_only or ctx is None
        self.rows = tests + ([] if self.read_only else unsaved)
        if not self.read_only:
            self.rows.append(Row(blank_cells()))
        self.endResetModel()

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        key = COLUMNS[section]
        label = EXTRA_LABELS.get(key) or entry.FIELDS_BY_KEY[key].label
        return _(label)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return base
        row = self.rows[index.row()]
        key = COLUMNS[index.column()]
        if self.read_only or key in READ_ONLY or row.state in (PENDING, SAVING):
            return base
        if row.state == SAVED and key in ("sample_no",):
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if key == "conclusion":
                return _(items.CONCLUSION_LABELS[row.conclusion]) if row.conclusion else ""
            if key == "state":
                return self._state_text(row)
            if key == "sample_no" and row.state == NEW and role == Qt.ItemDataRole.DisplayRole \
                    and self.ctx is not None:
                return self.next_sample_no()
            return row.cells.get(key, "")
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "conclusion" and row.conclusion == items.POSITIVE:
                return QBrush(POSITIVE)
            if row.state == NEW or (key == "state" and row.state != ERROR):
                return QBrush(GREY)
            return None
        if role == Qt.ItemDataRole.FontRole and key == "conclusion" and \
                row.conclusion == items.POSITIVE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if key in self.shown_errors(row):
                return QBrush(RED_CELL)
            if key in row.warnings:
                return QBrush(YELLOW_CELL)
            if row.conclusion == items.POSITIVE:
                return QBrush(QColor(labels.EMPHASIS["alert"][0]))
            return None
        if role == Qt.ItemDataRole.DecorationRole and key == "conclusion" and \
                row.conclusion == items.POSITIVE:
            return labels.warning_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.shown_errors(row).get(key) or row.warnings.get(key)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row = self.rows[index.row()]
        key = COLUMNS[index.column()]
        if key in READ_ONLY:
            return False
        text = str(value or "")
        if row.cells.get(key, "") == text:
            return False
        row.cells[key] = text
        row.touched.add(key)
        if row.state in (NEW, SAVED, ERROR):
            row.state = DRAFT
        self.recheck(index.row())
        self.ensure_blank()
        return True

    # --- rows --------------------------------------------------------------------------------

    def _state_text(self, row: Row) -> str:
        if row.state == SAVED and row.conclusion == items.POSITIVE:
            if row.cells.get("retest_of"):
                return _("Positive re-test") if not (row.follow_up or row.linked) \
                    else _("Followed up")
            if not self.retested(row):
                return _("Re-test needed")
            return _("Re-tested")
        return _(STATE_LABELS[row.state]) if STATE_LABELS[row.state] else ""

    def retested(self, row: Row) -> bool:
        sample = row.cells.get("sample_no")
        return any(r.cells.get("retest_of") == sample for r in self.rows if r is not row)

    def shown_errors(self, row: Row) -> dict[str, str]:
        """The errors shown: of the cells typed so far, or all once Enter was pressed."""
        if row.attempted:
            return row.errors
        return {k: v for k, v in row.errors.items() if k in row.touched}

    def taken(self, exclude: Row | None = None) -> list[str]:
        return [r.cells["sample_no"] for r in self.rows
                if r is not exclude and r.cells.get("sample_no")]

    def next_sample_no(self) -> str:
        assert self.ctx is not None
        return self.ctx.new_sample_no(self.taken())

    def recheck(self, n: int) -> entry.RowCheck | None:
        row = self.rows[n]
        if self.ctx is None or row.state not in (DRAFT, ERROR):
            return None
        self.ctx.now = self.clock()
        check = entry.check_row(row.cells, self.ctx, self.taken(exclude=row),
                                own_sample=row.stored_sample)
        row.errors, row.warnings = check.errors, check.warnings
        row.conclusion = check.conclusion
        self.dataChanged.emit(self.index(n, 0), self.index(n, len(COLUMNS) - 1))
        return check

    def ensure_blank(self) -> None:
        if self.read_only:
            return
        if not self.rows or self.rows[-1].state != NEW:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
            self.rows.append(Row(blank_cells()))
            self.endInsertRows()

    def blank_row(self) -> int:
        self.ensure_blank()
        return len(self.rows) - 1

    def commit_row(self, n: int) -> bool:
        """Check row `n`; a good row gets its defaults and sample number and is queued.
        Returns False (and shows every bad cell) when it cannot be saved."""
        row = self.rows[n]
        if row.state in (NEW, SAVED, PENDING, SAVING) or self.ctx is None:
            return row.state != NEW or row.is_blank
        if row.is_blank:  # typed, then emptied again: forget it
            self.remove_row(n)
            return True
        row.attempted = True
        check = self.recheck(n)
        if check is None or not check.ok:
            row.state = ERROR
            self._changed(n)
            return False
        row.cells = check.cells
        if not row.cells["sample_no"]:
            row.cells["sample_no"] = self.ctx.new_sample_no(self.taken(exclude=row))
        assert check.test is not None
        check.test.sample_no = row.cells["sample_no"]
        row.test = check.test
        row.state = PENDING
        self._changed(n)
        self.queued.emit()
        return True

    def remove_row(self, n: int) -> None:
        if self.rows[n].state in (SAVED, PENDING, SAVING):
            return
        self.beginRemoveRows(QModelIndex(), n, n)
        del self.rows[n]
        self.endRemoveRows()
        self.ensure_blank()

    def _changed(self, n: int) -> None:
        self.dataChanged.emit(self.index(n, 0), self.index(n, len(COLUMNS) - 1))

    def pending(self) -> list[Row]:
        return [r for r in self.rows if r.state == PENDING]

    def unsaved(self) -> int:
        return sum(1 for r in self.rows if r.state in (DRAFT, PENDING, SAVING, ERROR))

    def row_by_uid(self, uid: int) -> tuple[int, Row] | None:
        for n, r in enumerate(self.rows):
            if r.uid == uid:
                return n, r
        return None

    def fill_new_row(self, cells: dict[str, str]) -> int:
        """Put `cells` into the new row (it becomes a row being typed); returns its index."""
        n = self.blank_row()
        row = self.rows[n]
        row.cells.update({k: v for k, v in cells.items() if k in row.cells})
        row.touched |= {k for k, v in cells.items() if v}
        row.state = DRAFT
        self.recheck(n)
        self._changed(n)
        self.ensure_blank()
        return n

    def duplicate(self, n: int) -> int | None:
        """A new row with the stall, product, item and set-up cells of row `n`."""
        if self.read_only or n < 0 or n >= len(self.rows) or self.rows[n].is_blank:
            return None
        src = self.rows[n].cells
        keep = ("stall_no", "product_name", "category", "test_item", "unit", "limit_value",
                "method", "tester", "instrument_no", "reagent_batch")
        return self.fill_new_row({k: src.get(k, "") for k in keep})

    def retest(self, n: int) -> int | None:
        """A new row re-testing the positive of row `n`."""
        if self.read_only or n < 0 or n >= len(self.rows):
            return None
        row = self.rows[n]
        if row.state != SAVED or row.conclusion != items.POSITIVE:
            return None
        src = row.cells
        keep = ("stall_no", "product_name", "category", "test_item", "unit", "limit_value",
                "method", "instrument_no")
        cells = {k: src.get(k, "") for k in keep}
        cells["retest_of"] = src["sample_no"]
        return self.fill_new_row(cells)

    def add_checked(self, result: importing.ImportResult) -> list[int]:
        """Rows of a paste or import that passed the checks, queued to be saved together."""
        first = self.blank_row()
        self.beginInsertRows(QModelIndex(), first, first + len(result.good) - 1)
        added = []
        for test, cells in zip(result.good, result.good_cells, strict=True):
            row = Row(dict(cells), state=PENDING, attempted=True, test=test)
            row.conclusion = items.conclusion(
                entry.mode_of(test.test_item, test.value, test.reading), test.value,
                test.reading, test.limit_value)
            self.rows.insert(first + len(added), row)
            added.append(row.uid)
        self.endInsertRows()
        self.queued.emit()
        return added

    # --- after a save ----------------------------------------------------------------------

    def mark_saved(self, results: dict[int, tuple[str, str]]) -> None:
        for uid, (sample, conclusion) in results.items():
            found = self.row_by_uid(uid)
            if found is None:
                continue
            n, row = found
            row.state, row.conclusion = SAVED, conclusion
            row.stored_sample = sample
            row.cells["sample_no"] = sample
            row.errors, row.touched, row.attempted, row.test = {}, set(), False, None
            if self.ctx is not None:
                self.ctx.samples[sample] = conclusion
            self._changed(n)
        self.layoutChanged.emit()  # re-test states of other rows

    def mark_refused(self, problems: dict[int, dict[str, str]]) -> None:
        for uid, errors in problems.items():
            found = self.row_by_uid(uid)
            if found is None:
                continue
            n, row = found
            row.state, row.errors, row.attempted, row.test = ERROR, errors, True, None
            self._changed(n)

    def requeue(self, uids: list[int]) -> None:
        for uid in uids:
            found = self.row_by_uid(uid)
            if found is not None and found[1].state == SAVING:
                found[1].state = PENDING
                self._changed(found[0])


# --- editors with inline completion ----------------------------------------------------------


class CompletingLineEdit(QLineEdit):
    """Completes what is typed inline with the most used earlier value that starts with it
    (the rest selected, so typing on replaces it and Delete drops it). F4 or Alt+↓ lists
    every value containing the text."""

    def __init__(self, candidates: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.candidates = candidates
        self._typed = ""
        self.textEdited.connect(self._complete)
        self.popup = QCompleter(QStringListModel(candidates, self), self)
        self.popup.setWidget(self)
        self.popup.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.popup.setFilterMode(Qt.MatchFlag.MatchContains)
        self.popup.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.popup.activated.connect(self._picked)

    def _complete(self, text: str) -> None:
        grew = len(text) > len(self._typed) and text.startswith(self._typed)
        self._typed = text
        if not grew or not text or self.cursorPosition() != len(text):
            return
        if text in self.candidates:
            return
        low = text.casefold()
        for candidate in self.candidates:
            if len(candidate) > len(text) and candidate.casefold().startswith(low):
                self.setText(text + candidate[len(text):])
                self.setSelection(len(text), len(candidate) - len(text))
                return

    def show_list(self) -> None:
        self.popup.setCompletionPrefix(self.text()[: self.selectionStart()]
                                       if self.hasSelectedText() else self.text())
        self.popup.complete()

    def _picked(self, text: str) -> None:
        self.setText(text)
        self._typed = text

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_F4 or (
                event.key() == Qt.Key.Key_Down
                and event.modifiers() & Qt.KeyboardModifier.AltModifier):
            self.show_list()
            return
        super().keyPressEvent(event)


class EntryDelegate(QStyledItemDelegate):
    """Line editors with completion; Enter, Tab and the arrows move on (see the view)."""

    def __init__(self, view: EntryView):
        super().__init__(view)
        self.view = view

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        key = COLUMNS[index.column()]
        editor = CompletingLineEdit(self.view.candidates(key), parent)
        editor.setFrame(False)
        editor.setObjectName(f"editor_{key}")
        model = self.view.entry_model
        error = model.shown_errors(model.rows[index.row()]).get(key)
        if error:  # the cell stays red while it is corrected
            editor.setStyleSheet(f"QLineEdit {{ background: {RED_CELL.name()}; }}")
            editor.setToolTip(error)
        return editor

    def eventFilter(self, editor, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, CompletingLineEdit):
            key, mods = event.key(), event.modifiers()
            how = None
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                how = "enter"
            elif key == Qt.Key.Key_Tab:
                how = "tab"
            elif key == Qt.Key.Key_Backtab:
                how = "backtab"
            elif key == Qt.Key.Key_Up and not mods & Qt.KeyboardModifier.AltModifier:
                how = "up"
            elif key == Qt.Key.Key_Down and not mods & Qt.KeyboardModifier.AltModifier:
                how = "down"
            elif mods & Qt.KeyboardModifier.ControlModifier and key in (
                    Qt.Key.Key_D, Qt.Key.Key_R):
                how = "duplicate" if key == Qt.Key.Key_D else "retest"
            if how is not None:
                self.commitData.emit(editor)
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                self.view.navigate(how)
                return True
        return super().eventFilter(editor, event)


class EntryView(QTableView):
    """The entry table's keyboard: see the module docstring."""

    pasted = Signal(str, int)  # clipboard text, the column pasted into
    refused = Signal(int, str)  # a row that cannot be saved, and why

    def __init__(self, model: TestEntryModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.entry_model = model
        self.completions: dict[str, list[str]] = {}
        self.setItemDelegate(EntryDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setDefaultSectionSize(26)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Typical values: the widest a column usually shows (longer text is elided).
        samples = {"sample_no": "20261231-888", "stall_no": "A区018号", "product_name": "五香牛肉干",
                   "test_item": "农药残留", "value": "888.888", "category": "蔬菜类",
                   "unit": "mg/kg", "limit_value": "≤0.05", "tester": "欧阳小明",
                   "tested_at": "23:59:59", "instrument_no": "YQ-888", "reagent_batch": "NC20261001",
                   "retest_of": "20261231-888"}
        widths = {key: text_width(self, [text]) for key, text in samples.items()}
        icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self) + 6
        widths["conclusion"] = icon + text_width(
            self, [_(label) for label in items.CONCLUSION_LABELS.values()], bold=True)
        widths["state"] = text_width(self, [_(label) for label in STATE_LABELS.values()] + [
            _("Positive re-test"), _("Followed up"), _("Re-test needed"), _("Re-tested")])
        fit_columns(self, {n: widths.get(key, 80) for n, key in enumerate(COLUMNS)})

    def candidates(self, key: str) -> list[str]:
        """Values for completing column `key`: history, then this table's values. Values,
        times and sample numbers are not completed."""
        if key not in COMPLETED:
            return []
        seen = list(self.completions.get(key, []))
        known = set(seen)
        for row in self.entry_model.rows:
            value = row.cells.get(key, "")
            if value and value not in known:
                known.add(value)
                seen.append(value)
        return seen

    def cell(self, row: int, key: str) -> QModelIndex:
        return self.entry_model.index(row, COLUMNS.index(key))

    def go(self, row: int, key: str, edit: bool = True) -> None:
        index = self.cell(row, key)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        if edit and self.entry_model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.edit(index)

    def _editable(self, row: int) -> list[str]:
        return [k for k in COLUMNS if self.entry_model.flags(self.cell(row, k))
                & Qt.ItemFlag.ItemIsEditable]

    def navigate(self, how: str) -> None:
        index = self.currentIndex()
        if not index.isValid():
            return
        model = self.entry_model
        r, key = index.row(), COLUMNS[index.column()]
        if how in ("duplicate", "retest"):
            n = model.duplicate(r) if how == "duplicate" else model.retest(r)
            if n is not None:
                self.go(n, "value")
            return
        if how == "enter":
            if key in FAST[:-1] and model.rows[r].state in (NEW, DRAFT):
                self.go(r, FAST[FAST.index(key) + 1])
                return
            self.finish_row(r)
            return
        if how in ("tab", "backtab"):
            editable = self._editable(r)
            if key not in editable:
                editable = [k for k in COLUMNS if k not in READ_ONLY]
            pos = editable.index(key) if key in editable else 0
            pos += 1 if how == "tab" else -1
            if 0 <= pos < len(editable):
                self.go(r, editable[pos])
            elif how == "tab":
                self.finish_row(r)
            return
        target = r - 1 if how == "up" else r + 1
        if 0 <= target < model.rowCount():
            if model.rows[r].state in (DRAFT, ERROR) and not model.commit_row(r):
                self._first_error(r)
                return
            self.go(min(target, model.rowCount() - 1), key, edit=False)

    def finish_row(self, r: int) -> None:
        """Check the row; good: on to the new row's first cell; bad: to its first bad cell."""
        model = self.entry_model
        if model.commit_row(r):
            self.go(model.blank_row(), FAST[0])
        else:
            errors = model.rows[r].errors
            self.refused.emit(r, _("; ").join(
                _("{field}: {message}").format(field=_(entry.FIELDS_BY_KEY[k].label),
                                               message=v)
                for k, v in errors.items() if k in entry.FIELDS_BY_KEY))
            self._first_error(r)

    def _first_error(self, r: int) -> None:
        errors = self.entry_model.rows[r].errors
        for key in COLUMNS:
            if key in errors:
                self.go(r, key)
                return

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = mods & Qt.KeyboardModifier.ControlModifier
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text()
            index = self.currentIndex()
            self.pasted.emit(text, index.column() if index.isValid() else 1)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != \
                QAbstractItemView.State.EditingState:
            self.navigate("enter")
            return
        if ctrl and key == Qt.Key.Key_D:
            self.navigate("duplicate")
            return
        if ctrl and key == Qt.Key.Key_R:
            self.navigate("retest")
            return
        if key == Qt.Key.Key_Delete and self.currentIndex().isValid():
            index = self.currentIndex()
            if self.entry_model.flags(index) & Qt.ItemFlag.ItemIsEditable:
                self.entry_model.setData(index, "")
            return
        super().keyPressEvent(event)


# --- the widget ---------------------------------------------------------------------------------


@dataclass
class Loaded:
    log_id: str | None
    version: int
    closed: bool
    rows: list[Row]
    ctx: EntryContext | None
    completions: dict[str, list[str]]
    title: str


def load_log(session, log_id: str | None, now: datetime) -> Loaded:
    """Everything the entry table shows of a log (runs on a worker thread)."""
    if log_id is None:
        return Loaded(None, 0, True, [], None, service.completions(session), "")
    wl = service.load(session, log_id)
    completions = service.completions(session, market_id=wl.market_id)
    tz = service.log_tz(wl)
    follow = {t.sample_no: (t.follow_up or "", bool(t.linked_check_id or t.linked_seizure_id))
              for t in wl.tests}
    rows = []
    for t in wl.tests:
        row = Row(stored_cells(t, tz), state=SAVED, conclusion=t.conclusion,
                  stored_sample=t.sample_no)
        row.follow_up, row.linked = follow[t.sample_no]
        rows.append(row)
    ctx = service.entry_context(session, wl, now)
    station = None
    if wl.workstation_id:
        from inspector_app.core.worklog import workstation as ws

        station = ws.load(session, wl.workstation_id)
    if station is not None:
        completions["instrument_no"] = [i.number for i in station.instruments
                                        if i.active is not False]
        completions["reagent_batch"] = [r.batch_no for r in station.reagents]
        completions["tester"] = list(dict.fromkeys(
            [o.name for o in station.operators if o.active is not False]
            + completions.get("tester", [])))
    completions["limit_value"] = list(dict.fromkeys(ctx.last_limits.values()))
    title = f"{wl.log_date}  {wl.operator_name}"
    return Loaded(wl.id, wl.version, wl.status != service.OPEN, rows, ctx, completions, title)


class _Refused(Exception):
    def __init__(self, problems: dict[int, dict[str, str]], others: list[int]):
        super().__init__("refused")
        self.problems = problems
        self.others = others


def save_rows(session, actor: records.Actor, log_id: str, version: int,
              new: list[tuple[int, TestInput]], updates: list[tuple[int, str, TestInput]]
              ) -> tuple[int, dict[int, tuple[str, str]]]:
    """Save typed rows (worker thread): new tests in one version, then each correction."""
    results: dict[int, tuple[str, str]] = {}
    expected: int | None = version
    if new:
        try:
            added = service.add_tests(session, actor, log_id, [t for _u, t in new], expected)
        except service.RowsRefused as exc:
            problems = {new[i][0]: errors for i, errors in exc.problems}
            raise _Refused(problems, [u for u, _t in new if u not in problems]
                           + [u for u, _s, _t in updates]) from exc
        for (uid, _t), row in zip(new, added, strict=True):
            results[uid] = (row.sample_no, row.conclusion)
        expected = None
    for n, (uid, sample, test) in enumerate(updates):
        try:
            row = service.update_test(session, actor, log_id, sample, test, expected)
        except service.RowsRefused as exc:
            raise _Refused({uid: exc.problems[0][1]},
                           [u for u, _t in new] + [u for u, _s, _t in updates[n + 1:]]
                           + [u for u, _s, _t in updates[:n]]) from exc
        results[uid] = (row.sample_no, row.conclusion)
        expected = None
    return service.load(session, log_id).version, results


class TestEntryWidget(QWidget):
    """The rapid tests of the open shift: the entry table and its actions."""

    saved = Signal(int)  # rows saved by the last save
    save_failed = Signal(str)
    loaded = Signal()
    seizure_started = Signal(str)  # the new seizure's id
    check_started = Signal(str)  # the new labeling check's id
    changed = Signal()  # something was written
    __test__ = False  # not a pytest test class

    def __init__(self, store, actor: records.Actor, parent: QWidget | None = None,
                 clock: Callable[[], datetime] = utcnow):
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.clock = clock
        self.log_id: str | None = None
        self.version = 0
        self.closed = True
        self._op: tasks.Operation | None = None
        self._saving: list[int] = []
        self.bad_rows_dialog = None
        self.model = TestEntryModel(self, clock)
        self.model.queued.connect(self.flush)
        self.view = EntryView(self.model, self)
        self.view.setObjectName("entry_table")
        self.view.pasted.connect(self.paste)
        self.view.refused.connect(lambda row, why: self.show_status(
            _("Row {n}: {reason}").format(n=row + 1, reason=why), error=True))
        self.title = QLabel()
        self.status = QLabel()
        self.status.setObjectName("entry_status")
        self.status.setWordWrap(True)
        hint = QLabel(_("Type stall ⏎ product ⏎ test item ⏎ value ⏎. Ctrl+D duplicates a row, "
                        "Ctrl+R re-tests a positive, Ctrl+V pastes from a spreadsheet, F4 "
                        "lists earlier values."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
                ("duplicate", _("Duplicate row"), lambda: self.view.navigate("duplicate")),
                ("retest", _("Re-test"), lambda: self.view.navigate("retest")),
                ("paste", _("Paste rows"), self.paste_clipboard),
                ("follow_up", _("Follow-up…"), self.follow_up),
                ("check", _("Start labeling check"), self.start_check),
                ("seizure", _("Start seizure"), self.start_seizure)):
            button = QPushButton(label)
            button.setObjectName(f"entry_{key}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(hint)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.view.selectionModel().currentChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)

    # --- loading -------------------------------------------------------------------------

    def load(self, log_id: str | None) -> tasks.Operation:
        now = self.clock()
        op = tasks.run_in_background(lambda job: load_log(job.session, log_id, now),
                                     store=self.store, session="read")
        op.succeeded.connect(self._loaded)
        op.failed.connect(self._failed)
        return op

    def _loaded(self, data: Loaded) -> None:
        if data.log_id == self.log_id and data.version == self.version and \
                self.model.ctx is not None and data.ctx is not None:
            # The same version: keep the table (and the cell being typed) as it is, but
            # take the set-up as it is now (instruments, reagent batches) for the checks.
            self.model.ctx = data.ctx
            self.view.completions = data.completions
            self.loaded.emit()
            return
        if data.log_id != self.log_id:
            self.model.rows = [Row(blank_cells())]  # another log: nothing carries over
        self.log_id, self.version, self.closed = data.log_id, data.version, data.closed
        self.view.completions = data.completions
        self.model.set_log(data.rows, data.ctx, data.closed)
        self.title.setText(_("Shift of {title}").format(title=data.title) if data.log_id
                           else _("No shift is open."))
        if data.closed and data.log_id:
            self.show_status(_("This shift is closed: its tests can no longer be "
                                  "changed."))
        self._update_buttons()
        self.loaded.emit()
        if self.model.pending():
            self.flush()

    def start_typing(self) -> None:
        """Put the cursor in the new row's first cell, editing."""
        if not self.model.read_only:
            self.view.setFocus()
            self.view.go(self.model.blank_row(), FAST[0])

    # --- saving --------------------------------------------------------------------------

    def flush(self) -> None:
        """Save what is queued, unless a save is running (its end starts the next)."""
        if self._op is not None or self.log_id is None:
            return
        rows = self.model.pending()
        if not rows:
            return
        new = [(r.uid, r.test) for r in rows if r.stored_sample is None and r.test]
        updates = [(r.uid, r.stored_sample, r.test) for r in rows
                   if r.stored_sample is not None and r.test]
        for r in rows:
            r.state = SAVING
        self._saving = [r.uid for r in rows]
        actor, log_id, version = self.actor, self.log_id, self.version
        self.show_status(_("Saving {n} rows…").format(n=len(rows)))
        self._op = tasks.run_in_background(
            lambda job: save_rows(job.session, actor, log_id, version, new, updates),
            store=self.store, session="write")
        self._op.succeeded.connect(self._saved)
        self._op.failed.connect(self._save_failed)

    def _saved(self, result: tuple[int, dict[int, tuple[str, str]]]) -> None:
        self._op = None
        self.version, done = result
        self.model.mark_saved(done)
        self.show_status(_("{n} rows saved.").format(n=len(done)))
        self._update_buttons()
        self.saved.emit(len(done))
        self.changed.emit()
        self.flush()

    def _save_failed(self, exc: BaseException) -> None:
        self._op = None
        saving, self._saving = self._saving, []
        if isinstance(exc, _Refused):
            self.model.mark_refused(exc.problems)
            self.model.requeue(exc.others)
            message = _("{n} rows could not be saved: check the red cells.").format(
                n=len(exc.problems))
        elif isinstance(exc, records.VersionConflict):
            self.model.requeue(saving)
            message = _("The log was changed elsewhere; it was reloaded and your rows are "
                        "saved again.")
            self.load(self.log_id)
            self.show_status(message, error=True)
            return
        else:
            self.model.requeue(saving)
            for uid in saving:
                found = self.model.row_by_uid(uid)
                if found is not None:
                    found[1].state = ERROR
            message = getattr(exc, "message", None) or _("The rows could not be saved.")
            if not hasattr(exc, "message"):
                log.error("saving tests failed: %s", type(exc).__name__)
        self.show_status(message, error=True)
        self.save_failed.emit(message)
        if self.model.pending():
            self.flush()

    def _failed(self, exc: BaseException) -> None:
        self.show_status(getattr(exc, "message", None) or _("The log could not be read."),
                         error=True)

    def busy(self) -> bool:
        return self._op is not None or bool(self.model.pending())

    # --- paste ---------------------------------------------------------------------------

    def paste_clipboard(self) -> None:
        index = self.view.currentIndex()
        self.paste(QGuiApplication.clipboard().text(), index.column() if index.isValid()
                   else COLUMNS.index(FAST[0]))

    def paste(self, text: str, column: int) -> importing.ImportResult | None:
        """Check the pasted rows cell by cell; with bad rows the user chooses (good / none)."""
        if self.model.read_only or self.model.ctx is None:
            self.show_status(_("Open a shift before entering tests."))
            return None
        fields = [k for k in COLUMNS[max(column, 0):] if k not in READ_ONLY]
        self.model.ctx.now = self.clock()
        result = importing.parse_paste(text, fields, self.model.ctx)
        return self.take_result(result, _("Paste"))

    def take_result(self, result: importing.ImportResult, title: str
                    ) -> importing.ImportResult:
        """Add the checked rows; with bad rows, first show them all and let the user choose:
        add the good rows, or none (the dialog stays in `bad_rows_dialog` until then)."""
        if not result.good and not result.bad:
            self.show_status(_("Nothing to add: no rows were found."))
            return result
        if not result.bad:
            self._add(result)
            return result
        from inspector_app.ui.worklog.import_dialog import BadRowsDialog

        dialog = BadRowsDialog(result, title, self)
        self.bad_rows_dialog = dialog

        def chosen(choice: str) -> None:
            self.bad_rows_dialog = None
            if choice == importing.GOOD:
                self._add(result)
            else:
                self.show_status(_("Nothing was added."))

        dialog.chosen.connect(chosen)
        dialog.open()
        return result

    def _add(self, result: importing.ImportResult) -> None:
        if result.good:
            self.model.add_checked(result)
            self.view.scrollToBottom()
            self.show_status(_("{n} rows added; saving…").format(n=len(result.good)))

    # --- positives -------------------------------------------------------------------------

    def current_row(self) -> Row | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.rows[index.row()]

    def _current_positive(self) -> Row | None:
        row = self.current_row()
        if row is None or row.state != SAVED or row.conclusion != items.POSITIVE:
            return None
        return row

    def _update_buttons(self, *_args) -> None:
        row = self.current_row()
        positive = self._current_positive() is not None
        editable = not self.model.read_only
        self.buttons["duplicate"].setEnabled(editable and row is not None and not row.is_blank)
        self.buttons["retest"].setEnabled(editable and positive)
        self.buttons["paste"].setEnabled(editable)
        saved = row is not None and row.state == SAVED
        self.buttons["follow_up"].setEnabled(saved)
        self.buttons["check"].setEnabled(positive)
        self.buttons["seizure"].setEnabled(positive)

    def follow_up(self) -> None:
        row = self.current_row()
        if row is None or row.state != SAVED or self.log_id is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self, _("Follow-up"), _("What was done about sample {no} (goods removed, sent "
                                    "to the laboratory…)?").format(no=row.stored_sample),
            row.follow_up)
        if ok:
            self.set_follow_up(row, text)

    def set_follow_up(self, row: Row, text: str) -> tasks.Operation:
        actor, log_id, sample = self.actor, self.log_id, row.stored_sample

        def work(job) -> int:
            service.set_follow_up(job.session, actor, log_id, sample, text)
            return service.load(job.session, log_id).version

        op = tasks.run_in_background(work, store=self.store, session="write")

        def done(version: int) -> None:
            row.follow_up = text.strip()
            self.version = version
            self.model.layoutChanged.emit()
            self.changed.emit()

        op.succeeded.connect(done)
        op.failed.connect(self._action_failed)
        return op

    def start_seizure(self) -> tasks.Operation | None:
        return self._start("seizure")

    def start_check(self) -> tasks.Operation | None:
        return self._start("check")

    def _start(self, what: str) -> tasks.Operation | None:
        row = self._current_positive()
        if row is None or self.log_id is None:
            return None
        actor, log_id, sample = self.actor, self.log_id, row.stored_sample
        fn = service.start_seizure if what == "seizure" else service.start_check

        def work(job):
            new_id = fn(job.session, actor, log_id, sample)
            return new_id, service.load(job.session, log_id).version

        op = tasks.run_in_background(work, store=self.store, session="write")

        def done(result: tuple[str, int]) -> None:
            new_id, self.version = result
            row.linked = True
            self.model.layoutChanged.emit()
            message = _("A seizure draft was started for sample {no}.") if what == "seizure" \
                else _("A labeling check draft was started for sample {no}.")
            self.show_status(message.format(no=sample))
            (self.seizure_started if what == "seizure" else self.check_started).emit(new_id)
            self.changed.emit()

        op.succeeded.connect(done)
        op.failed.connect(self._action_failed)
        return op

    def _action_failed(self, exc: BaseException) -> None:
        message = getattr(exc, "message", None) or _("The change could not be saved.")
        self.show_status(message, error=True)
        show_message(self, _("Workstation log"), message)
