"""Every change of a check page kept in the local drafts table (`service.autosave`), on one
worker thread, in order, so a crash loses at most the field being typed."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThreadPool, Signal

from inspector_app.core import records
from inspector_app.core.checks import service
from inspector_app.core.checks.rules import CheckInput
from inspector_app.ui import tasks

log = logging.getLogger(__name__)


class DraftSaver(QObject):
    """Writes the page's state to the local drafts table on one worker thread, in order,
    never two at once; asks made while a write runs are merged into the next write."""

    saved = Signal()
    failed = Signal(str)

    def __init__(self, store, actor: records.Actor, draft_id: str, parent: QObject | None = None):
        super().__init__(parent)
        self.store, self.actor, self.draft_id = store, actor, draft_id
        self.record_id: str | None = None
        self.base_version: int | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.pending: CheckInput | None = None
        self.running = False
        self.enabled = True
        self.writes = 0

    def save(self, data: CheckInput) -> None:
        if not self.enabled:
            return
        self.pending = data
        if not self.running:
            self._start()

    def _start(self) -> None:
        data, self.pending = self.pending, None
        if data is None:
            return
        self.running = True
        args = (self.actor, self.draft_id, data, self.record_id, self.base_version)

        def write(job: tasks.Job) -> None:
            service.autosave(job.session, *args)

        op = tasks.run_in_background(write, store=self.store, session="write", pool=self.pool,
                                     parent=self)
        op.succeeded.connect(self._done)
        op.failed.connect(self._failed)

    def _done(self, _result: object) -> None:
        self.running = False
        self.writes += 1
        if self.pending is not None:
            self._start()
        else:
            self.saved.emit()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        log.error("the local draft could not be saved: %s", type(exc).__name__)
        self.failed.emit(type(exc).__name__)
        if self.pending is not None:
            self._start()

    def idle(self) -> bool:
        return not self.running and self.pending is None

    def stop(self) -> None:
        """No more writes; wait for the one running (if any) to end."""
        self.enabled = False
        self.pending = None
        self.pool.waitForDone(10_000)

    def discard(self) -> None:
        self.stop()
        with self.store.write() as session:
            service.discard_draft(session, self.draft_id)
