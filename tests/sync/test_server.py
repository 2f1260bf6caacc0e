"""The central server on SQLite and PostgreSQL: enrolment, ingest rules, refusals, pull."""

from __future__ import annotations

import json
import threading
import uuid
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from synchelpers import enrol_fake, legacy_review, record, server_versions

from sync import protocol
from sync.server import service


def _counts(db) -> dict:
    d = service.details(db)
    return {k: d[k] for k in ("versions", "batches", "conflicts")}


def test_health_docs_and_openapi(app_client):
    assert app_client.get("/health").json()["status"] == "ok"
    assert app_client.get("/docs").status_code == 200
    spec = app_client.get("/openapi.json").json()
    assert "/v1/batches" in spec["paths"] and "/v1/enroll" in spec["paths"]


def test_migrations_build_exactly_the_models(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from sync.server.db import Database
    from sync.server.models import Base

    db = Database(database_url)
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    db.dispose()


def test_enrolment_once_per_code_and_device(app_client):
    db = app_client.db
    code = service.new_enrolment(db, "张三")
    key = Ed25519PrivateKey.generate()
    dev = str(uuid.uuid4())
    body = {"code": code, "device_id": dev, "public_key": protocol.public_key_b64(key)}
    first = app_client.post("/v1/enroll", json=body)
    assert first.status_code == 200 and first.json()["inspector"] == "张三"
    again = app_client.post("/v1/enroll", json=body)
    assert again.status_code == 403 and "already used" in again.json()["detail"]
    unknown = app_client.post("/v1/enroll", json=body | {"code": "NOPE-NOPE"})
    assert unknown.status_code == 403
    # The same device (or key) with a new code: refused, not overwritten.
    code2 = service.new_enrolment(db, "李四")
    dup = app_client.post("/v1/enroll", json=body | {"code": code2})
    assert dup.status_code == 409
    bad_key = app_client.post("/v1/enroll", json={"code": code2, "device_id": str(uuid.uuid4()),
                                                 "public_key": "AAAA"})
    assert bad_key.status_code == 400


def test_enrolment_is_rate_limited(app_client):
    body = {"code": "WRONG", "device_id": str(uuid.uuid4()),
            "public_key": protocol.public_key_b64(Ed25519PrivateKey.generate())}
    statuses = [app_client.post("/v1/enroll", json=body).status_code for _ in range(7)]
    assert statuses[:5] == [403] * 5 and statuses[5:] == [429, 429]


def test_ingest_applies_and_same_batch_gets_same_receipt(app_client):
    dev = enrol_fake(app_client.db, app_client)
    recs = [record("check"), record("seizure"), record("worklog"), record("check")]
    body = dev.batch(recs)
    first = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert first.status_code == 200, first.text
    receipt = first.json()
    assert receipt["status"] == "applied" and receipt["applied"] == 4
    again = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert again.json() == receipt
    assert service.stats(app_client.db) == {"check": 2, "seizure": 1, "worklog": 1}
    assert _counts(app_client.db) == {"versions": 4, "batches": 1, "conflicts": 0}


def test_versions_apply_on_their_base_and_conflicts_overwrite_nothing(app_client):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    rid = str(uuid.uuid4())
    v1 = record("check", rid, 1)
    v2 = record("check", rid, 2, product_name="改")

    def send(recs):
        body = dev.batch(recs)
        r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
        assert r.status_code == 200, r.text
        return r.json()

    assert send([v1, v2])["applied"] == 2
    # The same version again (another batch): a no-op.
    again = send([v2])
    assert again["applied"] == 0 and again["duplicates"] == 1 and again["conflicts"] == []
    # Other content under version 2, and a version 4 on a base 3 the server never saw:
    # conflicts. (A version 3 on the old base 1 is not base + 1: refused, see
    # test_a_version_must_be_its_base_plus_one.)
    other_v2 = record("check", rid, 2, product_name="别的")
    unseen_v4 = record("check", rid, 4, product_name="旧")
    result = send([other_v2, unseen_v4])
    assert [c["reason"] for c in result["conflicts"]] == ["different_content", "unknown_base"]
    versions = {(k, i, v): s for k, i, v, s in server_versions(db)}
    assert versions == {("check", rid, 1): v1.sha256, ("check", rid, 2): v2.sha256}
    from sync.server.models import Conflict, CurrentRecord

    with db.read() as session:
        assert session.get(CurrentRecord, ("check", rid)).version == 2
        assert session.query(Conflict).count() == 2
    # A proper version 3 on base 2 still applies.
    assert send([record("check", rid, 3, product_name="新")])["applied"] == 1


def test_batch_after_a_gap_waits_then_applies_in_order(app_client):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    rid = str(uuid.uuid4())
    b1 = dev.batch([record("check", rid, 1)], seq=1)
    b2 = dev.batch([record("check", rid, 2, product_name="二")], seq=2)
    b3 = dev.batch([record("check", rid, 3, product_name="三")], seq=3)
    assert app_client.post("/v1/batches", content=b1, headers=dev.headers(b1)).json()[
        "status"] == "applied"
    waiting = app_client.post("/v1/batches", content=b3, headers=dev.headers(b3)).json()
    assert waiting["status"] == "waiting" and waiting["gap"] == [2, 2]
    listed = {d["device_id"]: d for d in service.list_devices(db)}
    assert listed[dev.device_id]["gap"] == [2, 2]
    assert service.stats(db)["check"] == 1
    r2 = app_client.post("/v1/batches", content=b2, headers=dev.headers(b2)).json()
    assert r2["status"] == "applied"
    again3 = app_client.post("/v1/batches", content=b3, headers=dev.headers(b3)).json()
    assert again3["status"] == "applied" and again3["applied"] == 1
    from sync.server.models import CurrentRecord

    with db.read() as session:
        assert session.get(CurrentRecord, ("check", rid)).version == 3
    receipts = app_client.get("/v1/receipts", params={"after_seq": 0},
                              headers=dev.headers()).json()
    assert [r["seq"] for r in receipts] == [1, 2, 3]
    assert all(r["status"] == "applied" for r in receipts)


@pytest.mark.parametrize("case", ["forged", "tampered", "replay_other_device",
                                  "replay_seq", "unknown", "revoked", "oversized",
                                  "not_zlib", "bad_json", "bad_schema", "bad_sha",
                                  "no_signature", "zip_bomb"])
def test_bad_batches_are_refused_with_a_clear_4xx_and_nothing_stored(app_client, case):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    other = enrol_fake(db, app_client, "李四")
    ok = dev.batch([record()])
    assert app_client.post("/v1/batches", content=ok, headers=dev.headers(ok)).status_code == 200
    before = _counts(db)
    body = dev.batch([record()])
    headers = dev.headers(body)
    expected = {401}
    if case == "forged":
        headers = dev.headers(body, key=Ed25519PrivateKey.generate())
    elif case == "tampered":
        raw = bytearray(zlib.decompress(body))
        raw[raw.index(b"\xe7\x94\xb5")] ^= 1  # one byte of 电 changed
        body = zlib.compress(bytes(raw))
        expected = {400, 401}
    elif case == "replay_other_device":
        headers = other.headers(ok) | {"X-Signature": dev.headers(ok)["X-Signature"]}
        body = ok
        # The signature is checked (against the sender's key) before the body is parsed.
        expected = {401}
    elif case == "replay_seq":
        body = dev.batch([record()], seq=1)  # seq 1 is taken by another batch
        headers = dev.headers(body)
        expected = {409}
    elif case == "unknown":
        headers = headers | {"X-Device-Id": str(uuid.uuid4())}
    elif case == "revoked":
        service.revoke(db, dev.device_id)
        expected = {403}
    elif case == "oversized":
        body = b"\0" * (protocol.MAX_BODY_BYTES + 1)
        headers = dev.headers(body)
        expected = {413}
    elif case == "not_zlib":
        body = b"this is not a batch"
        headers = dev.headers(body)
        expected = {400}
    elif case == "bad_json":
        body = zlib.compress(b"{not json")
        headers = dev.headers(body)
        expected = {400}
    elif case == "bad_schema":
        body = zlib.compress(protocol.canonical_bytes({"v": 1, "type": "batch", "records": 5}))
        headers = dev.headers(body)
        expected = {400}
    elif case == "bad_sha":
        rec = record()
        rec.sha256 = "0" * 64
        body = dev.batch([rec])
        headers = dev.headers(body)
        expected = {400}
    elif case == "no_signature":
        headers.pop("X-Signature")
    elif case == "zip_bomb":
        inflater = zlib.compressobj(9)
        body = inflater.compress(b" " * (protocol.MAX_JSON_BYTES + 10)) + inflater.flush()
        headers = dev.headers(body)
        expected = {413}
    r = app_client.post("/v1/batches", content=body, headers=headers)
    assert r.status_code in expected, (r.status_code, r.text)
    assert r.json()["detail"]
    assert _counts(db) == before


def test_attachments_resume_from_the_offset_and_are_verified(app_client):
    dev = enrol_fake(app_client.db, app_client)
    data = bytes(range(256)) * 4096  # 1 MiB
    sha = protocol.sha256_hex(data)
    h = dev.headers()
    missing = app_client.post("/v1/attachments/missing", json={"sha256": [sha]}, headers=h)
    assert missing.json() == {"missing": [{"sha256": sha, "offset": 0}]}
    part = app_client.put(f"/v1/attachments/{sha}", params={"offset": 0, "total": len(data)},
                          content=data[:600_000], headers=h).json()
    assert part == {"sha256": sha, "offset": 600_000, "complete": False}
    wrong = app_client.put(f"/v1/attachments/{sha}", params={"offset": 0, "total": len(data)},
                           content=data, headers=h)
    assert wrong.status_code == 409 and wrong.json()["offset"] == 600_000
    done = app_client.put(f"/v1/attachments/{sha}",
                          params={"offset": 600_000, "total": len(data)},
                          content=data[600_000:], headers=h).json()
    assert done["complete"]
    assert app_client.post("/v1/attachments/missing", json={"sha256": [sha]},
                           headers=h).json() == {"missing": []}
    # Bytes that do not hash to the name are thrown away.
    bad_sha = protocol.sha256_hex(b"other")
    bad = app_client.put(f"/v1/attachments/{bad_sha}", params={"offset": 0, "total": 5},
                         content=b"wrong", headers=h)
    assert bad.status_code == 422
    assert app_client.get(f"/v1/attachments/{bad_sha}", headers=h).json()["offset"] == 0


def test_server_knows_which_attachments_a_record_lacks(app_client):
    dev = enrol_fake(app_client.db, app_client)
    sha = protocol.sha256_hex(b"photo")
    body = dev.batch([record(attachments=[{"sha256": sha, "role": "photo", "size": 5,
                                           "id": str(uuid.uuid4()), "filename": "p.jpg",
                                           "mime": "image/jpeg"}])])
    assert app_client.post("/v1/batches", content=body,
                           headers=dev.headers(body)).status_code == 200
    assert app_client.get("/v1/attachments/missing", headers=dev.headers()).json() == {
        "missing": [sha]}
    app_client.put(f"/v1/attachments/{sha}", params={"offset": 0, "total": 5},
                   content=b"photo", headers=dev.headers())
    assert app_client.get("/v1/attachments/missing", headers=dev.headers()).json() == {
        "missing": []}


def test_pull_gives_each_device_only_what_is_meant_for_it(app_client):
    db = app_client.db
    a = enrol_fake(db, app_client, "张三")
    b = enrol_fake(db, app_client, "李四")
    rid = str(uuid.uuid4())
    body = a.batch([record("check", rid)])
    app_client.post("/v1/batches", content=body, headers=a.headers(body))
    service.put_reference(db, "market", "m1", {"name": "东门农副产品批发市场"})
    legacy_review(db, "check", rid, "returned", note="补拍照片")  # made before decisions
    service.revoke(db, b.device_id)

    def types(dev, since=0):
        page = app_client.get("/v1/pull", params={"since": since},
                              headers=dev.headers()).json()
        return [c["type"] for c in page["changes"]], page

    seen_a, page = types(a)
    assert seen_a == ["device_key", "device_key", "reference", "review", "device_key"]
    assert page["changes"][3]["data"]["note"] == "补拍照片"
    assert page["changes"][4]["data"]["revoked_at"]
    # Resume from a cursor: only what came after.
    later, _ = types(a, page["changes"][2]["seq"])
    assert later == ["review", "device_key"]
    c = enrol_fake(db, app_client, "王五")
    seen_c, _ = types(c)
    assert "review" not in seen_c  # a review goes to the record's own device only
    assert app_client.get("/v1/pull", headers=b.headers()).status_code == 403


def test_batch_file_import_checks_signatures_and_is_idempotent(app_client, tmp_path):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    bodies = [dev.batch([record(), record()]) for _ in range(3)]
    entries = [protocol.FileBatch(json.loads(zlib.decompress(b))["batch_id"], i + 1, b,
                                  protocol.sign_batch(dev.key, b)) for i, b in enumerate(bodies)]
    data = protocol.encode_file(dev.key, dev.device_id, dev.key_id, entries)
    first = app_client.post("/v1/import", content=data).json()["receipts"]
    assert [r["status"] for r in first] == ["applied"] * 3
    counts = _counts(db)
    second = app_client.post("/v1/import", content=data).json()["receipts"]
    assert second == first and _counts(db) == counts
    # A file signed by another key: refused as a whole.
    forged = protocol.encode_file(Ed25519PrivateKey.generate(), dev.device_id, dev.key_id,
                                  entries)
    assert app_client.post("/v1/import", content=forged).status_code == 401
    assert app_client.post("/v1/import", content=b"garbage").status_code == 400


def test_concurrent_identical_batches_store_once(app_client):
    db = app_client.db
    dev = enrol_fake(db, app_client)
    body = dev.batch([record() for _ in range(50)])
    sig = protocol.sign_batch(dev.key, body)
    results = []

    def send():
        results.append(service.ingest(db, body, sig, device_id=dev.device_id))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert _counts(db) == {"versions": 50, "batches": 1, "conflicts": 0}


def test_no_personal_data_in_server_logs(app_client, caplog):
    caplog.set_level("DEBUG")
    dev = enrol_fake(app_client.db, app_client, "赵六")
    body = dev.batch([record(product_name="电热水壶", manufacturer="𠮷祥日杂商行",
                             barcode="13800138000", remarks="110101199003077777")])
    assert app_client.post("/v1/batches", content=body,
                           headers=dev.headers(body)).status_code == 200
    # A refused record: its values stay out of the log and of the answer.
    bad = dev.batch([record(barcode="13800138000" * 3)])
    refused = app_client.post("/v1/batches", content=bad, headers=dev.headers(bad))
    assert refused.status_code == 400 and "13800138000" not in refused.text
    app_client.post("/v1/enroll", json={"code": "bad", "device_id": "x" * 36,
                                        "public_key": "13800138000"})
    text = caplog.text
    for secret in ("赵六", "𠮷祥", "13800138000", "110101199003077777", dev.credential):
        assert secret not in text


@pytest.mark.parametrize("content", ['"\\ud800"', '"a\\u0000b"'])
def test_odd_unicode_is_refused_or_kept_never_a_500(app_client, content):
    dev = enrol_fake(app_client.db, app_client)
    rid = str(uuid.uuid4())
    text = (f'{{"kind":"check","id":"{rid}","version":1,"name":{content}}}')
    sha = protocol.sha256_hex(text.encode("utf-8", "surrogatepass"))
    raw = (f'{{"v":1,"type":"batch","batch_id":"{uuid.uuid4()}",'
           f'"device_id":"{dev.device_id}","key_id":"{dev.key_id}","seq":1,'
           f'"created_at":"x","records":[{{"kind":"check","id":"{rid}","version":1,"base":0,'
           f'"sha256":"{sha}","content":{text}}}]}}')
    body = zlib.compress(raw.encode("utf-8", "surrogatepass"))
    r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 400 and r.json()["detail"]
    for bad_id in ("a\x00b", "x" * 37, "𠮷"):
        body = dev.batch([record(rid=bad_id)], seq=5)
        r = app_client.post("/v1/batches", content=body, headers=dev.headers(body))
        assert r.status_code == 400


def test_server_command_line(tmp_path, database_url, capsys):
    from sync.server import cli
    from sync.server.db import Database

    base = ["--data-dir", str(tmp_path / "srv"), "--database-url", database_url]
    assert cli.main(base + ["device", "add", "--inspector", "张三"]) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(code) == 27 and code.count("-") == 3
    db = Database(database_url)
    key = Ed25519PrivateKey.generate()
    device_id = str(uuid.uuid4())
    service.enrol(db, code, device_id, protocol.public_key_b64(key))
    assert cli.main(base + ["device", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [d["device_id"] for d in listed] == [device_id]
    assert cli.main(base + ["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["records"] == {"check": 0, "seizure": 0,
                                                              "worklog": 0}
    assert cli.main(base + ["device", "revoke", device_id]) == 0
    assert cli.main(base + ["device", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert cli.main(base + ["device", "revoke", str(uuid.uuid4())]) == 1
    (tmp_path / "bad.json").write_text("{}")
    assert cli.main(base + ["import", str(tmp_path / "bad.json")]) == 1
    assert "refused" in capsys.readouterr().err
    db.dispose()
