"""Helpers of the agency tests: hand-made devices that sign batches and decisions, and a
supervisor's store that knows their keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import decisions, protocol

AGENCY = "示例市市场监督管理局"


class Dev:
    """A device of the agency: its key, and the batches it signs in sequence."""

    def __init__(self, name: str = "李娜"):
        self.name = name
        self.key = Ed25519PrivateKey.generate()
        self.device_id = str(uuid.uuid4())
        self.public = protocol.public_key_b64(self.key)
        self.key_id = protocol.key_id_of(self.public)
        self.author_id = str(uuid.uuid4())
        self.seq = 0

    def batch(self, records: list[protocol.Record], seq: int | None = None,
              batch_id: str | None = None) -> tuple[bytes, str, str, str]:
        """(body, signature, key_id, source) of a new batch."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        b = protocol.Batch(batch_id or str(uuid.uuid4()), self.device_id, self.key_id, seq,
                           protocol.utc_now_text(), records)
        body = protocol.encode_batch(b)
        return body, protocol.sign_batch(self.key, body), self.key_id, "server"

    def file(self, batches: list[tuple[bytes, str, str, str]]) -> bytes:
        """A signed batch file (as `inspector batch export` writes it) of these batches."""
        entries = []
        for body, sig, _kid, _src in batches:
            b = protocol.decode_batch(body)
            entries.append(protocol.FileBatch(b.batch_id, b.seq, body, sig))
        return protocol.encode_file(self.key, self.device_id, self.key_id, entries)

    def decide(self, kind: str, record_id: str, version: int, sha: str, action: str,
               text: str = "", **extra) -> dict:
        decision = decisions.make(kind=kind, record_id=record_id, version=version, sha256=sha,
                                  action=action, text=text, by=self.name,
                                  device_id=self.device_id, key_id=self.key_id, **extra)
        return decisions.sign(self.key, decision)


def check(dev: Dev, rid: str | None = None, version: int = 1, base: int | None = None,
          **fields) -> protocol.Record:
    rid = rid or str(uuid.uuid4())
    content = {"kind": "check", "id": rid, "version": version, "author_id": dev.author_id,
               "device_id": dev.device_id, "product_name": "电热水壶", "category": "家用电器",
               "checked_at": "2026-11-30T17:00:00.000000Z", "created_offset": 480,
               "created_at": "2026-11-30T17:05:00.000000Z", "status": "final",
               "outcome": "conforming"} | fields
    return protocol.make_record("check", rid, version, content, base)


def record(kind: str, dev: Dev, rid: str | None = None, version: int = 1, **fields):
    rid = rid or str(uuid.uuid4())
    content = {"kind": kind, "id": rid, "version": version, "device_id": dev.device_id,
               "created_at": "2026-11-20T01:00:00.000000Z", "created_offset": 480} | fields
    return protocol.make_record(kind, rid, version, content)


def supervisor(path: Path, *devices: Dev, revoked: tuple[Dev, ...] = (),
               inspector_names: bool = True):
    """A supervisor's store that knows the keys of `devices` (those in `revoked` revoked)."""
    from inspector_app.core.models import KnownKey
    from inspector_app.core.store import Store, utcnow
    from inspector_app.core.sync import state

    store = Store(path)
    with store.write() as session:
        state.DEVICE_ROLE.set(session, state.SUPERVISOR_ROLE)
        for d in devices:
            session.add(KnownKey(
                key_id=d.key_id, public_key=d.public, device_id=d.device_id, agency=AGENCY,
                source="server", added_at=utcnow(), inspector=d.name if inspector_names else None,
                revoked_at=datetime(2026, 11, 1, tzinfo=UTC) if d in revoked else None))
    return store


def counts(store) -> dict[str, int]:
    from sqlalchemy import func, select

    from inspector_app.core.models import (
        AgencyBatch,
        AgencyConflict,
        AgencyRecord,
        AgencyVersion,
        Decision,
    )

    with store.read() as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t))
                for t in (AgencyBatch, AgencyVersion, AgencyRecord, AgencyConflict, Decision)}


# --- a server answering as the supervisor contract says (SUPERVISOR.md) -----------------

URL = "https://bureau.example"


class FakeServer:
    """Answers /v1/pull from a feed list, /v1/batches/{id} from the batches it holds."""

    def __init__(self):
        self.feed: list[dict] = []
        self.batches: dict[str, tuple[bytes, str, str]] = {}
        self.fetched: list[str] = []
        self.imported: list[bytes] = []

    def add(self, type_: str, data: dict) -> None:
        self.feed.append({"seq": len(self.feed) + 1, "type": type_, "data": data})

    def key(self, dev: Dev, role: str = "inspector") -> None:
        self.add("device_key", {"key_id": dev.key_id, "public_key": dev.public,
                                "device_id": dev.device_id, "agency": "示例",
                                "revoked_at": None, "inspector": dev.name, "role": role})

    def batch(self, dev: Dev, records) -> tuple[bytes, str, str, str]:
        item = dev.batch(records)
        body, sig, kid, _ = item
        b = protocol.decode_batch(body)
        self.batches[b.batch_id] = (body, sig, kid)
        self.add("batch", {"batch_id": b.batch_id, "device_id": dev.device_id, "seq": b.seq,
                           "records": len(records), "body_sha256": protocol.sha256_hex(body)})
        return item

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/pull":
            since = int(request.url.params["since"])
            changes = [c for c in self.feed if c["seq"] > since]
            return httpx.Response(200, json={"changes": changes, "more": False,
                                             "cursor": changes[-1]["seq"] if changes else since})
        if path.startswith("/v1/batches/") and request.method == "GET":
            bid = path.rsplit("/", 1)[1]
            self.fetched.append(bid)
            if bid not in self.batches:
                return httpx.Response(404, json={"detail": "no such batch"})
            body, sig, kid = self.batches[bid]
            return httpx.Response(200, content=body, headers={
                "X-Signature": sig, "X-Key-Id": kid, "Content-Type": "application/octet-stream"})
        if path == "/v1/import":
            self.imported.append(request.content)
            return httpx.Response(200, json={"receipts": []})
        if path == "/v1/enroll":
            return httpx.Response(200, json={"credential": "c" * 43, "inspector": "周敏",
                                             "agency": "示例", "role": "supervisor"})
        return httpx.Response(404, json={"detail": f"unknown {path}"})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def enrolled(store, role: str) -> None:
    """Mark `store` enrolled with the fake server at URL, in `role`."""
    from inspector_app.core import settings
    from inspector_app.core.sync import credentials, state

    with store.write() as session:
        device = settings.device_id(session)
        state.SERVER_URL.set(session, URL)
        state.ENROLLED_DEVICE.set(session, device)
        state.DEVICE_ROLE.set(session, role)
    credentials.save(store.data_dir, URL, device, "secret")
