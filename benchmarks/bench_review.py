"""The review queue of a supervisor's store (issue 12): 100,000 pending agency records, the
first page of `review.queue` (the core query the supervisor's list shows first) <= 200 ms.

Baseline, measured in the same run on the same table: `SELECT count(*) FROM agency_records`,
the cheapest statement that touches every row (SQLite counts on the smallest index). A
first page below it shows the queue is read from the review index a page at a time, not by
reading and sorting every pending record; it tracks the machine's speed in this run.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from common import benchmark, median, result

PENDING = 100_000
OTHERS = 20_000  # returned / approved / rejected, which the pending queue must skip
PAGE = 100


def _fill(store, pending: int, others: int) -> None:
    from sqlalchemy import insert

    from inspector_app.core.models import AgencyRecord, SyncReference
    from sync import protocol

    now = datetime.now(UTC)
    kinds = ("check", "seizure", "worklog")
    states = ("returned", "approved", "rejected")
    markets = [f"市场{n}" for n in range(40)]
    rows = []
    for n in range(pending + others):
        device = f"00000000-0000-4000-8000-{n % 50:012d}"
        rows.append({
            "kind": kinds[n % 3], "record_id": str(uuid.UUID(int=n)), "version": 1 + n % 3,
            "content_sha256": f"{n:064x}", "device_id": device, "owner_device_id": device,
            "author_id": "", "inspector": f"检查员{n % 50}", "market_id": f"m{n % 40}",
            "market": markets[n % 40], "day": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "state": "final", "result": "conforming", "category": "", "title": f"产品{n}",
            "deadline": "", "report_due": "", "positives": 0,
            "review_state": "pending" if n < pending else states[n % 3], "conflicts": 0,
            "updated_at": now})
    with store.write() as session:  # the markets as the reference data pulled names them
        session.execute(insert(SyncReference), [
            {"kind": "market", "item_id": f"m{n}", "version": 1, "received_at": now,
             "content": protocol.dumps({"name": name})} for n, name in enumerate(markets)])
        for i in range(0, len(rows), 5000):
            session.execute(insert(AgencyRecord), rows[i:i + 5000])


def _timed(store, fn, repeats: int) -> tuple[float, float]:
    """(first, median) seconds of `fn(session)` in a fresh read session each time."""
    times = []
    for _ in range(repeats):
        with store.read() as session:
            start = time.perf_counter()
            fn(session)
            times.append(time.perf_counter() - start)
    return times[0], median(times)


@benchmark("review_queue_first_page")
def review_queue(ctx) -> dict:
    from sqlalchemy import text

    from inspector_app.core.agency import review
    from inspector_app.core.store import Store

    pending = 5_000 if ctx.quick else PENDING
    others = 1_000 if ctx.quick else OTHERS
    store = Store(ctx.tmp / "review")
    try:
        _fill(store, pending, others)
        repeats = 5 if ctx.quick else 15
        with store.read() as session:  # what the list shows first is really the queue
            first = review.queue(session, limit=PAGE)
            assert len(first) == PAGE and all(r.review_state == "pending" for r in first)
            assert review.count(session) == pending
        cold, page = _timed(store, lambda s: review.queue(s, limit=PAGE), repeats)
        _c, filtered = _timed(store, lambda s: review.queue(s, kind="seizure",
                                                            market="m7", limit=PAGE),
                              repeats)
        _c, by_name = _timed(store, lambda s: review.queue(s, market="市场7", limit=PAGE),
                             repeats)
        _c, by_inspector = _timed(store, lambda s: review.queue(s, inspector="检查员7",
                                                                limit=PAGE), repeats)
        _c, counted = _timed(store, lambda s: review.count(s), repeats)
        _c, baseline = _timed(store, lambda s: s.execute(
            text("SELECT count(*) FROM agency_records")).scalar_one(), repeats)
    finally:
        store.close()
    return result(page * 1000, "ms", "<= 200 ms", page <= 0.2, baseline * 1000,
                  pending=pending, first_call_ms=round(cold * 1000, 1),
                  seizures_of_a_market_ms=round(filtered * 1000, 1),
                  market_by_name_ms=round(by_name * 1000, 1),
                  inspector_ms=round(by_inspector * 1000, 1),
                  count_ms=round(counted * 1000, 1))
