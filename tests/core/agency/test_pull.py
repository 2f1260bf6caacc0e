"""What a pull brings a supervisor's and an inspector's device: the agency's batches,
fetched and imported, and signed decisions, verified before they are stored or applied.

The server side of these change types is built separately; here the server is an httpx
MockTransport answering as the contract says (SUPERVISOR.md)."""

from __future__ import annotations

import pytest
from agency_helpers import URL, Dev, FakeServer, check, counts, enrolled, supervisor
from sqlalchemy import func, select

from inspector_app.core.agency import files
from inspector_app.core.models import AgencyConflict, AgencyRecord, Decision
from inspector_app.core.sync import agent, state
from sync import protocol


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch):
    monkeypatch.setenv("INSPECTOR_NO_KEYRING", "1")


def _sync(store, server: FakeServer) -> agent.SyncReport:
    report = agent.SyncAgent(store, transport=server.transport(), sleep=lambda s: None).run()
    assert not report.error, report.error
    return report


def test_enrolment_keeps_the_role_the_server_gives(tmp_path):
    from inspector_app.core.store import Store

    store = Store(tmp_path / "s")
    agent.enroll(store, URL, "CODE", transport=FakeServer().transport())
    with store.read() as session:
        assert state.DEVICE_ROLE.get(session) == "supervisor"
        assert state.is_supervisor(session)


def test_a_supervisor_imports_pulled_batches_and_applies_decisions(tmp_path):
    inspector, boss = Dev("李娜"), Dev("陈主任")
    server = FakeServer()
    server.key(inspector)
    server.key(boss, "supervisor")
    chk = check(inspector)
    server.batch(inspector, [chk, check(inspector)])
    server.add("decision", boss.decide("check", chk.id, 1, chk.sha256, "return",
                                       "请补充生产日期"))
    store = supervisor(tmp_path / "sup")  # knows no key yet: the pull brings them
    enrolled(store, "supervisor")

    report = _sync(store, server)
    assert report.imported.new == 2 and not report.imported.refused
    assert report.decisions == 1
    with store.read() as session:
        rec = session.get(AgencyRecord, ("check", chk.id))
        assert (rec.review_state, rec.inspector) == ("returned", "李娜")
        decision = session.scalar(select(Decision))
        assert (decision.action, decision.text, decision.by) == ("return", "请补充生产日期",
                                                                  "陈主任")
        assert decision.sent_at is not None  # the server holds it: never posted again

    # The inspector corrects it; the next pull brings the new version: pending again.
    server.batch(inspector, [check(inspector, chk.id, 2, remarks="已补充")])
    again = _sync(store, server)
    assert again.imported.updated == 1
    with store.read() as session:
        assert session.get(AgencyRecord, ("check", chk.id)).review_state == "pending"

    # The whole feed pulled again changes nothing.
    before = counts(store)
    with store.write() as session:
        state.PULL_CURSOR.set(session, 0)
    third = _sync(store, server)
    assert (third.imported.new, third.imported.updated, third.imported.duplicate_batches) == (
        0, 0, 2)
    assert counts(store) == before


def test_an_unverifiable_decision_is_kept_aside_never_applied(tmp_path):
    inspector, boss, impostor = Dev("李娜"), Dev("陈主任"), Dev("冒名")
    server = FakeServer()
    server.key(inspector)
    server.key(boss, "supervisor")
    chk = check(inspector)
    server.batch(inspector, [chk])
    forged = impostor.decide("check", chk.id, 1, chk.sha256, "approve")
    forged["decision"] |= {"device_id": boss.device_id, "key_id": boss.key_id, "by": "陈主任"}
    server.add("decision", forged)
    store = supervisor(tmp_path / "sup")
    enrolled(store, "supervisor")
    report = _sync(store, server)
    assert report.decisions == 0
    with store.read() as session:
        assert session.get(AgencyRecord, ("check", chk.id)).review_state == "pending"
        assert session.scalar(select(Decision)) is None
        aside = state.REFUSED_DECISIONS.get(session)
    assert [(e["id"], e["action"]) for e in aside] == [(forged["decision"]["id"], "approve")]
    assert "signature" in aside[0]["reason"]


def test_resolve_and_handover_decisions_apply_to_the_record(tmp_path):
    a, b, boss = Dev("李娜"), Dev("王磊"), Dev("陈主任")
    server = FakeServer()
    for d in (a, b):
        server.key(d)
    server.key(boss, "supervisor")
    rid = check(a).id
    v1, v2 = check(a, rid, 1), check(a, rid, 2, product_name="甲的v2")
    other = check(a, rid, 2, product_name="甲的另一v2")
    server.batch(a, [v1, v2])
    server.batch(a, [other])  # a conflict: other content under version 2
    store = supervisor(tmp_path / "sup")
    enrolled(store, "supervisor")
    assert _sync(store, server).imported.conflicts == 1

    server.add("decision", boss.decide("check", rid, 2, v2.sha256, "resolve", "以另一版为准",
                                       chosen_version=2, chosen_sha256=other.sha256))
    server.add("decision", boss.decide("check", rid, 2, other.sha256, "handover", "调岗",
                                       to_device_id=b.device_id))
    assert _sync(store, server).decisions == 2
    with store.read() as session:
        rec = session.get(AgencyRecord, ("check", rid))
        # The chosen content is the next version, 3, as the server makes it.
        assert (rec.version, rec.title, rec.conflicts, rec.owner_device_id) == (
            3, "甲的另一v2", 0, b.device_id)
        assert rec.content_sha256 == protocol.content_sha256(other.content | {"version": 3})
        resolved = session.scalars(select(AgencyConflict.resolved_by)).all()
    assert len(resolved) == 1 and resolved[0] is not None

    # Now B owns it: B's next version (4, on the resolved 3) applies, A's is a conflict.
    server.batch(b, [check(b, rid, 4, 3, product_name="乙的v4")])
    server.batch(a, [check(a, rid, 3, product_name="甲迟到的v3")])
    report = _sync(store, server)
    assert (report.imported.updated, report.imported.conflicts) == (1, 1)
    with store.read() as session:
        assert session.get(AgencyRecord, ("check", rid)).title == "乙的v4"


