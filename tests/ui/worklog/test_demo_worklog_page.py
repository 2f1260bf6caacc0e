"""On a demo store, 工作站日志 opens on a set-up workstation and a shift can be opened."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from inspector_app.core import auth, demo
from inspector_app.core.store import Store
from inspector_app.core.worklog import service
from inspector_app.core.worklog import workstation as ws


@pytest.fixture
def worklog_page(qtbot, tmp_path, start_app, sign_in):
    """A demo store set up as `inspector demo` does, signed in as zhang, on 工作站日志
    (reached through the navigation); returns (window, page, station id)."""
    folder = tmp_path / "data"
    store = Store(folder)
    with store.write() as session:
        auth.first_setup(session, "示例市市场监督管理局", "示例", auth.NewInspector(
            "张三", "zhang", "demo1234", "32010001", "supervisor"))
    demo.generate(store, 20)
    demo.printable_seizures(store)
    with store.read() as session:
        station = ws.the_workstation(session)
        station_id, name = station.id, station.name
    store.close()
    window = sign_in(start_app(folder))
    nav = window.nav
    row = [nav.item(i).text() for i in range(nav.count())].index("工作站日志")
    rect = nav.visualItemRect(nav.item(row))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = window.pages["worklog"]
    qtbot.waitUntil(lambda: page.station_label.text() == name, timeout=20_000)
    return window, page, station_id


def test_the_demo_workstation_is_set_up(worklog_page, tmp_path):
    window, page, _station_id = worklog_page
    assert page.buttons["open"].isEnabled() and not page.buttons["close"].isEnabled()
    assert page.message.text() == "当前没有开班：请开班后录入检测。"
    window.grab().save(str(tmp_path / "worklog-page.png"))


def test_a_shift_opens_with_the_button(qtbot, worklog_page):
    window, page, station_id = worklog_page

    def accept_operator() -> None:  # the operator dialog: take the first name offered
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            dialog.accept()
        elif page.log_id is None and page.message.text().startswith("当前没有开班"):
            QTimer.singleShot(50, accept_operator)

    QTimer.singleShot(0, accept_operator)
    qtbot.mouseClick(page.buttons["open"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.log_id is not None or page.message.text() == "更改未能保存。",
                    timeout=20_000)
    assert page.log_id is not None, page.message.text()
    assert page.buttons["close"].isEnabled() and not page.buttons["open"].isEnabled()
    with window.store.read() as session:
        log = service.load(session, page.log_id)
        assert log.workstation_id == station_id and log.status == "open"
