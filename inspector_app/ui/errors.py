"""The log file, and what the user sees when something unexpected goes wrong.

Logs go to a rotating file in the data folder. An unexpected exception is logged with
its traceback (where in the code: files, lines, functions and the exception's type) but
WITHOUT its message, because messages can quote data (a database error quotes the
values it was writing, such as an ID number or a phone). The user gets a short message
in their language, never a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from inspector_app.core.i18n import _

log = logging.getLogger("inspector_app")

LOG_NAME = "inspector.log"
ERROR_STYLE = "color: #b00020;"  # an inline error message (a label's style sheet)
_log_path: Path | None = None
_box: QMessageBox | None = None


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


def report_exception(exc_type: type[BaseException], exc: BaseException | None,
                     tb: TracebackType | None) -> None:
    """Log an unexpected exception and tell the user, briefly, in their language."""
    global _box
    log.error("unexpected error\n%s", safe_traceback(exc_type, exc, tb))
    if QApplication.instance() is None:
        print(_("An unexpected error occurred."), file=sys.stderr)
        return
    if _box is not None and _box.isVisible():
        return  # one box at a time, not a cascade
    text = _("An unexpected error occurred. The records you saved are not affected.")
    if _log_path is not None:
        text += "\n\n" + _("The details were written to the log file {path}.").format(
            path=_log_path)
    _box = QMessageBox(QMessageBox.Icon.Critical, _("Unexpected error"), text,
                       QMessageBox.StandardButton.Ok, QApplication.activeWindow())
    _box.open()


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
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report_exception(exc_type, exc, tb)


def install_excepthook() -> None:
    sys.excepthook = _hook
