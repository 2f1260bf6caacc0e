"""Enrolment and one sync run with the central server.

A run: (1) build batches from the outbox; (2) read the server's receipts for this device,
acknowledging batches it already holds (a lost answer, or a batch file imported at the
bureau); (3) for each batch in sequence: upload the attachments its records name that the
server lacks (resuming where an upload broke), send the batch, acknowledge it when the
receipt says applied; (4) pull, by cursor, what is meant for this device. A fatal answer
(4xx) stops that batch, keeps its reason, and ends the run; transient failures are retried
with backoff, then end the run (the next run resumes).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from inspector_app.core import device_key, records, settings
from inspector_app.core.i18n import _, ngettext
from inspector_app.core.models import KnownKey, SyncReference, SyncReview
from inspector_app.core.store import Store, utcnow
from inspector_app.core.sync import (
    batches,
    credentials,
    decisions_out,
    handed,
    pulled,
    reference,
    state,
)
from inspector_app.core.sync.transport import (
    Backoff,
    Connection,
    FatalError,
    NotEnrolled,
    SyncError,
    TransientError,
    delay_for,
    make_client,
    pause,
    with_retries,
)
from sync import protocol, versions

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class SyncReport:
    built_batches: int = 0
    sent_batches: int = 0
    acked_batches: int = 0
    acked_records: int = 0
    uploaded_attachments: int = 0
    uploaded_bytes: int = 0
    pulled: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    fatal: bool = False
    pending: int = 0
    seconds: float = 0.0
    # A supervisor's device: the agency's batches imported by this run (importer.Summary),
    # and the batch files sent on to the server.
    imported: Any = None
    decisions: int = 0
    files_sent: int = 0
    records_pulled: int = 0  # record versions pulled and applied (handovers, resolves)

    @property
    def ok(self) -> bool:
        return not self.error and self.pending == 0


@dataclass
class Options:
    attempts: int = 5  # tries of one request before the run gives up
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    timeout: float = 60.0
    max_records: int = batches.MAX_RECORDS
    pull_limit: int = 500


def _parse_time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        return None


# --- enrolment -------------------------------------------------------------------------


def enroll(store: Store, server_url: str, code: str, ca_file: str = "",
           transport: httpx.BaseTransport | None = None) -> dict[str, str]:
    """Register this device's public key with the server using a one-time code."""
    if not server_url.startswith(("https://", "http://")):
        raise FatalError(_("The server address must start with https:// (or http://)."))
    key = device_key.load_or_create(store.data_dir)
    with store.write() as session:
        device = settings.device_id(session)
    conn = Connection(make_client(server_url, ca_file, transport=transport))
    try:
        data = conn.json("POST", "/v1/enroll", auth=False,
                         json={"code": code.strip(), "device_id": device,
                               "public_key": device_key.public_b64(key)})
    except TransientError as exc:
        if exc.status == 429:  # not retried: each attempt counts against the limit
            minutes = max(1, math.ceil((exc.retry_after or 600) / 60))
            raise FatalError(ngettext(
                "Too many enrolment attempts; wait {minutes} minute and try again.",
                "Too many enrolment attempts; wait {minutes} minutes and try again.",
                minutes).format(minutes=minutes), 429) from exc
        raise
    except FatalError as exc:
        if exc.status in (401, 403):
            raise FatalError(_("The server refused the enrolment code (unknown, used or "
                               "expired). Ask for a new code."), exc.status) from exc
        if exc.status == 409:
            raise FatalError(_("The server already knows this device or its key. Ask the "
                               "bureau to revoke the old enrolment first."), 409) from exc
        raise
    finally:
        conn.close()
    where = credentials.save(store.data_dir, server_url, device, data["credential"])
    with store.write() as session:
        state.SERVER_URL.set(session, server_url.rstrip("/"))
        state.CA_FILE.set(session, ca_file)
        state.ENROLLED_DEVICE.set(session, device)
        state.AGENCY_FROM_SERVER.set(session, data.get("agency", ""))
        state.INSPECTOR_FROM_SERVER.set(session, data.get("inspector", ""))
        role = data.get("role")
        state.DEVICE_ROLE.set(session, role if role in (state.INSPECTOR_ROLE,
                                                        state.SUPERVISOR_ROLE)
                              else state.INSPECTOR_ROLE)
        state.PULL_CURSOR.set(session, 0)
        _own_key(session, key, device, data.get("agency", ""))
    return {"device_id": device, "credential_store": where, "inspector": data.get("inspector", ""),
            "agency": data.get("agency", ""),
            "role": data.get("role") or state.INSPECTOR_ROLE}


