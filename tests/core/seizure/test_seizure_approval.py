"""Prior approval (行政强制法 art. 18(一)), the 24-hour emergency report (art. 19), the
extension's approver (art. 25) and a release ground that agrees with the dates (art. 28):
each refused change has a clear message and changes nothing."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from seizure_helpers import APPROVER, ISSUE_TIME
from sqlalchemy import select
from test_seizure_rules import _refused, days_later

from inspector_app.core import audit, i18n
from inspector_app.core.models import AuditEntry, History
from inspector_app.core.seizure import rules, service

UTC8 = timezone(timedelta(hours=8))


@pytest.fixture(autouse=True)
def china_time(monkeypatch):
    """The device's clock runs in UTC+8: the seizures are made there (created_offset 480),
    and their dates and times are shown in that zone, whatever the test machine's zone."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _signed_draft(agency, **changes) -> str:
    sid = agency.draft(approved=False, **changes)
    agency.sign_all(sid)
    return sid


def _issue(agency, sid, now=ISSUE_TIME):
    with agency.store.write() as s:
        return service.issue(agency.store, s, agency.actor, sid, now=now)


def _approve(agency, sid, approver=APPROVER, at=None, now=ISSUE_TIME):
    with agency.store.write() as s:
        return service.record_approval(s, agency.actor, sid, approver, at, now=now)


# --- prior approval ---------------------------------------------------------------------


def test_issue_without_approval_is_refused_naming_it(agency):
    sid = _signed_draft(agency)
    msg = _refused(agency.store, lambda s: service.issue(agency.store, s, agency.actor, sid,
                                                         now=ISSUE_TIME),
                   "尚未记录行政机关负责人的事先批准", "第十八条")
    assert "二十四小时" in msg  # says what to do when there was no time to ask
    i18n.set_language("en")
    msg = _refused(agency.store, lambda s: service.issue(agency.store, s, agency.actor, sid,
                                                         now=ISSUE_TIME))
    assert "prior approval is not recorded" in msg
    _approve(agency, sid, at=ISSUE_TIME - timedelta(hours=1))
    seizure = _issue(agency, sid)
    assert seizure.state == "issued" and seizure.approver == APPROVER
    assert seizure.approved_at == ISSUE_TIME - timedelta(hours=1)


def test_an_emergency_measure_is_issued_without_prior_approval(agency):
    sid = _signed_draft(agency, emergency=True)
    assert _issue(agency, sid).state == "issued"
    _refused(agency.store, lambda s: service.record_approval(
        s, agency.actor, sid, APPROVER, now=ISSUE_TIME), "已作出决定")
    draft = agency.draft(emergency=True)
    _refused(agency.store, lambda s: service.record_approval(
        s, agency.actor, draft, APPROVER, now=ISSUE_TIME), "紧急", "报告")


@pytest.mark.parametrize("approver", ["", "   "])
def test_approval_needs_the_approvers_name(agency, approver):
    sid = _signed_draft(agency)
    _refused(agency.store, lambda s: service.record_approval(
        s, agency.actor, sid, approver, ISSUE_TIME, now=ISSUE_TIME), "负责人")


def test_approval_time_bounds(agency):
    sid = _signed_draft(agency)  # the measure starts at ISSUE_TIME
    # not in the future
    _refused(agency.store, lambda s: service.record_approval(
        s, agency.actor, sid, APPROVER, ISSUE_TIME + timedelta(minutes=1), now=ISSUE_TIME),
        "晚于当前时间", "2025-03-01 10:01")  # shown in the seizure's time zone (UTC+8)
    # not more than 30 days before the start
    _refused(agency.store, lambda s: service.record_approval(
        s, agency.actor, sid, APPROVER, ISSUE_TIME - timedelta(days=30, minutes=1),
        now=ISSUE_TIME), "30")
    _approve(agency, sid, at=ISSUE_TIME - timedelta(days=30))
    # given after the issue: refused when issuing
    _approve(agency, sid, at=ISSUE_TIME, now=ISSUE_TIME + timedelta(hours=1))
    _refused(agency.store, lambda s: service.issue(
        agency.store, s, agency.actor, sid, now=ISSUE_TIME - timedelta(minutes=1)),
        "晚于作出决定的时间")
    assert _issue(agency, sid, now=ISSUE_TIME + timedelta(hours=2)).state == "issued"


