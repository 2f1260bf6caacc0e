"""A small supervisor store to try the review pages on: records of a few fake devices.

Each fake device is a real inspector store made by the demo generator (`core/demo`), its
outbox put into batches signed with the device's own key (`sync/batches.build`), exactly
as a device sends them. Those batches are then kept in the supervisor's store as its
import keeps them: the signed batch, every version (by its place in the batch), the
current version with its facts, the devices' known keys with their inspectors' names.
One record gets two different version-2 contents from two devices (a conflict), one is
returned with a comment, one approved.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from inspector_app.core import device_key, settings
from inspector_app.core.i18n import _
from inspector_app.core.models import RECORD_KINDS as RECORD_MODELS
from inspector_app.core.models import (  # the agency tables, re-exported
    AgencyBatch,
    AgencyConflict,
    AgencyRecord,
    AgencyVersion,
    Inspector,
    KnownKey,
    SyncBatch,
)
from inspector_app.core.records import Actor
from inspector_app.core.store import Store, utcnow
from sync import protocol

RECORD_KINDS = ("check", "seizure", "worklog")


def _day(moment: str | None, offset_min: int) -> str:
    if not moment:
        return ""
    if len(moment) == 10:
        return moment
    at = datetime.fromisoformat(moment.rstrip("Z")).replace(tzinfo=UTC)
    return (at + timedelta(minutes=offset_min)).date().isoformat()


def facts(content: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The AgencyRecord columns shown and filtered on, from a record's canonical content."""
    kind = content["kind"]
    offset = int(content.get("created_offset") or 480)
    market_id = content.get("market_id") or ""
    out: dict[str, Any] = {
        "author_id": content.get("author_id") or "",
        "inspector": names.get(content.get("author_id") or "", ""),
        "market_id": market_id, "market": names.get(market_id, ""),
        "state": content.get("status") or content.get("state") or "",
        "result": "", "category": "", "deadline": "", "report_due": "", "positives": 0,
    }
    if kind == "check":
        out.update(day=_day(content.get("checked_at"), offset),
                   result=content.get("outcome") or "",
                   category=(content.get("category") or "")[:32],
                   title=content.get("product_name") or "")
    elif kind == "seizure":
        items = content.get("items") or [{}]
        out.update(day=_day(content.get("started_at"), offset),
                   title=content.get("number") or items[0].get("name") or "")
        issued = _day(content.get("issued_at"), offset)
        if issued and out["state"] in ("issued", "extended"):
            days = int(content.get("term_days") or 30)
            if out["state"] == "extended":
                days += int(content.get("extension_days") or 0)
            out["deadline"] = (date.fromisoformat(issued)
                               + timedelta(days=days - 1)).isoformat()
    else:
        tests = content.get("tests") or []
        positives = sum(1 for t in tests if t.get("conclusion") == "positive")
        out.update(day=content.get("log_date") or "", positives=positives,
                   result="nonconforming" if positives else "conforming",
                   title=names.get(content.get("workstation_id") or "", "")
                   or out["market"])
    out["title"] = out["title"][:256]
    return out


def _device_batches(base: Path, folder: Path, records: int, seed: int,
                    inspector: tuple[str, str]) -> tuple[str, Ed25519PrivateKey, list]:
    """A fake device made from the shared reference store: its records by `inspector`,
    signed into batches with its own key. Returns (device id, key, SyncBatch rows)."""
    from inspector_app.core import demo as generator
    from inspector_app.core.sync import batches

    shutil.copytree(base, folder)
    (folder / device_key.KEY_FILE).unlink(missing_ok=True)
    store = Store(folder)
    try:
        device = str(uuid.uuid4())
        with store.write() as session:
            settings.DEVICE_ID.set(session, device)
        generator.generate(store, records, actor=Actor(device, inspector[0]), seed=seed)
        key = device_key.load_or_create(folder)
        batches.build(store, key)
        with store.read() as session:
            rows = [(b.id, b.seq, b.body, b.signature, b.records)
                    for b in session.scalars(select(SyncBatch).order_by(SyncBatch.seq))]
    finally:
        store.close()
    return device, key, rows


def _signed(key: Ed25519PrivateKey, device: str, seq: int,
            records: list[protocol.Record]) -> tuple[str, int, bytes, str, int]:
    batch = protocol.Batch(str(uuid.uuid4()), device, device_key.key_id(key), seq,
                           protocol.utc_now_text(), records)
    body = protocol.encode_batch(batch)
    return batch.batch_id, seq, body, protocol.sign_batch(key, body), len(records)


