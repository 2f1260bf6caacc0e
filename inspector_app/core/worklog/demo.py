"""A realistic workstation day, for the demo store, the benchmarks and the tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from inspector_app.core import records
from inspector_app.core.models import Market, WorkLog
from inspector_app.core.worklog import service
from inspector_app.core.worklog import workstation as ws
from inspector_app.core.worklog.entry import TestInput, log_tz

PRODUCTS = [("青菜", "蔬菜"), ("菠菜", "蔬菜"), ("韭菜", "蔬菜"), ("芹菜", "蔬菜"), ("豇豆", "蔬菜"),
            ("黄瓜", "蔬菜"), ("番茄", "蔬菜"), ("生菜", "蔬菜"), ("小白菜", "蔬菜"), ("茼蒿", "蔬菜"),
            ("苹果", "水果"), ("葡萄", "水果"), ("草莓", "水果")]
MEAT = [("猪肉", "畜肉"), ("猪肝", "畜肉"), ("牛肉", "畜肉")]
FISH = [("草鱼", "水产品"), ("鲈鱼", "水产品"), ("鱿鱼", "水产品")]
STALLS = [f"A{n:02d}" for n in range(1, 25)] + [f"B{n:02d}" for n in range(1, 13)] + \
    ["𠮷祥蔬菜C01"]


@dataclass
class DemoStation:
    workstation_id: str
    market_id: str


def make_station(session: Session, actor: records.Actor, today: date,
                 market_name: str = "东门农副产品批发市场") -> DemoStation:
    market = records.create(session, Market(name=market_name, address="东门路1号"), actor)
    station = ws.save(session, actor, ws.WorkstationInput(
        name="东门市场快检室", market_id=market.id, address="东门农副产品批发市场管理处一楼",
        operators=[ws.OperatorInput("李四", "JY-0101"), ws.OperatorInput("王芳", "JY-0102")],
        instruments=[
            ws.InstrumentInput("YQ-01", "农药残留速测仪", "GDYN-12M", "SN20240311",
                               "JD2026-0452", (today - timedelta(days=340)).isoformat(),
                               (today + timedelta(days=25)).isoformat(), ["农药残留"]),
            ws.InstrumentInput("YQ-02", "胶体金读数仪", "JT-300", "SN20230907", "JD2026-0453",
                               (today - timedelta(days=200)).isoformat(),
                               (today + timedelta(days=165)).isoformat(),
                               ["瘦肉精", "孔雀石绿"]),
            ws.InstrumentInput("GP-01", "公平秤", "TCS-150", "SN20220101", "JD2026-0010",
                               (today - timedelta(days=100)).isoformat(),
                               (today + timedelta(days=265)).isoformat()),
        ],
        reagents=[
            ws.ReagentInput("农药残留", "NC20261001", (today + timedelta(days=120)).isoformat(),
                            "农药残留速测卡"),
            ws.ReagentInput("农药残留", "NC20250301", (today - timedelta(days=30)).isoformat(),
                            "农药残留速测卡"),
            ws.ReagentInput("瘦肉精", "SRJ2026-08", (today + timedelta(days=90)).isoformat(),
                            "克伦特罗检测卡"),
            ws.ReagentInput("孔雀石绿", "KQ2026-05", (today + timedelta(days=60)).isoformat()),
        ]))
    return DemoStation(station.id, market.id)


def day_tests(n: int, day: date, tz, seed: int = 7, start: time = time(4, 30)) -> list[TestInput]:
    """`n` plausible first tests of a morning from `start`, within five hours."""
    rng = random.Random(seed)
    out = []
    moment = datetime.combine(day, start, tzinfo=tz)
    step = min(90, 5 * 3600 // max(n, 1))
    for _i in range(n):
        moment += timedelta(seconds=step * 2 // 3 + rng.randint(0, step * 2 // 3))
        kind = rng.random()
        stall = rng.choice(STALLS)
        if kind < 0.8:
            product, category = rng.choice(PRODUCTS)
            rate = Decimal(rng.randint(50, 650)) / 10 if rng.random() < 0.06 else \
                Decimal(rng.randint(0, 420)) / 10
            out.append(TestInput(product, "农药残留", value=rate, stall_no=stall,
                                 category=category, unit="%", limit_value="50",
                                 method="GB/T 5009.199 酶抑制率法", tester="李四",
                                 tested_at=moment, instrument_no="YQ-01",
                                 reagent_batch="NC20261001"))
        elif kind < 0.9:
            product, category = rng.choice(MEAT)
            out.append(TestInput(product, "瘦肉精", reading="negative", stall_no=stall,
                                 category=category, method="胶体金免疫层析法", tester="李四",
                                 tested_at=moment, instrument_no="YQ-02",
                                 reagent_batch="SRJ2026-08"))
        else:
            product, category = rng.choice(FISH)
            out.append(TestInput(product, "孔雀石绿", reading="negative", stall_no=stall,
                                 category=category, method="胶体金免疫层析法", tester="王芳",
                                 tested_at=moment, instrument_no="YQ-02",
                                 reagent_batch="KQ2026-05"))
    return out


def fill_day(session: Session, actor: records.Actor, station: DemoStation, tests: int,
             now: datetime, close: bool = True) -> WorkLog:
    """A shift of `now`'s day with `tests` tests, re-tests of the first positives, scale
    checks, re-weighs and complaints."""
    opened = now.replace(hour=4, minute=20, second=0, microsecond=0)
    wl = service.open_shift(session, actor, "李四", station.workstation_id, now=opened)
    tz = log_tz(wl.created_offset)
    day = date.fromisoformat(wl.log_date)
    batch = day_tests(tests, day, tz, seed=day.toordinal())
    service.add_tests(session, actor, wl.id, batch, now=now)
    positives = service.awaiting_retest(wl)[:3]
    retests = []
    for n, t in enumerate(positives):
        retests.append(TestInput(
            t.product_name, t.test_item, value=t.value + Decimal(n * 3) - 2, stall_no=t.stall_no,
            category=t.category, unit="%", limit_value="50", method=t.method, tester="王芳",
            tested_at=t.tested_at + timedelta(minutes=20), instrument_no="YQ-01",
            reagent_batch="NC20261001", retest_of=t.sample_no))
    if retests:
        service.add_tests(session, actor, wl.id, retests, now=now)
        for t in positives:
            service.set_follow_up(session, actor, wl.id, t.sample_no,
                                  "已责令经营者暂停销售并下架，剩余样品送实验室确证", now=now)
    at = datetime.combine(day, time(9, 0), tzinfo=tz)
    service.add_scale_check(session, actor, wl.id, service.ScaleInput(
        stall_no="A03", instrument_name="电子计价秤", model="ACS-30", serial_no="E2301122",
        cert_no="JD2025-1187", verified_on=(day - timedelta(days=200)).isoformat(),
        valid_until=(day + timedelta(days=165)).isoformat(), result="pass", checked_at=at),
        now=now)
    service.add_scale_check(session, actor, wl.id, service.ScaleInput(
        stall_no="B07", instrument_name="电子计价秤", model="ACS-15", serial_no="E1908811",
        cert_no="JD2024-0931", verified_on=(day - timedelta(days=400)).isoformat(),
        valid_until=(day - timedelta(days=35)).isoformat(), result="pass",
        checked_at=at + timedelta(minutes=12)), now=now)
    service.add_scale_check(session, actor, wl.id, service.ScaleInput(
        kind="reweigh", stall_no="A12", product_name="五花肉", claimed_weight=Decimal("1.500"),
        actual_weight=Decimal("1.420"), checked_at=at + timedelta(minutes=30),
        note="消费者申请复秤"), now=now)
    service.add_scale_check(session, actor, wl.id, service.ScaleInput(
        kind="reweigh", stall_no="A05", product_name="苹果", claimed_weight=Decimal("2.000"),
        actual_weight=Decimal("2.010"), checked_at=at + timedelta(minutes=41)), now=now)
    c = service.add_complaint(session, actor, wl.id, service.ComplaintInput(
        "反映A12摊位猪肉短斤缺两", complainant="陈先生", phone="13812345678", stall_no="A12",
        handler="李四", received_at=at + timedelta(minutes=25)), now=now)
    service.update_complaint(session, actor, wl.id, c.position,
                             "公平秤复秤短缺80克，已督促经营者退还差价并校准计价秤", close=True,
                             now=now)
    service.add_complaint(session, actor, wl.id, service.ComplaintInput(
        "举报B区有摊位销售无标签豆制品", category="report", stall_no="B09",
        received_at=at + timedelta(minutes=50)), now=now)
    if close:
        service.close_shift(session, actor, wl.id, now=now)
    return wl
