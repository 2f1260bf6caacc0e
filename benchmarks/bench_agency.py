"""A supervisor's import: 100,000 records from 50 devices into a fresh supervisor store,
beside the server's ingest of the same signed batches (SQLite, in process, same run).

The record contents are the demo generator's checks, seizures and worklogs (taken from a
small demo store), each given its own id, device and author, signed per device in batches
of 500 as devices make them; about one in ten is a second version of an earlier record.
The store size is the bytes of the agency tables and their indexes (SQLite's dbstat),
per record version imported; it is measured for the full import and for 30,000 records.
"""

from __future__ import annotations

import copy
import itertools
import os
import random
import subprocess
import time
import uuid
from pathlib import Path

from common import INSPECTOR, benchmark, result

DEVICES = 50
PER_BATCH = 500
AGENCY_TABLES = ("agency_batches", "agency_versions", "agency_records", "agency_conflicts")
SIZE_BASELINE = 8.3 * 1024  # B/record: the 30,000-record demo store (250 MB)
SIZE_TARGET = 3 * 1024  # B/record


def _templates(ctx) -> dict[str, list[dict]]:
    """Contents of the demo's checks, seizures and worklogs (made once per run)."""
    cached = getattr(ctx, "_agency_templates", None)
    if cached:
        return cached
    os.environ["INSPECTOR_NO_KEYRING"] = "1"
    from sqlalchemy import select

    from inspector_app.core.models import History
    from inspector_app.core.store import Store

    folder = ctx.tmp / "agency-demo"
    subprocess.run([*INSPECTOR, "--data-dir", str(folder), "demo", "--records", "30"],
                   check=True, stdout=subprocess.DEVNULL)
    import json

    from inspector_app.core import device_key, settings

    store = Store(folder)
    key = device_key.load_or_create(folder)
    with store.read() as session:  # it signed the demo's seizure documents
        ctx._agency_demo_key = (settings.device_id(session), device_key.public_b64(key))
    found: dict[str, list[dict]] = {"check": [], "seizure": [], "worklog": []}
    with store.read() as session:
        for kind, content in session.execute(select(History.kind, History.content).where(
                History.kind.in_(tuple(found)))):
            found[kind].append(json.loads(content))
    store.close()
    ctx._agency_templates = found
    return found