def test_a_naive_approval_time_is_the_seizures_local_time(agency):
    sid = _signed_draft(agency)
    seizure = agency.seizure(sid)
    assert service.seizure_tz(seizure).utcoffset(None) == timedelta(hours=8)
    # 09:30 typed on a UTC+8 device is 01:30 UTC
    _approve(agency, sid, at=datetime(2025, 3, 1, 9, 30))
    assert agency.seizure(sid).approved_at == datetime(2025, 3, 1, 1, 30, tzinfo=UTC)
    # the same moment given in another zone is the same approval: no new version
    version = agency.seizure(sid).version
    _approve(agency, sid, at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC8))
    assert agency.seizure(sid).version == version


def test_a_corrected_approval_keeps_the_earlier_one_in_history(agency):
    sid = _signed_draft(agency)
    _approve(agency, sid, "王局长", ISSUE_TIME - timedelta(hours=2))
    _approve(agency, sid, "李副局长", ISSUE_TIME - timedelta(hours=1))
    seizure = agency.seizure(sid)
    assert seizure.approver == "李副局长"
    with agency.store.read() as s:
        assert service.approval_history(s, sid) == [
            ("王局长", ISSUE_TIME - timedelta(hours=2)),
            ("李副局长", ISSUE_TIME - timedelta(hours=1))]
        contents = [json.loads(c) for c in s.scalars(select(History.content).where(
            History.record_id == sid).order_by(History.version))]
        assert [c.get("approver") for c in contents[-2:]] == ["王局长", "李副局长"]
        assert s.scalars(select(AuditEntry.version).where(
            AuditEntry.record_id == sid)).all()[-1] == seizure.version
        assert audit.verify(s) == []


# --- the emergency report (art. 19) ------------------------------------------------------


def _emergency(agency) -> str:
    return agency.issued(emergency=True)  # started and issued at ISSUE_TIME


@pytest.mark.parametrize("minutes,overdue", [(23 * 60 + 59, False), (24 * 60, False),
                                             (24 * 60 + 1, True)])
def test_the_24_hour_boundary(agency, minutes, overdue):
    sid = _emergency(agency)
    now = ISSUE_TIME + timedelta(minutes=minutes)
    status = rules.emergency_status(agency.seizure(sid), now)
    assert status.overdue is overdue
    with agency.store.read() as s:
        row = next(r for r in service.due_rows(s, now=now) if r.seizure_id == sid)
    assert row.report_overdue is overdue and row.action == "report"
    if overdue:  # late: the reason is required
        _refused(agency.store, lambda s: service.report_emergency(
            s, agency.actor, sid, APPROVER, now=now), "逾期", "2025-03-02 10:00")
        with agency.store.write() as s:
            service.report_emergency(s, agency.actor, sid, APPROVER, "负责人外出", now=now)
    else:  # on time: no reason needed
        with agency.store.write() as s:
            service.report_emergency(s, agency.actor, sid, APPROVER, now=now)
    seizure = agency.seizure(sid)
    assert seizure.emergency_reported_at == now  # the moment the report was made
    status = rules.emergency_status(seizure, now + timedelta(days=3))
    assert not status.overdue and status.late is overdue
    assert seizure.emergency_report_reason == ("负责人外出" if overdue else None)


def test_the_24_hours_run_from_the_start_whatever_the_zone(agency):
    """The start is one instant: a UTC+8 device and a UTC clock agree on the deadline."""
    start = datetime(2025, 3, 1, 23, 30, tzinfo=UTC8)  # 15:30 UTC
    sid = agency.issued(now=start.astimezone(UTC), emergency=True)
    seizure = agency.seizure(sid)
    assert rules.emergency_status(seizure, datetime(2025, 3, 2, 23, 29, tzinfo=UTC8)
                                  ).overdue is False
    assert rules.emergency_status(seizure, datetime(2025, 3, 2, 15, 31, tzinfo=UTC)).overdue
    msg = _refused(agency.store, lambda s: service.extend(
        agency.store, s, agency.actor, sid, 10, "送检", APPROVER,
        now=datetime(2025, 3, 3, 1, 0, tzinfo=UTC)))
    assert "2025-03-02 23:30" in msg  # the due time, in the seizure's zone


