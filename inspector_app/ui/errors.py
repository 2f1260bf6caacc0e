"""The log file, and what the user sees when something unexpected goes wrong.

Logs go to a rotating file in the data folder. An unexpected exception, in any thread
(sys.excepthook, which PySide also calls for a slot; threading.excepthook), is logged and
shown with a report the user can copy: the app, Python and Qt versions, the platform, and
its traceback (where in the code: files below the package, lines, functions and the
exception's type) but WITHOUT its message, because messages can quote data (a database
error quotes the values it was writing, such as an ID number or a phone). The app's own
messages in a box go through `show_message`, which logs them too.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import _

log = logging.getLogger("inspector_app")

LOG_NAME = "inspector.log"
ERROR_STYLE = "color: #b00020;"  # an inline error message (a label's style sheet)
_log_path: Path | None = None
_box: CrashDialog | None = None


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path:
    """Send the app's log records to <data_dir>/logs/inspector.log (1 MB x 5 files)."""
    global _log_path
    log_dir = Path(data_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and \
                Path(handler.baseFilename) == path:
            break
    else:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    _log_path = path
    return path


def log_path() -> Path | None:
    return _log_path


def safe_traceback(exc_type: type[BaseException], exc: BaseException | None,
                   tb: TracebackType | None) -> str:
    """The traceback with each exception's type but not its message (no personal data)."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    current_type, current_tb = exc_type, tb
    chain: list[tuple[type[BaseException], TracebackType | None]] = []
    while True:
        chain.append((current_type, current_tb))
        if current is None or id(current) in seen:
            break
        seen.add(id(current))
        nxt = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if nxt is None:
            break
        current, current_type, current_tb = nxt, type(nxt), nxt.__traceback__
    for n, (etype, etb) in enumerate(reversed(chain)):
        if n:
            parts.append("\nwhich led to:\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(etb)))
        parts.append(f"{etype.__module__}.{etype.__qualname__}\n")
    return "".join(parts)


class CrashDialog(QDialog):
    """What went wrong, briefly, and a report to copy for the people who maintain the app."""

    def __init__(self, report: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("crash_dialog")
        self.setWindowTitle(_("Unexpected error"))
        text = _("An unexpected error occurred. The records you saved are not affected.")
        if _log_path is not None:
            text += "\n\n" + _("The details were written to the log file {path}.").format(
                path=_log_path)
        self.message = QLabel(text + "\n\n" + _(
            "To report it, copy the report below (it holds no record contents) and send it "
            "to your administrator."))
        self.message.setWordWrap(True)
        self.report = QPlainTextEdit(report)
        self.report.setObjectName("crash_report")
        self.report.setReadOnly(True)
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.copy_button = QPushButton(_("Copy report"))
        self.copy_button.setObjectName("copy_report")
        self.copy_button.clicked.connect(lambda _checked=False: self.copy())
        close = QPushButton(_("Close"))
        close.setObjectName("close")
        close.setDefault(True)
        close.clicked.connect(lambda _checked=False: self.accept())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.report, 1)
        layout.addLayout(buttons)
        self.resize(640, 420)

    def text(self) -> str:
        return self.message.text()

    def copy(self) -> None:
        QApplication.clipboard().setText(self.report.toPlainText())
        self.copy_button.setText(_("Copied"))


def _where(filename: str) -> str:
    """A traceback's file name without the folders above the package (they may hold the
    user's name, e.g. C:\\Users\\张三)."""
    parts = Path(filename).parts if "/" in filename else filename.split("\\")
    for anchor in ("inspector_app", "sync", "site-packages", "tests"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i:])
    return parts[-1] if parts else filename


def crash_report(exc_type: type[BaseException], exc: BaseException | None,
                 tb: TracebackType | None, thread: str | None = None) -> str:
    """The report of an unexpected exception: versions, platform, where in the code.

    No exception messages and no folders (they can hold personal data: a database error
    quotes the values it was writing, a path the user's name), only types and code lines.
    """
    import platform

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from inspector_app.core.backup import app_version

    trace = safe_traceback(exc_type, exc, tb)
    lines = []
    for line in trace.splitlines():
        stripped = line.lstrip()
        if stripped.startswith('File "'):
            name, _sep, rest = stripped[6:].partition('"')
            line = line[: len(line) - len(stripped)] + f'File "{_where(name)}"{rest}'
        lines.append(line)
    return "\n".join([
        f"Inspector {app_version()}",
        f"Platform: {platform.platform(terse=True)} ({platform.machine()})",
        f"Python: {platform.python_version()}",
        f"Qt: {qVersion()}, PySide6 {pyside_version}",
        f"Thread: {thread or threading.current_thread().name}",
        f"Time: {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "",
        *lines,
    ]) + "\n"


class _Relay(QObject):
    """Carries a report from any thread to the main thread (queued signal)."""

    report = Signal(str)


_relay: _Relay | None = None


def report_exception(exc_type: type[BaseException], exc: BaseException | None,
                     tb: TracebackType | None, thread: str | None = None) -> None:
    """Log an unexpected exception and show its report, from any thread."""
    report = crash_report(exc_type, exc, tb, thread)
    log.error("unexpected error\n%s", report)
    app = QApplication.instance()
    if app is None:
        print(_("An unexpected error occurred."), file=sys.stderr)
        return
    if threading.current_thread() is not threading.main_thread():
        if _relay is not None:
            _relay.report.emit(report)  # shown by the main thread
        return
    show_report(report)


def show_report(report: str) -> CrashDialog | None:
    global _box
    if _box is not None and _box.isVisible():
        return None  # one box at a time, not a cascade
    _box = CrashDialog(report, QApplication.activeWindow())
    _box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _box.destroyed.connect(_forget_box)
    _box.open()
    return _box


def _forget_box(*_args) -> None:
    global _box
    _box = None


def crash_dialog() -> CrashDialog | None:
    """The crash dialog on screen, if any."""
    return _box if _box is not None and _box.isVisible() else None


def show_message(parent: QWidget | None, title: str, text: str,
                 icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """The one way the app tells the user something in a box: it goes to the log too."""
    log.warning("message shown: %s: %s", title, text)
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def message_of(exc: BaseException, fallback: str) -> str:
    """What to show where an operation failed: the refusal's own message (the errors a
    user can cause carry a translated `message`); for anything else, `fallback`, after
    the unexpected error is logged and reported like any other."""
    from inspector_app.core.records import VersionConflict  # here: SQLAlchemy is loaded

    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    if isinstance(exc, VersionConflict):  # changed on another window or device
        return str(exc)
    report_exception(type(exc), exc, exc.__traceback__)
    return fallback


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook: the main thread, Qt slots, and PySide's worker threads."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report_exception(exc_type, exc, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    """threading.excepthook: an exception that ended a Python thread."""
    if args.exc_type is SystemExit:
        return
    report_exception(args.exc_type, args.exc_value, args.exc_traceback,
                     args.thread.name if args.thread is not None else None)


def install_excepthook() -> None:
    """Every uncaught exception, in any thread, is logged and shown (call it on the main
    thread, once the QApplication exists or before)."""
    global _relay
    sys.excepthook = _hook
    threading.excepthook = _thread_hook
    if _relay is None:
        _relay = _Relay()
        _relay.report.connect(show_report, Qt.ConnectionType.QueuedConnection)
