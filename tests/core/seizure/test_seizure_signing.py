"""Issuing needs the on-site signatures (行政强制法 art. 18), the start cannot lie in the
future, an import applies the same rule, and a party typed at a check is completed, not
entered twice."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from seizure_helpers import ISSUE_TIME
from sqlalchemy import func, select

from inspector_app.core import i18n, records, transfer
from inspector_app.core.models import History, LabelCheck, Market, Party, Seizure
from inspector_app.core.seizure import service
from inspector_app.core.seizure.rules import RuleError
from inspector_app.core.store import Store, utcnow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checks"))

from check_helpers import kettle

NEW_CODE = "91350102MA2Y8K3P71"  # valid (GB 32100-2015), no party has it yet


def _issue(agency, sid):
    with agency.store.write() as s:
        return service.issue(agency.store, s, agency.actor, sid, now=ISSUE_TIME)


def _refused_issue(agency, sid) -> str:
    with pytest.raises(RuleError) as err:
        _issue(agency, sid)
    assert agency.seizure(sid).state == "draft"
    return err.value.message


def test_a_start_in_the_future_is_refused(agency):
    with pytest.raises(RuleError) as err, agency.store.write() as s:
        service.create_draft(s, agency.actor, agency.draft_input(
            started_at=ISSUE_TIME + timedelta(days=1)), now=ISSUE_TIME)
    assert err.value.message == "措施开始时间晚于当前时间。" and err.value.field == "started_at"
    with agency.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Seizure)) == 0
    # a few minutes of clock difference are allowed, as for a check's time
    sid = agency.draft(started_at=ISSUE_TIME + timedelta(minutes=5), approved=False)
    i18n.set_language("en")
    with pytest.raises(RuleError) as err, agency.store.write() as s:
        service.update_draft(s, agency.actor, sid, agency.draft_input(
            started_at=ISSUE_TIME + timedelta(hours=2)), 1, now=ISSUE_TIME)
    assert err.value.message == "The start of the measure is in the future."


def test_issue_without_signatures_names_what_is_missing(agency):
    sid = agency.draft()
    msg = _refused_issue(agency, sid)
    assert "执法人员张三尚未签名。" in msg and "执法人员李四尚未签名。" in msg
    assert "当事人尚未签名" in msg
    # one officer signs: only the other officer and the party are still missing
    with agency.store.write() as s:
        service.add_signature(agency.store, s, agency.actor, sid, "officer", "张三",
                              png=b"ink", officer_id=agency.officers[0])
    msg = _refused_issue(agency, sid)
    assert "张三" not in msg and "执法人员李四尚未签名。" in msg and "当事人尚未签名" in msg
    i18n.set_language("en")
    msg = _refused_issue(agency, sid)
    assert "Officer 李四 has not signed." in msg and "The party has not signed." in msg


def test_issue_with_the_signatures_of_party_and_officers(agency):
    sid = agency.draft()
    agency.sign_all(sid)
    seizure = _issue(agency, sid)
    assert seizure.state == "issued" and seizure.number


def test_refusal_needs_the_recorded_refusal_and_a_witness(agency):
    sid = agency.draft(party_presence="refused", witness_name="")
    agency.sign_all(sid, party="none")
    msg = _refused_issue(agency, sid)
    assert "见证人" in msg and "拒绝签名" in msg
    with agency.store.write() as s:
        service.update_draft(s, agency.actor, sid, agency.draft_input(
            party_presence="refused", witness_name="赵见证"), agency.seizure(sid).version,
            now=ISSUE_TIME)
    agency.sign_all(sid, party="refused")
    msg = _refused_issue(agency, sid)
    assert msg == "当事人拒绝签名：见证人尚未签名（《行政强制法》第十八条）。"
    agency.sign_all(sid, party="none", witness=True)
    assert _issue(agency, sid).state == "issued"


def test_absent_party_with_a_witness_who_signs(agency):
    sid = agency.draft(party_presence="absent", witness_name="赵见证")
    agency.sign_all(sid, party="none")
    msg = _refused_issue(agency, sid)
    assert msg == "当事人不在场：见证人尚未签名（《行政强制法》第十八条）。"
    agency.sign_all(sid, party="none", witness=True)
    assert _issue(agency, sid).state == "issued"


def test_an_officer_who_refused_is_not_a_signature(agency):
    sid = agency.draft()
    with pytest.raises(RuleError), agency.store.write() as s:
        service.add_signature(agency.store, s, agency.actor, sid, "officer", "张三",
                              refused=True, officer_id=agency.officers[0])


def test_import_refuses_an_issued_seizure_without_signatures(agency, tmp_path):
    sid = agency.issued()
    out = tmp_path / "out.json"
    transfer.export_json(agency.store, ["seizure"], out, tmp_path / "files")
    doc = transfer.load_document(out)
    index = next(n for n, r in enumerate(doc["records"]) if r["kind"] == "seizure")
    assert doc["records"][index]["id"] == sid and doc["records"][index]["signatures"]
    unsigned = transfer.load_document(out)
    del unsigned["records"][index]["signatures"]  # empty lists are left out
    target = Store(tmp_path / "target")
    try:
        with pytest.raises(transfer.ImportRejected) as caught:
            transfer.import_document(target, unsigned, tmp_path / "files")
        issues = [str(i) for i in caught.value.issues]
        # Each missing signature is its own reason (record_rules, as issuing asks).
        assert issues == [f"records[{index}].signatures: 执法人员张三尚未签名。",
                          f"records[{index}].signatures: 执法人员李四尚未签名。",
                          (f"records[{index}].signatures: 当事人尚未签名。当事人拒绝签名的，"
                           "请记录其拒绝签名，并由见证人签名。")]
        with target.read() as s:
            assert s.scalar(select(func.count()).select_from(Seizure)) == 0
        # the same seizure with its signatures imports
        summary = transfer.import_document(target, doc, tmp_path / "files")
        assert summary.total("created") >= 1
        with target.read() as s:
            assert s.get(Seizure, sid).state == "issued"
    finally:
        target.close()


def test_a_party_typed_at_a_check_is_completed_not_duplicated(agency):
    store, actor = agency.store, agency.actor
    from inspector_app.core.checks import service as checks

    with store.write() as s:
        market = records.create(s, Market(name="东门批发市场"), actor).id
    data = kettle(market, measure="seizure", party_name="王记日杂",
                  second_officer_id=agency.officers[1])
    with store.write() as s:
        saved = checks.save(s, actor, data, final=True, store=store)
    assert saved.seizure_id
    with store.read() as s:
        party_id = s.get(Seizure, saved.seizure_id).party_id
        assert party_id and s.get(Party, party_id).credit_code == ""
    # the party is completed where the seizure needs it: the same record, a new version
    with store.write() as s:
        party = s.get(Party, party_id)
        details = service.party_input(party)
        details.credit_code, details.address = NEW_CODE, "东门路8号"
        service.save_party(s, actor, details, party_id, expected_version=party.version)
    with store.read() as s:
        named = s.scalars(select(Party).where(Party.name == "王记日杂")).all()
        assert [p.id for p in named] == [party_id]
        assert named[0].credit_code == NEW_CODE and named[0].version == 2
        assert s.get(LabelCheck, saved.check_id).party_id == party_id
        assert s.get(Seizure, saved.seizure_id).party_id == party_id
        old = s.scalars(select(History.content).where(
            History.record_id == party_id).order_by(History.version)).all()
        assert len(old) == 2 and '"credit_code":""' in old[0]
    # entering the same code again as a new party is refused, naming the party to use
    with pytest.raises(RuleError) as err, store.write() as s:
        service.save_party(s, actor, service.PartyInput(name="王记", credit_code=NEW_CODE))
    assert "王记日杂" in err.value.message
    # the completed party lets the seizure be issued
    with store.write() as s:
        service.update_draft(s, actor, saved.seizure_id, agency.draft_input(
            party_id=party_id, started_at=None), agency.seizure(saved.seizure_id).version)
    agency.sign_all(saved.seizure_id, now=utcnow())
    agency.approve(saved.seizure_id, utcnow())
    with store.write() as s:
        assert service.issue(store, s, actor, saved.seizure_id).state == "issued"
