"""Sync benchmarks: end to end with photos, server ingest beside a raw bulk insert (SQLite
and PostgreSQL), and sync with 50 ms of latency added to every request.

The server runs as its own process (`python -m sync.server.cli`) on loopback; the client
is the real sync agent on a real store.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from common import benchmark, median, result

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("INSPECTOR_BENCH_PG",
                          "host=127.0.0.1 port=5432 user=postgres dbname=test")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`inspector-server` in its own process on a loopback port."""

    def __init__(self, data_dir: Path, url: str | None = None):
        from sync.server.db import Database, default_url

        self.data_dir = data_dir
        self.database_url = url or default_url(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "--data-dir", str(data_dir),
             "--database-url", self.database_url, "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = Database(self.database_url, upgrade=False)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.db.dispose()


def _client(path: Path, records: int, photos: int = 0, photo_bytes: int = 1 << 20):
    """A store with `records` labeling checks, `photos` of them with a photo."""
    os.environ["INSPECTOR_NO_KEYRING"] = "1"
    from inspector_app.core import attachments, auth, settings
    from inspector_app.core import records as rec
    from inspector_app.core.models import LabelCheck
    from inspector_app.core.store import Store

    store = Store(path)
    with store.write() as session:
        inspector = auth.first_setup(session, "示例市市场监督管理局", "示例", auth.NewInspector(
            "张三", "zhang", "demo1234", "32010001", "supervisor"))
        actor = rec.Actor(settings.device_id(session), inspector.id)
    now = datetime.now(UTC)
    for start in range(0, records, 2000):
        with store.write() as session:
            for i in range(start, min(records, start + 2000)):
                obj = LabelCheck(checked_at=now, product_name=f"电热水壶{i}", brand="美的",
                                 category="家用电器", manufacturer="某电器厂",
                                 manufacturer_address="广东省佛山市顺德区北滘镇")
                rec.create(session, obj, actor, now=now)
                if i < photos:
                    attachments.attach(store, session, obj, actor, os.urandom(photo_bytes),
                                       "photo", f"photo{i}.jpg", "image/jpeg")
    return store


def _enrol(store, server: Server, url: str | None = None) -> None:
    from inspector_app.core.sync import agent, credentials
    from sync.server import service

    agent.enroll(store, server.url, service.new_enrolment(server.db, "张三"))
    if url:  # talk through a proxy from now on
        with store.write() as session:
            device = agent.state.ENROLLED_DEVICE.get(session)
            agent.state.SERVER_URL.set(session, url)
        credentials.save(store.data_dir, url, device,
                         credentials.load(store.data_dir, server.url, device))


@benchmark("sync_end_to_end")
def sync_end_to_end(ctx) -> dict:
    """10,000 records and 100 photos of 1 MB, from a fresh store to acknowledged."""
    from inspector_app.core.sync import agent

    n, photos = (1000, 10) if ctx.quick else (10_000, 100)
    base = ctx.tmp / f"e2e-{uuid.uuid4().hex[:6]}"
    store = _client(base / "client", n, photos)
    server = Server(base / "server")
    try:
        _enrol(store, server)
        start = time.perf_counter()
        report = agent.SyncAgent(store).run()
        seconds = time.perf_counter() - start
        assert report.ok, report.error
        from sync.server import service

        assert service.stats(server.db)["check"] == n
    finally:
        server.close()
        store.close()
    limit = 20.0 * n / 10_000
    return result(seconds, "s", f"<= {limit:.0f} s for {n} records + {photos} photos of 1 MB",
                  seconds <= limit, records=n, photos=photos,
                  records_per_s=round(n / seconds), uploaded_mb=report.uploaded_bytes >> 20)


OFFICERS = [{"position": n, "inspector_id": str(uuid.UUID(int=n)), "name": name,
             "cert_no": f"3201000{n}"} for n, name in ((1, "张三"), (2, "李四"))]


def _batches(n: int, per: int):
    """A hand-made enrolled device and its signed batches of `n` records."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sync import protocol

    key = Ed25519PrivateKey.generate()
    device = str(uuid.uuid4())
    kid = protocol.key_id_of(protocol.public_key_b64(key))
    out, rows = [], []
    for seq, start in enumerate(range(0, n, per), 1):
        recs = []
        for i in range(start, min(n, start + per)):
            rid = str(uuid.uuid4())
            at = "2026-11-25T08:00:00.000000Z"
            # Valid for the record schema, as the server checks it.
            content = {"kind": "check", "id": rid, "version": 1, "product_name": f"电热水壶{i}",
                       "brand": "美的", "category": "家用电器", "manufacturer": "某电器厂",
                       "manufacturer_address": "广东省佛山市顺德区北滘镇", "outcome": "conforming",
                       "checked_at": at, "created_at": at, "updated_at": at,
                       "created_offset": 480, "updated_offset": 480, "device_id": device,
                       "barcode": "", "batch_no": "", "form_id": "label", "form_version": 1,
                       "measure": "", "outcome_override_reason": "", "remarks": "",
                       "shelf_life": "", "spec_model": "", "status": "final", "unit": "",
                       "items": [{"item_key": f"k{j}", "label": "中文标明产品名称",
                                  "legal_basis": "", "note": "", "position": j,
                                  "result": "pass"} for j in range(6)],
                       "officers": OFFICERS}  # two, as the check rules ask of a final one
            recs.append(protocol.make_record("check", rid, 1, content))
        body = protocol.encode_batch(protocol.Batch(str(uuid.uuid4()), device, kid, seq,
                                                    protocol.utc_now_text(), recs))
        out.append((body, protocol.sign_batch(key, body)))
        rows += [(r, str(uuid.UUID(int=seq))) for r in recs]
    return key, device, out, rows


def _ingest(ctx, url_for) -> dict:
    import httpx
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

    from sync import protocol
    from sync.server import service

    n = 2000 if ctx.quick else 10_000
    base = ctx.tmp / f"ingest-{uuid.uuid4().hex[:6]}"
    server = Server(base / "server", url_for())
    try:
        key, device, batches, rows = _batches(n, 500)
        code = service.new_enrolment(server.db, "张三")
        cred = service.enrol(server.db, code, device, protocol.public_key_b64(key)).credential
        headers = {"X-Device-Id": device, "Authorization": f"Bearer {cred}",
                   "Content-Type": "application/octet-stream"}
        with httpx.Client(base_url=server.url, timeout=120) as client:
            start = time.perf_counter()
            for body, sig in batches:
                r = client.post("/v1/batches", content=body, headers=headers | {"X-Signature": sig})
                assert r.status_code == 200 and r.json()["status"] == "applied", r.text
            seconds = time.perf_counter() - start
        # Baseline: the same rows bulk-inserted, raw, into a table like record_versions.
        meta = MetaData()
        raw = Table("bench_raw_versions", meta,
                    Column("pk", Integer, primary_key=True, autoincrement=True),
                    Column("kind", String(16)), Column("record_id", String(36)),
                    Column("version", Integer), Column("base_version", Integer),
                    Column("content", Text), Column("content_sha256", String(64)),
                    Column("device_id", String(36)), Column("batch_id", String(36)),
                    Column("received_at", DateTime))
        meta.create_all(server.db.write_engine)
        now = datetime.now(UTC).replace(tzinfo=None)
        values = [{"kind": r.kind, "record_id": r.id, "version": r.version, "base_version": 0,
                   "content": protocol.dumps(r.content), "content_sha256": r.sha256,
                   "device_id": device, "batch_id": b, "received_at": now} for r, b in rows]
        start = time.perf_counter()
        for i in range(0, len(values), 500):
            with server.db.write() as session:
                session.execute(raw.insert(), values[i:i + 500])
        raw_seconds = time.perf_counter() - start
    finally:
        server.close()
    rate, raw_rate = n / seconds, n / raw_seconds
    return result(rate, "rec/s", ">= 2000 records/s (baseline: raw bulk insert)",
                  rate >= 2000, baseline=raw_rate, records=n)


@benchmark("ingest_sqlite")
def ingest_sqlite(ctx) -> dict:
    """Server ingest over HTTP into SQLite, beside a raw bulk insert of the same rows."""
    return _ingest(ctx, lambda: None)


@benchmark("ingest_postgresql")
def ingest_postgresql(ctx) -> dict:
    """Server ingest over HTTP into PostgreSQL, beside a raw bulk insert of the same rows."""
    import psycopg

    name = f"insp_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            return _ingest(ctx, lambda: PG_URL.format(name=name))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@benchmark("sync_latency_50ms")
def sync_latency(ctx) -> dict:
    """Records/s end to end with 50 ms added to every request (a loopback proxy)."""
    from inspector_app.core.sync import agent

    sys.path.insert(0, str(ROOT / "tests" / "sync"))  # the fault proxy is a test tool
    from faultproxy import FaultProxy

    n = 2000 if ctx.quick else 5000
    base = ctx.tmp / f"lat-{uuid.uuid4().hex[:6]}"
    store = _client(base / "client", n)
    server = Server(base / "server")
    proxy = FaultProxy(("127.0.0.1", server.port), latency=0.05)
    proxy.start()
    try:
        _enrol(store, server, proxy.url)
        times = []
        start = time.perf_counter()
        report = agent.SyncAgent(store).run()
        times.append(time.perf_counter() - start)
        assert report.ok, report.error
    finally:
        proxy.stop()
        server.close()
        store.close()
    rate = (n + 1) / median(times)
    return result(rate, "rec/s", ">= 1000 records/s with 50 ms per request", rate >= 1000,
                  records=n, seconds=round(times[0], 2))