class _Keeper:
    """Keeps verified batches in the supervisor's store (what its import does)."""

    def __init__(self, session):
        self.session = session
        self.names: dict[str, str] = {}

    def keep(self, device: str, key: Ed25519PrivateKey, row) -> None:
        batch_id, seq, body, signature, n = row
        protocol.verify_batch_signature(key.public_key(), signature, body)
        batch = protocol.decode_batch(body)
        now = utcnow()
        self.session.add(AgencyBatch(
            id=batch_id, device_id=device, key_id=device_key.key_id(key), seq=seq, body=body,
            body_sha256=protocol.sha256_hex(body), signature=signature, records=n,
            source="server", imported_at=now))
        for position, rec in enumerate(batch.records):
            if rec.kind == "market" or rec.kind == "inspector" or rec.kind == "workstation":
                self.names[rec.id] = rec.content.get("name", "")
            if rec.kind not in RECORD_KINDS:
                continue
            self.session.add(AgencyVersion(
                kind=rec.kind, record_id=rec.id, version=rec.version, base_version=rec.base,
                content=None, content_sha256=rec.sha256, device_id=device, batch_id=batch_id,
                position=position, received_at=now))
            current = self.session.get(AgencyRecord, (rec.kind, rec.id))
            if current is None:
                self.session.add(AgencyRecord(
                    kind=rec.kind, record_id=rec.id, version=rec.version,
                    content_sha256=rec.sha256, device_id=device, owner_device_id=device,
                    review_state="pending", conflicts=0, updated_at=now,
                    **facts(rec.content, self.names)))
            elif rec.base == current.version and rec.version > current.version:
                current.version, current.content_sha256 = rec.version, rec.sha256
                current.device_id, current.updated_at = device, now
                current.review_state = "pending"
                for name, value in facts(rec.content, self.names).items():
                    setattr(current, name, value)
            else:
                self.session.add(AgencyConflict(
                    kind=rec.kind, record_id=rec.id, version=rec.version,
                    content_sha256=rec.sha256, current_version=current.version,
                    current_sha256=current.content_sha256,
                    reason="same_version" if rec.version == current.version else "stale_base",
                    device_id=device, batch_id=batch_id, created_at=now, resolved_by=None))
                current.conflicts += 1
        self.session.flush()


def fill(store: Store, *, devices: int = 3, records: int = 8, seed: int = 1,
         user=None) -> dict[str, int]:
    """Fill the supervisor's `store` with the records of `devices` fake inspector devices
    (`records` of each kind each). Sets the store's role to supervisor."""
    from inspector_app.core import demo as generator
    from inspector_app.core.agency import review
    from inspector_app.core.sync.state import DEVICE_ROLE

    with store.read() as session:
        if any(session.scalar(select(func.count()).select_from(model))
               for model in RECORD_MODELS.values()):
            raise generator.DemoError(_(
                "This store holds an inspector's own records: a supervisor's demo is only "
                "made in an empty data folder or a supervisor's store."))
    with tempfile.TemporaryDirectory(prefix="inspector-agency-demo-") as tmp:
        base = Path(tmp) / "base"
        reference = Store(base)
        try:
            generator.generate(reference, 0, seed=seed)
            with reference.read() as session:
                team = [(i.id, i.name) for i in session.scalars(
                    select(Inspector).where(Inspector.cert_no != "",
                                            Inspector.role == "inspector")
                    .order_by(Inspector.username))]
        finally:
            reference.close()
        made = [_device_batches(base, Path(tmp) / f"device{n}", records, seed + n,
                                team[n % len(team)]) for n in range(devices)]
    with store.write() as session:
        DEVICE_ROLE.set(session, "supervisor")
        now = utcnow()
        for (device, key, _rows), (_id, name) in zip(made, team, strict=False):
            kid = device_key.key_id(key)
            if session.get(KnownKey, kid) is None:
                session.add(KnownKey(key_id=kid, public_key=device_key.public_b64(key),
                                     device_id=device, agency="", source="server",
                                     added_at=now, revoked_at=None, inspector=name))
        keeper = _Keeper(session)
        for device, key, rows in made:
            for row in rows:
                keeper.keep(device, key, row)
        # A conflict: the first device's first check edited on two devices from version 1.
        (dev_a, key_a, rows_a), (dev_b, key_b, rows_b) = made[0], made[1 % len(made)]
        first = session.scalars(select(AgencyRecord).where(
            AgencyRecord.kind == "check", AgencyRecord.device_id == dev_a)
            .order_by(AgencyRecord.day)).first()
        record_id, v0 = first.record_id, first.version  # `first` changes as edits arrive
        base_content = review.content(session, "check", record_id, v0)
        stamp = protocol.utc_now_text()
        edits = ((dev_a, key_a, len(rows_a) + 1, {"remarks": "补充：现场核对批次号无误"}),
                 (dev_b, key_b, len(rows_b) + 1,
                  {"quantity": str(int(base_content.get("quantity") or "1") + 10),
                   "remarks": "复查时清点数量有误，已更正"}))
        for device, key, seq, change in edits:
            edited = {**base_content, **change, "version": v0 + 1, "updated_at": stamp}
            rec = protocol.make_record("check", record_id, v0 + 1, edited, base=v0)
            keeper.keep(device, key, _signed(key, device, seq, [rec]))
    supervisor = user or SimpleNamespace(name="张伟")
    with store.read() as session:
        pending = [(r.kind, r.record_id) for r in session.scalars(
            select(AgencyRecord).where(AgencyRecord.conflicts == 0)
            .order_by(AgencyRecord.day.desc(), AgencyRecord.kind))]
    by_kind = {k: rid for k, rid in reversed(pending)}
    if "seizure" in by_kind:
        review.decide(store, "seizure", by_kind["seizure"], "return",
                      "查封物品清单缺少规格，请补充后重新提交", user=supervisor)
    if "worklog" in by_kind:
        review.decide(store, "worklog", by_kind["worklog"], "approve", "", user=supervisor)
    with store.read() as session:
        counts = {kind: session.query(AgencyRecord).filter_by(kind=kind).count()
                  for kind in RECORD_KINDS}
        counts["conflicts"] = session.query(AgencyConflict).count()
    return counts

