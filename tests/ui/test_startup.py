"""Start-up: first-run set-up, sign-in, the single-instance lock, refused database files."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from inspector_app.core import auth, i18n, settings
from inspector_app.core.i18n import _
from inspector_app.core.models import Inspector
from inspector_app.core.store import Store, instance_lock
from inspector_app.ui.auth_dialogs import SetupDialog, SignInDialog


def _click(qtbot, dialog, name):
    qtbot.mouseClick(dialog.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _wait_dialog(qtbot, startup, cls):
    qtbot.waitUntil(lambda: isinstance(startup.dialog, cls) and startup.dialog.isVisible())
    return startup.dialog


def _ime_commit(widget, text: str) -> None:
    """Type `text` the way a Chinese input method commits it (keyClicks cannot do plane 2)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_window_is_shown_before_the_store_is_opened(qtbot, tmp_path, start_app):
    startup = start_app(tmp_path / "data")
    assert startup.window.isVisible()
    assert startup.store is None  # shown first; the store opens on the event loop
    assert startup.window.placeholder.text() == _("Opening the database…")
    assert not startup.window.nav.isEnabled()
    qtbot.waitUntil(lambda: startup.store is not None, timeout=20000)  # a loaded machine


def test_first_run_setup_creates_the_agency_and_the_inspector(qtbot, tmp_path, start_app,
                                                               type_text):
    startup = start_app(tmp_path / "data")
    dialog = _wait_dialog(qtbot, startup, SetupDialog)
    assert not startup.window.nav.isEnabled()  # nothing usable before sign-in

    _click(qtbot, dialog, "ok")  # everything empty: the core's message, inline
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == _("Enter the agency's name.")
    assert _has_cjk(dialog.error.text())

    type_text(dialog.agency, "示例市市场监督管理局")
    type_text(dialog.abbr, "示例")
    _ime_commit(dialog.name, "𠮷丽")
    qtbot.keyClicks(dialog.cert_no, "32010002")
    qtbot.keyClicks(dialog.username, "jili")
    qtbot.keyClicks(dialog.password, "secret-pass")
    qtbot.keyClicks(dialog.password2, "secret-typo")
    _click(qtbot, dialog, "ok")
    assert dialog.error.text() == _("The two passwords are not the same.")

    qtbot.keyClicks(dialog.password2, "secret-pass")
    with qtbot.waitSignal(startup.signed_in) as signal:
        _click(qtbot, dialog, "ok")
    assert signal.args[0].name == "𠮷丽"

    with startup.store.read() as session:
        assert settings.AGENCY_NAME.get(session) == "示例市市场监督管理局"
        assert settings.AGENCY_ABBR.get(session) == "示例"
        inspector = session.query(Inspector).one()
        assert (inspector.name, inspector.username, inspector.cert_no) == \
            ("𠮷丽", "jili", "32010002")
        assert auth.authenticate(session, "jili", "secret-pass") is not None
        assert not auth.needs_setup(session)
    window = startup.window
    assert window.nav.isEnabled()
    assert "𠮷丽" in window.user_label.text() and "32010002" in window.user_label.text()
    assert window.current_page_key() == "dashboard"


def test_sign_in_wrong_then_right_password(qtbot, signed_in, start_app):
    store = signed_in[0]
    startup = start_app(store.data_dir)
    dialog = _wait_dialog(qtbot, startup, SignInDialog)
    assert "示例市市场监督管理局" in dialog.intro.text()
    qtbot.keyClicks(dialog.username, "zhang")
    qtbot.keyClicks(dialog.password, "wrong-password")
    _click(qtbot, dialog, "ok")
    assert dialog.isVisible()
    assert dialog.error.text() == _("The user name or the password is wrong.")
    assert _has_cjk(dialog.error.text())
    assert dialog.password.text() == ""  # cleared for the next try
    assert startup.window.user is None and not startup.window.nav.isEnabled()

    qtbot.keyClicks(dialog.password, "demo1234")
    with qtbot.waitSignal(startup.signed_in):
        _click(qtbot, dialog, "ok")
    assert not dialog.isVisible()
    assert startup.window.user.username == "zhang"
    assert "张三" in startup.window.user_label.text()


