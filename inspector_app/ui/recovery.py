"""Recovery drafts: what is typed in an open form, kept in a file until it is saved.

For forms that write to the store only when the user saves (the seizure form): every
change, after a short pause, writes the form's state to
<data folder>/recovery/<kind>-<id>.json. Saving or closing the form removes the file; a
crash or a power cut leaves it, and the next sign-in offers it ("恢复未保存的草稿").
The labeling check form needs none: it keeps its state in the store's check_drafts table
and reopens by itself.

The file is the form's own state (it may hold what the store holds: names, numbers); it
lives in the data folder beside the store and is never synced.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

log = logging.getLogger(__name__)

FOLDER = "recovery"
DELAY_MS = 800


def folder(data_dir: Path) -> Path:
    return Path(data_dir) / FOLDER


def pending(data_dir: Path, kind: str, inspector_id: str | None) -> list[tuple[Path, dict]]:
    """The recovery drafts of `kind` that `inspector_id` left, oldest first."""
    out = []
    for path in sorted(folder(data_dir).glob(f"{kind}-*.json")):
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("unreadable recovery draft %s left alone: %s", path.name,
                        type(exc).__name__)
            continue
        if isinstance(saved, dict) and saved.get("inspector_id") == inspector_id:
            out.append((path, saved))
    return sorted(out, key=lambda p: p[1].get("saved_at", ""))


class RecoveryDraft(QObject):
    """Writes `snapshot()` (a JSON-ready dict, or None for nothing to keep) to `path` a
    moment after any input widget under `root` changes."""

    def __init__(self, data_dir: Path, kind: str, inspector_id: str | None, root: QWidget,
                 snapshot: Callable[[], dict | None], path: Path | None = None):
        super().__init__(root)
        self.path = path or folder(data_dir) / f"{kind}-{uuid.uuid4()}.json"
        self.kind, self.inspector_id = kind, inspector_id
        self.snapshot = snapshot
        self.closed = False
        self.paused = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.write)
        for widget in root.findChildren(QWidget):
            self._watch(widget)

    def _watch(self, w: QWidget) -> None:
        changed = self.changed
        if isinstance(w, QLineEdit):
            w.textEdited.connect(changed)
        elif isinstance(w, (QPlainTextEdit, QTextEdit)):
            w.textChanged.connect(changed)
        elif isinstance(w, QComboBox):
            w.activated.connect(changed)
            w.editTextChanged.connect(changed)
        elif isinstance(w, QDateTimeEdit):
            w.dateTimeChanged.connect(changed)
        elif isinstance(w, QAbstractSpinBox) and hasattr(w, "valueChanged"):
            w.valueChanged.connect(changed)
        elif isinstance(w, QAbstractButton) and w.isCheckable():
            w.toggled.connect(changed)
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            model.dataChanged.connect(changed)
            model.rowsInserted.connect(changed)
            model.rowsRemoved.connect(changed)

    def changed(self, *_args) -> None:
        if not self.closed and not self.paused:
            self.timer.start()

    def write(self) -> None:
        if self.closed:
            return
        data = self.snapshot()
        if data is None:
            return
        saved = {"kind": self.kind, "inspector_id": self.inspector_id,
                 "saved_at": datetime.now(UTC).isoformat(), "data": data}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a full or read-only disk: the form itself goes on
            log.error("the recovery draft could not be written: %s", type(exc).__name__)

    def discard(self) -> None:
        """The form was saved: nothing to recover (until it changes again)."""
        self.timer.stop()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        """The form was closed: remove the file and stop watching."""
        self.discard()
        self.closed = True
