"""The spot-check results bulletin (监督抽查结果公告) of a period, from the agency's records.

`build(session, period_from, period_to, agency)` gives the bulletin object of the
contract in sync/bulletins.py (one item per final labeling check of the period with a
result, oldest first), `render_pdf(bulletin)` its PDF in the documents' layout (the one
engine, core/pdf), `sign(store, bulletin)` the signed envelope and `publish(store,
envelope)` posts it to the central server (POST /v1/bulletins).

Only what may be published (source notice §(十), §(十八)): product, brand, specification,
batch, the producer as printed on the label (a business), the seller, the market, the
result and the failed checklist items' labels. No personal data:

* the seller is the party's name only when the party is an enterprise (party_type
  "enterprise"); an individual trader (个体, a natural person) -- or a party the store does
  not hold -- is printed as its stall and market ("东门市场 A-12 号摊位"), or the market
  alone when the check names no stall. Names of natural persons, their ID numbers, phones
  and addresses never leave the party record;
* free text that looks like a phone or identity number (e.g. typed into a brand) is masked
  with ＊, since sync/bulletins.check refuses such text; the label's codes (specification,
  batch: sync/bulletins.CODE_FIELDS) are printed as they are, so an 11-digit batch number
  is not taken for a mobile number;
* inspectors' names are not published (the agency issues the bulletin).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from inspector_app.core.agency import contents
from inspector_app.core.i18n import _
from inspector_app.core.models import AgencyRecord
from sync import bulletins

TITLE = "监督抽查结果公告"
RESULT_ZH = {"conforming": "合格", "nonconforming": "不合格"}
TABLE_WIDTHS = (8, 15, 10, 11, 13, 17, 17, 10, 19)  # relative, over the text width
OVERALL_NONCONFORMING = "综合判定不合格"  # a non-conforming check with no failed item
MAX_TEXT = 256


class BulletinError(ValueError):
    """A bulletin that cannot be made, with a message for the user."""


def _day(text_: str, what: str) -> str:
    try:
        return date.fromisoformat(text_).isoformat()
    except (TypeError, ValueError) as exc:
        raise BulletinError(_("{what} must be a date like 2026-11-30, not {value}.")
                            .format(what=what, value=text_)) from exc


def public_text(value: Any, *, code: bool = False) -> str:
    """Text fit to publish, at most 256 characters: phone and identity numbers masked,
    unless it is a code of the label (`code`: a specification or batch number)."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return (value if code else bulletins.mask_personal(value))[:MAX_TEXT]


def content(session: Session, rec: AgencyRecord) -> dict[str, Any]:
    """The current content of an agency record ({} if the store does not hold it)."""
    row = contents.find(session, rec.kind, rec.record_id, rec.version, rec.content_sha256)
    return contents.content_of(session, row) if row is not None else {}


