"""The plan of a run (when each record happens) and the building of its records in
time order, flushed to the writer in chunks."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from inspector_app.core.demo.checks import FATES, make_check
from inspector_app.core.demo.context import CHUNK, DAYS, Ctx, between
from inspector_app.core.demo.seizures import make_seizure
from inspector_app.core.demo.worklogs import make_worklog
from inspector_app.core.models import LabelCheck


def _times(ctx: Ctx, n: int, first_hour: float, last_hour: float) -> list[datetime]:
    """`n` sorted working-hour moments on the days before today."""
    rnd = ctx.rnd
    lo, hi = int(first_hour * 3600), int(last_hour * 3600)
    return sorted(ctx.at(between(rnd, 1, DAYS), between(rnd, lo, hi)) for _ in range(n))


@dataclass
class Plan:
    """When each record happens, drawn before the records themselves."""

    fates: list[tuple[str, str]]
    check_times: list[datetime]
    seizure_times: list[datetime]
    slots: list[tuple[int, int]]  # (market index, day) of each log


def make_plan(ctx: Ctx, records: int, used_slots: set[tuple[str, str]]) -> Plan:
    """Checks and seizures in working hours, one log per market and day; some
    non-conforming checks lead to a seizure on the spot."""
    rng = ctx.rng
    fates = rng.choices([f[:2] for f in FATES], [f[2] for f in FATES], k=records)
    n_linked = sum(1 for f in fates if f[1] == "seizure")
    check_times = _times(ctx, records, 8.5, 17.5)
    seizure_times = _times(ctx, records - n_linked, 9, 17)
    free = [(m, d) for d in range(DAYS, 0, -1) for m in range(len(ctx.markets))
            if (ctx.markets[m].id, ctx.local_date(d).isoformat()) not in used_slots]
    slots = sorted(rng.sample(free, records), key=lambda s: (-s[1], s[0]))
    return Plan(fates, check_times, seizure_times, slots)


def build_records(ctx: Ctx, plan: Plan, chunk_done: Callable[[dict[str, int]], None]
           ) -> dict[str, int]:
    """Make the planned records in time order, flushing every CHUNK of them."""
    writer = ctx.writer
    made = {"check": 0, "seizure": 0, "worklog": 0}
    streams = (
        ((at, 0, i) for i, at in enumerate(plan.check_times)),
        ((at, 1, i) for i, at in enumerate(plan.seizure_times)),
        ((ctx.at(d, 7 * 3600), 2, i) for i, (_m, d) in enumerate(plan.slots)),
    )
    pending = 0
    for moment, stream, i in heapq.merge(*streams):
        if stream == 0:
            fate = plan.fates[i]
            check = make_check(ctx, moment, fate)
            if fate[1] == "seizure":
                started = moment + timedelta(minutes=between(ctx.rnd, 5, 40))
                check.row["seizure_id"] = make_seizure(ctx, started, check)
                made["seizure"] += 1
            writer.add(LabelCheck, check.row, check.at,
                       {"items": check.items, "officers": check.officers})
            made["check"] += 1
        elif stream == 1:
            make_seizure(ctx, moment, None)
            made["seizure"] += 1
        else:
            m, d = plan.slots[i]
            make_worklog(ctx, ctx.markets[m], d)
            made["worklog"] += 1
        pending += 1
        if pending >= CHUNK:
            writer.flush()
            chunk_done(made)
            pending = 0
    writer.flush()
    chunk_done(made)
    return made
