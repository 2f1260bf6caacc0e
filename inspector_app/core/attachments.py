"""Photos and signatures: the original bytes in a file named by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from inspector_app.core import records
from inspector_app.core.models import Attachment, AuditedMixin
from inspector_app.core.store import Store, utcnow


def store_bytes(store: Store, data: bytes) -> str:
    """Write `data` once into the content-addressed folder; return its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    target = store.attachment_path(sha)
    if target.exists():
        return sha
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha


def attach(store: Store, session: Session, record: AuditedMixin, actor: records.Actor,
           data: bytes, role: str, filename: str = "", mime: str = "") -> Attachment:
    """Add an attachment to `record`, which becomes its next version."""
    sha = store_bytes(store, data)
    att = Attachment(id=records.new_id(), record_kind=record.__kind__, record_id=record.id,
                     sha256=sha, role=role, filename=filename, mime=mime, size=len(data),
                     created_at=utcnow())
    session.add(att)
    session.flush()
    records.update(session, record, actor, expected_version=record.version)
    return att
