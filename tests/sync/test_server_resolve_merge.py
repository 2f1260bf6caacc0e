"""A conflict resolved by a new content made of the conflicting contents' fields
(sync/decisions.py `merge`): signed with the decision, checked by the server as synced
content is, stored as the next version (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid

import pytest
from synchelpers import enrol_fake, record, signed_decision

from sync import decisions, protocol
from sync.protocol import ProtocolError
from sync.server.models import Conflict, CurrentRecord, RecordVersion

AGENCY = "示例市市场监督管理局"
T = "2026-11-20T02:00:00.000000Z"


def _send(client, dev, records):
    body = dev.batch(records)
    r = client.post("/v1/batches", content=body, headers=dev.headers(body))
    assert r.status_code == 200, r.text
    return r.json()


def _in_conflict(client, kind, mine: dict, theirs: dict):
    """A record at version 2 (`mine`) with a conflicting version 2 (`theirs`)."""
    ins = enrol_fake(client.db, None, "张三", agency=AGENCY)
    sup = enrol_fake(client.db, None, "王科长", role="supervisor", agency=AGENCY)
    rid = str(uuid.uuid4())
    v2 = record(kind, rid, 2, **mine)
    _send(client, ins, [record(kind, rid, 1), v2])
    other = record(kind, rid, 2, **theirs)
    assert _send(client, ins, [other])["conflicts"][0]["reason"] == "different_content"
    return ins, sup, rid, v2, other


def _merged_env(sup, kind, rid, v2, content):
    return signed_decision(sup, kind, rid, 2, v2.sha256, "resolve", "品名以乙为准，型号以甲为准",
                           **decisions.new_content(json.loads(json.dumps(content))))


def _forged(sup, decision: dict) -> dict:
    """Signed as is, without the checks `decisions.sign` makes."""
    return {"decision": decision,
            "signature": protocol.b64e(sup.key.sign(decisions.signing_input(decision)))}


def _state(db, rid):
    with db.read() as session:
        cur = session.get(CurrentRecord, ("check", rid)) or session.get(
            CurrentRecord, ("seizure", rid))
        versions = session.query(RecordVersion).filter_by(record_id=rid).count()
        open_ = session.query(Conflict).filter_by(record_id=rid, resolved_at=None).count()
        return cur.version, cur.content_sha256, versions, open_


def test_a_merged_content_becomes_the_next_version(app_client):
    db = app_client.db
    ins, sup, rid, v2, other = _in_conflict(app_client, "check",
                                            {"product_name": "甲", "spec_model": "A-1"},
                                            {"product_name": "乙", "spec_model": "B-2"})
    merged = decisions.merge([v2.content, other.content], {"product_name": 1}, 3)
    assert (merged["product_name"], merged["spec_model"], merged["version"]) == ("乙", "A-1", 3)
    env = _merged_env(sup, "check", rid, v2, merged)
    r = app_client.post("/v1/decisions", json=env, headers=sup.headers())
    assert r.status_code == 200, r.text
    sha = protocol.content_sha256(merged)
    assert (r.json()["version"], r.json()["sha256"]) == (3, sha)
    assert _state(db, rid) == (3, sha, 3, 0)
    with db.read() as session:
        v3 = session.query(RecordVersion).filter_by(record_id=rid, version=3).one()
        assert json.loads(v3.content) == merged and v3.device_id == sup.device_id
    # The inspector's device receives the decision with its content, verifiable.
    page = app_client.get("/v1/pull", headers=ins.headers()).json()
    [got] = [c["data"] for c in page["changes"] if c["type"] == "decision"]
    assert decisions.verify(sup.key.public_key(), got)["content"] == merged


def test_a_merged_content_is_refused_unless_it_is_the_records_own_and_unaltered(app_client):
    db = app_client.db
    _ins, sup, rid, v2, other = _in_conflict(app_client, "check", {"product_name": "甲"},
                                             {"product_name": "乙"})
    before = _state(db, rid)
    merged = decisions.merge([v2.content, other.content], {"product_name": 1}, 3)

    def post(env):
        return app_client.post("/v1/decisions", json=env, headers=sup.headers())

    # Content altered after signing (its hash updated too): the signature fails.
    env = _merged_env(sup, "check", rid, v2, merged)
    env["decision"]["content"]["product_name"] = "丙"
    env["decision"]["chosen_sha256"] = protocol.content_sha256(env["decision"]["content"])
    r = post(env)
    assert r.status_code == 401, r.text
    # Content altered, hash not: refused as not the content hashed.
    env = _merged_env(sup, "check", rid, v2, merged)
    env["decision"]["content"]["product_name"] = "丙"
    r = post(env)
    assert r.status_code == 422 and "hash" in r.json()["detail"]
    # Another record's id, signed as such.
    alien = merged | {"id": str(uuid.uuid4())}
    decision = _merged_env(sup, "check", rid, v2, merged)["decision"] | \
        decisions.new_content(alien)
    r = post(_forged(sup, decision))
    assert r.status_code == 422 and "its id and kind" in r.json()["detail"]
    # A value neither side holds.
    invented = merged | {"product_name": "丙"}
    r = post(_merged_env(sup, "check", rid, v2, invented))
    assert r.status_code == 422
    assert "none of theirs: product_name" in r.json()["detail"]
    # Not the next version after the one decided on.
    r = post(_forged(sup, decision | decisions.new_content(merged | {"version": 4})))
    assert r.status_code == 422 and "version 3" in r.json()["detail"]
    assert _state(db, rid) == before  # nothing stored, the conflict still open


def test_a_merged_seizure_breaking_the_rules_is_refused_with_its_reason(app_client):
    db = app_client.db
    # Two valid emergency reports: on time; late, with its reason.
    _ins, sup, rid, v2, other = _in_conflict(
        app_client, "seizure",
        {"emergency": True, "started_at": T, "emergency_approver": "局长",
         "emergency_reported_at": "2026-11-20T03:00:00.000000Z"},
        {"emergency": True, "started_at": T, "emergency_approver": "局长",
         "emergency_reported_at": "2026-11-21T08:00:00.000000Z",
         "emergency_report_reason": "路远，当日无法报告"})
    before = _state(db, rid)
    # The late time without its reason.
    merged = decisions.merge([v2.content, other.content], {"emergency_reported_at": 1}, 3)
    r = app_client.post("/v1/decisions", json=_merged_env(sup, "seizure", rid, v2, merged),
                        headers=sup.headers())
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "breaks the rules of a seizure" in detail and "emergency_report_reason" in detail
    assert _state(db, rid) == before
    # The late time with its reason is taken.
    merged = decisions.merge([v2.content, other.content], {"emergency_reported_at": 1,
                                                          "emergency_report_reason": 1}, 3)
    r = app_client.post("/v1/decisions", json=_merged_env(sup, "seizure", rid, v2, merged),
                        headers=sup.headers())
    assert r.status_code == 200, r.text
    assert _state(db, rid)[:2] == (3, protocol.content_sha256(merged))


def test_a_stale_merge_is_refused(app_client):
    db = app_client.db
    ins, sup, rid, v2, other = _in_conflict(app_client, "check", {"product_name": "甲"},
                                            {"product_name": "乙"})
    merged = decisions.merge([v2.content, other.content], {"product_name": 1}, 3)
    env = _merged_env(sup, "check", rid, v2, merged)
    _send(app_client, ins, [record("check", rid, 3, product_name="甲（又改）")])
    r = app_client.post("/v1/decisions", json=env, headers=sup.headers())
    assert r.status_code == 409 and "stale resolve" in r.json()["detail"]
    assert _state(db, rid)[0] == 3


def test_the_signature_covers_the_content_and_old_resolves_stay_valid():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    rid = str(uuid.uuid4())
    base = {"kind": "check", "record_id": rid, "version": 2, "sha256": "a" * 64,
            "action": "resolve", "text": "合并", "by": "王科长",
            "device_id": str(uuid.uuid4()), "key_id": "0123456789abcdef"}
    content = {"id": rid, "kind": "check", "version": 3, "product_name": "乙"}
    env = decisions.sign(key, decisions.make(**base, **decisions.new_content(content)))
    assert decisions.verify(key.public_key(), env)["content"] == content
    tampered = json.loads(json.dumps(env))
    tampered["decision"]["content"]["product_name"] = "丙"
    tampered["decision"]["chosen_sha256"] = protocol.content_sha256(
        tampered["decision"]["content"])
    with pytest.raises(ProtocolError) as caught:
        decisions.verify(key.public_key(), tampered)
    assert caught.value.status == 401
    # A resolve choosing a held version, as made before: still valid and verified.
    old = decisions.sign(key, decisions.make(**base, chosen_version=2,
                                             chosen_sha256="b" * 64))
    assert "content" not in decisions.verify(key.public_key(), old)
    # merge and invented: each field one side's, whole.
    left = {"id": rid, "version": 2, "items": [{"n": 1}], "a": 1}
    right = {"id": rid, "version": 2, "items": [{"n": 2}], "b": True}
    both = decisions.merge([left, right], {"items": 1, "a": 1}, 3)
    assert both == {"id": rid, "version": 3, "items": [{"n": 2}]}
    assert decisions.invented(both, [left, right]) == []
    assert decisions.invented(both | {"b": 1}, [left, right]) == ["b"]  # 1 is not true
