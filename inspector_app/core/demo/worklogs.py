"""Workstation logs 工作站日志 as the bulk demo makes them: a shift per market and day
with rapid tests (on the workstation's instruments and reagent batches), scale checks,
re-weighs and complaints."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from inspector_app.core.demo.bulk import canon_time, scaled
from inspector_app.core.demo.context import (
    Ctx,
    MarketRef,
    audited,
    between,
    mobile,
    person_name,
    pick,
)
from inspector_app.core.demo.vocabulary import (
    COMPLAINTS,
    FORMALDEHYDE,
    PROFILE_TESTS,
    RAPID_GROUPS,
    RAPID_ITEMS,
)
from inspector_app.core.models import WorkLog

_RAPID: dict[str, tuple[tuple[str, str, str, str, str, str, str], ...]] = {}
for _group, _choices in RAPID_GROUPS.items():
    _rows = []
    for _category, _product_name, _item in _choices:
        _method, _unit, _limit, _how = RAPID_ITEMS[_item]
        if _item == "甲醛" and _category in FORMALDEHYDE:
            _unit, _limit = FORMALDEHYDE[_category]
        _rows.append((_category, _product_name, _item, _method, _unit, _limit, _how))
    _RAPID[_group] = tuple(_rows)
# limits of measured items, in thousandths
_MILLI = {limit: int(Decimal(limit) * 1000) for _m, _u, limit, how in RAPID_ITEMS.values()
          if how == "quantity"} | {limit: int(Decimal(limit) * 1000)
                                   for _u, limit in FORMALDEHYDE.values()}


def _rapid_test(ctx: Ctx, pos: int, day_text: str, day: int, market: MarketRef,
                group: str, tested_at: datetime, tester: str) -> dict[str, Any]:
    rnd = ctx.rnd
    category, product, item, method, unit, limit, how = pick(rnd, _RAPID[group])
    value: str | None = None
    if how == "inhibition":  # GB/T 5009.199: an inhibition rate of 50 % or more is positive
        roll = rnd()
        tenths = (between(rnd, 0, 400) if roll < 0.9 else between(rnd, 400, 499)
                  if roll < 0.95 else between(rnd, 500, 950))
        value = scaled(tenths, 1)
        positive = tenths >= 500
    elif how == "qualitative":
        positive = rnd() < 0.01
    else:  # a measured amount (in thousandths) against its limit
        cap = _MILLI[limit]
        percent = between(rnd, 105, 300) if rnd() < 0.02 else between(rnd, 0, 80)
        amount = cap * percent // 100
        value = scaled(amount, 3)
        positive = amount > cap
    stalls = ctx.test_stalls(market, group)
    return {"position": pos, "sample_no": f"KJ{day_text}{pos:02d}", "category": category,
            "product_name": product, "stall_no": pick(rnd, stalls).number if stalls else "",
            "test_item": item, "method": method, "value": value, "unit": unit,
            "limit_value": limit, "conclusion": "positive" if positive else "negative",
            "tester": tester, "tested_at": canon_time(tested_at),
            "instrument_no": market.instruments.get(item, ""),
            "reagent_batch": market.reagent(item, day, rnd())}


_SCALE_MODELS = ("ACS-15", "ACS-30", "TCS-60")


def _scale_check(ctx: Ctx, pos: int, log_day: date, market: MarketRef) -> dict[str, Any]:
    rnd = ctx.rnd
    stalls = ctx.stalls_by_market.get(market.id)
    row = {"position": pos, "stall_no": pick(rnd, stalls).number if stalls else ""}
    if rnd() < 0.55:  # 公平秤: the buyer's goods weighed again
        grams = between(rnd, 200, 10000)
        short = 0 if rnd() < 0.85 else min(between(rnd, 20, 400), grams - 50)
        row.update(kind="reweigh", instrument_name="公平秤", model="TCS-150", serial_no="",
                   cert_no="", verified_on="", valid_until="",
                   claimed_weight=scaled(grams, 3), actual_weight=scaled(grams - short, 3),
                   result="pass" if short <= 10 else "fail")
    else:
        verified = log_day - timedelta(days=between(rnd, 10, 420))
        valid_until = verified + timedelta(days=364)
        if valid_until < log_day:
            result = "overdue"
        else:
            result = "pass" if rnd() < 0.95 else "fail"
        row.update(kind="verification", instrument_name="电子计价秤",
                   model=pick(rnd, _SCALE_MODELS), serial_no=f"{int(rnd() * 10**9):09d}",
                   cert_no=f"JDZ{verified.year}{int(rnd() * 10**6):06d}",
                   verified_on=verified.isoformat(), valid_until=valid_until.isoformat(),
                   claimed_weight=None, actual_weight=None, result=result)
    return row


_SCALE_COUNTS = (0, 1, 1, 2, 2, 3, 4)


def make_worklog(ctx: Ctx, market: MarketRef, day: int) -> None:
    rng, rnd = ctx.rng, ctx.rnd
    log_day = ctx.local_date(day)
    day_text, ordinal = f"{log_day:%Y%m%d}", log_day.toordinal()
    worklog_id = ctx.new_id()
    operator = pick(rnd, ctx.operators)
    opened = ctx.at(day, between(rnd, 7 * 3600, 8 * 3600 + 1800))
    closed = ctx.at(day, between(rnd, 17 * 3600, 18 * 3600 + 1800))
    # A shift of yesterday may still be open, but not at the workstation the worklog
    # page shows: there the operator opens today's shift.
    status = "open" if day <= 1 and rnd() < 0.3 and not market.keep_closed else "closed"
    groups = PROFILE_TESTS[market.profile]
    span = int((closed - opened).total_seconds()) - 600
    offsets = sorted(int(rnd() * span) for _ in range(between(rnd, 3, 10)))
    times = [opened + timedelta(seconds=300 + s) for s in offsets]
    tests = [_rapid_test(ctx, pos, day_text, ordinal, market, pick(rnd, groups), at,
                         operator.name)
             for pos, at in enumerate(times, start=1)]
    scales = [_scale_check(ctx, pos, log_day, market)
              for pos in range(1, pick(rnd, _SCALE_COUNTS) + 1)]
    for scale in scales:  # when it was made; for a 公平秤 re-weigh, whose goods (no rnd()
        # here, so the rest of the demo stays as it was)
        pos = scale["position"]
        scale["checked_at"] = canon_time(min(opened + timedelta(minutes=25 + 53 * pos),
                                             closed - timedelta(minutes=5)))
        scale["product_name"] = None
        if scale["kind"] == "reweigh":
            goods = tests[(pos - 1) % len(tests)]
            scale["product_name"] = goods["product_name"]
            scale["stall_no"] = goods["stall_no"] or scale["stall_no"]
    complaints = []
    if rnd() < 0.08:
        stalls = ctx.stalls_by_market.get(market.id)
        stall_no = pick(rnd, stalls).number if stalls else ""
        what, follow = pick(rnd, COMPLAINTS)
        closed_case = status == "closed" and rnd() < 0.9
        complaints.append({
            "position": 1, "received_at": canon_time(opened + timedelta(seconds=int(rnd() * span))),
            "complainant": person_name(rng), "phone": mobile(rng), "stall_no": stall_no,
            "content": what.format(stall=stall_no or "某", product=tests[0]["product_name"]),
            "status": "closed" if closed_case else "open",
            "follow_up": follow if closed_case else ""})
    positives = sum(1 for t in tests if t["conclusion"] == "positive")
    reweighs = sum(1 for s in scales if s["kind"] == "reweigh")
    summary = (f"今日快速检测{len(tests)}批次，阳性{positives}批次"
               + ("，阳性样品已下架并送实验室复检" if positives else "")
               + f"；计量器具检查{len(scales) - reweighs}台次，公平秤复秤{reweighs}次"
               + f"；受理投诉举报{len(complaints)}件。")
    if status == "open":
        updated, closed_at = times[-1] + timedelta(minutes=2), None
    else:
        updated, closed_at = closed, canon_time(closed)
    row = audited(worklog_id, updated, ctx.device, ctx.author(operator.id))
    row.update(status=status, market_id=market.id, log_date=log_day.isoformat(),
               operator_name=operator.name, opened_at=canon_time(opened), closed_at=closed_at,
               summary=summary, workstation_id=market.station_id)
    ctx.writer.add(WorkLog, row, updated,
                   {"tests": tests, "scale_checks": scales, "complaints": complaints})

