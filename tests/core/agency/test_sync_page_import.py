"""The 同步 page of a supervisor's device: Sync now imports the agency's batches and shows
what was imported, refused batches with their reasons."""

from __future__ import annotations

import pytest
from agency_helpers import Dev, FakeServer, check, enrolled, supervisor
from PySide6.QtCore import Qt

from inspector_app.core.sync import agent
from inspector_app.ui.sync_page import SyncPage


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")


def test_sync_now_on_a_supervisor_shows_the_import_summary(qtbot, tmp_path, monkeypatch):
    lina, stranger = Dev("李娜"), Dev("陌生")
    server = FakeServer()
    server.key(lina)
    server.batch(lina, [check(lina), check(lina), check(lina)])
    server.batch(stranger, [check(stranger)])  # its key never came: refused
    real = agent.make_client
    monkeypatch.setattr(agent, "make_client", lambda *a, **kw: real(
        *a, **(kw | {"transport": server.transport()})))
    store = supervisor(tmp_path / "sup")
    enrolled(store, "supervisor")
    page = SyncPage(store, auto=False)
    qtbot.addWidget(page)
    assert not page.imported.isVisibleTo(page)
    phases = []
    with qtbot.waitSignal(page.synced, timeout=30_000):
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
        page._op.progressed.connect(lambda d, t: phases.append((d, t)))
    assert page.imported.isVisibleTo(page)
    text = page.imported.text()
    assert "已导入1个批次：新记录3条，更新0条，冲突0条，已有0条，拒收批次1个。" in text
    assert f"未知的设备密钥{stranger.key_id}" in text
    assert "同步已停止" not in page.phase.text()
    store.close()
