"""Who may write a record on the server (its creator, or the device it was handed to), the
version rule (exactly base + 1), and catch-up of waiting batches in bounded steps."""

from __future__ import annotations

import json
import uuid

from synchelpers import enrol_fake, record, server_versions

from sync import protocol
from sync.server import handover, service
from sync.server.models import Batch, CurrentRecord, Device


def _counts(db) -> dict:
    d = service.details(db)
    return {k: d[k] for k in ("versions", "batches", "conflicts")}


def _post(client, dev, recs, seq=None):
    body = dev.batch(recs, seq=seq)
    return client.post("/v1/batches", content=body, headers=dev.headers(body))


def _current(db, rid, kind="check") -> CurrentRecord:
    with db.read() as session:
        return session.get(CurrentRecord, (kind, rid))


def test_another_devices_version_is_refused_and_the_owner_goes_on(app_client):
    db = app_client.db
    a, b = enrol_fake(db, app_client, "张三"), enrol_fake(db, app_client, "李四")
    rid = str(uuid.uuid4())
    v1 = record("check", rid, 1)
    assert _post(app_client, a, [v1]).json()["applied"] == 1
    before = _counts(db)
    # B writes version 2 of A's record, beside a record of its own: the batch is refused
    # whole, naming the record and why; nothing is stored, not even the batch.
    r = _post(app_client, b, [record("check"), record("check", rid, 2, product_name="夺")])
    assert r.status_code == 403, r.text
    assert "belongs to another device" in r.json()["detail"]
    assert r.json()["refused"] == [{"position": 1, "kind": "check", "id": rid, "version": 2,
                                    "base": 1, "reason": "not_owner"}]
    assert _counts(db) == before and service.stats(db)["check"] == 1
    # Other content under A's version 1: refused too (no conflict piles up for A).
    b.seq -= 1  # the refused batch used no sequence number
    r = _post(app_client, b, [record("check", rid, 1, product_name="别的")])
    assert r.status_code == 403 and _counts(db) == before
    # The very same version 1 (a relay of a record B imported): a no-op, accepted.
    b.seq -= 1
    r = _post(app_client, b, [v1])
    assert r.status_code == 200 and r.json()["duplicates"] == 1
    # A's next real edit still applies, with no conflict.
    r = _post(app_client, a, [record("check", rid, 2, product_name="改")]).json()
    assert r["applied"] == 1 and r["conflicts"] == []
    assert _current(db, rid).version == 2 and _current(db, rid).owner_device_id == a.device_id
    assert {v for _k, i, v, _s in server_versions(db) if i == rid} == {1, 2}


def test_a_batch_that_waits_is_checked_before_it_is_stored(app_client):
    db = app_client.db
    a, b = enrol_fake(db, app_client, "张三"), enrol_fake(db, app_client, "李四")
    rid = str(uuid.uuid4())
    _post(app_client, a, [record("check", rid, 1)])
    before = _counts(db)
    r = _post(app_client, b, [record("check", rid, 2, product_name="夺")], seq=5)
    assert r.status_code == 403 and r.json()["refused"][0]["reason"] == "not_owner"
    assert _counts(db) == before


def test_a_version_must_be_its_base_plus_one(app_client):
    db = app_client.db
    a = enrol_fake(db, app_client)
    rid = str(uuid.uuid4())
    _post(app_client, a, [record("check", rid, 1)])
    before = _counts(db)
    for version, base in ((protocol.MAX_INT, 1), (3, 1), (protocol.MAX_INT, 0)):
        r = _post(app_client, a, [record("check", rid, version, base=base)], seq=2)
        assert r.status_code == 400, r.text
        assert "base + 1" in r.json()["detail"]
        assert r.json()["refused"][0]["reason"] == "not_next"
        assert _counts(db) == before
    assert _current(db, rid).version == 1
    assert _post(app_client, a, [record("check", rid, 2)], seq=2).json()["applied"] == 1


