"""The legal rules: each refused change has a clear message and changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from seizure_helpers import ISSUE_TIME
from sqlalchemy import func, select

from inspector_app.core import audit, auth, i18n
from inspector_app.core.models import (
    AuditEntry,
    History,
    Seizure,
    SeizureDocNumber,
    SeizureTransition,
)
from inspector_app.core.seizure import rules, service
from inspector_app.core.seizure.rules import RuleError


def _state(store):
    """Everything a refused change must leave as it was."""
    with store.read() as s:
        return (
            s.scalar(select(func.count()).select_from(AuditEntry)),
            s.scalar(select(func.count()).select_from(History)),
            s.scalar(select(func.count()).select_from(SeizureTransition)),
            s.scalar(select(func.count()).select_from(SeizureDocNumber)),
            sorted(s.execute(select(Seizure.id, Seizure.version, Seizure.state,
                                    Seizure.extension_days)).all()),
        )


def _refused(store, fn, *words):
    before = _state(store)
    with pytest.raises(RuleError) as err, store.write() as s:
        fn(s)
    assert _state(store) == before, "a refused change changed the store"
    for word in words:
        assert word in err.value.message
    return err.value.message


def days_later(n: int) -> datetime:
    return ISSUE_TIME + timedelta(days=n)


def test_one_officer_is_refused_when_issuing(agency):
    sid = agency.draft(officer_ids=agency.officers[:1])
    msg = _refused(agency.store,
                   lambda s: service.issue(agency.store, s, agency.actor, sid), "2")
    assert "执法" in msg or "officer" in msg.lower()
    assert agency.seizure(sid).state == "draft"


def test_officer_without_certificate_is_refused(agency, store):
    with store.write() as s:
        nocert = auth.add_inspector(s, agency.actor,
                                    auth.NewInspector("赵六", "zhao", "demo1234", ""))
    data = agency.draft_input(officer_ids=[agency.officers[0], nocert.id])
    msg = _refused(store, lambda s: service.create_draft(s, agency.actor, data), "赵六")
    assert "执法证号" in msg


def test_thirty_one_day_term_is_refused_thirty_is_accepted(agency):
    _refused(agency.store, lambda s: service.create_draft(
        s, agency.actor, agency.draft_input(term_days=31)), "30", "31")
    sid = agency.draft(term_days=30)
    assert agency.seizure(sid).term_days == 30


@pytest.mark.parametrize("qty", [Decimal(0), Decimal(-1), "abc", "0.0001"])
def test_zero_negative_or_bad_quantity_is_refused(agency, qty):
    data = agency.draft_input(items=2)
    data.items[1].quantity = qty
    msg = _refused(agency.store, lambda s: service.create_draft(s, agency.actor, data))
    assert "2" in msg  # names the item


def test_refusals_are_translated(agency):
    i18n.set_language("en")
    msg = _refused(agency.store, lambda s: service.create_draft(
        s, agency.actor, agency.draft_input(term_days=31)))
    assert "may not exceed 30 days" in msg
    i18n.set_language("zh_CN")
    msg = _refused(agency.store, lambda s: service.create_draft(
        s, agency.actor, agency.draft_input(term_days=31)))
    assert "不得超过" in msg


def test_absent_party_needs_a_witness(agency):
    sid = agency.draft(party_presence="absent", witness_name="")
    _refused(agency.store, lambda s: service.issue(agency.store, s, agency.actor, sid),
             "见证人")


def test_state_machine_full_run_appends_transitions(agency):
    store, actor = agency.store, agency.actor
    sid = agency.issued()
    with store.write() as s:
        service.extend(store, s, actor, sid, 15, "需要送检,延长期限", approver="局长",
                       now=days_later(20))
    with store.write() as s:
        service.close(store, s, actor, sid, "released", "检验合格", ground="1",
                      now=days_later(30))
    seizure = agency.seizure(sid)
    assert seizure.state == "released"
    assert [(t.from_state, t.to_state) for t in seizure.transitions] == [
        ("draft", "issued"), ("issued", "extended"), ("extended", "released")]
    assert [t.position for t in seizure.transitions] == [1, 2, 3]
    assert seizure.transitions[1].approver == "局长"
    assert seizure.transitions[2].ground == "1"
    assert all(t.inspector_id == actor.inspector_id for t in seizure.transitions)
    assert {d.kind for d in seizure.documents} == {
        "decision", "list", "record", "seals", "extension", "release"}
    with store.read() as s:
        versions = s.scalars(select(History.content).where(
            History.record_id == sid).order_by(History.version)).all()
        # created, approved, signed by both officers and the party, issued, extended,
        # released
        assert len(versions) == 8
        versions = [versions[0], *versions[5:]]
        # the earlier versions keep the earlier states: history is never rewritten
        states = ['"state":"draft"', '"state":"issued"', '"state":"extended"',
                  '"state":"released"']
        assert all(state in version for state, version in zip(states, versions, strict=True))
        assert audit.verify(s) == []


@pytest.mark.parametrize("steps,target", [
    ([], "released"),  # a draft cannot be released
    ([], "extended"),
    (["issue"], "issued"),
    (["issue", "release"], "extended"),
    (["issue", "release"], "confiscated"),
    (["issue"], "bogus"),
])
def test_out_of_order_transitions_are_refused(agency, steps, target):
    store, actor = agency.store, agency.actor
    sid = agency.draft()
    agency.sign_all(sid)
    for step in steps:
        with store.write() as s:
            if step == "issue":
                service.issue(store, s, actor, sid, now=ISSUE_TIME)
            else:
                service.close(store, s, actor, sid, "released", "x", now=days_later(2))

    def go(s):
        if target == "extended":
            service.extend(store, s, actor, sid, 10, "原因", "局长", now=days_later(3))
        elif target == "issued":
            service.issue(store, s, actor, sid, now=days_later(3))
        else:
            service.close(store, s, actor, sid, target, "原因", now=days_later(3))

    _refused(store, go)


def test_second_extension_is_refused(agency):
    store, actor = agency.store, agency.actor
    sid = agency.issued()
    with store.write() as s:
        service.extend(store, s, actor, sid, 10, "送检", "局长", now=days_later(5))
    msg = _refused(store, lambda s: service.extend(store, s, actor, sid, 5, "再次送检",
                                                   "局长", now=days_later(6)))
    assert "一次" in msg or "once" in msg


@pytest.mark.parametrize("days,reason", [(31, "送检"), (0, "送检"), (10, "  ")])
def test_bad_extension_is_refused(agency, days, reason):
    sid = agency.issued()
    _refused(agency.store, lambda s: service.extend(agency.store, s, agency.actor, sid, days,
                                                    reason, "局长", now=days_later(3)))


def test_no_extension_after_the_term_ended(agency):
    sid = agency.issued()
    _refused(agency.store, lambda s: service.extend(agency.store, s, agency.actor, sid, 10,
                                                    "送检", "局长", now=days_later(31)),
             "解除")


def test_overdue_flagged_and_warned(agency):
    sid = agency.issued(term_days=30)
    seizure = agency.seizure(sid)
    tz = service.seizure_tz(seizure)
    start = rules.local_date(ISSUE_TIME, tz)
    assert start == date(2025, 3, 1)
    t = rules.term(seizure, start + timedelta(days=10), tz)
    assert t.end == date(2025, 3, 31) and t.days_left == 20 and not t.warn and not t.overdue
    t = rules.term(seizure, date(2025, 3, 26), tz)
    assert t.days_left == 5 and t.warn and not t.overdue
    t = rules.term(seizure, date(2025, 3, 31), tz)
    assert t.days_left == 0 and t.warn and not t.overdue
    t = rules.term(seizure, date(2025, 4, 1), tz)
    assert t.overdue and t.days_left == -1
    with agency.store.read() as s:
        rows = service.due_rows(s, now=days_later(31))
    assert [r.seizure_id for r in rows] == [sid]
    assert rows[0].term.overdue and rows[0].action == "release"


def test_overdue_measure_can_only_be_released(agency):
    sid = agency.issued()
    _refused(agency.store, lambda s: service.close(agency.store, s, agency.actor, sid,
                                                   "confiscated", "没收", now=days_later(40)),
             "解除")
    with agency.store.write() as s:
        service.close(agency.store, s, agency.actor, sid, "released", "",
                      ground=rules.EXPIRED_GROUND, now=days_later(40))
    assert agency.seizure(sid).state == "released"


def test_testing_periods_are_not_counted_in_the_term(agency):
    store, actor = agency.store, agency.actor
    sid = agency.issued(term_days=30)
    with store.write() as s:  # 5 days of testing, then a running one
        service.declare_testing(s, actor, sid, date(2025, 3, 10), date(2025, 3, 14), "送检")
    seizure = agency.seizure(sid)
    tz = service.seizure_tz(seizure)
    t = rules.term(seizure, date(2025, 3, 20), tz)
    assert t.testing_days == 5 and t.end == date(2025, 4, 5)
    with store.write() as s:
        service.declare_testing(s, actor, sid, date(2025, 3, 20), None, "技术鉴定")
    seizure = agency.seizure(sid)
    # while it runs, every day up to today is not counted
    assert rules.term(seizure, date(2025, 3, 25), tz).end == date(2025, 4, 11)
    with store.write() as s:
        service.end_testing(s, actor, sid, date(2025, 3, 22))
    seizure = agency.seizure(sid)
    t = rules.term(seizure, date(2025, 4, 1), tz)
    assert t.testing_days == 8 and t.end == date(2025, 4, 8) and t.days_left == 7
    # an extension adds to the same term
    with store.write() as s:
        service.extend(store, s, actor, sid, 10, "检验未完成", "局长", now=days_later(31))
    t = rules.term(agency.seizure(sid), date(2025, 4, 1), tz)
    assert t.end == date(2025, 4, 18)


def test_testing_period_before_issue_is_refused(agency):
    sid = agency.issued()
    _refused(agency.store, lambda s: service.declare_testing(
        s, agency.actor, sid, date(2025, 2, 28), date(2025, 3, 3)))


def test_emergency_measure_shows_its_24_hour_deadline(agency):
    sid = agency.draft(emergency=True)
    seizure = agency.seizure(sid)
    status = rules.emergency_status(seizure, ISSUE_TIME + timedelta(hours=20))
    assert status.due == ISSUE_TIME + timedelta(hours=24)
    assert round(status.hours_left) == 4 and not status.overdue
    assert rules.emergency_status(seizure, ISSUE_TIME + timedelta(hours=25)).overdue
    with agency.store.read() as s:
        rows = service.due_rows(s, now=ISSUE_TIME + timedelta(hours=25))
    assert rows[0].action == "report"
    with agency.store.write() as s:
        service.report_emergency(s, agency.actor, sid, "王局长",
                                 now=ISSUE_TIME + timedelta(hours=5))
    seizure = agency.seizure(sid)
    assert not rules.emergency_status(seizure, ISSUE_TIME + timedelta(hours=30)).overdue
    _refused(agency.store, lambda s: service.report_emergency(s, agency.actor, sid, "王局长"))


def test_issued_seizure_cannot_be_edited(agency):
    sid = agency.issued()
    seizure = agency.seizure(sid)
    _refused(agency.store, lambda s: service.update_draft(
        s, agency.actor, sid, agency.draft_input(items=5), seizure.version))


def test_draft_edits_are_new_versions(agency):
    sid = agency.draft(items=2, approved=False)
    seizure = agency.seizure(sid)
    with agency.store.write() as s:
        service.update_draft(s, agency.actor, sid, agency.draft_input(items=4),
                             seizure.version)
    seizure = agency.seizure(sid)
    assert seizure.version == 2 and len(seizure.items) == 4
    assert [i.position for i in seizure.items] == [1, 2, 3, 4]


def test_a_saved_list_offers_the_shipped_legal_bases_in_full_width(store):
    """The defaults once read 第(四)项: a list saved then (by sync or the settings page)
    offers them in today's wording, keeps its own entries as typed, and is not rewritten."""
    earlier = [b.replace("（", "(").replace("）", ")") for b in service.DEFAULT_LEGAL_BASES]
    assert earlier != service.DEFAULT_LEGAL_BASES
    own = "本地规定第(二)项"
    with store.write() as session:
        service.LEGAL_BASES.set(session, [*earlier, own, service.DEFAULT_LEGAL_BASES[0]])
    with store.read() as session:
        assert service.legal_bases(session) == [*service.DEFAULT_LEGAL_BASES, own]
        assert service.LEGAL_BASES.get(session)[0] == earlier[0]