def test_switch_user_signs_out_and_asks_again(qtbot, signed_in, start_app, sign_in):
    store, actor, _inspector = signed_in
    with store.write() as session:
        auth.add_inspector(session, actor, auth.NewInspector("李四", "lisi", "lisi-pass-1"))
    startup = start_app(store.data_dir)
    window = sign_in(startup)
    assert window.switch_action.isEnabled()
    window.switch_action.trigger()
    assert window.user is None and not window.pages and not window.nav.isEnabled()
    assert window.user_label.text() == _("Not signed in")
    sign_in(startup, "lisi", "lisi-pass-1")
    assert window.user.name == "李四" and "李四" in window.user_label.text()
    assert window.current_page_key() == "dashboard"


def test_quitting_the_sign_in_dialog_ends_the_app(qtbot, signed_in, start_app):
    startup = start_app(signed_in[0].data_dir)
    dialog = _wait_dialog(qtbot, startup, SignInDialog)
    with qtbot.waitSignal(startup.finished) as signal:
        _click(qtbot, dialog, "quit")
    assert signal.args == [0]


def _fatal_box(qtbot, startup) -> QMessageBox:
    qtbot.waitUntil(lambda: startup.message_box is not None and startup.message_box.isVisible())
    return startup.message_box


def test_second_instance_gets_a_clear_message(qtbot, tmp_path, start_app):
    data_dir = tmp_path / "data"
    lock = instance_lock(data_dir)  # the first instance
    try:
        startup = start_app(data_dir)
        box = _fatal_box(qtbot, startup)
        assert box.windowTitle() == _("Inspector is already running")
        assert "已在运行" in box.text() and str(data_dir) in box.text()
        assert "Traceback" not in box.text()
        with qtbot.waitSignal(startup.finished) as signal:
            box.button(QMessageBox.StandardButton.Ok).click()
        assert signal.args == [1]
        assert startup.store is None  # it never opened the store
    finally:
        lock.release()


def test_second_instance_message_in_english(qtbot, tmp_path, start_app):
    data_dir = tmp_path / "data"
    lock = instance_lock(data_dir)
    i18n.set_language("en")
    try:
        startup = start_app(data_dir)
        box = _fatal_box(qtbot, startup)
        assert box.text().startswith("Inspector is already running with the data folder")
    finally:
        lock.release()


def test_foreign_file_is_refused_with_its_message_and_left_unchanged(qtbot, tmp_path,
                                                                       start_app):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db = data_dir / "inspector.db"
    db.write_bytes(b"PK\x03\x04 a zip file, not a database\n" * 200)
    before = db.read_bytes()
    startup = start_app(data_dir)
    box = _fatal_box(qtbot, startup)
    assert box.windowTitle() == _("The database cannot be opened")
    assert str(db) in box.text() and "不是" in box.text()
    with qtbot.waitSignal(startup.finished) as signal:
        box.button(QMessageBox.StandardButton.Ok).click()
    assert signal.args == [1]
    assert db.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["inspector.db", "inspector.lock"]


def test_newer_schema_is_refused_and_left_unchanged(qtbot, tmp_path, start_app):
    import sqlite3

    data_dir = tmp_path / "data"
    Store(data_dir).close()
    con = sqlite3.connect(data_dir / "inspector.db")
    con.execute("DELETE FROM alembic_version")
    con.execute("INSERT INTO alembic_version VALUES ('9999_future')")
    con.commit()
    con.close()
    before = (data_dir / "inspector.db").read_bytes()
    startup = start_app(data_dir)
    box = _fatal_box(qtbot, startup)
    assert "9999_future" in box.text()
    assert (data_dir / "inspector.db").read_bytes() == before


def _run_app(*args, env_extra=None, timeout=60):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "inspector_app", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_quit_when_shown_prints_the_time_and_exits_0(tmp_path):
    result = _run_app("--data-dir", str(tmp_path / "d"), "--quit-when-shown")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert lines[0] == "shown" and 0 < float(lines[1]) < 30
    assert (tmp_path / "d" / "inspector.db").exists()
    log = (tmp_path / "d" / "logs" / "inspector.log").read_text(encoding="utf-8")
    assert "main window shown" in log


