"""Signed decisions on the server (SQLite and PostgreSQL): review states, conflicts
resolved, records handed over, idempotency, refusals; stats; the s0005 migration."""

from __future__ import annotations

import json
import uuid

from synchelpers import FAILED_ITEM, enrol_fake, record, signed_decision

from sync import decisions, protocol
from sync.server import review, service
from sync.server.models import Conflict, CurrentRecord, ServerDecision

AGENCY = "示例市市场监督管理局"


def _setup(client):
    db = client.db
    ins = enrol_fake(db, None, "张三", agency=AGENCY)
    sup = enrol_fake(db, None, "王科长", role="supervisor", agency=AGENCY)
    return ins, sup


def _send(client, dev, records):
    body = dev.batch(records)
    r = client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 200, r.text
    return r.json()


def _decide(client, sup, env):
    return client.post("/v1/decisions", json=env, headers=sup.headers())


def _current(db, rid):
    with db.read() as session:
        return session.get(CurrentRecord, ("check", rid))


def _pulled(client, dev, kind="decision"):
    page = client.get("/v1/pull", headers=dev.headers()).json()
    return [c["data"] for c in page["changes"] if c["type"] == kind]


def test_return_correct_approve_round_trip(app_client):
    db = app_client.db
    ins, sup = _setup(app_client)
    v1 = record("check", product_name="电热水壶")
    _send(app_client, ins, [v1])
    returned = signed_decision(sup, "check", v1.id, 1, v1.sha256, "return", "补拍铭牌照片")
    r = _decide(app_client, sup, returned)
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert receipt["status"] == "stored" and receipt["review_state"] == "returned"
    assert receipt["id"] == returned["decision"]["id"]
    # The inspector's device receives it and can verify who decided.
    got = _pulled(app_client, ins)
    assert got == [returned]
    assert decisions.verify(sup.key.public_key(), got[0])["text"] == "补拍铭牌照片"
    # The same envelope again: the same receipt, stored and fed once.
    assert _decide(app_client, sup, returned).json() == receipt
    assert len(_pulled(app_client, ins)) == 1
    # Approving the old version once corrected is stale: 409 naming the versions.
    v2 = record("check", v1.id, 2, product_name="电热水壶（已改）")
    _send(app_client, ins, [v2])
    assert _current(db, v1.id).review_state == "pending"  # corrected: back in the queue
    stale = _decide(app_client, sup, signed_decision(sup, "check", v1.id, 1, v1.sha256,
                                                     "approve"))
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    ok = _decide(app_client, sup, signed_decision(sup, "check", v1.id, 2, v2.sha256,
                                                  "approve"))
    assert ok.status_code == 200 and ok.json()["review_state"] == "approved"
    assert _current(db, v1.id).review_state == "approved"
    assert [d["decision"]["action"] for d in review.list_decisions(db, "check", v1.id)] == [
        "return", "approve"]
    assert review.stats(db)["review"] == {"pending": 0, "returned": 0, "approved": 1,
                                          "rejected": 0}


def test_bad_decisions_get_a_clear_4xx_and_nothing_is_stored(app_client):
    db = app_client.db
    ins, sup = _setup(app_client)
    v1 = record("check")
    _send(app_client, ins, [v1])
    good = signed_decision(sup, "check", v1.id, 1, v1.sha256, "reject", "不属于本次抽查")
    forged = dict(good, signature=signed_decision(ins, "check", v1.id, 1, v1.sha256,
                                                  "reject", "x")["signature"])
    cases = {
        401: forged,
        403: signed_decision(ins, "check", v1.id, 1, v1.sha256, "approve"),  # not the caller
        404: signed_decision(sup, "check", str(uuid.uuid4()), 1, v1.sha256, "approve"),
        422: {"decision": dict(good["decision"], text=""), "signature": good["signature"]},
    }
    for status, env in cases.items():
        r = _decide(app_client, sup, env)
        assert r.status_code == status, (status, r.text)
        assert len(r.json()["detail"]) > 10
    not_json = app_client.post("/v1/decisions", content=b"{nope", headers=sup.headers())
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["detail"]
    assert _decide(app_client, sup, [1, 2]).status_code == 422
    with db.read() as session:
        assert session.query(ServerDecision).count() == 0
    assert _decide(app_client, sup, good).status_code == 200
    # Another decision under the same id: refused, the first one kept.
    other = signed_decision(sup, "check", v1.id, 1, v1.sha256, "approve")
    other["decision"]["id"] = good["decision"]["id"]
    from sync.decisions import sign

    reused = _decide(app_client, sup, sign(sup.key, other["decision"]))
    assert reused.status_code == 409 and "already used" in reused.json()["detail"]
    assert _current(db, v1.id).review_state == "rejected"


