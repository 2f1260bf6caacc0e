"""An uncaught exception anywhere shows the crash dialog: a report to copy, with no personal
data; it goes into the log. The app's own messages in a box reach the log too."""

from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from inspector_app.ui import errors, tasks

ID_NUMBER = "110101" + "19900307" + "0000"  # never written whole in this file's code lines
PHONE = "139" + "00001234"
# What the exceptions say: personal data, as a database error would quote it. The raise
# lines name only these constants (a traceback shows the code lines).
SLOT_MESSAGE = f"张三 {ID_NUMBER} {PHONE}"
PATH_MESSAGE = f"cannot write /home/张三/{ID_NUMBER}.pdf"


@pytest.fixture
def hooks(qapp, tmp_path, monkeypatch):
    """The app's hooks installed (as main() does), put back after; returns the log path."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    path = errors.setup_logging(tmp_path / "data")
    errors.install_excepthook()
    yield path
    dialog = errors.crash_dialog()
    if dialog is not None:
        dialog.accept()


def _log(path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def _dialog(qtbot) -> errors.CrashDialog:
    qtbot.waitUntil(lambda: errors.crash_dialog() is not None, timeout=10_000)
    return errors.crash_dialog()


def _check_report(report: str, tmp_path) -> None:
    from importlib.metadata import version

    import PySide6
    from PySide6.QtCore import qVersion

    lines = report.splitlines()
    assert lines[0] == f"Inspector {version('inspector')}"
    assert lines[1].startswith("Platform: ") and len(lines[1]) > len("Platform: ")
    assert lines[2] == f"Python: {sys.version.split()[0]}"
    assert lines[3] == f"Qt: {qVersion()}, PySide6 {PySide6.__version__}"
    assert "Traceback (most recent call last):" in report
    assert 'File "tests/ui/test_crash.py"' in report  # where, below the package folder
    # No personal data: not the exception's message, not a folder (it may name the user).
    assert ID_NUMBER not in report and PHONE not in report and "张三" not in report
    assert str(tmp_path) not in report and "/root" not in report and "/home" not in report


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_a_report_to_copy(qtbot, hooks, tmp_path):
    button = QPushButton("出错")
    qtbot.addWidget(button)

    def broken(_checked=False):
        raise ValueError(SLOT_MESSAGE)

    button.clicked.connect(broken)
    button.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = _dialog(qtbot)
    assert dialog.windowTitle() == "意外错误"
    assert dialog.text().startswith("发生了意外错误。已保存的记录不受影响。")
    assert str(hooks) in dialog.text()  # where the log is
    report = dialog.report.toPlainText()
    _check_report(report, tmp_path)
    assert "builtins.ValueError" in report and "in broken" in report

    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == report
    assert dialog.copy_button.text() == "已复制"
    log = _log(hooks)
    assert report in log and ID_NUMBER not in log and PHONE not in log

    # A second error while the box is open does not stack another box.
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, errors.CrashDialog) and w.isVisible()]
    assert boxes == [dialog]
    qtbot.mouseClick(dialog.findChild(QPushButton, "close"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: errors.crash_dialog() is None)


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_python_thread(qtbot, hooks, tmp_path):
    def work():
        raise RuntimeError(SLOT_MESSAGE)

    thread = threading.Thread(target=work, name="导出线程")
    thread.start()
    thread.join()
    dialog = _dialog(qtbot)
    report = dialog.report.toPlainText()
    _check_report(report, tmp_path)
    assert "Thread: 导出线程" in report and "builtins.RuntimeError" in report
    assert report in _log(hooks)


class _Boom(QRunnable):
    def run(self):
        raise LookupError(SLOT_MESSAGE)


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_qt_worker_thread(qtbot, hooks, tmp_path):
    QThreadPool.globalInstance().start(_Boom())
    dialog = _dialog(qtbot)
    report = dialog.report.toPlainText()
    _check_report(report, tmp_path)
    assert "builtins.LookupError" in report and "Thread: MainThread" not in report


@pytest.mark.qt_no_exception_capture
def test_a_background_operation_that_fails_unhandled(qtbot, hooks, tmp_path):
    def work(job):
        raise OSError(PATH_MESSAGE)

    op = tasks.run_in_background(work)
    with qtbot.waitSignal(op.finished):
        pass
    report = _dialog(qtbot).report.toPlainText()
    _check_report(report, tmp_path)
    assert "builtins.OSError" in report and "in work" in report


class _Emitter(QObject):
    fired = Signal()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_queued_slot(qtbot, hooks, tmp_path):
    emitter = _Emitter()
    seen = []

    def slot():
        seen.append(1)
        raise KeyError(PHONE)

    emitter.fired.connect(slot, Qt.ConnectionType.QueuedConnection)
    emitter.fired.emit()
    report = _dialog(qtbot).report.toPlainText()
    assert seen == [1]
    _check_report(report, tmp_path)
    assert "builtins.KeyError" in report


def test_the_apps_own_messages_reach_the_log(qtbot, window, tmp_path, monkeypatch):
    """"No checklist definitions are installed" is shown in a box, and logged."""
    from inspector_app.forms import definitions

    path = errors.setup_logging(tmp_path / "logs-here")
    monkeypatch.setattr(definitions, "registry_for", lambda session: definitions.Registry())
    qtbot.mouseClick(window.pages["dashboard"].action_buttons["new_check"],
                     Qt.MouseButton.LeftButton)

    def box():
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.isVisible()), None)

    qtbot.waitUntil(lambda: box() is not None)
    shown = box()
    assert shown.windowTitle() == "标识检查"
    assert shown.text() == "未安装任何检查清单定义。"
    assert errors.crash_dialog() is None  # a refusal, not a crash
    assert "message shown: 标识检查: 未安装任何检查清单定义。" in _log(path)
    shown.accept()