def _batches(templates: dict[str, list[dict]], total: int, seed: int = 12):
    """50 devices and their signed batches of `total` record versions, in the order the
    server applies them (each device's in sequence, devices interleaved)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sync import protocol

    rng = random.Random(seed)
    mix = ["check"] * 7 + ["worklog"] * 2 + ["seizure"]
    devices = []
    per_device = total // DEVICES
    for n in range(DEVICES):
        key = Ed25519PrivateKey.generate()
        device = {"key": key, "id": str(uuid.uuid4()),
                  "key_id": protocol.key_id_of(protocol.public_key_b64(key)),
                  "public": protocol.public_key_b64(key), "name": f"检查员{n:02d}",
                  "author": str(uuid.uuid4()), "batches": []}
        made: list[tuple[str, str, dict]] = []
        records = []
        for i in range(per_device):
            if made and rng.random() < 0.1:  # a second version of an earlier record
                kind, rid, content = made.pop(rng.randrange(len(made)))
                field = {"check": "remarks", "seizure": "party_statement",
                         "worklog": "summary"}[kind]
                content = dict(content, version=2, **{field: f"更正：复核后补充第{i}项说明"})
                records.append(protocol.make_record(kind, rid, 2, content))
                continue
            kind = rng.choice(mix)
            content = copy.deepcopy(rng.choice(templates[kind]))
            rid = str(uuid.uuid4())
            content.update(id=rid, version=1, device_id=device["id"],
                           author_id=device["author"])
            if kind == "check":
                content["product_name"] = f"{content.get('product_name', '')}{i % 97}"
            made.append((kind, rid, content))
            records.append(protocol.make_record(kind, rid, 1, content))
        for seq, start in enumerate(range(0, len(records), PER_BATCH), 1):
            batch = protocol.Batch(str(uuid.uuid4()), device["id"], device["key_id"], seq,
                                   protocol.utc_now_text(), records[start:start + PER_BATCH])
            body = protocol.encode_batch(batch)
            device["batches"].append((body, protocol.sign_batch(key, body)))
        devices.append(device)
    order = [(d, body, sig) for group in itertools.zip_longest(
        *[[(d, b, s) for b, s in d["batches"]] for d in devices]) for (d, body, sig) in
        (g for g in group if g is not None)]
    return devices, order


def _supervisor(path: Path, devices: list[dict]):
    from inspector_app.core.models import KnownKey
    from inspector_app.core.store import Store, utcnow
    from inspector_app.core.sync import state

    store = Store(path)
    with store.write() as session:
        state.DEVICE_ROLE.set(session, state.SUPERVISOR_ROLE)
        for d in devices:
            session.add(KnownKey(key_id=d["key_id"], public_key=d["public"],
                                 device_id=d["id"], agency="示例市市场监督管理局",
                                 source="server", added_at=utcnow(), inspector=d["name"]))
    return store


def _agency_bytes(store) -> tuple[int, int]:
    """(bytes of the agency tables and their indexes, bytes of the whole database file)."""
    import sqlite3

    with sqlite3.connect(store.db_path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        marks = ",".join("?" * len(AGENCY_TABLES))
        names = [r[0] for r in con.execute(
            f"SELECT name FROM sqlite_master WHERE tbl_name IN ({marks})", AGENCY_TABLES)]
        marks = ",".join("?" * len(names))
        size = con.execute(f"SELECT sum(pgsize) FROM dbstat WHERE name IN ({marks})",
                           names).fetchone()[0]
    return int(size or 0), store.db_path.stat().st_size


def _import(ctx, total: int, label: str) -> dict:
    from inspector_app.core.agency import importer

    devices, order = _batches(_templates(ctx), total)
    store = _supervisor(ctx.tmp / f"supervisor-{label}-{uuid.uuid4().hex[:6]}", devices)
    try:
        start, cpu = time.perf_counter(), time.process_time()
        summary = importer.import_batches(
            store, ((body, sig, d["key_id"], "server") for d, body, sig in order))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert not summary.refused, summary.refused[:3]
        records = summary.records
        assert records == (total // DEVICES) * DEVICES, summary.as_dict()
        agency, whole = _agency_bytes(store)
    finally:
        store.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "records": records, "summary": summary.as_dict(),
            "bytes_per_record": agency / records, "file_bytes_per_record": whole / records,
            "devices": devices, "order": order}


def _server_ingest(ctx, devices: list[dict], order: list) -> tuple[float, float]:
    from sync.server import service
    from sync.server.db import Database

    folder = ctx.tmp / f"agency-server-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    db = Database(f"sqlite:///{folder / 'server.db'}")
    try:
        for d in devices:
            code = service.new_enrolment(db, d["name"])
            service.enrol(db, code, d["id"], d["public"])
        demo_device, demo_public = ctx._agency_demo_key  # the demo's documents' signer
        service.enrol(db, service.new_enrolment(db, "张三"), demo_device, demo_public)
        start, cpu = time.perf_counter(), time.process_time()
        for d, body, sig in order:
            receipt = service.ingest(db, body, sig, device_id=d["id"], quota=1 << 40)
            assert receipt["status"] == "applied", receipt
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        db.dispose()


@benchmark("agency_import")
def agency_import(ctx) -> dict:
    """100,000 records of 50 devices into a supervisor's store (baseline: server ingest)."""
    total = 5_000 if ctx.quick else 100_000
    run = _import(ctx, total, "main")
    server_seconds, server_cpu = _server_ingest(ctx, run["devices"], run["order"])
    size30 = _import(ctx, 3_000 if ctx.quick else 30_000, "size")
    limit = 60.0 * total / 100_000
    rate = run["records"] / run["seconds"]
    print(f"  agency_import: {run['records']} records in {run['seconds']:.1f} s "
          f"({rate:.0f} records/s, {run['cpu_seconds']:.1f} s of CPU); server ingest of the "
          f"same batches {server_seconds:.1f} s ({run['records'] / server_seconds:.0f} "
          f"records/s, {server_cpu:.1f} s of CPU); load average "
          f"{os.getloadavg()[0]:.1f}; agency tables "
          f"{run['bytes_per_record']:.0f} B/record (whole file "
          f"{run['file_bytes_per_record']:.0f}); {size30['records']} records: "
          f"{size30['bytes_per_record']:.0f} B/record (file "
          f"{size30['file_bytes_per_record']:.0f}) beside the issue's baseline "
          f"{SIZE_BASELINE:.0f} B/record (8.3 KB) and target <= {SIZE_TARGET} B/record (3 KB)",
          flush=True)
    ok = run["seconds"] <= limit and run["bytes_per_record"] <= SIZE_TARGET and \
        size30["bytes_per_record"] <= SIZE_TARGET
    return result(run["seconds"], "s", f"<= {limit:.0f} s for {total} records of {DEVICES} "
                  "devices; <= 3 KB/record (baseline: server ingest, s)", ok,
                  baseline=server_seconds, records=run["records"],
                  records_per_s=round(rate), cpu_s=round(run["cpu_seconds"], 1),
                  server_cpu_s=round(server_cpu, 1), server_records_per_s=round(
                      run["records"] / server_seconds),
                  bytes_per_record=round(run["bytes_per_record"]),
                  file_bytes_per_record=round(run["file_bytes_per_record"]),
                  size_records=size30["records"],
                  size_bytes_per_record=round(size30["bytes_per_record"]),
                  size_file_bytes_per_record=round(size30["file_bytes_per_record"]),
                  size_baseline_bytes_per_record=round(SIZE_BASELINE),
                  size_target_bytes_per_record=SIZE_TARGET,
                  summary=run["summary"])
