"""The demo's market workstations 市场质量检验工作站, one per market.

Each is set up as the workstation page keeps it (`core.worklog.workstation`): its
operators, its instruments with their verification certificates, and its reagent batches.
The demo logs of a market name its workstation, and each rapid test names the instrument
for its item and the batch the entry form would propose on that day (the usable one that
expires first), so the tests pass the form's own reagent check.

A new batch of every reagent arrives each half year and keeps for eight months, so the
batches overlap, the latest expires some weeks after today, and none expires within the
reminder window on the day the demo is made. Instruments were verified within the last
year and stay valid for more than the reminder window.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from inspector_app.core.demo.context import DAYS, Ctx, MarketRef, audited, new_uuid
from inspector_app.core.demo.vocabulary import PROFILE_TESTS, RAPID_GROUPS
from inspector_app.core.models import Workstation
from inspector_app.core.worklog import workstation as ws

# number, name, model, the test items it is used for
INSTRUMENTS = (
    ("YQ-01", "农药残留速测仪", "GDYN-12M", ("农药残留",)),
    ("YQ-02", "胶体金读数仪", "JT-300", ("瘦肉精", "孔雀石绿")),
    ("YQ-03", "多功能食品安全快速检测仪", "SP-2000", ("二氧化硫", "甲醛", "硼砂")),
    ("GP-01", "公平秤", "TCS-150", ()),
)
# test item -> (batch number prefix, reagent name, manufacturer (made up))
REAGENTS = {
    "农药残留": ("NC", "农药残留速测卡", "示例华检生物科技有限公司"),
    "瘦肉精": ("SRJ", "盐酸克伦特罗检测卡", "示例康测生物技术有限公司"),
    "孔雀石绿": ("KQ", "孔雀石绿检测卡", "示例康测生物技术有限公司"),
    "二氧化硫": ("EY", "二氧化硫速测试剂", "示例安检试剂有限公司"),
    "甲醛": ("JQ", "甲醛速测试剂", "示例安检试剂有限公司"),
    "硼砂": ("PS", "硼砂速测试纸", "示例安检试剂有限公司"),
}
BATCH_DAYS = 182  # a new batch of each reagent every half year
SHELF_DAYS = 240  # usable for eight months after it arrives
# The margin to the reminders: instruments stay verified beyond it, reagents keep beyond it.
assert SHELF_DAYS - BATCH_DAYS > ws.REAGENT_WARNING_DAYS
VERIFIED_DAYS = (30, 300)  # the last verification, this many days ago
assert 364 - VERIFIED_DAYS[1] > ws.EXPIRY_WARNING_DAYS


def _items(market: MarketRef) -> list[str]:
    """The test items of the market's rapid tests, in catalogue order."""
    wanted = {item for group in PROFILE_TESTS[market.profile]
              for _category, _product, item in RAPID_GROUPS[group]}
    return [item for item in REAGENTS if item in wanted]