def test_a_conflict_is_resolved_by_a_signed_choice(app_client):
    db = app_client.db
    ins, sup = _setup(app_client)
    rid = str(uuid.uuid4())
    v1, v2 = record("check", rid, 1), record("check", rid, 2, product_name="甲")
    _send(app_client, ins, [v1, v2])
    other_v2 = record("check", rid, 2, product_name="乙")
    assert _send(app_client, ins, [other_v2])["conflicts"][0]["reason"] == "different_content"
    bad_choice = signed_decision(sup, "check", rid, 2, v2.sha256, "resolve", "以乙为准",
                                 chosen_version=2, chosen_sha256="f" * 64)
    assert _decide(app_client, sup, bad_choice).status_code == 422
    env = signed_decision(sup, "check", rid, 2, v2.sha256, "resolve", "以乙为准",
                          chosen_version=2, chosen_sha256=other_v2.sha256)
    r = _decide(app_client, sup, env)
    assert r.status_code == 200, r.text
    # The chosen content is now the current one, as a new version 3; nothing overwritten.
    cur = _current(db, rid)
    assert r.json()["version"] == cur.version == 3 and cur.review_state == "pending"
    from sync.server.models import RecordVersion

    with db.read() as session:
        v3 = session.query(RecordVersion).filter_by(record_id=rid, version=3).one()
        assert json.loads(v3.content)["product_name"] == "乙"
        assert json.loads(v3.content)["version"] == 3 and v3.device_id == sup.device_id
        assert session.query(RecordVersion).filter_by(record_id=rid).count() == 3
        assert all(c.resolved_at for c in session.query(Conflict).filter_by(record_id=rid))
    assert _pulled(app_client, ins) == [env]
    again = signed_decision(sup, "check", rid, 3, cur.content_sha256, "resolve", "再次",
                            chosen_version=3, chosen_sha256=cur.content_sha256)
    r2 = _decide(app_client, sup, again)
    assert r2.status_code == 409 and "no unresolved conflict" in r2.json()["detail"]


def test_a_supervisor_hands_a_record_to_a_colleague(app_client):
    db = app_client.db
    ins, sup = _setup(app_client)
    colleague = enrol_fake(db, None, "李四", agency=AGENCY)
    stranger = enrol_fake(db, None, "外县", agency="另一县市场监督管理局")
    rid = str(uuid.uuid4())
    v1 = record("seizure", rid, 1)
    _send(app_client, ins, [v1])
    away = signed_decision(sup, "seizure", rid, 1, v1.sha256, "handover", "张三休假",
                           to_device_id=stranger.device_id)
    refused = _decide(app_client, sup, away)
    assert refused.status_code == 422 and "of its agency" in refused.json()["detail"]
    env = signed_decision(sup, "seizure", rid, 1, v1.sha256, "handover", "张三休假",
                          to_device_id=colleague.device_id)
    r = _decide(app_client, sup, env)
    assert r.status_code == 200 and r.json()["owner_device_id"] == colleague.device_id
    with db.read() as session:
        assert session.get(CurrentRecord, ("seizure", rid)).owner_device_id == \
            colleague.device_id
    # Both devices learn of it: the decision and the handover.
    for dev in (ins, colleague):
        assert _pulled(app_client, dev) == [env]
        assert _pulled(app_client, dev, "handover")[0]["decided_by"] == \
            f"device:{sup.device_id}"
    # The new owner writes it; the old owner's late version is a conflict, not applied.
    assert _send(app_client, colleague, [record("seizure", rid, 2, term_days=20)])[
        "applied"] == 1
    late = _send(app_client, ins, [record("seizure", rid, 2, term_days=10)])
    assert late["conflicts"][0]["reason"] == "handed_over"


