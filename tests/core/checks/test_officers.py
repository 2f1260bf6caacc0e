"""The two officers of a check (行政处罚法 art. 42): named in the record, kept in its
history, refused when a final check lacks one (saving and importing), carried by export,
import and the seizure a check starts."""

from __future__ import annotations

import json

import pytest
from check_helpers import COLLEAGUE, add_colleague, kettle, make_market
from sample_records import fill
from sqlalchemy import select

from inspector_app.core import audit, records, transfer
from inspector_app.core.checks import service
from inspector_app.core.checks.service import CheckInvalid
from inspector_app.core.models import History, Inspector, LabelCheck
from inspector_app.core.store import Store


@pytest.fixture
def setup(signed_in):
    store, actor, _inspector = signed_in
    return store, actor, make_market(store, actor)


def _save(store, actor, data, **kw):
    with store.write() as session:
        return service.save(session, actor, data, store=store, **kw)


def _count(store) -> int:
    with store.read() as session:
        return len(session.scalars(select(LabelCheck.id)).all())


def test_a_final_check_names_both_officers_with_their_certificates(setup):
    store, actor, market = setup
    saved = _save(store, actor, kettle(market), final=True)
    with store.read() as session:
        check = service.load(session, saved.check_id)
        assert [(o.position, o.inspector_id, o.name, o.cert_no) for o in check.officers] == [
            (1, actor.inspector_id, "张三", "32010001"), (2, COLLEAGUE, "李四", "32010002")]
        content = json.loads(session.scalars(select(History.content).where(
            History.record_id == check.id)).one())
        assert content["officers"] == [
            {"position": 1, "inspector_id": actor.inspector_id, "name": "张三",
             "cert_no": "32010001"},
            {"position": 2, "inspector_id": COLLEAGUE, "name": "李四", "cert_no": "32010002"}]
        assert audit.verify(session, store.attachment_path) == []
        assert service.input_of(session, check, None).second_officer_id == COLLEAGUE


def test_a_draft_may_lack_the_second_officer_a_final_check_may_not(setup):
    store, actor, market = setup
    draft = _save(store, actor, kettle(market, second_officer_id=None), final=False)
    with store.read() as session:
        check = service.load(session, draft.check_id)
        assert [o.name for o in check.officers] == ["张三"]
    with pytest.raises(CheckInvalid) as caught:
        _save(store, actor, kettle(market, second_officer_id=None), final=True,
              check_id=draft.check_id, expected_version=draft.version)
    message = caught.value.problems["second_officer"]
    assert "第二执法人员" in message and "行政处罚法" in message and "至少2名" in message
    with store.read() as session:
        assert session.get(LabelCheck, draft.check_id).status == "draft"  # nothing written
    # chosen now, the draft becomes final; the history keeps the one-officer draft
    final = _save(store, actor, kettle(market), final=True, check_id=draft.check_id,
                  expected_version=draft.version)
    with store.read() as session:
        versions = [json.loads(c) for c in session.scalars(
            select(History.content).where(History.record_id == draft.check_id)
            .order_by(History.version))]
        assert [len(v["officers"]) for v in versions] == [1, 2]
        assert final.version == 2 and audit.verify(session, store.attachment_path) == []


def test_an_officer_without_a_certificate_number_cannot_finish_a_check(setup):
    store, actor, market = setup
    helper = add_colleague(store, actor, name="王五", cert_no="",
                           inspector_id="5e1c0a11-0000-4000-8000-000000000003",
                           username="wang")
    data = kettle(market, second_officer_id=helper)
    _save(store, actor, data, final=False)  # a draft may hold him
    with pytest.raises(CheckInvalid) as caught:
        _save(store, actor, data, final=True)
    assert "王五" in caught.value.problems["second_officer"]
    assert "执法证号" in caught.value.problems["second_officer"]
    # and the signed-in officer needs one too
    with store.write() as session:
        me = session.get(Inspector, actor.inspector_id)
        me.cert_no = ""
        records.update(session, me, actor, me.version)
    with pytest.raises(CheckInvalid) as caught:
        _save(store, actor, kettle(market), final=True)
    assert "张三" in caught.value.problems["second_officer"]
    assert "李四" not in caught.value.problems["second_officer"]


