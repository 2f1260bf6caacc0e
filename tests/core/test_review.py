"""Review decisions on a supervisor's device: decide, the queue, a record's history."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import review_rows
from sqlalchemy import select

from inspector_app.core import device_key
from inspector_app.core.agency import review
from inspector_app.core.models import AgencyConflict, AgencyRecord, Decision
from sync import decisions


@pytest.fixture
def sup(signed_in):
    store, _actor, user = signed_in
    review_rows.make_supervisor(store)
    return store, user


def test_return_is_signed_stored_and_sets_the_state(sup):
    store, user = sup
    with store.write() as session:
        rid, sha = review_rows.add_record(session, versions=2)
    made = review.decide(store, "check", rid, "return", "  标签缺少生产日期  ", user=user)
    assert made["review_state"] == "returned"
    assert (made["version"], made["sha256"], made["by"]) == (2, sha, "张三")
    key = device_key.load_or_create(store.data_dir)
    with store.read() as session:
        row = session.get(Decision, made["id"])
        assert row.sent_at is None and row.text == "标签缺少生产日期"
        envelope = {"decision": json.loads(row.body), "signature": row.signature}
        assert decisions.verify(key.public_key(), envelope)["action"] == "return"
        assert session.get(AgencyRecord, ("check", rid)).review_state == "returned"


@pytest.mark.parametrize("action", ["return", "reject"])
def test_return_and_reject_need_text(sup, action):
    store, user = sup
    with store.write() as session:
        rid, _sha = review_rows.add_record(session)
    with pytest.raises(review.DecisionError) as exc:
        review.decide(store, "check", rid, action, "   ", user=user)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    with store.read() as session:
        assert session.scalar(select(Decision)) is None
        assert session.get(AgencyRecord, ("check", rid)).review_state == "pending"


def test_refused_on_an_inspector_device_and_for_unknown_records(signed_in):
    store, _actor, user = signed_in
    with store.write() as session:
        rid, _sha = review_rows.add_record(session)
    with pytest.raises(review.DecisionError, match="监督|审核|督查|检查员"):
        review.decide(store, "check", rid, "approve", user=user)
    review_rows.make_supervisor(store)
    with pytest.raises(review.DecisionError, match="00000000"):
        review.decide(store, "check", "00000000-0000-4000-8000-000000000000", "approve",
                      user=user)


def test_a_version_is_decided_once(sup):
    store, user = sup
    with store.write() as session:
        rid, _sha = review_rows.add_record(session)
    review.decide(store, "check", rid, "approve", user=user)
    with pytest.raises(review.DecisionError):
        review.decide(store, "check", rid, "reject", "不合格", user=user)
    with store.read() as session:
        assert len(session.scalars(select(Decision)).all()) == 1


def test_resolve_chooses_a_version_and_closes_the_conflict(sup):
    store, user = sup
    with store.write() as session:
        rid, sha2 = review_rows.add_record(session, versions=2)
        other = review_rows.add_version(session, "check", rid, 2,
                                        review_rows.content_of("check", rid, 2, note="其他"),
                                        "d0000000-0000-4000-8000-000000000000")
        session.add(AgencyConflict(kind="check", record_id=rid, version=2,
                                   content_sha256=other, current_version=2,
                                   current_sha256=sha2, reason="same_version",
                                   device_id="d0000000-0000-4000-8000-000000000000",
                                   batch_id="b", created_at=datetime.now(UTC)))
        session.get(AgencyRecord, ("check", rid)).conflicts = 1
    with pytest.raises(review.DecisionError):  # review waits for the conflict
        review.decide(store, "check", rid, "approve", user=user)
    with pytest.raises(review.DecisionError):  # a version the record never had
        review.decide(store, "check", rid, "resolve", "以现场记录为准", user=user,
                      chosen_version=2, chosen_sha256="0" * 64)
    made = review.decide(store, "check", rid, "resolve", "以现场记录为准", user=user,
                         chosen_version=2, chosen_sha256=other)
    with store.read() as session:
        rec = session.get(AgencyRecord, ("check", rid))
        # The chosen content becomes version 3, as the server makes it (its "version" 3).
        assert (rec.version, rec.conflicts, rec.review_state) == (3, 0, "pending")
        assert review.content(session, "check", rid, 3, rec.content_sha256) == \
            review_rows.content_of("check", rid, 3, note="其他")
        assert rec.content_sha256 != other
        assert session.scalar(select(AgencyConflict.resolved_by)) == made["id"]
        assert review.content(session, "check", rid, 2, other)["note"] == "其他"
        assert review.content(session, "check", rid, 2, sha2)["note"] == "v2"
    with pytest.raises(review.DecisionError):  # nothing left to resolve
        review.decide(store, "check", rid, "resolve", "再次", user=user,
                      chosen_version=2, chosen_sha256=sha2)


def test_handover_needs_a_known_device(sup):
    store, user = sup
    with store.write() as session:
        rid, _sha = review_rows.add_record(session, kind="seizure")
        target, _ = review_rows.add_record(session, kind="check")  # makes a second device
        to = session.get(AgencyRecord, ("check", target)).device_id
    with pytest.raises(review.DecisionError):
        review.decide(store, "seizure", rid, "handover", "调岗", user=user,
                      to_device_id="e0000000-0000-4000-8000-000000000000")
    review.decide(store, "seizure", rid, "handover", "调岗", user=user, to_device_id=to)
    with store.read() as session:
        assert session.get(AgencyRecord, ("seizure", rid)).owner_device_id == to


def test_queue_filters_pages_and_counts(sup):
    store, user = sup
    with store.write() as session:
        ids = [review_rows.add_record(session, day=f"2026-11-{d:02d}",
                                      market="东门市场" if d % 2 else "西门市场")[0]
               for d in range(1, 11)]
        review_rows.add_record(session, kind="worklog", day="2026-11-05", inspector="王五")
    review.decide(store, "check", ids[0], "return", "补拍照片", user=user)
    with store.read() as session:
        assert review.count(session) == 10
        first = review.queue(session, limit=3)
        assert [r.day for r in first] == ["2026-11-02", "2026-11-03", "2026-11-04"]
        assert [r.day for r in review.queue(session, offset=3, limit=2)] == [
            "2026-11-05", "2026-11-05"]
        assert review.count(session, kind="worklog") == 1
        assert review.count(session, inspector="王五") == 1
        assert review.count(session, market="西门市场") == 5
        assert review.count(session, day_from="2026-11-04", day_to="2026-11-06") == 4
        assert [r.record_id for r in review.queue(session, state="returned")] == [ids[0]]
        assert review.count(session, state=None) == 11


def test_history_lists_versions_then_the_decisions_on_them(sup):
    store, user = sup
    with store.write() as session:
        rid, sha = review_rows.add_record(session, versions=2)
    review.decide(store, "check", rid, "return", "请补充", user=user)
    with store.read() as session:
        items = review.history(session, "check", rid)
        assert [(i["type"], i["version"]) for i in items] == [
            ("version", 1), ("version", 2), ("decision", 2)]
        assert items[1]["current"] and items[1]["sha256"] == sha
        assert items[2]["text"] == "请补充" and items[2]["by"] == "张三"
        assert items[2]["sent"] is False
        assert review.content(session, "check", rid, 1)["note"] == "v1"
        with pytest.raises(review.DecisionError):
            review.content(session, "check", rid, 9)


T = "2026-11-20T02:00:00.000000Z"
OTHER = "d0000000-0000-4000-8000-000000000000"


def test_a_merged_content_is_refused_unless_made_of_the_contents_and_within_the_rules(sup):
    store, user = sup
    with store.write() as session:
        # Two emergency reports of a draft: on time; late, with its reason.
        rid, _sha = review_rows.add_record(
            session, kind="seizure", versions=2, state="draft", term_days=30,
            emergency=True, started_at=T, emergency_approver="局长",
            emergency_reported_at="2026-11-20T03:00:00.000000Z")
        current = review.content(session, "seizure", rid, 2)
        theirs = current | {"emergency_reported_at": "2026-11-21T08:00:00.000000Z",
                            "emergency_report_reason": "路远，当日无法报告", "note": "其他"}
        fields = {k: v for k, v in theirs.items() if k not in ("kind", "id", "version")}
        review_rows.add_conflict(session, "seizure", rid, 2, OTHER, **fields)

    def resolve(content):
        with pytest.raises(review.DecisionError) as caught:
            review.decide(store, "seizure", rid, "resolve", "合并", user=user,
                          content=content)
        return caught.value.message

    assert "product_name" in resolve(current | {"product_name": "编造"})
    assert "标识" in resolve(current | {"id": OTHER})
    late = decisions.merge([current, theirs], {"emergency_reported_at": 1}, 3)
    assert "emergency_report_reason" in resolve(late) and "逾期" in resolve(late)
    with store.read() as session:
        assert session.scalar(select(Decision)) is None
        assert session.get(AgencyRecord, ("seizure", rid)).conflicts == 1
    # With its reason too: the record's version 3, the decision carrying it, signed.
    merged = decisions.merge([current, theirs], {"emergency_reported_at": 1,
                                                 "emergency_report_reason": 1}, 3)
    made = review.decide(store, "seizure", rid, "resolve", "合并", user=user,
                         content=merged)
    assert made["content"] == merged and made["chosen_version"] == 3
    with store.read() as session:
        record = session.get(AgencyRecord, ("seizure", rid))
        assert (record.version, record.conflicts) == (3, 0)
        assert record.content_sha256 == made["chosen_sha256"]
        assert review.content(session, "seizure", rid, 3) == merged
        assert merged["note"] == "v2"  # a field not picked: the current one's
