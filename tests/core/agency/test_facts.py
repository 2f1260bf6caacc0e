"""Facts read from a record's content for the supervisor's lists (agency/facts.py)."""

from __future__ import annotations

from datetime import date

from inspector_app.core.agency import facts


def test_a_seizure_term_counts_its_extension_and_testing_periods():
    content = {"state": "extended", "issued_at": "2026-11-01T02:00:00.000000Z",
               "created_offset": 480, "term_days": 30, "extension_days": 15,
               "started_at": "2026-11-01T01:00:00.000000Z",
               "testing_periods": [{"start_date": "2026-11-10", "end_date": "2026-11-14"}]}
    got = facts.extract("seizure", content, {}, today=date(2026, 12, 1))
    assert got["deadline"] == "2026-12-21"  # 11-01 + 45 days + 5 testing days
    assert got["day"] == "2026-11-01" and got["state"] == "extended"
    assert got["report_due"] == ""  # not an emergency measure


def test_a_draft_has_no_deadline_and_a_reported_emergency_nothing_due():
    draft = facts.extract("seizure", {"state": "draft", "term_days": 30,
                                      "items": [{"name": "复合肥料"}]}, {})
    assert (draft["deadline"], draft["title"]) == ("", "复合肥料")
    reported = facts.extract("seizure", {
        "emergency": True, "started_at": "2026-11-30T23:30:00.000000Z",
        "emergency_reported_at": "2026-12-01T08:00:00.000000Z"}, {})
    assert reported["report_due"] == ""


def test_the_local_day_is_the_day_where_the_record_was_made():
    late = {"checked_at": "2026-11-30T16:30:00.000000Z", "created_offset": 480,
            "outcome": "pending", "market_id": "m1", "author_id": "a1"}
    got = facts.extract("check", late, {("market", "m1"): "东门市场",
                                        ("inspector", "a1"): "王磊"}, "李娜")
    assert (got["day"], got["result"], got["market"], got["inspector"]) == (
        "2026-12-01", "", "东门市场", "王磊")
    unknown_author = facts.extract("check", dict(late, author_id="zz"), {}, "李娜")
    assert unknown_author["inspector"] == "李娜"