def _reference(session: Session, kind: str, record_id: Any,
               cache: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    if not isinstance(record_id, str) or not record_id:
        return {}
    key = (kind, record_id)
    if key not in cache:
        rec = session.get(AgencyRecord, key)
        cache[key] = content(session, rec) if rec is not None else {}
    return cache[key]


def seller_of(session: Session, check: dict[str, Any], market: str,
              cache: dict[tuple[str, str], dict[str, Any]]) -> str:
    """The seller as it may be published (see the module's rule)."""
    party = _reference(session, "party", check.get("party_id"), cache)
    if party.get("party_type") == "enterprise" and party.get("name"):
        return public_text(party["name"])
    stall = _reference(session, "stall", check.get("stall_id"), cache)
    number = stall.get("number") if isinstance(stall.get("number"), str) else ""
    if number:
        return public_text(f"{market} {number} 号摊位".strip())
    return public_text(market)


def item_of(session: Session, rec: AgencyRecord, cache: dict) -> dict[str, Any]:
    data = content(session, rec)
    failed = [public_text(i.get("label")) for i in data.get("items") or ()
              if isinstance(i, dict) and i.get("result") == "fail" and i.get("label")]
    result = rec.result
    if result == "nonconforming" and not failed:
        failed = [OVERALL_NONCONFORMING]
    if result != "nonconforming":
        failed = []
    return {"product": public_text(data.get("product_name")) or public_text(rec.title)
            or "—",
            "brand": public_text(data.get("brand")),
            "spec": public_text(data.get("spec_model"), code=True),
            "batch": public_text(data.get("batch_no"), code=True),
            "producer": public_text(data.get("manufacturer")),
            "seller": seller_of(session, data, rec.market, cache),
            "market": public_text(rec.market),
            "result": result,
            "nonconforming_items": failed}


def checks(session: Session, period_from: str, period_to: str) -> list[AgencyRecord]:
    """The final checks with a result made in the period, oldest first."""
    return list(session.scalars(
        select(AgencyRecord).where(text(
            "kind = 'check' AND state = 'final' AND day >= :f AND day <= :t "
            "AND result IN ('conforming', 'nonconforming')"))
        .params(f=period_from, t=period_to)
        .order_by(AgencyRecord.day, AgencyRecord.market, AgencyRecord.title,
                  AgencyRecord.record_id)))


def build(session: Session, period_from: str, period_to: str, agency: str, *,
          by: str = "", device_id: str = "", key_id: str = "", title: str = TITLE,
          issued_at: str | None = None) -> dict[str, Any]:
    """The bulletin object (sync/bulletins.py contract) of the checks of the period."""
    period_from = _day(period_from, "--from")
    period_to = _day(period_to, "--to")
    if period_from > period_to:
        raise BulletinError(_("The period starts after it ends ({start} > {end}).")
                            .format(start=period_from, end=period_to))
    if not agency.strip():
        raise BulletinError(_("The agency's name is not set: set it in the settings first."))
    cache: dict[tuple[str, str], dict[str, Any]] = {}
    items = [item_of(session, rec, cache) for rec in checks(session, period_from, period_to)]
    bad = sum(1 for i in items if i["result"] == "nonconforming")
    return {"v": 1, "type": "bulletin", "id": str(uuid.uuid4()), "agency": agency.strip(),
            "title": title, "period_from": period_from, "period_to": period_to,
            "issued_at": issued_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "totals": {"checked": len(items), "conforming": len(items) - bad,
                       "nonconforming": bad},
            "items": items, "by": by, "device_id": device_id, "key_id": key_id}


def build_for_store(store, period_from: str, period_to: str, *, by: str) -> dict[str, Any]:
    """`build` with this store's agency, device and device key as the issuer."""
    from inspector_app.core import device_key, settings

    key = device_key.load_or_create(store.data_dir)
    with store.write() as session:  # the device id is made on first use
        device = settings.device_id(session)  # the id the server enrolled (sync/agent)
    with store.read() as session:
        agency = settings.AGENCY_NAME.get(session)
        return build(session, period_from, period_to, agency, by=by, device_id=device,
                     key_id=device_key.key_id(key))


# --- the PDF ---------------------------------------------------------------------------


def _cn(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def _seller_cell(item: dict[str, Any]) -> str:
    seller, market = item["seller"], item["market"]
    if market and market not in seller:
        return f"{seller or '—'}（{market}）"
    return seller or market or "—"


def render_pdf(bulletin: dict[str, Any]) -> bytes:
    """The bulletin as printed: title, agency and period, totals, a table of the items
    (its header repeats on every page), the issuer and date."""
    from inspector_app.core import fonts
    from inspector_app.core.pdf import Flow
    from inspector_app.core.pdf.grid import LEFT, MM, SMALL_PT

    ident = f"公告编号 {bulletin['id']}"
    fonts.require_printable(ident)

    def foot(c, page, ident=ident):
        fonts.draw_text(c, LEFT, 12 * MM, ident, SMALL_PT)

    flow = Flow(overlay=foot)
    flow.title(bulletin["agency"])
    flow.title(bulletin["title"])
    flow.line(f"抽查期间：{_cn(bulletin['period_from'])}至{_cn(bulletin['period_to'])}", 14,
              align="center")
    t = bulletin["totals"]
    rate = f"{t['conforming'] / t['checked'] * 100:.1f}%" if t["checked"] else "—"
    flow.paragraph(f"根据《产品质量法》及有关规定，{bulletin['agency']}于上述期间对辖区市场"
                   f"销售的产品开展了监督抽查，共抽查{t['checked']}批次，合格{t['conforming']}"
                   f"批次，不合格{t['nonconforming']}批次，合格率{rate}。现将结果公告如下：",
                   size=14)
    flow.gap(2 * MM)
    header = ["序号", "产品名称", "商标", "规格型号", "生产日期/批号", "生产者",
              "销售者（市场）", "抽查结果", "不合格项目"]
    rows = [[str(n), i["product"], i["brand"] or "—", i["spec"] or "—", i["batch"] or "—",
             i["producer"] or "—", _seller_cell(i), RESULT_ZH[i["result"]],
             "；".join(i["nonconforming_items"]) or "—"]
            for n, i in enumerate(bulletin["items"], 1)]
    if rows:
        flow.table(header, rows, TABLE_WIDTHS, size=9,
                   align=["center", "left", "left", "left", "left", "left", "left", "center",
                          "left"],
                   ink=lambda n: (0.75, 0, 0) if bulletin["items"][n]["result"] ==
                   "nonconforming" else None)
    else:
        flow.paragraph("本期未完成监督抽查。", size=14)
    flow.gap(8 * MM)
    issued = bulletin["issued_at"][:10]
    flow.line(bulletin["agency"], 14, align="right")
    flow.line(_cn(issued), 14, align="right")
    return flow.render(bulletin["title"])


# --- signing and publishing ------------------------------------------------------------


def sign(store, bulletin: dict[str, Any]) -> dict[str, Any]:
    """The signed envelope {"bulletin", "signature"} (sync/bulletins.py, with this
    device's key); raises BulletinError if the format refuses the bulletin."""
    from inspector_app.core import device_key
    from sync.protocol import ProtocolError

    key = device_key.load_or_create(store.data_dir)
    try:
        return bulletins.sign(key, bulletin)
    except ProtocolError as exc:
        raise BulletinError(_("The bulletin was refused: {reason}").format(reason=exc)) \
            from exc


def publish(store, envelope: dict[str, Any], transport=None) -> dict[str, Any]:
    """POST the signed bulletin to the central server; its answer."""
    from inspector_app.core.sync.agent import SyncAgent

    conn = SyncAgent(store, transport=transport).connect()
    try:
        return conn.json("POST", "/v1/bulletins", json=envelope)
    finally:
        conn.close()
