"""The start-up sequence after the QApplication exists, as a chain of event-loop steps.

1. Show the main window (only Qt and gettext are imported by then).
2. When it has been painted and the loop is idle: report `shown`, then import the store,
   take the single-instance lock, and open the store on a worker thread (migrations run
   there, Alembic is imported there).
3. With `--demo`: set up the demo agency and inspector if needed, and fill demo records
   on a worker thread behind a progress dialog.
4. Put the first-run set-up or the sign-in dialog modally over the window. The pages
   exist only once someone has signed in.

Every step that can fail shows a message box in the user's language and ends with an
exit code through `finished`; nothing here blocks on a nested event loop, so tests drive
it with qtbot like a user would.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from inspector_app.core.i18n import _
from inspector_app.ui.main_window import PENDING_REFRESH_MS, MainWindow

log = logging.getLogger(__name__)

DEMO_AGENCY = "示例市市场监督管理局"
DEMO_ABBR = "示例"
DEMO_USER = ("张三", "zhang", "demo1234", "32010001")


@dataclass
class Options:
    data_dir: Path
    demo: int | None = None  # records to generate when the store has none
    quit_when_shown: bool = False
    clock: Callable[[], float] | None = None  # seconds since the process started


class Startup(QObject):
    shown = Signal(float)  # seconds since the process started (if known), when painted
    ready = Signal()  # the set-up or sign-in dialog is up
    signed_in = Signal(object)  # auth_dialogs.SignedIn
    finished = Signal(int)  # the app should exit with this code

    def __init__(self, options: Options, refresh_interval_ms: int = PENDING_REFRESH_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.options = options
        self.window = MainWindow(refresh_interval_ms)
        self.store = None
        self.lock = None
        self.dialog = None  # the set-up / sign-in dialog while it is open
        self.message_box: QMessageBox | None = None
        self.demo_progress = None
        self.demo_account = False  # the demo inspector exists: prefill and hint its sign-in
        self.exit_code: int | None = None
        self._shown = False
        self.window.switch_user_requested.connect(self.switch_user)
        self.window.quit_requested.connect(lambda: self.finish(0))

    # --- 1. show ---------------------------------------------------------------------

    def start(self) -> None:
        self.window.installEventFilter(self)
        self.window.show()
        # Fallback in case no paint event arrives (some platforms, minimised windows).
        QTimer.singleShot(500, self._painted)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.Paint,
                                                       QEvent.Type.UpdateRequest):
            QTimer.singleShot(0, self._painted)
        return False

    def _painted(self) -> None:
        if self._shown:
            return
        self._shown = True
        self.window.removeEventFilter(self)
        seconds = self.options.clock() if self.options.clock else 0.0
        log.info("main window shown after %.3f s", seconds)
        if self.options.quit_when_shown:
            print(f"shown {seconds:.3f}", flush=True)
        self.shown.emit(seconds)
        QTimer.singleShot(0, self.open_store)

    # --- 2. lock and store ---------------------------------------------------------------

    def open_store(self) -> None:
        from inspector_app.core.store import AlreadyOpenError, Store, instance_lock
        from inspector_app.ui import tasks

        data_dir = self.options.data_dir
        try:
            self.lock = instance_lock(data_dir)
        except AlreadyOpenError as exc:
            self.fail(_("Inspector is already running"), exc.message)
            return
        except OSError as exc:
            self.fail(_("Inspector cannot start"), _(
                "The data folder {path} cannot be used ({error}).").format(
                    path=data_dir, error=exc.strerror or exc))
            return
        # Opening imports SQLAlchemy's dialect and Alembic, and may migrate: a worker's job.
        tasks.run_in_background(lambda job: Store(data_dir), on_success=self._store_opened,
                                on_failure=self._store_failed)

    def _store_failed(self, exc: BaseException) -> None:
        from inspector_app.core.store import StoreError

        if isinstance(exc, StoreError):
            self.fail(_("The database cannot be opened"), exc.message)
            return
        from inspector_app.ui.errors import safe_traceback

        log.error("opening the store failed\n%s",
                  safe_traceback(type(exc), exc, exc.__traceback__))
        self.fail(_("The database cannot be opened"), _(
            "An unexpected error occurred while opening the database. Nothing was "
            "changed. The details were written to the log file."))

    def _store_opened(self, store) -> None:
        if self.exit_code is not None:  # quit while it was opening
            store.close()
            return
        self.store = store
        self.window.attach_store(store)
        if self.options.demo is not None:
            self.prepare_demo(self.options.demo)
        else:
            self.ask_sign_in()

    # --- 3. demo data ----------------------------------------------------------------

    def prepare_demo(self, records: int) -> None:
        """Set up the demo agency and inspector if needed; fill records if there are none."""
        from inspector_app.core import auth, queries
        from inspector_app.core.models import Inspector
        from inspector_app.ui import tasks

        store = self.store
        with store.write() as session:
            if auth.needs_setup(session):
                name, username, password, cert = DEMO_USER
                auth.first_setup(session, DEMO_AGENCY, DEMO_ABBR, auth.NewInspector(
                    name, username, password, cert, role="supervisor"))
        with store.read() as session:
            empty = not any(queries.counts(session).values())
            self.demo_account = session.query(Inspector).filter_by(
                username=DEMO_USER[1]).first() is not None
        if not empty or records <= 0:
            self.ask_sign_in()
            return
        from inspector_app.core import demo

        def generate(job: tasks.Job) -> dict[str, int]:
            counts = demo.generate(job.store, records, progress=job.report)
            demo.printable_seizures(job.store)
            return counts

        op = tasks.run_in_background(generate, store=store, on_success=self._demo_done,
                                     on_failure=self._demo_failed)
        self.demo_progress = tasks.with_progress(
            op, self.window, _("Making {n} demo records of each kind…").format(n=records))

    def _demo_done(self, _result: object) -> None:
        self.demo_progress = None
        self.ask_sign_in()

    def _demo_failed(self, exc: BaseException) -> None:
        from inspector_app.ui.errors import report_exception

        self.demo_progress = None
        report_exception(type(exc), exc, exc.__traceback__)
        self.ask_sign_in()

    # --- 4. set-up or sign-in ----------------------------------------------------------

    def ask_sign_in(self) -> None:
        from inspector_app.core import auth, settings
        from inspector_app.ui.auth_dialogs import SetupDialog, SignInDialog

        with self.store.read() as session:
            needs_setup = auth.needs_setup(session)
            agency = settings.AGENCY_NAME.get(session)
        if needs_setup:
            dialog = SetupDialog(self.store, self.window)
        else:
            demo = self.demo_account
            hint = _("Demo account: user name {user}, password {password}").format(
                user=DEMO_USER[1], password=DEMO_USER[2]) if demo else ""
            dialog = SignInDialog(self.store, self.window, agency,
                                  username=DEMO_USER[1] if demo else "", hint=hint)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._accepted(dialog))
        dialog.rejected.connect(lambda: self.finish(0))
        dialog.open()
        self.ready.emit()
        if self.options.quit_when_shown:
            seconds = self.options.clock() if self.options.clock else 0.0
            print(f"ready {seconds:.3f}", flush=True)
            self.finish(0)

    def _accepted(self, dialog) -> None:
        self.dialog = None
        dialog.deleteLater()
        user = dialog.signed_in
        log.info("an inspector signed in")
        self.window.sign_in(user)
        self.signed_in.emit(user)

    def switch_user(self) -> None:
        if self.store is None:
            return
        log.info("switch user")
        self.window.sign_out()
        self.ask_sign_in()

    # --- failures and the end ------------------------------------------------------------

    def fail(self, title: str, message: str) -> None:
        """Tell the user why the app cannot go on; exit with 1 once they close the box."""
        log.error("cannot start: %s: %s", title, message)
        if self.options.quit_when_shown:
            print(message, file=sys.stderr, flush=True)
            self.finish(1)
            return
        box = QMessageBox(QMessageBox.Icon.Critical, title, message,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("fatal")
        box.finished.connect(lambda _result: self.finish(1))
        self.message_box = box
        box.open()

    def finish(self, code: int) -> None:
        if self.exit_code is not None:
            return
        self.exit_code = code
        self.shutdown()
        self.finished.emit(code)

    def shutdown(self) -> None:
        """Close the store and release the lock (also safe to call twice)."""
        if self.window.user is not None:
            self.window.sign_out()
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def process_clock() -> Callable[[], float]:
    """Seconds since this process started: $INSPECTOR_T0 from a launcher, else the OS."""
    import os

    t0_env = os.environ.get("INSPECTOR_T0")
    if t0_env:
        try:
            t0 = float(t0_env)
            return lambda: time.time() - t0
        except ValueError:
            pass
    try:  # Linux: start time in clock ticks since boot (psutil's create_time rounds boot time)
        with open(f"/proc/{os.getpid()}/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        started = start_ticks / os.sysconf("SC_CLK_TCK")
        return lambda: time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import psutil

        created = psutil.Process().create_time()
        return lambda: time.time() - created
    except Exception:  # noqa: BLE001 - psutil is optional
        here = time.perf_counter()
        return lambda: time.perf_counter() - here


def quit_app(code: int) -> None:
    app = QApplication.instance()
    if app is not None:
        app.exit(code)
