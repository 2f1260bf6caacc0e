"""The reference data of the demo: the document numbers to go on from, the team of
inspectors, the markets, and the parties with their stalls. What the store has already
is reused; only what is missing is added."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Connection

from inspector_app.core import settings
from inspector_app.core.demo.context import (
    DAYS,
    DEMO_PASSWORD,
    SLOT_FILL,
    Ctx,
    MarketRef,
    OfficerRef,
    StallRef,
    audited,
    make_credit_code,
    make_id_number,
    mobile,
    person_name,
    profile_of,
)
from inspector_app.core.demo.vocabulary import (
    BASE_MARKETS,
    BUSINESSES,
    DISTRICTS,
    EXTRA_MARKET_TYPES,
    NON_BMP_WORDS,
    PROFILES,
    ROADS,
    SHOP_TRADES,
    SHOP_TYPES,
    SHOP_WORDS,
    TEAM,
)
from inspector_app.core.models import Base, Inspector, Market, Party, Stall

# --- reference data ---------------------------------------------------------------------


def setup_numbers(ctx: Ctx, conn: Connection) -> None:
    """Go on from the demo numbers already given, in the ledger or in the seizures."""
    try:
        from inspector_app.core.seizure.numbering import check_pattern
    except ImportError:  # pragma: no cover - an installation without the seizure workflow
        def check_pattern(pattern: str) -> str:
            return pattern
    try:
        ctx.pattern = check_pattern(ctx.pattern)
    except ValueError:
        ctx.pattern = settings.DOC_NUMBER_PATTERN.default
    ctx.ledger = "seizure_doc_numbers" in Base.metadata.tables
    if ctx.ledger:
        ctx.doc_seq = dict(conn.exec_driver_sql(
            "SELECT year, max(seq) FROM seizure_doc_numbers WHERE segment = ? GROUP BY year",
            (ctx.doc_segment,)).all())
    else:
        ctx.seq_base = conn.exec_driver_sql("SELECT count(*) FROM seizures").scalar()


def setup_inspectors(ctx: Ctx, conn: Connection) -> int:
    rows = conn.exec_driver_sql(
        "SELECT id, name, cert_no, role, username FROM inspectors WHERE active ORDER BY username"
    ).all()
    taken_users = {r[4] for r in rows}
    taken_certs = {r[2] for r in rows if r[2]}
    staff = [OfficerRef(r[0], r[1], r[2], r[3]) for r in rows]
    added = 0
    if sum(1 for o in staff if o.cert_no) < 2:
        from inspector_app.core.auth import hash_password

        password_hash = hash_password(DEMO_PASSWORD)  # once: Argon2 is slow by design
        at = ctx.now - timedelta(days=DAYS + 5)
        cert_seq = 1
        for name, username, role in TEAM:
            if username in taken_users:
                continue
            cert_no = ""
            if role != "operator":
                while f"320102{cert_seq:05d}" in taken_certs:
                    cert_seq += 1
                cert_no = f"320102{cert_seq:05d}"
                taken_certs.add(cert_no)
            rid = ctx.new_id()
            row = audited(rid, at, ctx.device, ctx.author(None))
            row.update(name=name, cert_no=cert_no, username=username,
                       password_hash=password_hash, role=role, active=True)
            ctx.writer.add(Inspector, row, at)
            staff.append(OfficerRef(rid, name, cert_no, role))
            added += 1
    ctx.officers = [o for o in staff if o.cert_no]
    ctx.operators = [o for o in staff if o.role == "operator"] or staff
    chiefs = [o for o in staff if o.role == "supervisor"] or ctx.officers
    ctx.approver = chiefs[0].name
    if len(ctx.officers) < 2:  # pragma: no cover - the team above always adds enough
        raise RuntimeError("demo data needs at least two officers with certificate numbers")
    return added


def _extra_market_names(taken: set[str]) -> Iterator[tuple[str, str]]:
    for round_no in range(1, 10**6):
        for suffix in EXTRA_MARKET_TYPES:
            for district in DISTRICTS:
                name = f"{district}{suffix}" if round_no == 1 else f"{district}{suffix}{round_no}号"
                if name not in taken:
                    yield name, district + "区"


def setup_markets(ctx: Ctx, conn: Connection, n_logs: int) -> tuple[int, set[tuple[str, str]]]:
    """Existing markets, plus the base ones on a new store, plus more if the logs need it."""
    rows = conn.exec_driver_sql("SELECT id, name, address FROM markets ORDER BY name, id").all()
    ctx.markets = [MarketRef(r[0], r[1], r[2], profile_of(r[1])) for r in rows]
    taken = {m.name for m in ctx.markets}
    at = ctx.now - timedelta(days=DAYS + 4)
    new: list[tuple[str, str, str]] = []
    if not ctx.markets:
        new.extend(BASE_MARKETS)
    first = ctx.local_date(DAYS).isoformat()
    used = {(r[0], r[1]) for r in conn.exec_driver_sql(
        "SELECT market_id, log_date FROM work_logs WHERE log_date >= ?", (first,))}
    free = (len(ctx.markets) + len(new)) * DAYS - len(used)
    extra = _extra_market_names(taken | {m[0] for m in new})
    while free * SLOT_FILL < n_logs:
        name, district = next(extra)
        road = ctx.rng.choice(ROADS)
        new.append((name, district, f"{district}{road}{ctx.rng.randint(1, 400)}号"))
        free += DAYS
    for name, district, address in new:
        rid = ctx.new_id()
        row = audited(rid, at, ctx.device, ctx.author(None))
        row.update(name=name, address=address, district=district)
        ctx.writer.add(Market, row, at)
        ctx.markets.append(MarketRef(rid, name, address, profile_of(name)))
    for m in ctx.markets:
        m.code = f"KJ-{ctx.rng.choice('ABCDEFGH')}{ctx.rng.randint(100, 999)}"
    return len(new), used


def _party_row(ctx: Ctx, business: str, district: str, non_bmp: bool,
               codes: set[str]) -> dict[str, Any]:
    rng = ctx.rng
    trade = SHOP_TRADES.get(business, "百货")
    person = person_name(rng)
    roll = rng.random()
    word = rng.choice(NON_BMP_WORDS) if non_bmp else rng.choice(SHOP_WORDS)
    if roll < 0.45:
        kind, licence = "enterprise", "营业执照"
        suffix = rng.choice(("商贸有限公司", "贸易有限公司", "实业有限公司", "经营部"))
        name = f"{word}{trade}{suffix}"
        org_type = "1"
    elif roll < 0.92 or non_bmp:
        kind, licence = "individual", "营业执照（个体工商户）"
        if non_bmp or rng.random() < 0.6:
            name = f"{district}{word}{trade}{rng.choice(SHOP_TYPES)}"
        else:
            name = f"{person[0]}记{trade}{rng.choice(SHOP_TYPES)}"
        org_type = "2"
    else:  # a trader without a licence of their own: the person is the party
        kind, licence, name, org_type = "individual", "", person, ""
    credit = ""
    if org_type:
        credit = make_credit_code(rng, org_type)
        while credit in codes:
            credit = make_credit_code(rng, org_type)
        codes.add(credit)
    id_number = make_id_number(rng, ctx.today)
    while id_number in codes:
        id_number = make_id_number(rng, ctx.today)
    codes.add(id_number)
    road = rng.choice(ROADS)
    return {"party_type": kind, "name": name, "credit_code": credit, "licence_name": licence,
            "address": f"{district}{road}{rng.randint(1, 600)}号", "legal_rep": person,
            "id_number": id_number, "phone": mobile(rng)}


def setup_stalls(ctx: Ctx, conn: Connection, records: int) -> tuple[int, int]:
    rng = ctx.rng
    names = {r[0]: (r[1], r[2]) for r in conn.exec_driver_sql(
        "SELECT id, name, legal_rep FROM parties")}
    codes = {c for row in conn.exec_driver_sql("SELECT credit_code, id_number FROM parties")
             for c in row if c}
    by_id = {m.id: m for m in ctx.markets}
    numbers: dict[str, set[str]] = defaultdict(set)
    for sid, market_id, number, party_id, business in conn.exec_driver_sql(
            "SELECT id, market_id, number, party_id, business FROM stalls ORDER BY id"):
        market = by_id.get(market_id)
        if market is None:
            continue
        numbers[market_id].add(number)
        cats, tests = BUSINESSES.get(business, ((), ()))
        if business not in BUSINESSES:  # made elsewhere: assume the market's usual goods
            cats = tuple({c for b in PROFILES[market.profile] for c in BUSINESSES[b][0]})
        ctx.stalls.append(StallRef(sid, market, number, party_id, *names.get(party_id, ("", "")),
                                 business, tuple(sorted(cats)), tests))
    n_parties = max(12, records // 20)
    at = ctx.now - timedelta(days=DAYS + 3)
    base = {b[0] for b in BASE_MARKETS}
    # Every market gets a few stalls; the rest go by weight, the named markets being larger.
    weights = [4 if m.name in base else 1 for m in ctx.markets]
    market_of = [ctx.markets[i % len(ctx.markets)]
                 for i in range(min(n_parties, 3 * len(ctx.markets)))]
    market_of += rng.choices(ctx.markets, weights, k=n_parties - len(market_of))
    n_stalls = 0
    for i, market in enumerate(market_of):
        profile = PROFILES[market.profile]
        business = rng.choices(list(profile), list(profile.values()))[0]
        district = market.address[:3] if market.address[2:3] == "区" else "东城区"
        non_bmp = i == 0 or rng.random() < 0.04
        pid = ctx.new_id()
        prow = audited(pid, at, ctx.device, ctx.author(None))
        prow.update(_party_row(ctx, business, district, non_bmp, codes))
        ctx.writer.add(Party, prow, at)
        for _ in range(2 if rng.random() < 0.1 else 1):
            zone = rng.choice("ABCDEFGH")
            number = f"{zone}区{rng.randint(1, 300):03d}号"
            while number in numbers[market.id]:
                number = f"{zone}区{rng.randint(1, 999):03d}号"
            numbers[market.id].add(number)
            sid = ctx.new_id()
            srow = audited(sid, at, ctx.device, ctx.author(None))
            srow.update(market_id=market.id, number=number, party_id=pid, business=business)
            ctx.writer.add(Stall, srow, at)
            cats, tests = BUSINESSES[business]
            ctx.stalls.append(StallRef(sid, market, number, pid, prow["name"], prow["legal_rep"],
                                     business, cats, tests))
            n_stalls += 1
    ctx.checkable = [s for s in ctx.stalls if s.categories]
    for s in ctx.stalls:
        ctx.stalls_by_market.setdefault(s.market.id, []).append(s)
    return n_parties, n_stalls

