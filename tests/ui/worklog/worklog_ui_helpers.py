"""A store with a workstation and an open shift, for the workstation-log UI tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from inspector_app.core import auth, records, settings
from inspector_app.core.worklog import demo, service

NOW = datetime(2026, 5, 12, 9, 30).astimezone()
TODAY = NOW.date()


@dataclass
class Station:
    store: object
    actor: records.Actor
    workstation_id: str
    market_id: str
    log_id: str

    def tests(self):
        with self.store.read() as s:
            wl = service.load(s, self.log_id)
            return [(t.sample_no, t.stall_no, t.product_name, t.test_item, t.value,
                     t.conclusion) for t in wl.tests]

    def versions(self) -> int:
        with self.store.read() as s:
            return service.load(s, self.log_id).version


def make_station(store, now: datetime = NOW) -> Station:
    with store.write() as s:
        inspector = auth.first_setup(
            s, "示例市市场监督管理局", "示例",
            auth.NewInspector("张三", "zhang", "demo1234", "32010001", "supervisor"))
        actor = records.Actor(settings.device_id(s), inspector.id)
        st = demo.make_station(s, actor, now.date())
        wl = service.open_shift(s, actor, "李四", st.workstation_id,
                                now=now - timedelta(hours=5))
    return Station(store, actor, st.workstation_id, st.market_id, wl.id)


def editor() -> QLineEdit:
    widget = QApplication.focusWidget()
    assert isinstance(widget, QLineEdit), f"no cell editor has the focus: {widget!r}"
    return widget


def type_cell(qtbot, type_text, text: str, key=Qt.Key.Key_Return) -> QLineEdit:
    """Type `text` into the cell being edited, then press `key` (Enter by default)."""
    line = editor()
    type_text(line, text)
    qtbot.keyClick(line, key)
    return line


def when_modal(handle) -> None:
    """Call `handle(dialog)` on the next modal dialog, from inside its exec() loop (a
    press that opens one only returns once it is closed)."""
    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, poll)
            return
        handle(dialog)

    QTimer.singleShot(0, poll)
