"""A seizure the server sends down that breaks the rules is kept aside, not applied: the
Sync page shows it as refused, with its reasons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_server_rules import _bad_seizure

from inspector_app.core import settings
from inspector_app.core.models import Seizure
from inspector_app.ui.sync_page import SyncPage
from sync.server import service


def test_a_pulled_seizure_breaking_the_rules_is_shown_refused(qtbot, client_device,
                                                             sqlite_server):
    dev = client_device
    page = SyncPage(dev.store, auto=False)
    qtbot.addWidget(page)
    page.url_edit.setText(sqlite_server.url)
    page.code_edit.setText(service.new_enrolment(sqlite_server.db, "张三"))
    with qtbot.waitSignal(page.synced, timeout=20_000):
        qtbot.mouseClick(page.enrol_button, Qt.MouseButton.LeftButton)
    assert not page.refused.isVisibleTo(page)
    with dev.store.read() as s:
        device = settings.device_id(s)
    bad = _bad_seizure("5e0d6b1e-8a0c-4a8e-9a4e-0e6a2f1f9e11")
    with sqlite_server.db.write() as s:
        service.add_feed(s, device, "record", {"kind": "seizure", "id": bad.id,
                                               "version": 1, "content": bad.content})
    with qtbot.waitSignal(page.synced, timeout=20_000):
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert page.refused.isVisibleTo(page)
    text = page.refused.toPlainText()
    assert text.startswith("同步下载的以下记录被拒绝（未写入本机，因为违反规则）：")
    assert f"{bad.id}，第1版，文书编号 示例市监强制〔2026〕07-0001号：" in text
    assert "2名以上" in text and "45日" in text and "60日" in text
    with dev.store.read() as s:
        assert s.get(Seizure, bad.id) is None  # kept aside, not applied
    page.resize(760, 720)
    page.grab().save("/tmp/paths/sync_refused.png")
    # A second pull of the same change keeps one entry.
    with qtbot.waitSignal(page.synced, timeout=20_000):
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert page.refused.toPlainText().count(bad.id) == 1
