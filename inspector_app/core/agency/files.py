"""Batch files carried on USB to a supervisor's desktop, and their way on to the server.

A batch file (`inspector batch export` on an inspector's device) is checked as the server
checks it: its manifest signature with the device's known key (`protocol.decode_file`,
`protocol.verify_file`), then each batch by the importer. Its bytes are then queued, as
they are, in the data folder (``outgoing/``); the next `inspector sync` posts each queued
file to the server (`POST /v1/import`, which verifies it again) and moves it to
``outgoing/sent/`` (or, when the server refuses it, to ``outgoing/refused/`` with the
reason beside it), so the records reach the server even when their inspector never syncs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from inspector_app.core.agency import importer
from inspector_app.core.i18n import _
from inspector_app.core.models import KnownKey
from inspector_app.core.store import Store
from sync import protocol
from sync.protocol import ProtocolError

log = logging.getLogger(__name__)

OUTGOING = "outgoing"


class FileRefused(Exception):
    """A batch file that is not one, or whose signature does not verify (nothing stored)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def outgoing_dir(store: Store) -> Path:
    return store.data_dir / OUTGOING


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > protocol.MAX_FILE_BYTES:
            raise FileRefused(_("{path} is larger than a batch file may be ({mb} MB).")
                              .format(path=path, mb=protocol.MAX_FILE_BYTES >> 20))
        return path.read_bytes()
    except OSError as exc:
        raise FileRefused(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc


def import_file(store: Store, data: bytes, name: str = "batches",
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> importer.Summary:
    """Verify and import a batch file, then queue it for the server."""
    try:
        bf = protocol.decode_file(data)
    except ProtocolError as exc:
        raise FileRefused(_("This is not a valid batch file: {reason}")
                          .format(reason=exc.message)) from exc
    with store.read() as session:
        key = session.get(KnownKey, bf.key_id)
        known = None if key is None else (key.public_key, key.device_id, key.inspector)
    if known is None:
        summary = importer.Summary()
        reason = _("unknown device key {key}: this store knows no device with it (sync "
                   "first to learn the agency's keys)").format(key=bf.key_id)
        summary.refused = [{"batch_id": b.batch_id, "device_id": bf.device_id,
                            "reason": reason} for b in bf.batches]
        return summary
    public, device, _who = known
    if device != bf.device_id:
        raise FileRefused(_("The batch file names device {device}, but its key belongs to "
                            "another device.").format(device=bf.device_id))
    try:
        protocol.verify_file(protocol.load_public_key(public), bf)
    except ProtocolError as exc:
        raise FileRefused(_("The batch file's signature does not verify: {reason}")
                          .format(reason=exc.message)) from exc
    items = (importer.Incoming(b.body, b.signature, bf.key_id, "file", b.batch_id)
             for b in sorted(bf.batches, key=lambda b: b.seq))
    summary = importer.import_batches(store, items, progress=progress, cancelled=cancelled,
                                      total=len(bf.batches))
    if not summary.cancelled and summary.batches + summary.duplicate_batches > 0:
        queue(store, data, name)
    return summary


def queue(store: Store, data: bytes, name: str) -> Path | None:
    """Keep the file's bytes for the next sync (once: a file queued or sent is not again)."""
    folder = outgoing_dir(store)
    digest = protocol.sha256_hex(data)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(name).stem)[:40]
    target = folder / f"{digest[:16]}-{stem or 'batches'}.json"
    for where in (target, folder / "sent" / target.name):
        if where.exists():
            return None
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def queued(store: Store) -> list[Path]:
    folder = outgoing_dir(store)
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def mark(path: Path, where: str, reason: str = "") -> None:
    """Move a queued file to sent/ or refused/ (a refused one with its reason beside it)."""
    folder = path.parent / where
    folder.mkdir(exist_ok=True)
    if reason:
        (folder / (path.name + ".reason.txt")).write_text(reason, encoding="utf-8")
    path.replace(folder / path.name)
