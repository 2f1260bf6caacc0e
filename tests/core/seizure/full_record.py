"""A seizure whose record holds every field its documents print: issued, signed for,
extended with approval, released after its term."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from seizure_helpers import INK, ISSUE_TIME, Agency

from inspector_app.core.seizure import documents, service

STATEMENT = "产品是从外地进货的，我不知道没有3C标志。"
RECORD_END = datetime(2025, 3, 1, 3, 30, tzinfo=UTC)  # 11:30 in UTC+8


def full_record(agency: Agency) -> str:
    sid = agency.issued(items=3, party_statement=STATEMENT, record_ended_at=RECORD_END)
    store, actor = agency.store, agency.actor
    with store.write() as s:
        service.add_signature(store, s, actor, sid, documents.DECISION_RECEIPT, "王五",
                              png=INK, now=ISSUE_TIME + timedelta(minutes=40))
    with store.write() as s:
        service.extend(store, s, actor, sid, 20, "需送检验机构检验", approver="局长王某",
                       now=ISSUE_TIME + timedelta(days=25))
    with store.write() as s:
        service.close(store, s, actor, sid, "released", "检验期满", ground="4",
                      now=ISSUE_TIME + timedelta(days=51))
    return sid
