"""A small store with one record of each kind, every child list and an attachment.

Shared by tests/core/test_transfer.py and tests/cli/test_cli.py (import it as
`sample_records`: the tests folder is on sys.path through its conftest.py).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from inspector_app.core import attachments, auth, canonical, records, settings
from inspector_app.core.models import (
    AUDITED,
    Attachment,
    CheckItem,
    CheckOfficer,
    Complaint,
    LabelCheck,
    Market,
    Party,
    RapidTest,
    ScaleCheck,
    Seal,
    Seizure,
    SeizureItem,
    SeizureOfficer,
    Stall,
    WorkLog,
    Workstation,
    WorkstationOperator,
)
from inspector_app.core.store import Store

CREDIT_CODE = "91320102MA1MXXXX06"  # valid (GB 32100-2015)
ID_NUMBER = "320102199001011232"  # valid (GB 11643-1999)
PARTY_NAME = "𠮷祥日杂商行"  # outside the BMP
PRODUCT = "电热水壶"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"photo of the label " * 50


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def fill(store: Store) -> dict[str, str]:
    """Set up the store (agency, two officers) and add one record of each kind.

    Returns the ids: market, party, stall, workstation, check, seizure, worklog, inspector,
    officer2.
    """
    with store.write() as session:
        boss = auth.first_setup(session, "示例市市场监督管理局", "示例",
                                auth.NewInspector("张三", "zhang", "demo1234", "32010001",
                                                  "supervisor"))
        actor = records.Actor(settings.device_id(session), boss.id)
        second = auth.add_inspector(session, actor,
                                    auth.NewInspector("李四", "li", "demo5678", "32010002"))
        market = records.create(session, Market(name="东门农副产品批发市场",
                                                address="东城区东门路88号"), actor)
        party = records.create(session, Party(
            name=PARTY_NAME, party_type="individual", credit_code=CREDIT_CODE,
            id_number=ID_NUMBER, phone="13812345678", legal_rep="吉祥"), actor)
        stall = records.create(session, Stall(market_id=market.id, number="A-101",
                                              party_id=party.id, business="日用百货"), actor)
        check = records.create(session, LabelCheck(
            checked_at=at(20), market_id=market.id, stall_id=stall.id, party_id=party.id,
            product_name=PRODUCT, category="家用电器", brand="=HYPERLINK(1)",
            quantity=Decimal("12.500"), unit="台", price=Decimal("39.90"),
            outcome="nonconforming", measure="seizure", status="final",
            items=[CheckItem(position=1, item_key="cert", label="产品质量检验合格证明",
                             result="pass"),
                   CheckItem(position=2, item_key="ccc", label="CCC认证标志", result="fail",
                             note="未加施CCC认证标志")],
            officers=[CheckOfficer(position=1, inspector_id=boss.id, name="张三",
                                   cert_no="32010001"),
                      CheckOfficer(position=2, inspector_id=second.id, name="李四",
                                   cert_no="32010002")]), actor)
        attachments.attach(store, session, check, actor, PHOTO, "photo", "label.png",
                           "image/png")
        seizure = records.create(session, Seizure(
            started_at=at(20, 3), market_id=market.id, party_id=party.id, measure="seal",
            place="东门市场A-101摊位", suspected_violation="涉嫌销售未经强制性产品认证的产品",
            legal_basis="产品质量法第十八条第一款第(四)项", source_check_id=check.id,
            officers=[SeizureOfficer(position=1, inspector_id=boss.id, name="张三",
                                     cert_no="32010001"),
                      SeizureOfficer(position=2, inspector_id=second.id, name="李四",
                                     cert_no="32010002")],
            items=[SeizureItem(position=1, name=PRODUCT, spec="1.7L", unit="台",
                               quantity=Decimal(12))],
            seals=[Seal(position=1, number="示例封〔2026〕00001-1", location="仓库门")]),
            actor)
        station = records.create(session, Workstation(
            name="东门市场快检室", market_id=market.id,
            operators=[WorkstationOperator(position=1, name="李四", inspector_id=second.id)]),
            actor)
        worklog = records.create(session, WorkLog(
            market_id=market.id, workstation_id=station.id, log_date="2026-11-20",
            operator_name="李四",
            opened_at=at(20, 0), summary="今日快速检测1批次",
            tests=[RapidTest(position=1, sample_no="KJ2026112001", product_name="小白菜",
                             test_item="农药残留", value=Decimal("12.3"), unit="%",
                             limit_value="50", conclusion="negative", tested_at=at(20, 1))],
            scale_checks=[ScaleCheck(position=1, kind="reweigh", instrument_name="公平秤",
                                     claimed_weight=Decimal("1.5"),
                                     actual_weight=Decimal("1.45"), result="fail")],
            complaints=[Complaint(position=1, received_at=at(20, 1), complainant="王五",
                                  phone="13900001111", content="短斤少两")]), actor)
        return {"market": market.id, "party": party.id, "stall": stall.id,
                "workstation": station.id, "check": check.id, "seizure": seizure.id,
                "worklog": worklog.id,
                "inspector": boss.id, "officer2": second.id}


def contents(store: Store) -> dict[tuple[str, str], dict]:
    """(kind, id) -> canonical content of every audited entity in the store."""
    from sqlalchemy import select

    out = {}
    with store.read() as session:
        for kind, cls in AUDITED.items():
            for obj in session.scalars(select(cls)):
                atts = session.scalars(select(Attachment).where(
                    Attachment.record_kind == kind, Attachment.record_id == obj.id)).all()
                out[(kind, obj.id)] = canonical.to_dict(obj, atts)
    return out


def snapshot(db_path: Path) -> dict[str, object]:
    """Row counts of every table and the audit chain's head: to see that nothing changed."""
    con = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search_%'")]
        out: dict[str, object] = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                                  for t in tables}
        out["audit_head"] = con.execute(
            "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return out


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
