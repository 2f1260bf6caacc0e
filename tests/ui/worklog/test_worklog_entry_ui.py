"""The entry table, driven by the keyboard through qtbot: a morning of 20 tests, bad cells,
completion, duplicate row, re-test, paste with bad rows (both choices)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from worklog_ui_helpers import TODAY, editor, type_cell

from inspector_app.ui.worklog.entry_table import COLUMNS, ERROR, SAVED

# stall, product, test item (as typed), value
MORNING = [
    ("A01", "青菜", "农药残留", "12.5"),
    ("A01", "菠菜", "农药残留", "8"),
    ("A02", "韭菜", "农残", "61.3"),  # alias; positive
    ("A03", "芹菜", "农药残留", "49.99"),  # just negative
    ("A03", "豇豆", "农药残留", "50"),  # just positive
    ("B01", "猪肉", "瘦肉精", "阴性"),
    ("B01", "猪肝", "瘦肉精", "-"),
    ("B02", "草鱼", "孔雀石绿", "阴性"),
    ("A04", "黄瓜", "农药残留", "0"),
    ("A04", "番茄", "农药残留", "100"),
    ("A05", "生菜", "农药残留", "33.3"),
    ("A05", "小白菜", "农药残留", "27"),
    ("A06", "茼蒿", "农药残留", "5.5"),
    ("A07", "苹果", "农药残留", "3"),
    ("A07", "葡萄", "农药残留", "14"),
    ("A08", "草莓", "农药残留", "50.01"),
    ("B03", "牛肉", "瘦肉精", "阴性"),
    ("B04", "鲈鱼", "孔雀石绿", "+"),
    ("A09", "𠮷祥白菜", "农药残留", "22"),
    ("A10", "油麦菜", "农药残留", "41"),
]
EXPECTED = ["negative", "negative", "positive", "negative", "positive", "negative",
            "negative", "negative", "negative", "positive", "negative", "negative",
            "negative", "negative", "negative", "positive", "negative", "positive",
            "negative", "negative"]


def _saved(widget) -> int:
    return sum(1 for r in widget.model.rows if r.state == SAVED)


def test_a_morning_of_20_tests_typed_with_the_keyboard(qtbot, type_text, station,
                                                        entry_widget):
    widget = entry_widget
    widget.start_typing()
    for stall, product, item, value in MORNING:
        for text in (stall, product, item, value):
            type_cell(qtbot, type_text, text)
    qtbot.waitUntil(lambda: _saved(widget) == 20 and not widget.busy(), timeout=15_000)
    stored = station.tests()
    assert [(s, p) for _n, s, p, _i, _v, _c in stored] == [(s, p) for s, p, _i, _v in MORNING]
    assert [c for *_rest, c in stored] == EXPECTED
    assert {i for _n, _s, _p, i, _v, _c in stored} == {"农药残留", "瘦肉精", "孔雀石绿"}
    assert stored[3][4] == Decimal("49.99") and stored[5][4] is None
    assert [n for n, *_rest in stored] == [f"{TODAY:%Y%m%d}-{k:03d}" for k in range(1, 21)]
    # The cursor waits in the new row's stall cell for the next test.
    assert editor().objectName() == "editor_stall_no"
    assert widget.model.rows[-1].state == "new"
    # Positives are marked for a re-test.
    states = [widget.model.data(widget.model.index(n, COLUMNS.index("state")))
              for n in range(20)]
    assert states[2] == states[4] == "需复检"


def test_a_bad_value_keeps_the_cursor_and_says_why(qtbot, type_text, station, entry_widget):
    widget = entry_widget
    widget.start_typing()
    for text in ("A01", "青菜", "农药残留", "100.1"):
        type_cell(qtbot, type_text, text)
    row = widget.model.rows[0]
    assert row.state == ERROR and set(row.errors) == {"value"}
    assert editor().objectName() == "editor_value"
    index = widget.model.index(0, COLUMNS.index("value"))
    assert "100" in widget.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert widget.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    line = editor()
    line.selectAll()
    type_cell(qtbot, type_text, "10")
    qtbot.waitUntil(lambda: _saved(widget) == 1, timeout=10_000)
    assert station.tests()[0][5] == "negative"


def test_completion_from_history_and_delete_to_refuse_it(qtbot, type_text, station,
                                                         entry_widget):
    widget = entry_widget
    widget.start_typing()
    for text in ("A12", "青菜", "农药残留", "3"):
        type_cell(qtbot, type_text, text)
    qtbot.waitUntil(lambda: _saved(widget) == 1, timeout=10_000)
    # "A1" completes to "A12": Delete drops the suggestion
    line = editor()
    type_text(line, "A1")
    assert line.text() == "A12" and line.selectedText() == "2"
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    # "青" completes to 青菜 and Enter takes it; "农" to 农药残留
    type_cell(qtbot, type_text, "青")
    type_cell(qtbot, type_text, "农")
    type_cell(qtbot, type_text, "4")
    qtbot.waitUntil(lambda: _saved(widget) == 2, timeout=10_000)
    assert station.tests()[1][1:4] == ("A1", "青菜", "农药残留")


def test_duplicate_row_and_retest(qtbot, type_text, station, entry_widget):
    widget = entry_widget
    widget.start_typing()
    for text in ("A02", "韭菜", "农药残留", "66"):
        type_cell(qtbot, type_text, text)
    qtbot.waitUntil(lambda: _saved(widget) == 1, timeout=10_000)
    # Ctrl+D duplicates the current row: go up to the saved test first.
    line = editor()
    qtbot.keyClick(line, Qt.Key.Key_Up)
    qtbot.keyClick(widget.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert editor().objectName() == "editor_value"
    type_cell(qtbot, type_text, "7")
    qtbot.waitUntil(lambda: _saved(widget) == 2, timeout=10_000)
    first, copy = station.tests()
    assert copy[1:4] == first[1:4] and copy[5] == "negative"
    # Ctrl+R on the positive makes its re-test
    widget.view.go(0, "value", edit=False)
    qtbot.keyClick(widget.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert editor().objectName() == "editor_value"
    type_cell(qtbot, type_text, "58")
    qtbot.waitUntil(lambda: _saved(widget) == 3, timeout=10_000)
    with station.store.read() as s:
        from inspector_app.core.worklog import service

        wl = service.load(s, station.log_id)
        assert wl.tests[2].retest_of == first[0] and wl.tests[2].conclusion == "positive"
        assert service.awaiting_retest(wl) == []


PASTE = ("A01\t青菜\t农药残留\t12\n"
         "A02\t菠菜\t农药残留\t130\n"
         "A03\t韭菜\t农药残留\t55\n"
         "A04\t\t农药残留\t5\n")


def _paste(qtbot, widget, text):
    QApplication.clipboard().setText(text)
    widget.view.go(widget.model.blank_row(), "stall_no", edit=False)
    qtbot.keyClick(widget.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: widget.bad_rows_dialog is not None
                    and widget.bad_rows_dialog.isVisible(), timeout=5_000)
    return widget.bad_rows_dialog


def test_paste_with_bad_rows_add_the_good_ones(qtbot, station, entry_widget):
    widget = entry_widget
    before = station.versions()
    dialog = _paste(qtbot, widget, PASTE)
    assert dialog.table.rowCount() == 2
    reasons = [dialog.table.item(n, 1).text() for n in range(2)]
    assert "130" in reasons[0] and reasons[1]
    qtbot.mouseClick(dialog.findChild(QPushButton, "import_good"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _saved(widget) == 2 and not widget.busy(), timeout=10_000)
    assert [t[1] for t in station.tests()] == ["A01", "A03"]
    assert station.versions() == before + 1  # the good rows in one version


def test_paste_with_bad_rows_add_none(qtbot, station, entry_widget):
    widget = entry_widget
    before = station.versions()
    dialog = _paste(qtbot, widget, PASTE)
    qtbot.mouseClick(dialog.findChild(QPushButton, "import_none"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.bad_rows_dialog is None, timeout=5_000)
    assert station.tests() == [] and station.versions() == before
    assert widget.model.unsaved() == 0


def test_paste_of_good_rows_is_saved_at_once(qtbot, station, entry_widget):
    widget = entry_widget
    rows = "".join(f"A{n:02d}\t青菜{n}\t农药残留\t{n % 90}\n" for n in range(1, 201))
    QApplication.clipboard().setText(rows)
    widget.view.go(widget.model.blank_row(), "stall_no", edit=False)
    before = station.versions()
    with qtbot.waitSignal(widget.saved, timeout=10_000) as saved:
        qtbot.keyClick(widget.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [200]
    assert len(station.tests()) == 200 and station.versions() == before + 1
