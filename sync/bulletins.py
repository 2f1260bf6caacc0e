"""The spot-check results bulletin (监督抽查结果公告): what an agency publishes, signed.

A bulletin is a JSON object, signed as its canonical bytes with the issuing supervisor
device's Ed25519 key (domain-separated from batches and decisions):

    {"v": 1, "type": "bulletin", "id": UUID, "agency": "...", "title": "...",
     "period_from": "YYYY-MM-DD", "period_to": "YYYY-MM-DD", "issued_at": ISO-8601 UTC,
     "totals": {"checked": n, "conforming": n, "nonconforming": n},
     "items": [{"product", "brand", "spec", "batch", "producer", "seller", "market",
                "result": "conforming" | "nonconforming", "nonconforming_items": [str]}],
     "by": "who issued it", "device_id": UUID, "key_id": hex16}

It travels as ``{"bulletin": {...}, "signature": base64url}`` (``POST /v1/bulletins``,
``GET /bulletins/{id}.json``).

Only what may be published: products, brands, specifications, batches, the names of
producers and sellers as businesses, markets, results and the non-conforming items. No
personal data: no names of natural persons among the parties, no phone numbers, no
identity numbers, no addresses. A seller that is an individual stall holder is printed as
its stall and market (for example "东门市场 A-12 号摊位"), never as the holder's name: the
builder (the supervisor's app) chooses that; `check` refuses text that looks like a phone
or identity number in any field but the label's codes (`CODE_FIELDS`: specification and
batch, printed as on the label, where an 11-digit batch number is not a phone number).
The totals must agree with the items.
Nothing here imports the desktop app or the server.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from sync import protocol
from sync.protocol import ProtocolError

BULLETIN_DOMAIN = b"INSPECTOR-BULLETIN-1\x00"
TITLE = "监督抽查结果公告"
RESULTS = ("conforming", "nonconforming")
MAX_ITEMS = 10_000
MAX_TEXT = 256  # characters of one field
ITEM_FIELDS = ("product", "brand", "spec", "batch", "producer", "seller", "market")
CODE_FIELDS = ("spec", "batch")  # codes of the product's label, never personal data

_FIELDS = {"v", "type", "id", "agency", "title", "period_from", "period_to", "issued_at",
           "totals", "items", "by", "device_id", "key_id"}
_ITEM = set(ITEM_FIELDS) | {"result", "nonconforming_items"}
_DAY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Personal data that must never be published: mainland mobile numbers, landlines with an
# area code, resident identity numbers (18 characters).
_PHONE_RE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})(?![0-9])")
_ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def looks_personal(value: str) -> bool:
    """Whether free text holds something like a phone or identity number."""
    return bool(_PHONE_RE.search(value) or _ID_RE.search(value))


def mask_personal(value: str) -> str:
    """Free text with what looks like a phone or identity number replaced by ＊."""
    for pattern in (_ID_RE, _PHONE_RE):
        value = pattern.sub(lambda m: "＊" * len(m.group()), value)
    return value


def make(*, agency: str, period_from: str, period_to: str, items: list[dict[str, Any]],
         by: str, device_id: str, key_id: str, title: str = TITLE,
         issued_at: str | None = None) -> dict[str, Any]:
    """A bulletin object with its totals counted from `items` (checked: see `check`)."""
    items = [{name: item.get(name, "") for name in ITEM_FIELDS}
             | {"result": item.get("result", ""),
                "nonconforming_items": list(item.get("nonconforming_items") or [])}
             for item in items]
    bad = sum(1 for item in items if item["result"] == "nonconforming")
    bulletin = {"v": 1, "type": "bulletin", "id": str(uuid.uuid4()), "agency": agency,
                "title": title, "period_from": period_from, "period_to": period_to,
                "issued_at": issued_at or protocol.utc_now_text(),
                "totals": {"checked": len(items), "conforming": len(items) - bad,
                           "nonconforming": bad},
                "items": items, "by": by, "device_id": device_id, "key_id": key_id}
    check(bulletin)
    return bulletin


def _text(value: Any, what: str, *, required: bool = False, code: bool = False) -> None:
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value.strip()):
        raise ProtocolError(f"bulletin {what} must be text of at most {MAX_TEXT} characters"
                            + (" (required)" if required else ""), 422)
    if protocol.bad_text_path(value) is not None:
        raise ProtocolError(f"bulletin {what} holds characters that are not text", 422)
    if not code and looks_personal(value):
        raise ProtocolError(f"bulletin {what} looks like a phone or identity number: a "
                            "bulletin publishes no personal data", 422)


def check(bulletin: Any) -> dict[str, Any]:
    """The bulletin if well formed, else ProtocolError (422) saying what is wrong."""
    if not isinstance(bulletin, dict) or bulletin.get("type") != "bulletin":
        raise ProtocolError("not a bulletin", 422)
    unknown, missing = sorted(set(bulletin) - _FIELDS), sorted(_FIELDS - set(bulletin))
    if unknown or missing:
        raise ProtocolError(f"bulletin fields: missing {missing}, unknown {unknown}", 422)
    if bulletin["v"] != 1:
        raise ProtocolError("unknown bulletin version", 422)
    for name in ("id", "device_id"):
        if not protocol.is_uuid(bulletin[name]):
            raise ProtocolError(f"bulletin {name} must be a UUID", 422)
    if not isinstance(bulletin["key_id"], str) or not protocol.KEY_ID_RE.match(bulletin["key_id"]):
        raise ProtocolError("bad bulletin key_id", 422)
    _text(bulletin["agency"], "agency", required=True)
    _text(bulletin["title"], "title", required=True)
    _text(bulletin["by"], "by", required=True)
    days = (bulletin["period_from"], bulletin["period_to"])
    if not all(isinstance(d, str) and _DAY_RE.match(d) for d in days) or days[0] > days[1]:
        raise ProtocolError("the bulletin period is two days YYYY-MM-DD, the first not after "
                            "the second", 422)
    if not isinstance(bulletin["issued_at"], str) or not 0 < len(bulletin["issued_at"]) <= 40:
        raise ProtocolError("bad issued_at", 422)
    items = bulletin["items"]
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise ProtocolError(f"bulletin items: a list of at most {MAX_ITEMS}", 422)
    bad = 0
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or set(item) != _ITEM:
            raise ProtocolError(f"bulletin item {n}: fields must be {sorted(_ITEM)}", 422)
        for name in ITEM_FIELDS:
            _text(item[name], f"item {n} {name}", required=name == "product",
                  code=name in CODE_FIELDS)
        if item["result"] not in RESULTS:
            raise ProtocolError(f"bulletin item {n}: result must be conforming or "
                                "nonconforming", 422)
        failed = item["nonconforming_items"]
        if not isinstance(failed, list) or len(failed) > 100:
            raise ProtocolError(f"bulletin item {n}: nonconforming_items is a list", 422)
        for text in failed:
            _text(text, f"item {n} non-conforming item", required=True)
        if item["result"] == "nonconforming":
            bad += 1
            if not failed:
                raise ProtocolError(f"bulletin item {n}: a non-conforming product names "
                                    "its non-conforming items", 422)
        elif failed:
            raise ProtocolError(f"bulletin item {n}: a conforming product has no "
                                "non-conforming items", 422)
    totals = bulletin["totals"]
    want = {"checked": len(items), "conforming": len(items) - bad, "nonconforming": bad}
    if totals != want:
        raise ProtocolError(f"bulletin totals must agree with its items: {want}", 422)
    return bulletin


def signing_input(bulletin: dict[str, Any]) -> bytes:
    return BULLETIN_DOMAIN + protocol.canonical_bytes(bulletin)


def sign(key: Ed25519PrivateKey, bulletin: dict[str, Any]) -> dict[str, Any]:
    """The signed envelope ``{"bulletin": ..., "signature": ...}``."""
    check(bulletin)
    return {"bulletin": bulletin, "signature": protocol.b64e(key.sign(signing_input(bulletin)))}


def verify(public: Ed25519PublicKey, envelope: Any) -> dict[str, Any]:
    """The bulletin of a signed envelope, or ProtocolError (401 for a bad signature)."""
    if not isinstance(envelope, dict) or set(envelope) != {"bulletin", "signature"}:
        raise ProtocolError("a signed bulletin is {bulletin, signature}", 422)
    bulletin = check(envelope["bulletin"])
    if not isinstance(envelope["signature"], str):
        raise ProtocolError("bad bulletin signature", 401)
    protocol.verify_signature(public, envelope["signature"], signing_input(bulletin))
    return bulletin
