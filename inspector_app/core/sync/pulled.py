"""Records the server sends down ("record" changes): a handed-over record for its new
owner, or the version a supervisor's resolve made current.

Each is applied exactly as the JSON import applies a file's record
(`transfer.import_records`: the `sync.versions.for_import` verdict, the seizure rules,
`records.save_version`), with the audit action "pull", so nothing is queued to be sent
back. An unknown record is created with the server's version, device and author; a
higher version applies as the next one (the history keeps the old); the same version with
the same content changes nothing. What would overwrite something (other content under a
version held here, a version below the one held, changes here not synced yet), what breaks
the rules, and a record whose attachment files could not be fetched are kept aside
(REFUSED_PULLS, shown on the Sync page) with the reasons, and logged; nothing of such a
record is written.

The entities a record names come before it, each naming the record (`needed_by`); one of
those this store already holds in another form is only logged: the record needs it to
exist, not to be the server's. One another device owns is not changed here any more
(`handed.owned_elsewhere`): the server would refuse this device's version of it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core import attachments, audit, transfer
from inspector_app.core.i18n import _
from inspector_app.core.models import AUDITED, Outbox
from inspector_app.core.store import Store
from inspector_app.core.sync import handed, state
from inspector_app.core.sync.transport import SyncError
from sync import protocol

log = logging.getLogger(__name__)

MAX_REFUSED_PULLS = 200  # the newest kept
APPLIED, SAME, KEPT_ASIDE = "applied", "same", "kept_aside"


def _attachments(data: dict[str, Any]) -> list[dict[str, Any]]:
    content = data.get("content")
    atts = content.get("attachments") if isinstance(content, dict) else None
    return [a for a in atts or () if isinstance(a, dict)
            and isinstance(a.get("sha256"), str) and protocol.SHA_RE.match(a["sha256"])]


def fetch_files(store: Store, conn, retry: Callable[[Callable[[], Any]], Any],
                data: dict[str, Any]) -> str | None:
    """Download the attachment files `data`'s record names that the store lacks, each
    verified by its SHA-256 and moved into place whole; the problem, if one failed."""
    for att in _attachments(data):
        sha = att["sha256"]
        if store.attachment_path(sha).exists():
            continue
        try:
            body = retry(lambda sha=sha: conn.request(
                "GET", f"/v1/attachments/{sha}/content").content)
        except SyncError as exc:
            return _("the file {sha} could not be fetched from the server: {error}").format(
                sha=sha[:12], error=exc.message)
        if hashlib.sha256(body).hexdigest() != sha:
            return _("the file {sha} the server sent does not match its SHA-256").format(
                sha=sha[:12])
        attachments.store_bytes(store, body)
    return None


def _held(session: Session, kind: str, record_id: str) -> bool:
    cls = AUDITED.get(kind)
    return cls is not None and session.get(cls, record_id) is not None


def _unsynced(session: Session, kind: str, record_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.kind == kind, Outbox.record_id == record_id, Outbox.acked_at.is_(None))) or 0


def apply(session: Session, store: Store, data: dict[str, Any],
          file_problem: str | None = None) -> str:
    """Apply one pulled record (see the module's doc): APPLIED, SAME or KEPT_ASIDE."""
    content = data.get("content")
    kind, record_id = str(data.get("kind", "")), str(data.get("id", ""))
    if not isinstance(content, dict) or kind not in AUDITED or content.get("kind") != kind \
            or content.get("id") != record_id:
        return _keep_aside(session, data, [_("the server sent no valid content for it")])
    if file_problem:
        return _keep_aside(session, data, [file_problem])
    if _unsynced(session, kind, record_id):
        return _keep_aside(session, data, [_(
            "this device has changes to it not yet synced; nothing was overwritten")])
    try:
        with session.begin_nested():  # the import's last check can fail after writes
            summary = transfer.import_records(session, [content],
                                              transfer.AttachmentFiles(store, None),
                                              action=audit.PULLED)
    except transfer.ImportRejected as exc:
        problems = [_problem(i) for i in exc.issues]
        if data.get("needed_by") and _held(session, kind, record_id):
            log.info("pulled %s %s (named by %s %s) not applied, the one held here stays: %s",
                     kind, record_id, data["needed_by"].get("kind"),
                     data["needed_by"].get("id"), "; ".join(problems))
            _owner(session, data)
            return SAME
        return _keep_aside(session, data, problems, rules=True)
    _owner(session, data)
    if summary.total("skipped"):
        return SAME
    log.info("pulled %s %s version %s applied", kind, record_id, data.get("version"))
    _forget_refusal(session, data)
    return APPLIED


def _owner(session: Session, data: dict[str, Any]) -> None:
    if isinstance(data.get("owner_device_id"), str):
        handed.owned_elsewhere(session, str(data["kind"]), str(data["id"]),
                               data["owner_device_id"])


def _problem(issue: transfer.Issue) -> str:
    where = issue.path.removeprefix("records[0]").lstrip(".")
    return f"{where}: {issue.message}" if where else issue.message


def _key(e: dict[str, Any]) -> tuple:
    return (e.get("kind"), e.get("id"), e.get("version"))


def _forget_refusal(session: Session, data: dict[str, Any]) -> None:
    kept = state.REFUSED_PULLS.get(session)
    left = [e for e in kept if (e.get("kind"), e.get("id")) != (data.get("kind"),
                                                                 data.get("id"))]
    if left != kept:
        state.REFUSED_PULLS.set(session, left)


def _keep_aside(session: Session, data: dict[str, Any], problems: list[str],
                rules: bool = False) -> str:
    content = data.get("content") if isinstance(data.get("content"), dict) else {}
    entry = {"kind": str(data.get("kind", "")), "id": str(data.get("id", "")),
             "version": data.get("version"), "number": content.get("number") or "",
             "problems": problems, "received_at": protocol.utc_now_text()}
    if not rules:
        entry["why"] = "kept"  # not the rules: it would overwrite, or lacks its files
    kept = [e for e in state.REFUSED_PULLS.get(session) if _key(e) != _key(entry)]
    state.REFUSED_PULLS.set(session, (kept + [entry])[-MAX_REFUSED_PULLS:])
    log.warning("pulled %s %s version %s kept aside (%d problems): %s", entry["kind"],
                entry["id"], entry["version"], len(problems), "; ".join(problems))
    return KEPT_ASIDE
