"""A supervisor's store with a small, known set of agency records (for the oversight,
export and bulletin tests; import it as `agency_sample`: the tests folder is on sys.path).

The rows are written as the store keeps a version that has no batch here (one a resolve
made): an `agency_versions` row with its own zlib-compressed canonical content, and an
`agency_records` row with its facts.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from inspector_app.core import settings
from inspector_app.core.models import AgencyRecord, AgencyVersion
from inspector_app.core.store import Store

# The deadlines are relative to today (the CLI and the app count from the real date).
TODAY = date.today()
NOW = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
M1 = "00000000-0000-4000-8000-0000000000a1"
M2 = "00000000-0000-4000-8000-0000000000b2"
P_ENT = "00000000-0000-4000-8000-00000000c001"
P_IND = "00000000-0000-4000-8000-00000000d002"
S1 = "00000000-0000-4000-8000-00000000e001"
DEVICE = "11111111-1111-4111-8111-111111111111"

# Personal data held in the party records: none of it may reach a bulletin.
PERSONAL = ("李四", "13800001111", "320102199001011234", "王五", "13912345678",
            "南京市玄武区北京东路1号")


def _put(session, kind: str, rid: str, content: dict, **facts) -> None:
    body = json.dumps({"kind": kind, "id": rid, **content}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":")).encode()
    sha = hashlib.sha256(body).hexdigest()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    session.add(AgencyVersion(kind=kind, record_id=rid, version=1, base_version=0,
                              content=zlib.compress(body), content_sha256=sha,
                              device_id=DEVICE, batch_id=DEVICE, position=0, received_at=now))
    session.add(AgencyRecord(kind=kind, record_id=rid, version=1, content_sha256=sha,
                             device_id=DEVICE, owner_device_id=DEVICE, updated_at=now,
                             **facts))


def _id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def fill(folder: Path) -> Store:
    store = Store(folder)
    with store.write() as s:
        settings.AGENCY_NAME.set(s, "示例市市场监督管理局")
        _put(s, "market", M1, {"name": "东门市场"}, title="东门市场")
        _put(s, "market", M2, {"name": "西门市场"}, title="西门市场")
        _put(s, "party", P_ENT, {"party_type": "enterprise", "name": "示例粮油商行有限公司",
                                 "legal_rep": "王五", "phone": "13912345678",
                                 "address": "南京市玄武区北京东路1号"},
             title="示例粮油商行有限公司")
        _put(s, "party", P_IND, {"party_type": "individual", "name": "李四",
                                 "id_number": "320102199001011234", "phone": "13800001111"},
             title="李四")
        _put(s, "stall", S1, {"number": "A-12", "market_id": M1, "party_id": P_IND},
             title="A-12", market_id=M1, market="东门市场")
        common = {"inspector": "张三", "state": "final"}
        # Two checks in November, one draft (never published), one in October.
        _put(s, "check", _id(1), {
            "status": "final", "product_name": "酱油", "brand": "海天", "spec_model": "500mL",
            "batch_no": "20261101", "manufacturer": "佛山市某某酿造有限公司",
            "party_id": P_IND, "stall_id": S1, "market_id": M1, "outcome": "nonconforming",
            "items": [{"item_key": "date", "label": "未标注生产日期", "result": "fail"},
                      {"item_key": "name", "label": "产品名称", "result": "pass"},
                      {"item_key": "std", "label": "未标注产品标准代号", "result": "fail"}]},
             market_id=M1, market="东门市场", day="2026-11-03", result="nonconforming",
             category="调味品", title="酱油", **common)
        _put(s, "check", _id(2), {
            "status": "final", "product_name": "菜籽油", "brand": "金龙鱼", "spec_model": "5L",
            "batch_no": "20261010", "manufacturer": "益海嘉里有限公司", "party_id": P_ENT,
            "market_id": M2, "outcome": "conforming",
            "items": [{"item_key": "date", "label": "生产日期", "result": "pass"}]},
             market_id=M2, market="西门市场", day="2026-11-20", result="conforming",
             category="食用油", title="菜籽油", inspector="赵六", state="final")
        _put(s, "check", _id(3), {"status": "draft", "product_name": "草稿产品"},
             market_id=M2, market="西门市场", day="2026-11-21", result="nonconforming",
             category="食用油", title="草稿产品", inspector="赵六", state="draft")
        _put(s, "check", _id(4), {
            "status": "final", "product_name": "白砂糖", "party_id": P_IND, "market_id": M1,
            "outcome": "conforming"},
             market_id=M1, market="东门市场", day="2026-10-15", result="conforming",
             category="食糖", title="白砂糖", **common)
        # Seizures: one expiring in 3 days, one overdue, one released, one emergency
        # measure whose 24-hour report is late.
        day = TODAY
        _put(s, "seizure", _id(11), {"state": "issued"}, market_id=M1, market="东门市场",
             day="2026-11-05", state="issued", title="查封〔2026〕11号", inspector="张三",
             deadline=(day + timedelta(days=3)).isoformat())
        _put(s, "seizure", _id(12), {"state": "extended"}, market_id=M2, market="西门市场",
             day="2026-10-01", state="extended", title="查封〔2026〕12号", inspector="赵六",
             deadline=(day - timedelta(days=2)).isoformat())
        _put(s, "seizure", _id(13), {"state": "released"}, market_id=M1, market="东门市场",
             day="2026-09-01", state="released", title="查封〔2026〕13号", inspector="张三",
             deadline="2026-10-01")
        _put(s, "seizure", _id(14), {"state": "issued", "emergency": True},
             market_id=M1, market="东门市场", day="2026-11-29", state="issued",
             title="查封〔2026〕14号", inspector="张三", deadline=(day + timedelta(days=28)).isoformat(),
             report_due="2026-11-30T08:00:00.000000Z")
        _put(s, "worklog", _id(21), {"status": "closed"}, market_id=M1, market="东门市场",
             day="2026-11-10", state="closed", title="2026-11-10 东门工作站",
             inspector="张三", positives=2)
        _put(s, "worklog", _id(22), {"status": "closed"}, market_id=M2, market="西门市场",
             day="2026-11-11", state="closed", title="2026-11-11 西门工作站",
             inspector="赵六", positives=0)
    return store


def xlsx_rows(path: Path) -> list[tuple]:
    """Every row of the first sheet of an XLSX file, read back with openpyxl."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
