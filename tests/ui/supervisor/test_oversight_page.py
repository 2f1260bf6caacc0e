"""The supervisor's oversight page: tiles, filters, charts, and the records behind them."""

from __future__ import annotations

from datetime import timedelta

import agency_sample as sample
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QComboBox

from inspector_app.core import auth
from inspector_app.core.sync.state import DEVICE_ROLE


@pytest.fixture
def supervisor_store(tmp_path):
    store = sample.fill(tmp_path / "store")
    with store.write() as s:
        auth.first_setup(s, "示例市市场监督管理局", "示例", auth.NewInspector(
            "张三", "zhang", "demo1234", "32010001", "supervisor"))
        DEVICE_ROLE.set(s, "supervisor")
    yield store
    store.close()


@pytest.fixture
def page(qtbot, supervisor_store):
    from inspector_app.ui.supervisor.dashboard import OversightPage

    widget = OversightPage(supervisor_store, today=sample.TODAY)
    qtbot.addWidget(widget)
    widget.resize(1366 - 168, 768)
    widget.show()
    qtbot.waitUntil(lambda: widget.figures is not None, timeout=10_000)
    return widget


def _tile(page, key) -> str:
    return page.tiles[key].text().split("\n")[-1]


def _choose(qtbot, page, box: QComboBox, text: str) -> None:
    """Pick `text` in a filter with the keyboard, as a user does, and wait for the figures."""
    box.setFocus()
    target = box.findText(text)
    assert target >= 0, text
    while box.currentIndex() != target:
        with qtbot.waitSignal(page.figures_shown, timeout=10_000):
            qtbot.keyClick(box, Qt.Key.Key_Down if box.currentIndex() < target else Qt.Key.Key_Up)


def _dialog_rows(qtbot, page):
    dialog = page.dialog
    qtbot.waitUntil(lambda: "条" in dialog.summary.text() or "record" in dialog.summary.text(),
                    timeout=10_000)
    table = dialog.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())], dialog.summary.text()


def test_tiles_show_the_deadlines_and_open_their_records(qtbot, page):
    assert _tile(page, "seizures_expiring") == "1"
    assert _tile(page, "seizures_overdue") == "1"
    assert _tile(page, "emergency_unreported") == "1"
    assert _tile(page, "positive_worklogs") == "1"
    assert _tile(page, "nonconforming") == "1"
    assert "3" in page.status.text() and "33.3%" in page.status.text()
    qtbot.mouseClick(page.tiles["seizures_overdue"], Qt.MouseButton.LeftButton)
    rows, summary = _dialog_rows(qtbot, page)
    assert [r[1] for r in rows] == ["查封〔2026〕12号"]
    overdue_since = (sample.TODAY - timedelta(days=2)).isoformat()
    assert rows[0][4] == "西门市场" and rows[0][6] == overdue_since
    assert "1" in summary


def test_the_market_filter_changes_every_figure(qtbot, page):
    _choose(qtbot, page, page.market, "西门市场")
    assert _tile(page, "seizures_overdue") == "1"
    assert _tile(page, "seizures_expiring") == "0"
    assert _tile(page, "nonconforming") == "0"
    assert _tile(page, "positive_worklogs") == "0"
    assert "1" in page.status.text() and "0.0%" in page.status.text()
    chart = page.charts["market"]
    assert [r.label for r in chart.rates] == ["西门市场"]
    _choose(qtbot, page, page.period, "本月")
    assert page.status.text().startswith("已完成检查0批次")  # none at 西门市场 this month


def test_pressing_a_bar_lists_its_nonconforming_checks(qtbot, page):
    chart = page.charts["market"]
    labels = [r.label for r in chart.rates]
    assert labels == ["西门市场", "东门市场"]  # highest rate on top: the last bar
    series = chart.chart().series()[0]
    index = labels.index("东门市场")
    point = chart.chart().mapToPosition(QPointF(chart.rates[index].rate * 50, index), series)
    where = chart.mapFromScene(chart.chart().mapToScene(point))
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: page.dialog is not None, timeout=5000)
    rows, _summary = _dialog_rows(qtbot, page)
    assert [r[1] for r in rows] == ["酱油"]
    assert "东门市场" in page.dialog.windowTitle()


def test_screenshot_at_1366x768(qtbot, page, tmp_path):
    page.resize(1366 - 168, 768 - 60)  # the window less its navigation and status bar
    qtbot.wait(200)
    image = page.grab()
    assert image.save(str(tmp_path / "oversight_page.png"))
    assert (image.width(), image.height()) == (1366 - 168, 768 - 60)


def test_the_page_is_in_a_supervisors_main_window_only(qtbot, supervisor_store, start_app,
                                                       sign_in):
    folder = supervisor_store.data_dir
    supervisor_store.close()
    window = sign_in(start_app(folder))
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "监督总览" in labels
    page = window.show_page("oversight")
    qtbot.waitUntil(lambda: page.figures is not None, timeout=10_000)
    assert page.isVisible()


def test_an_inspectors_window_has_no_oversight_page(qtbot, window):
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "监督总览" not in labels and "oversight" not in window.pages


def test_export_from_the_records_dialog(qtbot, page, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "expiring.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(page.tiles["seizures_expiring"], Qt.MouseButton.LeftButton)
    _dialog_rows(qtbot, page)
    dialog = page.dialog
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已写入" in dialog.summary.text(), timeout=10_000)
    rows = sample.xlsx_rows(out)
    assert rows[0][:4] == ("记录类型", "记录编号", "版本", "标题")
    assert [r[3] for r in rows[1:]] == ["查封〔2026〕11号"]