def test_an_inspector_device_stores_verified_decisions_and_fetches_no_batches(tmp_path):
    from inspector_app.core.store import Store

    me, boss = Dev("李娜"), Dev("陈主任")
    server = FakeServer()
    server.key(boss, "supervisor")
    chk = check(me)
    server.batch(me, [chk])
    server.add("decision", boss.decide("check", chk.id, 1, chk.sha256, "approve"))
    store = Store(tmp_path / "inspector")
    enrolled(store, "inspector")
    report = _sync(store, server)
    assert server.fetched == [] and report.imported is None
    with store.read() as session:
        decision = session.scalar(select(Decision))
        assert (decision.record_id, decision.action, decision.device_id) == (
            chk.id, "approve", boss.device_id)
        assert session.scalar(select(AgencyRecord)) is None


def test_a_queued_batch_file_is_posted_to_the_server_once(tmp_path):
    dev = Dev("李娜")
    store = supervisor(tmp_path / "sup", dev)
    enrolled(store, "supervisor")
    data = dev.file([dev.batch([check(dev)])])
    summary = files.import_file(store, data, "usb.json")
    assert summary.new == 1 and len(files.queued(store)) == 1
    server = FakeServer()
    report = _sync(store, server)
    assert server.imported == [data] and report.files_sent == 1
    assert files.queued(store) == []
    assert (files.outgoing_dir(store) / "sent").is_dir()
    _sync(store, server)
    assert server.imported == [data]
    files.import_file(store, data, "usb.json")  # the same file again: not queued again
    assert files.queued(store) == []


def test_decisions_pulled_before_their_records_apply_once_the_records_come(tmp_path):
    from inspector_app.core.agency import importer

    a, b, boss = Dev("李娜"), Dev("王磊"), Dev("陈主任")
    server = FakeServer()
    for d in (a, b):
        server.key(d)
    server.key(boss, "supervisor")
    returned, handed = check(a), check(a, product_name="交接的")
    rid = check(a).id
    v1, v2 = check(a, rid, 1), check(a, rid, 2, product_name="甲的v2")
    other = check(a, rid, 2, product_name="甲的另一v2")
    later = check(a)
    later_v2 = check(a, later.id, 2, product_name="复核后的v2")
    server.add("decision", boss.decide("check", later.id, 2, later_v2.sha256, "approve"))
    server.add("decision", boss.decide("check", returned.id, 1, returned.sha256, "return",
                                       "请补充生产日期"))
    server.add("decision", boss.decide("check", handed.id, 1, handed.sha256, "handover",
                                       "调岗", to_device_id=b.device_id))
    server.add("decision", boss.decide("check", rid, 2, v2.sha256, "resolve", "以另一版为准",
                                       chosen_version=2, chosen_sha256=other.sha256))
    store = supervisor(tmp_path / "sup")
    enrolled(store, "supervisor")
    report = _sync(store, server)
    assert report.decisions == 4 and report.imported is None

    # The records come in a later pull: the stored decisions apply to them, in order.
    batches = [server.batch(a, [returned, handed, v1, v2, later]), server.batch(a, [other])]
    report = _sync(store, server)
    assert (report.imported.new, report.imported.conflicts) == (4, 1)

    def state_of():
        with store.read() as session:
            recs = {r.record_id: (r.version, r.title, r.review_state, r.conflicts,
                                  r.owner_device_id)
                    for r in session.scalars(select(AgencyRecord))}
            open_conflicts = session.scalar(select(func.count()).select_from(
                AgencyConflict).where(AgencyConflict.resolved_by.is_(None)))
        return recs, open_conflicts

    recs, open_conflicts = state_of()
    assert recs[returned.id][2] == "returned"
    assert recs[handed.id][4] == b.device_id
    assert recs[rid][:4] == (3, "甲的另一v2", "pending", 0) and open_conflicts == 0
    assert recs[later.id][:3] == (1, "电热水壶", "pending")  # approved is version 2
    before = counts(store)

    # The same batches again (a USB file of them) change nothing.
    again = importer.import_batches(store, batches)
    assert again.duplicate_batches == 2 and counts(store) == before
    assert state_of() == (recs, 0)

    # B owns the handed-over record: its next version applies, not a conflict.
    server.batch(b, [check(b, handed.id, 2, 1, product_name="乙的v2")])
    report = _sync(store, server)
    assert (report.imported.updated, report.imported.conflicts) == (1, 0)

    # The version the approval was on comes: it is current, and approved.
    server.batch(a, [later_v2])
    assert _sync(store, server).imported.updated == 1
    recs, _open = state_of()
    assert recs[later.id][:3] == (2, "复核后的v2", "approved")
    assert recs[returned.id][2] == "returned"  # the others unchanged