def test_the_second_officer_is_someone_else_and_on_the_roster(setup):
    store, actor, market = setup
    with pytest.raises(CheckInvalid) as caught:  # not even in a draft
        _save(store, actor, kettle(market, second_officer_id=actor.inspector_id), final=False)
    assert "另选一名" in caught.value.problems["second_officer"]
    with store.write() as session:
        li = session.get(Inspector, COLLEAGUE)
        li.active = False
        records.update(session, li, actor, li.version)
    with pytest.raises(CheckInvalid) as caught:
        _save(store, actor, kettle(market), final=False)
    assert "人员名单" in caught.value.problems["second_officer"]
    assert _count(store) == 0


def test_the_record_keeps_the_officer_as_printed_when_the_roster_changes(setup):
    store, actor, market = setup
    saved = _save(store, actor, kettle(market), final=True)
    with store.write() as session:
        li = session.get(Inspector, COLLEAGUE)
        li.name, li.cert_no = "李四明", "32019999"
        records.update(session, li, actor, li.version)
    with store.read() as session:
        check = service.load(session, saved.check_id)
        assert [(o.name, o.cert_no) for o in check.officers][1] == ("李四", "32010002")
        assert check.version == saved.version


def test_the_officers_go_through_export_and_import(tmp_path):
    source, target = Store(tmp_path / "a"), Store(tmp_path / "b")
    try:
        fill(source)
        out = tmp_path / "out.json"
        transfer.export_json(source, ("check",), out, tmp_path / "files")
        doc = transfer.load_document(out)
        check = next(r for r in doc["records"] if r["kind"] == "check")
        assert [o["name"] for o in check["officers"]] == ["张三", "李四"]
        transfer.import_document(target, doc, tmp_path / "files")
        with target.read() as session:
            stored = session.get(LabelCheck, check["id"])
            assert [(o.name, o.cert_no) for o in stored.officers] == [
                ("张三", "32010001"), ("李四", "32010002")]
    finally:
        source.close()
        target.close()


@pytest.mark.parametrize("change, expected", [
    (lambda officers: officers[:1], "第二执法人员"),
    (lambda officers: [officers[0], {**officers[1], "cert_no": ""}], "李四"),
    (lambda officers: [officers[0], {**officers[0], "position": 2}], "张三"),
    (lambda officers: [], "第二执法人员"),
])
def test_an_import_refuses_a_final_check_without_two_officers(tmp_path, change, expected):
    source, target = Store(tmp_path / "a"), Store(tmp_path / "b")
    try:
        fill(source)
        out = tmp_path / "out.json"
        transfer.export_json(source, ("check", "seizure", "worklog"), out, tmp_path / "f")
        doc = transfer.load_document(out)
        n = next(i for i, r in enumerate(doc["records"]) if r["kind"] == "check")
        officers = change(doc["records"][n]["officers"])
        if officers:
            doc["records"][n]["officers"] = officers
        else:
            del doc["records"][n]["officers"]
        with pytest.raises(transfer.ImportRejected) as caught:
            transfer.import_document(target, doc, tmp_path / "f")
        told = [str(i) for i in caught.value.issues]
        assert any(i.startswith(f"records[{n}].officers: ") and expected in i for i in told), \
            told
        with target.read() as session:  # the whole file is refused
            assert session.scalars(select(LabelCheck.id)).all() == []
            assert session.scalars(select(Inspector.id)).all() == []
        # the same check as a draft imports: a draft may lack its second officer
        doc["records"][n]["status"] = "draft"
        transfer.import_document(target, doc, tmp_path / "f")
        assert _count(target) == 1
    finally:
        source.close()
        target.close()