def test_an_overdue_unreported_measure_is_only_released(agency):
    sid = _emergency(agency)
    late = days_later(2)
    _refused(agency.store, lambda s: service.extend(
        agency.store, s, agency.actor, sid, 10, "送检", APPROVER, now=late),
        "未在二十四小时内报告", "补报")
    for target in ("confiscated", "destroyed", "transferred"):
        _refused(agency.store, lambda s, target=target: service.close(
            agency.store, s, agency.actor, sid, target, "决定", now=late), "补报")
    # the late report, with its reason, lifts the block
    with agency.store.write() as s:
        service.report_emergency(s, agency.actor, sid, APPROVER, "节假日负责人出差", now=late)
    with agency.store.write() as s:
        service.extend(agency.store, s, agency.actor, sid, 10, "送检", APPROVER, now=late)
    assert agency.seizure(sid).state == "extended"


def test_release_is_never_held_back_by_the_report(agency):
    sid = _emergency(agency)
    with agency.store.write() as s:
        service.close(agency.store, s, agency.actor, sid, "released", "不再需要",
                      ground="5", now=days_later(2))
    assert agency.seizure(sid).state == "released"


def test_an_unreported_measure_within_its_24_hours_is_not_confirmed_yet(agency):
    sid = _emergency(agency)
    _refused(agency.store, lambda s: service.close(
        agency.store, s, agency.actor, sid, "confiscated", "没收",
        now=ISSUE_TIME + timedelta(hours=2)), "尚未向行政机关负责人报告")


def test_report_needs_an_approver_and_is_made_once(agency):
    sid = _emergency(agency)
    _refused(agency.store, lambda s: service.report_emergency(
        s, agency.actor, sid, "  ", now=ISSUE_TIME + timedelta(hours=1)), "负责人")
    with agency.store.write() as s:
        service.report_emergency(s, agency.actor, sid, APPROVER,
                                 now=ISSUE_TIME + timedelta(hours=1))
    _refused(agency.store, lambda s: service.report_emergency(
        s, agency.actor, sid, APPROVER, "再报", now=ISSUE_TIME + timedelta(hours=2)), "已经报告")


# --- the extension's approver, the release ground ----------------------------------------


def test_an_extension_needs_its_approver(agency):
    sid = agency.issued()
    _refused(agency.store, lambda s: service.extend(
        agency.store, s, agency.actor, sid, 10, "送检", "", now=days_later(5)),
        "批准延长的负责人")
    with pytest.raises(TypeError):  # the rule cannot be called without saying who approved
        rules.check_extension(agency.seizure(sid), 10, "送检", date(2025, 3, 6))


def test_term_expired_is_refused_before_the_last_day(agency):
    sid = agency.issued(term_days=10)  # issued 2025-03-01, the last day is 2025-03-11
    _refused(agency.store, lambda s: service.close(
        agency.store, s, agency.actor, sid, "released", "", ground=rules.EXPIRED_GROUND,
        now=ISSUE_TIME), "尚未届满", "2025-03-11")  # on the day of issue
    _refused(agency.store, lambda s: service.close(
        agency.store, s, agency.actor, sid, "released", "", ground=rules.EXPIRED_GROUND,
        now=datetime(2025, 3, 10, 23, 59, tzinfo=UTC8)), "尚未届满")
    with agency.store.write() as s:  # on its last day (local time)
        service.close(agency.store, s, agency.actor, sid, "released", "",
                      ground=rules.EXPIRED_GROUND,
                      now=datetime(2025, 3, 11, 0, 1, tzinfo=UTC8))
    assert agency.seizure(sid).transitions[-1].ground == "4"


def test_after_the_term_a_release_states_the_expiry(agency):
    sid = agency.issued(term_days=10)
    after = datetime(2025, 3, 12, 9, 0, tzinfo=UTC8)
    _refused(agency.store, lambda s: service.close(
        agency.store, s, agency.actor, sid, "released", "检验合格", ground="1", now=after),
        "期限已于 2025-03-11 届满")
    _refused(agency.store, lambda s: service.close(
        agency.store, s, agency.actor, sid, "released", "检验合格", now=after), "届满")
    with agency.store.write() as s:
        service.close(agency.store, s, agency.actor, sid, "released", "",
                      ground=rules.EXPIRED_GROUND, now=after)
    # before the last day any other ground is fine
    other = agency.issued(term_days=10)
    with agency.store.write() as s:
        service.close(agency.store, s, agency.actor, other, "released", "检验合格",
                      ground="1", now=days_later(3))


def test_the_party_statement_is_stored_as_entered(agency):
    sid = agency.draft(party_statement="")
    assert agency.seizure(sid).party_statement is None
    assert service.draft_input(agency.seizure(sid)).party_statement == ""
    other = agency.draft(party_statement="  对检查结果无异议。 ")
    assert agency.seizure(other).party_statement == "对检查结果无异议。"
