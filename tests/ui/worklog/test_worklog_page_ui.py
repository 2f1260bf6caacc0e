"""The 工作站日志 page: reminders, set-up, shifts, CSV import with bad rows (both choices),
scale checks, complaints, and the report buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QPushButton
from worklog_ui_helpers import NOW, TODAY

from inspector_app.ui.fonts import install_app_fonts


@pytest.fixture
def page(qapp, qtbot, station):
    from inspector_app.ui.worklog.page import WorklogPage

    install_app_fonts(qapp)
    page = WorklogPage(station.store, actor=station.actor, clock=lambda: NOW)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    with qtbot.waitSignal(page.entry.loaded, timeout=10_000):
        page.start()
    yield page
    qtbot.waitUntil(lambda: not page.entry.busy(), timeout=10_000)
    QThreadPool.globalInstance().waitForDone(10_000)


def test_page_shows_the_open_shift_and_reminders(page, station):
    assert page.log_id == station.log_id
    assert page.station_label.text() == "东门市场快检室"
    kinds = [r.kind for r in page.reminders.reminders]
    assert "instrument_expiring" in kinds  # YQ-01 expires in 25 days
    assert page.reminders.isVisible()
    assert not page.buttons["open"].isEnabled() and page.buttons["close"].isEnabled()
    assert page.tabs.count() == 4  # tests, scales, complaints, all logs


def test_setup_dialog_saves_a_new_instrument(qtbot, page, station):
    dialog = page.open_setup()
    assert dialog.instruments.rowCount() == 3
    row = dialog.instruments.add_row({"number": "YQ-09", "name": "甲醛测定仪",
                                      "valid_until": (TODAY + timedelta(days=3)).isoformat(),
                                      "verified_on": (TODAY - timedelta(days=362)).isoformat(),
                                      "cert_no": "JD-9"})
    assert row == 3
    with qtbot.waitSignal(page.entry.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.findChild(QPushButton, "ws_save"),
                         Qt.MouseButton.LeftButton)
    assert ("instrument_expiring", "YQ-09") in [(r.kind, r.ref) for r in
                                                page.reminders.reminders]


def test_setup_dialog_shows_a_refused_setup(qtbot, page):
    dialog = page.open_setup()
    dialog.reagents.add_row({"test_item": "农药残留", "batch_no": "BAD", "expires_on": "明天"})
    op = dialog.save()
    with qtbot.waitSignal(op.finished, timeout=10_000):
        pass
    assert "明天" in dialog.message.text()
    assert dialog.isVisible()


def _press_import(qtbot, page):
    qtbot.mouseClick(page.buttons["import"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "import_dialog", None) is not None
                    and page.import_dialog.isVisible(), timeout=5_000)
    return page.import_dialog


def _csv(tmp_path):
    rows = ["序号,样品编号,样品名称,被检单位,抑制率(%),检测结果,检测时间",
            f"1,N001,青菜,A01,12.3,阴性,{TODAY} 06:01:12",
            f"2,N002,菠菜,A02,155.0,阳性,{TODAY} 06:02:40",
            f"3,N003,韭菜,A03,55.0,阳性,{TODAY} 06:03:05",
            f"4,N004,芹菜,A04,20.0,阳性,{TODAY} 06:04:00"]
    path = tmp_path / "仪器导出.csv"
    path.write_bytes("\r\n".join(rows).encode("gb18030"))
    return path


@pytest.mark.parametrize(("button", "expected"), [("import_good", ["N001", "N003"]),
                                                  ("import_none", [])])
def test_csv_import_dialog_with_bad_rows(qtbot, page, station, tmp_path, button, expected):
    from worklog_ui_helpers import when_modal

    dialog = _press_import(qtbot, page)
    path = _csv(tmp_path)

    def choose(file_dialog) -> None:
        file_dialog.selectFile(str(path))
        file_dialog.accept()

    when_modal(choose)
    browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "选择文件…")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert "抑制率(%)" in [dialog._combo("value").itemText(i)
                          for i in range(dialog._combo("value").count())]
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dialog, "bad_rows_dialog", None) is not None,
                    timeout=10_000)
    bad = dialog.bad_rows_dialog
    qtbot.waitUntil(bad.isVisible, timeout=5_000)
    assert bad.table.rowCount() == 2
    assert "155" in bad.table.item(0, 1).text()
    qtbot.mouseClick(bad.findChild(QPushButton, button), Qt.MouseButton.LeftButton)
    if expected:
        qtbot.waitUntil(lambda: len(station.tests()) == 2 and not page.entry.busy(),
                        timeout=10_000)
    assert [t[0] for t in station.tests()] == expected


def test_csv_mapping_is_edited_and_saved(qtbot, page, station, tmp_path):
    from inspector_app.core.worklog import importing

    dialog = _press_import(qtbot, page)
    dialog.name.setText("我的速测仪")
    dialog._combo("stall_no").setCurrentText("被检单位")
    save = next(b for b in dialog.findChildren(QPushButton) if b.text() == "保存方案")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    with station.store.read() as s:
        saved = {m.name: m for m in importing.load_mappings(s)}
    assert saved["我的速测仪"].columns["stall_no"] == "被检单位"


def test_scale_check_and_reweigh(qtbot, page, station):
    panel = page.scales
    panel.stall.setText("B07")
    panel.cert.setText("JD2024-0931")
    panel.verified_on.setText((TODAY - timedelta(days=400)).isoformat())
    panel.valid_until.setText((TODAY - timedelta(days=2)).isoformat())
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    panel.kind.setCurrentIndex(1)
    panel.stall.setText("A12")
    panel.product.setText("五花肉")
    panel.claimed.setText("1.5")
    panel.actual.setText("1.42")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 2
    assert panel.table.item(0, 8).text() == "超期未检"
    assert panel.table.item(1, 6).text() == "-80"


def test_complaint_follow_up_and_close(qtbot, page, station):
    panel = page.complaints
    panel.content.setText("反映短斤缺两")
    panel.stall.setText("A12")
    assert not panel.follow_button.isEnabled()  # nothing chosen yet
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.table.item(0, 6).text() == "处理中"
    rect = panel.table.visualItemRect(panel.table.item(0, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.close_button.isEnabled()
    from worklog_ui_helpers import when_modal

    when_modal(_answer("已退还差价"))
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    assert panel.table.item(0, 6).text() == "已办结"
    assert panel.table.item(0, 7).text() == "已退还差价"


def _answer(text: str):
    def handle(dialog) -> None:
        dialog.setTextValue(text)
        dialog.accept()
    return handle


def test_close_shift_then_the_table_is_read_only(qtbot, page, station):
    from worklog_ui_helpers import when_modal

    when_modal(_answer("今日正常。"))
    with qtbot.waitSignal(page.entry.loaded, timeout=10_000):
        qtbot.mouseClick(page.buttons["close"], Qt.MouseButton.LeftButton)
    assert page.log_id is None and page.entry.model.read_only
    assert page.buttons["open"].isEnabled()
    when_modal(_answer("王芳"))
    with qtbot.waitSignal(page.entry.loaded, timeout=10_000):
        qtbot.mouseClick(page.buttons["open"], Qt.MouseButton.LeftButton)
    assert page.log_id not in (None, station.log_id)
    with station.store.read() as s:
        from inspector_app.core.worklog import service

        assert service.load(s, page.log_id).operator_name == "王芳"


@pytest.mark.parametrize(("button", "title"), [("daily", f"日报 {TODAY}"),
                                               ("monthly", f"月度汇总 {TODAY:%Y-%m}")])
def test_report_buttons_make_pdfs(qtbot, page, button, title):
    from worklog_ui_helpers import when_modal

    when_modal(lambda dialog: dialog.accept())  # the day the dialog proposes: the clock's
    qtbot.mouseClick(page.buttons[button], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "preview", None) is not None
                    and page.preview.isVisible(), timeout=20_000)
    assert page.last_pdf.startswith(b"%PDF")
    assert page.preview.windowTitle() == title
    assert page.message.text() == ""
    page.preview.close()


def test_hooked_into_the_main_window(qtbot, window, type_text):
    """The page replaces the 工作站日志 list exactly as the hook lines in the report do."""
    from worklog_ui_helpers import editor, type_cell

    from inspector_app.ui.worklog.page import WorklogPage

    old = window.pages["worklog"]
    window.stack.removeWidget(old)
    old.deleteLater()
    # --- the hook (in MainWindow._make_pages, after the RecordListPage loop) ---
    page = WorklogPage(window.store, window.user)
    page.changed.connect(window.data_changed)
    # ----------------------------------------------------------------------------
    page.setObjectName("page_worklog")
    window.pages["worklog"] = page
    window.stack.addWidget(page)
    with qtbot.waitSignal(page.entry.loaded, timeout=10_000):
        window.show_page("worklog")
    assert window.current_page_key() == "worklog"
    assert page.log_id is not None  # the known records' open log
    assert page.actor.inspector_id == window.user.id
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    page.entry.start_typing()
    for text in ("A01", "青菜", "农药残留", "12"):
        type_cell(qtbot, type_text, text)
    qtbot.waitUntil(lambda: not page.entry.busy() and page.entry.model.rows[0].state
                    == "saved", timeout=10_000)
    # the shell's refresh after the save leaves the cell being typed alone
    assert editor().objectName() == "editor_stall_no"
    qtbot.waitUntil(lambda: window.pending_count is not None and window.pending_count > 0,
                    timeout=10_000)
