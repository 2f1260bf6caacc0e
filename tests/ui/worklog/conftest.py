"""Fixtures of the workstation-log UI tests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool
from worklog_ui_helpers import NOW, Station, make_station

from inspector_app.ui.fonts import install_app_fonts


@pytest.fixture
def station(store) -> Station:
    return make_station(store)


@pytest.fixture
def entry_widget(qapp, qtbot, station):
    """The entry table of the open shift, loaded, its clock at 09:30 of the log's day."""
    from inspector_app.ui.worklog.entry_table import TestEntryWidget

    install_app_fonts(qapp)
    widget = TestEntryWidget(station.store, station.actor, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=10_000):
        widget.load(station.log_id)
    yield widget
    qtbot.waitUntil(lambda: not widget.busy(), timeout=10_000)
    QThreadPool.globalInstance().waitForDone(10_000)
