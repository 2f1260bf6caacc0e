"""Bounded cost and checked content on the server (SQLite and PostgreSQL): every attack
gets a clear 4xx with a reason, never a 5xx, and stores nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
import zlib

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from synchelpers import ServerThread, enrol_fake, record

from sync import protocol
from sync.server import limits, service
from sync.server.models import Base, Device


def _stored(db) -> dict:
    """Rows of every table, and the bytes charged to each device."""
    with db.read() as session:
        rows = {t.name: session.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables}
        rows["bytes"] = sorted(session.scalars(select(Device.stored_bytes)))
    return rows


def _refused(client, body: bytes, headers: dict, status: int, words: str, db, before):
    r = client.post("/v1/batches", content=body, headers=headers)
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert words in r.json()["detail"], r.json()["detail"]
    assert _stored(db) == before
    return r.json()["detail"]


def _ready(app_client):
    dev = enrol_fake(app_client.db, app_client)
    ok = dev.batch([record()])
    assert app_client.post("/v1/batches", content=ok, headers=dev.headers(ok)).status_code == 200
    return dev, _stored(app_client.db)


def test_oversized_import_is_refused_before_parsing(app_client):
    db = app_client.db
    enrol_fake(db, app_client)
    before = _stored(db)
    # 33 MiB of `{}` (the issue sent 128 MiB): refused by its declared length.
    big = b"[" + b"{}," * (11 * 1024 * 1024) + b"{}]"
    r = app_client.post("/v1/import", content=big)
    assert r.status_code == 413 and "larger than allowed" in r.json()["detail"]
    # Under the size limit but dense: refused by counting, before json.loads.
    dense = b'{"format":[' + b"{}," * (4 * 1024 * 1024) + b"{}]}"
    r = app_client.post("/v1/import", content=dense)
    assert r.status_code == 413 and "too many JSON values" in r.json()["detail"]
    # Streamed without a length: cut off once past the limit.
    r = app_client.post("/v1/import", content=iter([b"{" + b" " * (1 << 20)] * 40))
    assert r.status_code == 413
    assert _stored(db) == before


def test_zlib_bomb_from_an_enrolled_device_is_refused(app_client):
    dev, before = _ready(app_client)
    # 64 MiB of JSON in about 65 KB: inflating stops at the limit.
    packer = zlib.compressobj(9)
    head = (b'{"v":1,"type":"batch","records":[' + b'{},' * (21 * 1024 * 1024))
    body = packer.compress(head) + packer.flush()
    assert len(body) < 200_000
    _refused(app_client, body, dev.headers(body), 413, "decompressed", app_client.db, before)
    # A small bomb of values: refused by counting them before parsing.
    dense = zlib.compress(b'{"records":[' + b"[]," * 2_000_000 + b"[]]}")
    _refused(app_client, dense, dev.headers(dense), 413, "too many JSON values",
             app_client.db, before)


def test_bad_signature_is_refused_before_inflating(app_client):
    dev, before = _ready(app_client)
    body = zlib.compress(b"[" * 100_000)
    headers = dev.headers(body, key=Ed25519PrivateKey.generate())
    _refused(app_client, body, headers, 401, "signature", app_client.db, before)


def test_record_content_size_is_limited(app_client):
    dev, before = _ready(app_client)
    # Six 10 MB strings made a 62 KB request: now one 1 MiB record is too large.
    body = dev.batch([record(remarks="长" * (protocol.MAX_RECORD_BYTES // 3 + 1))])
    assert len(body) < 100_000
    _refused(app_client, body, dev.headers(body), 413, "record 0: content is larger",
             app_client.db, before)


def test_device_storage_quota(tmp_path, database_url):
    from fastapi.testclient import TestClient

    from sync.server.app import ServerConfig, create_app

    (tmp_path / "server").mkdir(exist_ok=True)
    app = create_app(ServerConfig(data_dir=tmp_path / "server", database_url=database_url,
                                  device_quota=60_000))
    try:
        with TestClient(app) as client:
            db = app.state.db
            dev, other = enrol_fake(db, client), enrol_fake(db, client, "李四")
            sent = 0
            while True:
                body = dev.batch([record(remarks="说明" * 3000) for _ in range(3)])
                r = client.post("/v1/batches", content=body, headers=dev.headers(body))
                if r.status_code != 200:
                    break
                sent += 1
            assert sent >= 1 and r.status_code == 413 and "quota" in r.json()["detail"]
            with db.read() as session:
                used = session.get(Device, dev.device_id).stored_bytes
            assert 0 < used <= 60_000
            before = _stored(db)
            r = client.post("/v1/batches", content=body, headers=dev.headers(body))
            assert r.status_code == 413 and _stored(db) == before
            # Another device still has its own quota.
            ok = other.batch([record()])
            assert client.post("/v1/batches", content=ok,
                               headers=other.headers(ok)).status_code == 200
    finally:
        app.state.db.dispose()


def test_unknown_kind_is_refused_and_not_counted(app_client):
    dev, before = _ready(app_client)
    rid = str(uuid.uuid4())
    rec = protocol.make_record("zzz_anything", rid, 1,
                               {"kind": "zzz_anything", "id": rid, "version": 1})
    body = dev.batch([record(), rec])
    detail = _refused(app_client, body, dev.headers(body), 400, "unknown kind",
                      app_client.db, before)
    assert "record 1" in detail
    assert "zzz_anything" not in service.stats(app_client.db)


@pytest.mark.parametrize("change, words", [
    ({"status": "bogus"}, "status"),
    ({"undeclared_field": "x"}, "undeclared_field"),
    ({"checked_at": "yesterday"}, "checked_at"),
    ({"created_offset": "480"}, "created_offset"),
    ({"product_name": "长" * 129}, "product_name"),
    ({"items": [{"position": 0}]}, "items"),
])
def test_malformed_content_is_refused(app_client, change, words):
    dev, before = _ready(app_client)
    body = dev.batch([record(**change)])
    detail = _refused(app_client, body, dev.headers(body), 400, "malformed content",
                      app_client.db, before)
    assert words in detail


def test_required_field_missing_is_refused(app_client):
    dev, before = _ready(app_client)
    rec = record()
    del rec.content["status"]
    rec = protocol.make_record("check", rec.id, 1, rec.content)
    body = dev.batch([rec])
    detail = _refused(app_client, body, dev.headers(body), 400, "malformed content",
                      app_client.db, before)
    assert '"status" is a required property' in detail


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\x07y", "\x7f", "\x85", "\uffff"])
def test_nul_and_bad_text_are_refused(app_client, text):
    dev, before = _ready(app_client)
    rid = str(uuid.uuid4())
    rec = record(rid=rid)
    content = dict(rec.content, remarks=text)
    raw = protocol.dumps(content).encode("utf-8", "surrogatepass")
    batch = {"v": 1, "type": "batch", "batch_id": str(uuid.uuid4()),
             "device_id": dev.device_id, "key_id": dev.key_id, "seq": 2,
             "created_at": protocol.utc_now_text(),
             "records": [{"kind": "check", "id": rid, "version": 1, "base": 0,
                          "sha256": protocol.sha256_hex(raw), "content": content}]}
    # Escaped as JSON writes it (\u0000, \ud800), never raw bytes.
    body = zlib.compress(json.dumps(batch, ensure_ascii=True).encode("ascii"))
    detail = _refused(app_client, body, dev.headers(body), 400, "NUL, control character",
                      app_client.db, before)
    assert "records[0].content.remarks" in detail


def test_newlines_and_tabs_and_rare_characters_are_kept(app_client):
    dev, _ = _ready(app_client)
    body = dev.batch([record(remarks="第一行\n第二行\t𠮷𪚥 \\u0000")])
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 200 and r.json()["applied"] == 1


def test_schema_is_the_clients_and_loads_without_the_desktop_app():
    from inspector_app.core import transfer
    from sync.server import validation

    assert validation.schema() == transfer.schema()
    code = ("import sys; from sync.server import validation; "
            "from synchelpers import record; "
            "r = record(); validation.check_record(0, 'check', r.content); "
            "print(sorted(m for m in sys.modules if m.startswith(('inspector_app', "
            "'PySide6', 'sqlalchemy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=__file__.rsplit("/", 1)[0]).stdout
    assert json.loads(out.replace("'", '"')) == ["inspector_app", "inspector_app.schemas"]


# --- proxies and floods ---------------------------------------------------------------


def _enrol_attempts(url: str, n: int, forwarded: list[str] | None = None) -> list[int]:
    body = {"code": "WRONG-CODE", "device_id": str(uuid.uuid4()),
            "public_key": protocol.public_key_b64(Ed25519PrivateKey.generate())}
    out = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for i in range(n):
            headers = {"X-Forwarded-For": forwarded[i % len(forwarded)]} if forwarded else {}
            out.append(client.post("/v1/enroll", json=body, headers=headers).status_code)
    return out


@pytest.mark.parametrize("trusted", [False, True])
def test_forwarded_for_counts_only_from_a_trusted_proxy(tmp_path, database_url, trusted):
    proxies = ("127.0.0.1",) if trusted else ()
    srv = ServerThread(tmp_path / "server", database_url, enrol_limit=3,
                       trusted_proxies=proxies).start()
    try:
        before = _stored(srv.db)
        # A new X-Forwarded-For address on every attempt.
        spoofed = [f"203.0.113.{i}" for i in range(1, 9)]
        statuses = _enrol_attempts(srv.url, 8, spoofed)
        if trusted:  # each address is a client of its own, each within its limit
            assert statuses == [403] * 8
            # One address behind the proxy is still limited, whatever it writes before.
            again = _enrol_attempts(srv.url, 5, ["198.51.100.7, 203.0.113.9"])
            assert again == [403] * 3 + [429] * 2
        else:  # the header is ignored: all are the peer 127.0.0.1
            assert statuses == [403] * 3 + [429] * 5
        assert _stored(srv.db) == before  # no row per attempt
    finally:
        srv.stop()


def test_client_address_rules():
    proxies = limits.parse_proxies(["10.0.0.0/8", "::1"])
    assert limits.client_address("192.0.2.1", "1.2.3.4", proxies) == "192.0.2.1"
    assert limits.client_address("10.1.1.1", "1.2.3.4", proxies) == "1.2.3.4"
    assert limits.client_address("10.1.1.1", "6.6.6.6, 1.2.3.4, 10.2.2.2", proxies) == \
        "1.2.3.4"
    assert limits.client_address("::1", "garbage", proxies) == "::1"
    assert limits.client_address("10.1.1.1", None, proxies) == "10.1.1.1"
    with pytest.raises(ValueError):
        limits.parse_proxies(["not-an-address"])


def test_rate_limiter_refills_and_stays_bounded():
    now = [0.0]
    limiter = limits.RateLimiter(3, window=600, max_keys=100, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a") == 200  # its 429 says when the next attempt comes back
    now[0] += 150
    assert limiter.retry_after("a") == 50
    now[0] += 50  # a third of the window: one attempt back
    assert [limiter.allow("a") for _ in range(2)] == [True, False]
    for i in range(1000):
        limiter.allow(f"flood{i}")
    assert len(limiter._buckets) == 100


def test_migration_charges_what_devices_already_hold(database_url):
    from sqlalchemy import text

    from sync.server.db import Database, migrate

    db = Database(database_url, upgrade=False)
    try:
        from alembic import command

        from sync.server.db import alembic_config

        migrate(db.write_engine, "s0001")  # a fresh SQLite file
        with db.write_engine.begin() as conn:  # the PostgreSQL template is at head
            command.downgrade(alembic_config(conn), "s0001")
        with db.write_engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO devices (id, key_id, public_key, inspector, agency, "
                "credential_hash, enrolled_at, applied_seq) VALUES "
                "('d1', 'k1', 'p', 'i', '', 'h', CURRENT_TIMESTAMP, 1)"))
            conn.execute(text(
                "INSERT INTO batches (id, device_id, seq, body, body_sha256, signature, "
                "source, records, received_at, status, receipt) VALUES ('b1', 'd1', 1, "
                ":body, 's', 'g', 'http', 1, CURRENT_TIMESTAMP, 'applied', '{}')"),
                {"body": b"x" * 100})
            conn.execute(text(
                "INSERT INTO record_versions (kind, record_id, version, base_version, "
                "content, content_sha256, device_id, batch_id, received_at) VALUES "
                "('check', 'r1', 1, 0, :content, 's', 'd1', 'b1', CURRENT_TIMESTAMP)"),
                {"content": "y" * 50})
        migrate(db.write_engine)
        with db.read() as session:
            assert session.get(Device, "d1").stored_bytes == 150
    finally:
        db.dispose()


def test_command_line_refuses_a_bad_proxy_address(tmp_path, capsys):
    from sync.server import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["--data-dir", str(tmp_path), "--trusted-proxy", "nonsense", "stats"])
    assert exit_.value.code == 2 and "nonsense" in capsys.readouterr().err
    config = cli._config(tmp_path, None, ["10.0.0.0/8", "::1"], 5)
    assert config.device_quota == 5 << 20 and len(config.proxies) == 2
