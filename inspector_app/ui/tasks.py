"""The one way the UI runs work off the main thread.

An operation runs on a worker thread (Qt's global thread pool) with its own database
session, and its result, or its error, comes back to the main thread through a signal,
where the `on_success` / `on_failure` callbacks run. The worker never touches widgets
(the model is Anki's `QueryOp`):

    run_in_background(lambda job: queries.list_ids(job.session, "check", flt),
                      store=store, session="read", on_success=model.set_ids)

A `Job` gives the operation its session, a thread-safe `report(done, total)` for
progress, and `cancelled()`. `with_progress` shows a progress dialog while it runs.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, Literal

from PySide6.QtCore import QMetaMethod, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

SessionMode = Literal["read", "write"] | None

# Operations whose result has not been delivered yet, or whose worker has not returned
# (so Python keeps them alive, and their QObjects are freed on the main thread only).
_running: set[Operation] = set()


class Job:
    """What an operation running on a worker thread may use."""

    def __init__(self, store: Any, signals: _Signals, cancel: threading.Event,
                 returned: threading.Event):
        self.store = store
        self.session: Any = None  # set when a session mode was asked for
        self._signals = signals
        self._cancel = cancel
        self._returned = returned  # set as the worker's last act

    def report(self, done: int, total: int = 0) -> None:
        """Progress, from the worker thread; shown on the main thread."""
        _emit(self._signals.progressed, int(done), int(total))

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Signals(QObject):
    # Made on the main thread, emitted from the worker: Qt queues them to the main thread.
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


def _emit(signal: Any, *args: Any) -> None:
    """Emit from the worker; an operation that went with its closed window hears nothing."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted"
        log.info("a background result was dropped: its window was closed")


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Job], Any], job: Job, mode: SessionMode):
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._job, self._mode = fn, job, mode

    def run(self) -> None:  # worker thread: no widgets here
        job, signals = self._job, self._job._signals
        try:
            with ExitStack() as stack:
                if self._mode == "read":
                    job.session = stack.enter_context(job.store.read())
                elif self._mode == "write":
                    job.session = stack.enter_context(job.store.write())
                result = self._fn(job)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            _emit(signals.failed, exc)
        else:
            _emit(signals.succeeded, result)
        finally:
            # The worker lets go of the signals object before it says it has returned, so
            # the operation (kept until then) frees it on the main thread, never the worker.
            job.session = None
            returned = job._returned
            del signals
            job._signals = None
            self._job = self._fn = None
            returned.set()


class Operation(QObject):
    """A running operation; its signals fire on the main thread."""

    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    progressed = Signal(int, int)
    finished = Signal()  # after succeeded or failed

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self._returned = threading.Event()
        self._signals = _Signals()
        self._signals.succeeded.connect(self._on_succeeded)
        self._signals.failed.connect(self._on_failed)
        self._signals.progressed.connect(self.progressed)
        self.done = False

    def cancel(self) -> None:
        self._cancel.set()

    def _on_succeeded(self, result: object) -> None:
        self.done = True
        self.succeeded.emit(result)
        self._finish()

    def _on_failed(self, exc: BaseException) -> None:
        self.done = True
        if not self.isSignalConnected(QMetaMethod.fromSignal(self.failed)):
            from inspector_app.ui.errors import report_exception

            report_exception(type(exc), exc, exc.__traceback__)
        else:
            self.failed.emit(exc)
        self._finish()

    def _finish(self) -> None:
        self.finished.emit()
        self._release()

    def _release(self) -> None:
        # The result can arrive before the worker has left its emit(): wait for it.
        if self._returned.is_set():
            _running.discard(self)
        else:
            QTimer.singleShot(5, self._release)


def run_in_background(
    fn: Callable[[Job], Any],
    *,
    store: Any = None,
    session: SessionMode = None,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    parent: QObject | None = None,
    pool: QThreadPool | None = None,
) -> Operation:
    """Run `fn(job)` on a worker thread; call back on the main thread.

    With `session="read"` or `"write"`, the worker opens `store.read()` / `store.write()`
    around the call and `job.session` is that session (a write commits when `fn`
    returns). An error without `on_failure` is logged and shown like any unexpected
    error.
    """
    if session is not None and store is None:
        raise ValueError("a session needs a store")
    op = Operation(parent)
    if on_success is not None:
        op.succeeded.connect(on_success)
    if on_failure is not None:
        op.failed.connect(on_failure)
    if on_progress is not None:
        op.progressed.connect(on_progress)
    job = Job(store, op._signals, op._cancel, op._returned)
    _running.add(op)
    # Closed with its parent before it finished: no result will be delivered to it.
    op.destroyed.connect(functools.partial(_running.discard, op))
    (pool or QThreadPool.globalInstance()).start(_Runnable(fn, job, session))
    return op


def with_progress(op: Operation, parent: QWidget | None, label: str,
                  minimum_duration_ms: int = 300) -> QProgressDialog:
    """A window-modal progress dialog following `op`, closed when it finishes."""
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(minimum_duration_ms)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(360)

    def progressed(done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))

    op.progressed.connect(progressed)
    op.finished.connect(dialog.close)
    op.finished.connect(dialog.deleteLater)
    dialog.setValue(0)
    return dialog