def test_stats_count_by_kind_state_result_and_review(app_client, tmp_path, capsys):
    from sync.server import cli

    db = app_client.db
    ins, sup = _setup(app_client)
    checks = [record("check", status="final", outcome="nonconforming",
                     measure="correct", items=[FAILED_ITEM]),
              record("check", status="final", outcome="conforming"),
              record("check", status="draft", outcome="pending")]
    _send(app_client, ins, checks + [record("seizure"), record("worklog", status="open")])
    c = checks[0]
    _decide(app_client, sup, signed_decision(sup, "check", c.id, 1, c.sha256, "return", "补"))
    base = ["--data-dir", str(tmp_path / "cli"), "--database-url", db.url]
    assert cli.main(base + ["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["records"] == {"check": 3, "seizure": 1, "worklog": 1}
    assert data["states"] == {"check": {"final": 2, "draft": 1}, "seizure": {"draft": 1},
                              "worklog": {"open": 1}}
    assert data["results"] == {"check": {"nonconforming": 1, "conforming": 1, "pending": 1}}
    assert data["review"] == {"pending": 4, "returned": 1, "approved": 0, "rejected": 0}
    assert data["open_conflicts"] == 0
    assert cli.main(base + ["stats"]) == 0
    text = capsys.readouterr().out
    assert "check                3  (draft 1, final 2)" in text
    assert "review      pending 4, returned 1" in text


def test_command_line_enrols_supervisors_and_refuses_unsigned_reviews(tmp_path, database_url,
                                                                     capsys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sync.server import cli
    from sync.server.db import Database

    base = ["--data-dir", str(tmp_path / "srv"), "--database-url", database_url]
    assert cli.main(base + ["device", "add", "--inspector", "王科长", "--agency", AGENCY,
                            "--role", "supervisor"]) == 0
    out = capsys.readouterr().out
    assert "supervisor's device" in out
    db = Database(database_url)
    enrolled = service.enrol(db, out.strip().splitlines()[-1], str(uuid.uuid4()),
                             protocol.public_key_b64(Ed25519PrivateKey.generate()))
    assert enrolled.role == "supervisor"
    assert cli.main(base + ["device", "add", "--inspector", "张三"]) == 0
    capsys.readouterr()
    assert cli.main(base + ["device", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(d["inspector"], d["role"]) for d in listed] == [("王科长", "supervisor"),
                                                             ("张三", "inspector")]
    assert cli.main(base + ["device", "list"]) == 0
    assert "supervisor" in capsys.readouterr().out
    assert cli.main(base + ["review", "check", str(uuid.uuid4()), "approved"]) == 1
    assert "--role supervisor" in capsys.readouterr().err
    db.dispose()


def test_migration_s0005_gives_roles_facts_and_every_applied_batch_to_supervisors(
        database_url):
    from alembic import command
    from sqlalchemy import text

    from sync.server.db import Database, alembic_config, migrate

    db = Database(database_url, upgrade=False)
    try:
        migrate(db.write_engine, "s0004")  # a fresh SQLite file
        with db.write_engine.begin() as conn:  # the PostgreSQL template is at head
            command.downgrade(alembic_config(conn), "s0004")
        content = protocol.dumps({"kind": "check", "status": "final",
                                  "outcome": "nonconforming"})
        with db.write_engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO devices (id, key_id, public_key, inspector, agency, "
                "credential_hash, enrolled_at, applied_seq, stored_bytes) VALUES "
                "('d1', 'k1', 'p', 'i', :a, 'h', CURRENT_TIMESTAMP, 2, 0)"), {"a": AGENCY})
            for seq in (1, 2):
                conn.execute(text(
                    "INSERT INTO batches (id, device_id, seq, body, body_sha256, signature, "
                    "source, records, received_at, status, applied_at, receipt) VALUES "
                    "(:id, 'd1', :seq, :body, 's', 'g', 'http', 1, CURRENT_TIMESTAMP, "
                    "'applied', CURRENT_TIMESTAMP, '{}')"),
                    {"id": f"b{seq}", "seq": seq, "body": b"x"})
            conn.execute(text(
                "INSERT INTO record_versions (kind, record_id, version, base_version, "
                "content, content_sha256, device_id, batch_id, received_at) VALUES "
                "('check', 'r1', 1, 0, :c, 's', 'd1', 'b1', CURRENT_TIMESTAMP)"), {"c": content})
            conn.execute(text(
                "INSERT INTO current_records (kind, record_id, version, content_sha256, "
                "owner_device_id, updated_at) VALUES ('check', 'r1', 1, 's', 'd1', "
                "CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO reviews (id, kind, record_id, version, decision, note, reviewer, "
                "decided_at) VALUES ('v1', 'check', 'r1', 1, 'returned', '', '', "
                "CURRENT_TIMESTAMP)"))
        migrate(db.write_engine)
        with db.read() as session:
            from sync.server.models import Device, FeedEntry

            assert session.get(Device, "d1").role == "inspector"
            cur = session.get(CurrentRecord, ("check", "r1"))
            assert (cur.state, cur.result, cur.review_state) == ("final", "nonconforming",
                                                                 "returned")
            feed = session.query(FeedEntry).filter_by(type="batch").order_by(
                FeedEntry.seq).all()
            assert [json.loads(f.data)["batch_id"] for f in feed] == ["b1", "b2"]
            assert {f.audience for f in feed} == {service.supervisors_of(AGENCY)}
    finally:
        db.dispose()


def test_odd_bodies_get_a_4xx_never_a_500(app_client):
    ins, sup = _setup(app_client)
    v1 = record("check")
    _send(app_client, ins, [v1])
    good = signed_decision(sup, "check", v1.id, 1, v1.sha256, "approve")["decision"]
    from sync import bulletins

    b = bulletins.make(agency=AGENCY, period_from="2026-11-01", period_to="2026-11-30",
                       items=[], by="王科长", device_id=sup.device_id, key_id=sup.key_id)
    odd = [None, [], "x", 1, {}, {"decision": None, "signature": None},
           {"decision": good, "signature": 1}, {"decision": good, "signature": "!!"},
           {"decision": dict(good, version="1"), "signature": "x"},
           {"decision": dict(good, kind=["check"]), "signature": "x"},
           {"decision": dict(good, action="resolve"), "signature": "x"},
           {"decision": dict(good, text="\x00"), "signature": "x"},
           {"decision": dict(good, extra=1), "signature": "x"}]
    odd_bulletins = [None, {"bulletin": None, "signature": "x"},
                     {"bulletin": dict(b, items=[1]), "signature": "x"},
                     {"bulletin": dict(b, items=[{"product": 1}]), "signature": "x"},
                     {"bulletin": dict(b, totals="x"), "signature": "x"},
                     {"bulletin": dict(b, period_from=20261101), "signature": "x"},
                     {"bulletin": dict(b, agency="𠮷" * 300), "signature": "x"},
                     {"bulletin": b, "signature": ["x"]}]
    for path, bodies in (("/v1/decisions", odd), ("/v1/bulletins", odd_bulletins)):
        for body in bodies:
            r = app_client.post(path, json=body, headers=sup.headers())
            assert 400 <= r.status_code < 500, (path, body, r.text)
            assert r.json()["detail"]
    # A handover to a supervisor's device, or to nobody: refused with a reason.
    for target, status in ((sup.device_id, 422), (str(uuid.uuid4()), 404)):
        env = signed_decision(sup, "check", v1.id, 1, v1.sha256, "handover", "x",
                              to_device_id=target)
        r = _decide(app_client, sup, env)
        assert r.status_code == status and r.json()["detail"]