def _station_parts(ctx: Ctx, rng: random.Random, market: MarketRef, n: int
                   ) -> dict[str, list[dict[str, Any]]]:
    today = ctx.today
    items = _items(market)
    operators = [{"position": pos, "name": o.name, "inspector_id": o.id,
                  "cert_no": f"JY-{n:03d}{pos:02d}", "active": True}
                 for pos, o in enumerate(ctx.operators[:3], start=1)]
    instruments = []
    for number, name, model, used_for in INSTRUMENTS:
        covered = [item for item in used_for if item in items]
        if used_for and not covered:
            continue
        verified = today - timedelta(days=rng.randint(*VERIFIED_DAYS))
        instruments.append({
            "position": len(instruments) + 1, "number": number, "name": name, "model": model,
            "serial_no": f"{market.code}-{verified.year - rng.randint(1, 4)}"
                         f"{rng.randrange(10**4):04d}",
            "cert_no": f"JD{verified.year}-{rng.randrange(10**4):04d}",
            "verified_on": verified.isoformat(),
            "valid_until": (verified + timedelta(days=364)).isoformat(),
            "test_items": "、".join(used_for) or None, "active": True})
    reagents = []
    for k in range(DAYS // BATCH_DAYS, -1, -1):  # oldest first
        received = today - timedelta(days=(k + 1) * BATCH_DAYS - 1)
        for item in items:
            prefix, name, maker = REAGENTS[item]
            reagents.append({
                "position": len(reagents) + 1, "test_item": item,
                "batch_no": f"{prefix}{received:%Y%m}-{rng.randint(1, 99):02d}",
                "expires_on": (received + timedelta(days=SHELF_DAYS - 1)).isoformat(),
                "name": name, "manufacturer": maker, "received_on": received.isoformat()})
    return {"operators": operators, "instruments": instruments, "reagents": reagents}


def _use(market: MarketRef, station_id: str, instruments: list[tuple[str, str | None]],
         reagents: list[tuple[str, str, str, str | None]]) -> None:
    """What the market's logs take from its station: the instrument of each item (the
    first active one listing it) and the batches of each item by their last day."""
    market.station_id = station_id
    for number, used_for in instruments:
        for item in (used_for or "").split("、"):
            if item:
                market.instruments.setdefault(item, number)
    by_item: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for item, batch_no, expires_on, received_on in reagents:
        last = date.fromisoformat(expires_on).toordinal()
        first = date.fromisoformat(received_on).toordinal() if received_on else 0
        by_item[item].append((last, first, batch_no))
    for item, batches in by_item.items():
        batches.sort()
        market.reagents[item] = ([b[0] for b in batches], [b[1] for b in batches],
                                 [b[2] for b in batches])


def setup_stations(ctx: Ctx, conn: Connection, seed: int) -> int:
    """A workstation for each market that has none; returns how many were added. The
    first workstation (the one the worklog page shows) keeps no shift open. Its random
    choices come from a generator of their own, so the records stay what they were."""
    rng = random.Random(f"{seed}:workstations")
    stations: dict[str, str] = {}
    first: str | None = None
    for sid, market_id in conn.exec_driver_sql(
            "SELECT id, market_id FROM workstations ORDER BY created_at, id"):
        first = first or market_id
        if market_id:
            stations.setdefault(market_id, sid)
    instruments: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for sid, number, used_for in conn.exec_driver_sql(
            "SELECT workstation_id, number, test_items FROM workstation_instruments "
            "WHERE active IS NOT 0 ORDER BY workstation_id, position"):
        instruments[sid].append((number, used_for))
    reagents: dict[str, list[tuple[str, str, str, str | None]]] = defaultdict(list)
    for sid, *batch in conn.exec_driver_sql(
            "SELECT workstation_id, test_item, batch_no, expires_on, received_on "
            "FROM reagent_batches"):
        reagents[sid].append(tuple(batch))

    start = ctx.now - timedelta(days=DAYS + 2)
    added = 0
    for n, market in enumerate(ctx.markets, start=1):
        sid = stations.get(market.id)
        if sid is None:
            sid = new_uuid(rng, ctx.id_key)
            at = start + timedelta(seconds=n)  # the first market's station comes first
            parts = _station_parts(ctx, rng, market, n)
            row = audited(sid, at, ctx.device, ctx.author(None))
            row.update(name=f"{market.name}快检室", market_id=market.id,
                       address=f"{market.address}市场管理处一楼")
            ctx.writer.add(Workstation, row, at, parts)
            instruments[sid] = [(i["number"], i["test_items"]) for i in parts["instruments"]]
            reagents[sid] = [(r["test_item"], r["batch_no"], r["expires_on"],
                              r["received_on"]) for r in parts["reagents"]]
            added += 1
            first = first or market.id
        _use(market, sid, instruments[sid], reagents[sid])
        market.keep_closed = market.id == first
    return added
