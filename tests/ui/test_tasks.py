"""The background helper: results and errors come back to the main thread by signal."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QWidget

from inspector_app.core import queries
from inspector_app.ui import errors, tasks


def test_result_comes_back_on_the_main_thread_with_a_worker_session(qtbot, signed_in):
    store = signed_in[0]
    seen = {}

    def work(job):
        seen["thread"] = threading.current_thread()
        seen["session"] = job.session
        return queries.counts(job.session)

    results = []
    op = tasks.run_in_background(work, store=store, session="read",
                                 on_success=lambda r: results.append(
                                     (r, threading.current_thread())))
    with qtbot.waitSignal(op.finished):
        pass
    assert results == [({"check": 0, "seizure": 0, "worklog": 0}, threading.main_thread())]
    assert seen["thread"] is not threading.main_thread()
    assert seen["session"] is not None
    assert op.done


def test_errors_come_back_to_on_failure(qtbot):
    def work(job):
        raise ValueError("broken")

    failures = []
    op = tasks.run_in_background(work, on_failure=failures.append)
    with qtbot.waitSignal(op.finished):
        pass
    assert len(failures) == 1 and isinstance(failures[0], ValueError)


def test_progress_is_reported_and_the_dialog_closes(qtbot):
    gate = threading.Event()

    def work(job):
        gate.wait(5)
        for n in range(1, 5):
            job.report(n, 4)
        return "done"

    parent = QWidget()
    qtbot.addWidget(parent)
    progress = []
    op = tasks.run_in_background(work, on_progress=lambda d, t: progress.append((d, t)))
    dialog = tasks.with_progress(op, parent, "工作中", minimum_duration_ms=0)
    gate.set()
    with qtbot.waitSignal(op.succeeded) as signal:
        pass
    assert signal.args == ["done"]
    qtbot.waitUntil(lambda: progress[-1:] == [(4, 4)])
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_unhandled_errors_are_logged_without_their_message(qtbot, tmp_path, monkeypatch):
    path = errors.setup_logging(tmp_path)
    shown = []

    id_number = "110101" + "19900307" + "0000"  # kept out of the source line

    def work(job):
        raise RuntimeError(f"身份证号 {id_number}")  # personal data in a message

    op = tasks.run_in_background(work)
    with qtbot.waitSignal(op.finished):
        pass
    qtbot.waitUntil(lambda: errors.crash_dialog() is not None)
    shown.append(errors.crash_dialog().text() + errors.crash_dialog().report.toPlainText())
    errors.crash_dialog().accept()
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    log = path.read_text(encoding="utf-8")
    assert "RuntimeError" in log and "test_tasks.py" in log
    assert "110101199003070000" not in log
    assert shown and "意外错误" in shown[0] and "110101" not in shown[0]


def test_a_session_needs_a_store():
    with pytest.raises(ValueError):
        tasks.run_in_background(lambda job: None, session="read")


def test_excepthook_shows_a_short_translated_message_and_logs_the_traceback(
        qtbot, tmp_path, monkeypatch):
    path = errors.setup_logging(tmp_path)
    shown = []
    phone = "139" + "00001234"
    try:
        raise KeyError(f"phone {phone}")
    except KeyError as exc:
        errors._hook(type(exc), exc, exc.__traceback__)
    dialog = errors.crash_dialog()
    assert dialog is not None
    shown.append((dialog.windowTitle(), dialog.text()))
    assert "Traceback" in dialog.report.toPlainText()  # the report, apart from the message
    assert phone not in dialog.report.toPlainText()
    dialog.accept()
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    assert shown and shown[0][0] == "意外错误"
    assert "已保存的记录不受影响" in shown[0][1] and str(path) in shown[0][1]
    assert "Traceback" not in shown[0][1] and phone not in shown[0][1]
    log = path.read_text(encoding="utf-8")
    assert "builtins.KeyError" in log and "test_tasks.py" in log and phone not in log


def test_qt_standard_buttons_follow_the_language(qapp):
    from PySide6.QtCore import QCoreApplication

    from inspector_app.core import i18n
    from inspector_app.ui.language import apply_language

    try:
        apply_language("zh_CN")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
        apply_language("en")
        assert i18n.language() == "en"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    finally:
        apply_language("zh_CN")


def test_an_operation_whose_window_closed_first_is_not_left_running(qtbot):
    """A window closed while its work runs (its operation goes with it): once the worker
    has returned, nothing is counted as still running."""
    from PySide6.QtCore import QThreadPool

    parent = QWidget()
    release = threading.Event()
    op = tasks.run_in_background(lambda job: release.wait(10), parent=parent)
    assert op in tasks._running
    parent.deleteLater()
    qtbot.waitUntil(lambda: op not in tasks._running, timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0,
                    timeout=5_000)
    qtbot.wait(50)  # the worker's late signals find no operation, and raise nothing
    assert not tasks._running
