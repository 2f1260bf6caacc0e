"""Published bulletins (监督抽查结果公告): stored as signed by a supervisor's device, and
the public HTML pages the server renders from them.

`POST /v1/bulletins` stores a signed bulletin (sync/bulletins.py) of the caller's own
agency, append-only (the same envelope again gets the same answer). `GET /bulletins`
lists them by agency, `GET /bulletins/{id}` renders one, `GET /bulletins/{id}.json` gives
the signed envelope to verify. Pages are built with `html.escape` on every value (the
project has no template engine), and show only what a bulletin holds that may be
published: never who signed it or from which device.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from sqlalchemy import select

from sync import bulletins, protocol
from sync.protocol import ProtocolError
from sync.server import service
from sync.server.db import Database
from sync.server.models import Bulletin, Device, utcnow
from sync.server.review import signed_by_caller

MAX_BULLETIN_BYTES = 8 * 1024 * 1024
RESULT_TEXT = {"conforming": "合格", "nonconforming": "不合格"}


def post_bulletin(db: Database, device: Device, envelope: Any) -> dict[str, Any]:
    if not isinstance(envelope, dict) or set(envelope) != {"bulletin", "signature"}:
        raise ProtocolError("a signed bulletin is {bulletin, signature}", 422)
    bulletin = bulletins.check(envelope["bulletin"])
    signed_by_caller(device, bulletin, "bulletin")
    if not device.agency or bulletin["agency"] != device.agency:
        raise ProtocolError("a supervisor publishes bulletins of its own agency only (this "
                            f"device's agency is {device.agency!r})", 403)
    bulletins.verify(protocol.load_public_key(device.public_key), envelope)
    text = protocol.dumps(envelope)
    sha = protocol.sha256_hex(text.encode("utf-8"))
    answer = {"id": bulletin["id"], "status": "stored", "url": f"/bulletins/{bulletin['id']}"}

    def do(session) -> dict[str, Any]:
        known = session.get(Bulletin, bulletin["id"])
        if known is not None:
            if known.envelope_sha256 != sha:
                raise ProtocolError("this bulletin id was already used for another "
                                    "bulletin", 409)
            return answer
        session.add(Bulletin(id=bulletin["id"], agency=bulletin["agency"],
                             title=bulletin["title"], period_from=bulletin["period_from"],
                             period_to=bulletin["period_to"], issued_at=bulletin["issued_at"],
                             device_id=device.id, envelope=text, envelope_sha256=sha,
                             received_at=utcnow()))
        session.flush()
        return answer

    return service._retrying(db, do)


def envelope_of(db: Database, bulletin_id: str) -> dict[str, Any]:
    if not protocol.is_uuid(bulletin_id):
        raise ProtocolError("no such bulletin", 404)
    with db.read() as session:
        row = session.get(Bulletin, bulletin_id)
    if row is None:
        raise ProtocolError("no such bulletin", 404)
    return json.loads(row.envelope)


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>"
            "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse;width:100%}"
            "th,td{border:1px solid #999;padding:.3em .5em;text-align:left}"
            ".nonconforming{color:#b00}</style></head>"
            f"<body>{body}</body></html>\n")


def list_page(db: Database, agency: str | None = None) -> str:
    """The bulletins of every agency (or of one), newest first, as an HTML page."""
    q = select(Bulletin.id, Bulletin.agency, Bulletin.title, Bulletin.period_from,
               Bulletin.period_to, Bulletin.issued_at).order_by(
        Bulletin.agency, Bulletin.issued_at.desc())
    if agency:
        q = q.where(Bulletin.agency == agency)
    with db.read() as session:
        rows = session.execute(q).all()
    parts = [f"<h1>{escape(bulletins.TITLE)}</h1>"]
    if not rows:
        parts.append("<p>尚未发布公告。</p>")
    current = None
    for bid, ag, title, start, end, issued in rows:
        if ag != current:
            if current is not None:
                parts.append("</ul>")
            parts.append(f"<h2>{escape(ag)}</h2><ul>")
            current = ag
        parts.append(f"<li><a href=\"/bulletins/{escape(bid)}\">{escape(title)}</a> "
                     f"（{escape(start)} 至 {escape(end)}，发布于 {escape(issued[:10])}）</li>")
    if current is not None:
        parts.append("</ul>")
    return _page(bulletins.TITLE, "".join(parts))


def bulletin_page(db: Database, bulletin_id: str) -> str:
    """One bulletin rendered from its stored JSON, every value escaped."""
    b = envelope_of(db, bulletin_id)["bulletin"]
    t = b["totals"]
    rows = []
    for n, item in enumerate(b["items"], 1):
        failed = "；".join(item["nonconforming_items"])
        rows.append(
            f"<tr class=\"{escape(item['result'])}\"><td>{n}</td>"
            + "".join(f"<td>{escape(item[name])}</td>" for name in bulletins.ITEM_FIELDS)
            + f"<td>{escape(RESULT_TEXT[item['result']])}</td><td>{escape(failed)}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in (
        "序号", "产品名称", "商标", "规格型号", "生产日期/批号", "标称生产者", "被抽样销售者",
        "市场", "抽查结果", "不合格项目"))
    body = (f"<h1>{escape(b['title'])}</h1>"
            f"<p class=\"agency\">{escape(b['agency'])}</p>"
            f"<p>抽查期间：{escape(b['period_from'])} 至 {escape(b['period_to'])}；"
            f"发布日期：{escape(b['issued_at'][:10])}</p>"
            f"<p class=\"totals\">共抽查 {t['checked']} 批次，合格 {t['conforming']} 批次，"
            f"不合格 {t['nonconforming']} 批次。</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p><a href=\"/bulletins/{escape(b['id'])}.json\">签名数据（JSON）</a> · "
            "<a href=\"/bulletins\">全部公告</a></p>")
    title = b["title"] if bulletins.TITLE in b["title"] else f"{bulletins.TITLE}：{b['title']}"
    return _page(f"{title} - {b['agency']}", body)