def _own_key(session, key, device: str, agency: str) -> None:
    kid = device_key.key_id(key)
    if session.get(KnownKey, kid) is None:
        session.add(KnownKey(key_id=kid, public_key=device_key.public_b64(key), device_id=device,
                             agency=agency, source="own", added_at=utcnow()))


def is_enrolled(store: Store) -> bool:
    with store.read() as session:
        return bool(state.ENROLLED_DEVICE.get(session) and state.SERVER_URL.get(session))


# --- one run ---------------------------------------------------------------------------


class SyncAgent:
    """Runs syncs of one store. Safe to run from a worker thread (no Qt)."""

    def __init__(self, store: Store, options: Options | None = None,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.store = store
        self.options = options or Options()
        self.transport = transport
        self.sleep = sleep
        self.key = device_key.load_or_create(store.data_dir)

    def connect(self) -> Connection:
        with self.store.read() as session:
            url = state.SERVER_URL.get(session)
            device = state.ENROLLED_DEVICE.get(session)
            ca = state.CA_FILE.get(session)
        if not url or not device:
            raise NotEnrolled(_("This device is not enrolled with a central server yet: "
                                "run `inspector enroll --server URL --code CODE`."))
        credential = credentials.load(self.store.data_dir, url, device)
        if not credential:
            raise NotEnrolled(_("The credential of this device is missing; enrol it again."))
        client = make_client(url, ca, self.options.timeout, transport=self.transport)
        return Connection(client, device, credential)

    def _retry(self, fn, cancelled):
        backoff = Backoff(self.options.backoff_base, self.options.backoff_cap)
        return with_retries(fn, self.options.attempts, backoff, self.sleep, cancelled)

    def run(self, progress: Progress | None = None,
            cancelled: Callable[[], bool] = lambda: False) -> SyncReport:
        started = time.perf_counter()
        report = SyncReport()
        progress = progress or (lambda phase, done, total: None)
        conn = None
        try:
            with self.store.read() as session:
                supervisor = state.is_supervisor(session)
            progress("build", 0, 0)
            if not supervisor:  # a supervisor's own rows (its sign-in profile) stay here:
                report.built_batches = batches.build(  # the server takes only decisions
                    self.store, self.key, self.options.max_records).batches
            conn = self.connect()
            if not supervisor:
                self._receipts(conn, report, cancelled)
                self._send(conn, report, progress, cancelled)
            decisions_out.post(self, conn, cancelled)
            if not cancelled():
                self._send_files(conn, report, cancelled)
            if not cancelled():
                self._pull(conn, report, progress, cancelled)
        except SyncError as exc:
            report.error = exc.message
            report.fatal = exc.fatal
            log.warning("sync stopped: %s", exc.message)
        finally:
            if conn is not None:
                conn.close()
        with self.store.write() as session:
            report.pending = batches.pending_count(session)
            if report.error:
                state.LAST_ERROR.set(session, report.error)
            else:
                state.LAST_ERROR.set(session, "")
                state.LAST_SUCCESS.set(session, protocol.utc_now_text())
        report.seconds = time.perf_counter() - started
        progress("done", 1, 1)
        return report

    # (2) receipts the server already holds -----------------------------------------
    def _receipts(self, conn: Connection, report: SyncReport, cancelled) -> None:
        with self.store.read() as session:
            first_open = min((b.seq for b in batches.unacked(session)), default=None)
        if first_open is None:
            return
        after = first_open - 1  # every batch before the first open one is acknowledged
        while not cancelled():
            page = self._retry(lambda after=after: conn.json(
                "GET", "/v1/receipts", params={"after_seq": after, "limit": 500}), cancelled)
            if not page:
                break
            for receipt in page:
                if protocol.receipt_ok(receipt) and batches.mark_acked(
                        self.store, receipt["batch_id"], receipt):
                    report.acked_batches += 1
                    report.acked_records += int(receipt.get("records", 0))
                after = max(after, int(receipt.get("seq", after)))
            if len(page) < 500:
                break

    # (3) attachments and batches, in sequence ----------------------------------------
    def _send(self, conn: Connection, report: SyncReport, progress: Progress,
              cancelled) -> None:
        with self.store.read() as session:
            todo = [(b.id, b.seq, b.records, b.body, b.signature)
                    for b in batches.unacked(session, include_failed=False)]
        total = len(todo)
        for n, (batch_id, seq, n_records, body, signature) in enumerate(todo):
            if cancelled():
                return
            progress("send", n, total)
            self._attachments(conn, body, report, cancelled)
            try:
                receipt = self._retry(lambda body=body, signature=signature: conn.json(
                    "POST", "/v1/batches", content=body,
                    headers={"X-Signature": signature,
                             "Content-Type": "application/octet-stream"}), cancelled)
            except FatalError as exc:
                batches.mark_attempt(self.store, batch_id, exc.message, failed=True)
                raise FatalError(_("Batch {seq} was refused: {reason}")
                                 .format(seq=seq, reason=exc.message), exc.status) from exc
            except TransientError as exc:
                batches.mark_attempt(self.store, batch_id, exc.message)
                raise
            report.sent_batches += 1
            if protocol.receipt_ok(receipt):
                if batches.mark_acked(self.store, batch_id, receipt):
                    report.acked_batches += 1
                    report.acked_records += n_records
                report.conflicts += receipt.get("conflicts") or []
            else:
                gap = receipt.get("gap") or []
                batches.mark_attempt(self.store, batch_id, _(
                    "The server keeps this batch until the batches before it arrive "
                    "(missing: {gap}).").format(gap="-".join(map(str, gap))),
                    receipt=receipt)
        progress("send", total, total)

    def _attachments(self, conn: Connection, body: bytes, report: SyncReport,
                     cancelled) -> None:
        shas = batches.attachment_shas(body)
        for i in range(0, len(shas), 500):
            chunk = shas[i:i + 500]
            answer = self._retry(lambda chunk=chunk: conn.json(
                "POST", "/v1/attachments/missing", json={"sha256": chunk}), cancelled)
            for item in answer.get("missing", ()):
                self.upload(conn, item["sha256"], int(item.get("offset", 0)), report,
                            cancelled)

    def _import(self, conn: Connection, run: list[dict[str, Any]], report: SyncReport,
                progress: Progress, cancelled) -> None:
        from inspector_app.core.agency import importer, incoming

        failed: list[dict[str, str]] = []
        summary = importer.import_batches(
            self.store, incoming.fetch_batches(conn, lambda fn: self._retry(fn, cancelled),
                                               run, failed),
            progress=lambda done, total: progress("import", done, total),
            cancelled=cancelled, total=len(run))
        summary.refused += failed
        if report.imported is None:
            report.imported = importer.Summary()
        report.imported.add(summary)

    def upload(self, conn: Connection, sha: str, offset: int, report: SyncReport,
               cancelled=lambda: False) -> None:
        """Send one attachment from `offset`, resuming where a broken upload stopped."""
        path: Path = self.store.attachment_path(sha)
        if not path.exists():
            log.error("attachment %s is missing from this store; not sent", sha[:12])
            return
        total = path.stat().st_size
        backoff = Backoff(self.options.backoff_base, self.options.backoff_cap)
        failures = busy = 0
        while True:
            if cancelled():
                return
            try:
                result = conn.upload(f"/v1/attachments/{sha}", path, offset, total,
                                     {"offset": offset, "total": total})
                report.uploaded_bytes += total - offset
                if result.get("complete"):
                    report.uploaded_attachments += 1
                    return
                offset = int(result.get("offset", offset))
            except TransientError as exc:
                failures += 1
                if failures >= self.options.attempts * 2:
                    raise
                if not pause(delay_for(exc, backoff), self.sleep, cancelled):
                    return
            except FatalError as exc:
                if exc.status not in (409, 422):
                    raise
                # 409: another request (maybe our own cut one, which the server has not
                # seen end yet) still holds the upload, or the offset moved; 422: the
                # bytes did not hash right and were thrown away. Both: ask, then resume.
                busy += 1
                if busy > 40:
                    raise TransientError(_("The attachment {name} could not be uploaded.")
                                         .format(name=sha[:12])) from exc
                log.info("upload of %s: %s", sha[:12], exc.message)
                if not pause(max(0.25, backoff.next_delay()), self.sleep, cancelled):
                    return
            # Ask where the server stands (after a cut, a wrong offset or a bad hash).
            status = self._retry(lambda: conn.json("GET", f"/v1/attachments/{sha}"),
                                 cancelled)
            if status.get("complete"):
                report.uploaded_attachments += 1
                return
            offset = int(status.get("offset", 0))

    # (3b) batch files a supervisor imported from USB, on to the server ---------------
    def _send_files(self, conn: Connection, report: SyncReport, cancelled) -> None:
        from inspector_app.core.agency import files

        for path in files.queued(self.store):
            if cancelled():
                return
            data = path.read_bytes()
            try:
                self._retry(lambda data=data: conn.json(
                    "POST", "/v1/import", auth=False, content=data,
                    headers={"Content-Type": "application/octet-stream"}), cancelled)
            except FatalError as exc:
                files.mark(path, "refused", exc.message)
                log.warning("batch file %s refused by the server: %s", path.name, exc.message)
                continue
            files.mark(path, "sent")
            report.files_sent += 1

    # (4) pull by cursor --------------------------------------------------------------
    def _pull(self, conn: Connection, report: SyncReport, progress: Progress,
              cancelled) -> None:
        with self.store.read() as session:
            cursor = state.PULL_CURSOR.get(session)
            supervisor = state.is_supervisor(session)
        while not cancelled():
            progress("pull", report.pulled, 0)
            page = self._retry(lambda cursor=cursor: conn.json(
                "GET", "/v1/pull", params={"since": cursor,
                                           "limit": self.options.pull_limit}), cancelled)
            changes = page.get("changes") or []
            # Runs of batch changes are fetched and imported (the importer's own
            # transactions), the other changes applied in one transaction, in feed order.
            runs: list[list[dict[str, Any]]] = []
            for change in changes:
                is_batch = change.get("type") == "batch"
                if runs and (runs[-1][0].get("type") == "batch") == is_batch:
                    runs[-1].append(change)
                else:
                    runs.append([change])
            for run in runs:
                if cancelled():
                    return
                if run[0].get("type") == "batch":
                    if supervisor:
                        self._import(conn, run, report, progress, cancelled)
                        if report.imported is not None and report.imported.cancelled:
                            return
                    else:
                        log.info("%d batch changes ignored: not a supervisor device", len(run))
                    continue
                # Attachment files of pulled records first, outside the transaction.
                files = {n: pulled.fetch_files(self.store, conn,
                                               lambda fn: self._retry(fn, cancelled),
                                               change.get("data") or {})
                         for n, change in enumerate(run) if change.get("type") == "record"}
                with self.store.write() as session:
                    for n, change in enumerate(run):
                        if change.get("type") == "record":
                            if pulled.apply(session, self.store, change.get("data") or {},
                                            files[n]) == pulled.APPLIED:
                                report.records_pulled += 1
                        elif apply_change(session, change) and \
                                change.get("type") == "decision":
                            report.decisions += 1
            with self.store.write() as session:
                cursor = max(cursor, int(page.get("cursor", cursor)))
                state.PULL_CURSOR.set(session, cursor)
            report.pulled += len(changes)
            if not page.get("more"):
                break
        with self.store.write() as session:
            reference.apply(session, records.Actor(settings.device_id(session)))


def apply_change(session, change: dict[str, Any]) -> bool:
    """Store one pulled change (idempotent: a change seen twice changes nothing more).
    False for a decision that did not verify (kept aside, never applied)."""
    kind, data = change.get("type"), change.get("data") or {}
    now = utcnow()
    if kind == "device_key":
        row = session.get(KnownKey, data.get("key_id"))
        revoked = _parse_time(data.get("revoked_at") or "")
        inspector = data.get("inspector") if isinstance(data.get("inspector"), str) else None
        if row is None:
            session.add(KnownKey(key_id=data["key_id"], public_key=data["public_key"],
                                 device_id=data["device_id"], agency=data.get("agency", ""),
                                 source="server", added_at=now, revoked_at=revoked,
                                 inspector=inspector))
        else:
            if row.source == "server" or revoked:
                row.revoked_at = revoked
            if inspector:
                row.inspector = inspector
    elif kind == "reference":
        row = session.get(SyncReference, (data["kind"], data["id"]))
        text_ = protocol.dumps(data.get("content") or {})
        if row is None:
            session.add(SyncReference(kind=data["kind"], item_id=data["id"],
                                      version=data["version"], content=text_, received_at=now))
        elif versions.newer(data["version"], row.version):
            row.version, row.content, row.received_at = data["version"], text_, now
    elif kind == "review":
        if session.get(SyncReview, data["id"]) is None:
            session.add(SyncReview(id=data["id"], kind=data["kind"], record_id=data["record_id"],
                                   version=data["version"], decision=data["decision"],
                                   note=data.get("note", ""), reviewer=data.get("reviewer", ""),
                                   decided_at=_parse_time(data.get("decided_at", "")) or now,
                                   received_at=now))
    elif kind == "handover":
        handed.note(session, data)
    elif kind == "record":  # needs the store for its files: `_pull` applies these
        log.info("pulled record %s %s left to the pull loop", data.get("kind"), data.get("id"))
    elif kind == "decision":
        from inspector_app.core.agency import incoming

        ok = incoming.apply_decision(session, data)
        session.flush()
        return ok
    else:
        log.info("pulled change of unknown type %r ignored", kind)
    session.flush()
    return True


def status(store: Store) -> dict[str, Any]:
    """What the Sync page shows: pending count, last success/error, batches."""
    from inspector_app.core.models import SyncBatch

    with store.read() as session:
        rows = session.scalars(select(SyncBatch).order_by(SyncBatch.seq.desc()).limit(200)).all()
        return {
            "enrolled": bool(state.ENROLLED_DEVICE.get(session)),
            "server_url": state.SERVER_URL.get(session),
            "pending": batches.pending_count(session),
            "last_success": state.LAST_SUCCESS.get(session),
            "last_error": state.LAST_ERROR.get(session),
            "refused_pulls": state.REFUSED_PULLS.get(session),
            "refused_decisions": state.REFUSED_DECISIONS.get(session),
            "batches": [{"id": b.id, "seq": b.seq, "records": b.records, "state": b.state,
                         "attempts": b.attempts, "error": b.last_error,
                         "created_at": b.created_at, "acked_at": b.acked_at,
                         "exported_at": b.exported_at} for b in rows],
        }