def test_quit_when_shown_with_a_foreign_file_exits_1(tmp_path):
    data_dir = tmp_path / "d"
    data_dir.mkdir()
    (data_dir / "inspector.db").write_bytes(b"not a database" * 10)
    result = _run_app("--data-dir", str(data_dir), "--quit-when-shown", "--lang", "en")
    assert result.returncode == 1
    assert "is not an Inspector database" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_sets_up_the_demo_agency_and_fills_records(qtbot, tmp_path, start_app,
                                                         sign_in):
    from inspector_app.core import queries

    startup = start_app(tmp_path / "data", demo=5)
    qtbot.waitUntil(lambda: isinstance(startup.dialog, SignInDialog), timeout=60_000)
    dialog = startup.dialog
    assert dialog.username.text() == "zhang"
    hint = dialog.findChild(type(dialog.intro), "hint")
    assert hint is not None and "demo1234" in hint.text()
    assert "示例市市场监督管理局" in dialog.intro.text()
    window = sign_in(startup)
    with startup.store.read() as session:
        counts = queries.counts(session)
        assert settings.AGENCY_ABBR.get(session) == "示例"
        zhang = session.query(Inspector).filter_by(username="zhang").one()
        assert (zhang.name, zhang.cert_no) == ("张三", "32010001")
    # The bulk demo records, and 3 seizures made through the workflow (notices to print).
    assert counts == {"check": 5, "seizure": 8, "worklog": 5}
    dashboard = window.pages["dashboard"]
    assert [dashboard.cards[k].number.text() for k in ("check", "seizure", "worklog")] == \
        ["5", "8", "5"]


def test_demo_does_not_add_records_to_a_store_that_has_some(qtbot, signed_in, start_app):
    from datetime import datetime

    from inspector_app.core import queries, records
    from inspector_app.core.models import LabelCheck

    store, actor, _inspector = signed_in
    with store.write() as session:
        records.create(session, LabelCheck(checked_at=datetime.now(UTC),
                                           product_name="电水壶"), actor)
    startup = start_app(store.data_dir, demo=5)
    _wait_dialog(qtbot, startup, SignInDialog)
    with store.read() as session:
        assert queries.counts(session) == {"check": 1, "seizure": 0, "worklog": 0}


HEAVY = ("sqlalchemy", "alembic", "argon2", "openpyxl", "reportlab", "PySide6.QtNetwork")


def test_heavy_modules_are_imported_only_after_the_window_is_shown(tmp_path):
    script = f"""
import sys
from inspector_app.ui import startup
shown = startup.Startup._painted
def painted(self):
    if not self._shown:
        print("heavy at shown:", [m for m in {HEAVY!r} if m in sys.modules], flush=True)
    shown(self)
startup.Startup._painted = painted
from inspector_app.app import main
sys.exit(main(["--data-dir", {str(tmp_path / "d")!r}, "--quit-when-shown"]))
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "heavy at shown: []" in result.stdout
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines()
                 if line.startswith(("shown ", "ready ")))
    assert float(lines["shown"]) <= float(lines["ready"])


def test_saved_language_is_used_from_the_start(tmp_path):
    store = Store(tmp_path / "d")
    with store.write() as session:
        settings.LANGUAGE.set(session, "en")
    store.close()
    lock = instance_lock(tmp_path / "d")  # so the app stops with its (English) message
    try:
        result = _run_app("--data-dir", str(tmp_path / "d"), "--quit-when-shown")
    finally:
        lock.release()
    assert result.returncode == 1
    assert "Inspector is already running with the data folder" in result.stderr


def test_the_qt_binding_keeps_its_references_to_none(qtbot):
    """PySide6 6.12.0 on Python 3.11 dropped one per call and aborted the app (pyproject pins)."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _n in range(20_000):
        label.setText("张三")
    assert abs(sys.getrefcount(None) - before) < 100
