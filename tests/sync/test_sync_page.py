"""The Sync page: enrol, sync on demand with progress, per-batch state and errors."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from inspector_app.core.i18n import set_language
from inspector_app.core.sync import batches
from inspector_app.ui.sync_page import SyncPage
from sync import protocol
from sync.server import service


def test_enrol_and_sync_from_the_page(qtbot, client_device, sqlite_server):
    dev = client_device
    dev.add_checks(12)
    page = SyncPage(dev.store, auto=False)
    qtbot.addWidget(page)
    assert page.enrol_box.isVisibleTo(page) and not page.sync_button.isEnabled()
    assert "13" in page.pending.text()
    page.url_edit.setText(sqlite_server.url)
    page.code_edit.setText(service.new_enrolment(sqlite_server.db, "张三"))
    with qtbot.waitSignal(page.synced, timeout=20_000):
        qtbot.mouseClick(page.enrol_button, Qt.MouseButton.LeftButton)
    assert not page.enrol_box.isVisibleTo(page)
    assert "0" in page.pending.text() and dev.pending() == 0
    assert page.model.rowCount() == 1
    assert page.model.index(0, 2).data() == "已确认"
    assert "从未" not in page.last_success.text()

    # More work, synced by the button, with progress reported.
    dev.add_checks(3)
    phases = []
    page.refresh()
    with qtbot.waitSignal(page.synced, timeout=20_000):
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
        page._op.progressed.connect(lambda d, t: phases.append((d, t)))
    assert page.model.rowCount() == 2 and dev.pending() == 0
    assert phases


def test_errors_are_shown_with_their_reason(qtbot, client_device, sqlite_server,
                                           monkeypatch):
    set_language("en")
    dev = client_device
    dev.enroll(sqlite_server)
    dev.add_checks(2)

    def refuse(*args, **kw):
        raise protocol.ProtocolError("record 0: bad kind")

    monkeypatch.setattr(service, "ingest", refuse)
    page = SyncPage(dev.store, auto=False)
    qtbot.addWidget(page)
    assert page.sync_button.isEnabled()
    with qtbot.waitSignal(page.synced, timeout=20_000):
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    assert "bad kind" in page.error.text() and page.error.isVisibleTo(page)
    assert page.model.index(0, 2).data() == "Refused"
    assert "bad kind" in page.model.index(0, 6).data()
    assert page.retry_button.isVisibleTo(page)
    assert dev.pending() == 3
    # Fixed on the server: "send again" gets them through.
    monkeypatch.undo()
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")
    with qtbot.waitSignal(page.synced, timeout=20_000):
        qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    assert dev.pending() == 0 and not page.error.isVisibleTo(page)


def test_auto_sync_probes_then_syncs(qtbot, client_device, sqlite_server):
    dev = client_device
    dev.enroll(sqlite_server)
    dev.add_checks(4)
    page = SyncPage(dev.store)  # AutoSync starts: probe on a worker thread, then sync
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: dev.pending() == 0 and not page.running(), timeout=20_000)
    qtbot.waitUntil(lambda: "reachable" in page.network.text() or "可以连接" in
                    page.network.text(), timeout=5_000)
    page.auto.stop()


def test_export_from_the_page(qtbot, client_device, sqlite_server, tmp_path):
    dev = client_device
    dev.enroll(sqlite_server)
    dev.add_checks(2)
    page = SyncPage(dev.store, auto=False)
    qtbot.addWidget(page)
    out = tmp_path / "usb.json"

    def choose(dialog) -> None:  # the save dialog: type the file name, press Save
        dialog.selectFile(str(out))
        dialog.accept()

    def poll() -> None:
        from PySide6.QtWidgets import QApplication, QFileDialog

        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QFileDialog):
            choose(dialog)
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(out.exists, timeout=10_000)
    qtbot.waitUntil(lambda: str(out) in page.phase.text(), timeout=10_000)
    assert not page.error.isVisibleTo(page)
    with dev.store.read() as session:
        assert all(b.exported_at for b in batches.unacked(session))