def test_after_a_handover_the_new_device_writes_and_the_old_one_cannot(app_client, tmp_path,
                                                                       capsys):
    from sync.server import cli

    db = app_client.db
    a, b, c = (enrol_fake(db, app_client, n) for n in ("张三", "李四", "王五"))
    rid = str(uuid.uuid4())
    _post(app_client, a, [record("seizure", rid, 1)])
    base = ["--data-dir", str(app_client.data_dir), "--database-url", db.url]
    assert cli.main(base + ["handover", "seizure", rid, "--to", b.device_id,
                            "--reason", "张三病假", "--by", "科长"]) == 0
    assert b.device_id in capsys.readouterr().out
    assert _current(db, rid, "seizure").owner_device_id == b.device_id
    # B's edit applies; A's (made before it learnt of the handover) does not: it is kept
    # as a conflict for a supervisor and A's batch goes through, so A is not stuck.
    r = _post(app_client, b, [record("seizure", rid, 2, place="李四改")]).json()
    assert r["applied"] == 1 and r["conflicts"] == []
    r = _post(app_client, a, [record("check"), record("seizure", rid, 2, place="张三改"),
                              record("seizure", rid, 3, place="张三再改")]).json()
    assert r["applied"] == 1
    assert [c["reason"] for c in r["conflicts"]] == ["handed_over", "handed_over"]
    versions = {(i, v): s for _k, i, v, s in server_versions(db) if i == rid}
    assert set(versions) == {(rid, 1), (rid, 2)}
    assert _current(db, rid, "seizure").version == 2
    # A device that never held it: refused as before.
    r = _post(app_client, c, [record("seizure", rid, 3)])
    assert r.status_code == 403
    c.seq -= 1
    # Recorded and listed: who, when, why.
    assert cli.main(base + ["handovers", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 1
    h = listed[0]
    assert (h["kind"], h["record_id"], h["version"], h["from_device_id"], h["to_device_id"],
            h["reason"], h["decided_by"]) == ("seizure", rid, 1, a.device_id, b.device_id,
                                              "张三病假", "科长")
    assert h["decided_at"].endswith("Z")
    # Both devices learn of it on their next pull; the third does not.
    def pulled(dev):
        page = app_client.get("/v1/pull", headers=dev.headers()).json()
        return [x["data"]["record_id"] for x in page["changes"] if x["type"] == "handover"]
    assert pulled(a) == [rid] and pulled(b) == [rid] and pulled(c) == []
    # Through the API only the device that holds the record may hand it over.
    body = {"kind": "seizure", "record_id": rid, "to_device_id": c.device_id,
            "reason": "换班"}
    denied = app_client.post("/v1/handovers", json=body, headers=a.headers())
    assert denied.status_code == 403 and denied.json()["detail"]
    assert app_client.post("/v1/handovers", json=body).status_code == 401
    given = app_client.post("/v1/handovers", json=body, headers=b.headers())
    assert given.status_code == 200, given.text
    assert given.json()["decided_by"] == f"device:{b.device_id}"
    again = app_client.post("/v1/handovers", json=body, headers=c.headers())
    assert again.status_code == 409  # C holds it already
    mine = app_client.get("/v1/handovers", headers=c.headers()).json()["handovers"]
    assert [(x["from_device_id"], x["to_device_id"]) for x in mine] == [
        (b.device_id, c.device_id)]
    assert len(handover.list_handovers(db, "seizure", rid)) == 2
    assert _post(app_client, c, [record("seizure", rid, 3)]).json()["applied"] == 1


def test_handover_refusals(app_client, capsys):
    from sync.server import cli

    db = app_client.db
    a, b = enrol_fake(db, app_client, "张三"), enrol_fake(db, app_client, "李四")
    rid = str(uuid.uuid4())
    _post(app_client, a, [record("check", rid, 1)])
    base = ["--data-dir", str(app_client.data_dir), "--database-url", db.url]
    for args, words in ((["check", str(uuid.uuid4()), "--to", b.device_id], "no such record"),
                        (["check", rid, "--to", str(uuid.uuid4())], "no such device"),
                        (["check", rid, "--to", "nobody"], "UUID"),
                        (["check", rid, "--to", a.device_id], "already belongs")):
        assert cli.main(base + ["handover", *args]) == 1
        assert words in capsys.readouterr().err
    service.revoke(db, b.device_id)
    assert cli.main(base + ["handover", "check", rid, "--to", b.device_id]) == 1
    assert "revoked" in capsys.readouterr().err
    assert handover.list_handovers(db) == []
    assert _current(db, rid).owner_device_id == a.device_id


def test_waiting_batches_catch_up_in_bounded_steps(app_client, monkeypatch):
    db = app_client.db
    monkeypatch.setattr(service, "CATCH_UP_BATCHES", 10)
    a, other = enrol_fake(db, app_client, "张三"), enrol_fake(db, app_client, "李四")
    bodies = {seq: a.batch([record(), record()], seq=seq) for seq in range(1, 51)}

    def send(seq):
        r = app_client.post("/v1/batches", content=bodies[seq],
                            headers=a.headers(bodies[seq]))
        assert r.status_code == 200, r.text
        return r.json()

    def applied_seq():
        with db.read() as session:
            return session.get(Device, a.device_id).applied_seq

    for seq in range(2, 51):
        assert send(seq)["status"] == "waiting"
    assert service.stats(db)["check"] == 0
    # The late batch applies, and 10 of those that waited for it: no more.
    assert send(1)["status"] == "applied"
    assert applied_seq() == 11
    # Another device is not held up meanwhile.
    assert _post(app_client, other, [record()]).json()["status"] == "applied"
    # The device sends its waiting batches again (as its agent does): each request
    # applies at most 10 more, until all have applied, in order.
    steps = []
    for seq in range(2, 51):
        before = applied_seq()
        receipt = send(seq)
        steps.append(applied_seq() - before)
        assert receipt["status"] == "applied"
    assert max(steps) == 10 and applied_seq() == 50
    assert _counts(db) == {"versions": 101, "batches": 51, "conflicts": 0}
    assert service.stats(db)["check"] == 101
    with db.read() as session:
        rows = session.execute(
            Batch.__table__.select().where(Batch.device_id == a.device_id)
            .order_by(Batch.seq)).all()
    assert [r.seq for r in rows] == list(range(1, 51))
    assert all(r.status == "applied" for r in rows)
    assert all(rows[i].applied_at <= rows[i + 1].applied_at for i in range(49))


def test_the_version_rule_where_each_place_differs():
    from sync.versions import Verdict, for_import, for_server, newer, next_version

    sha, other = "a" * 64, "b" * 64
    assert next_version(3) == 4
    assert for_server(1, 0, 0, None, sha) == Verdict.CREATE
    assert for_server(3, 2, 2, None, sha) == Verdict.APPLY
    assert for_server(2, 1, 2, sha, sha) == Verdict.DUPLICATE
    assert for_server(2, 1, 2, other, sha) == Verdict.DIFFERENT_CONTENT
    assert for_server(5, 4, 2, None, sha) == Verdict.UNKNOWN_BASE
    assert for_server(protocol.MAX_INT, 2, 2, None, sha) == Verdict.NOT_NEXT
    # The importer takes a jump the server refuses: a file holds only the latest version.
    assert for_import(protocol.MAX_INT, 2, None) == Verdict.APPLY
    assert for_import(1, 2, None) == Verdict.STALE_BASE
    assert for_import(2, None, None) == Verdict.CREATE
    assert for_import(2, 2, True) == Verdict.DUPLICATE and for_import(2, 2, False).conflict
    assert newer(3, 2) and not newer(2, 2) and newer(1, None)


def test_sqlite_writers_take_turns_first_come_first_served():
    import threading

    from sync.server.db import FairQueue

    queue = FairQueue()
    first = queue.acquire(1)
    order, started = [], []

    def writer(n):
        started.append(n)
        ticket = queue.acquire(10)
        order.append(n)
        queue.release(ticket)

    threads = []
    for n in range(5):
        t = threading.Thread(target=writer, args=(n,))
        t.start()
        threads.append(t)
        while len(started) <= n or queue._next <= n + 1:  # queued in this order
            threading.Event().wait(0.001)
    assert queue.acquire(0.01) is None  # gave up waiting: skipped, never blocks the rest
    queue.release(first)
    for t in threads:
        t.join()
    assert order == [0, 1, 2, 3, 4]
    assert queue.acquire(1) is not None


def test_a_device_offline_during_a_handover_loses_nothing_and_goes_on(client_device, server):
    """The real agent: an edit made before the device learnt of a handover is kept as a
    conflict, its batch applies, and the device's later changes still reach the server."""
    from synchelpers import fast_options

    from inspector_app.core.sync import agent

    dev = client_device
    dev.enroll(server)
    rid = dev.add_checks(1)[0]
    assert agent.SyncAgent(dev.store, fast_options()).run().ok
    other = enrol_fake(server.db, None, "李四")
    handover.hand_over(server.db, "check", rid, other.device_id, reason="调岗",
                       decided_by="科长")
    dev.edit_check(rid, remarks="交接前的修改")
    later = dev.add_checks(2, prefix="交接后")
    report = agent.SyncAgent(dev.store, fast_options()).run()
    assert report.ok, report.error
    assert [c["reason"] for c in report.conflicts] == ["handed_over"]
    assert _current(server.db, rid).version == 1
    assert _current(server.db, rid).owner_device_id == other.device_id
    assert all(_current(server.db, i).owner_device_id == dev.device_id for i in later)
    dev.add_checks(1, prefix="再后来")
    assert agent.SyncAgent(dev.store, fast_options()).run().ok
    assert service.stats(server.db)["check"] == 4
