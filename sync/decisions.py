"""A supervisor's decision on a record: signed by the deciding device, verifiable anywhere.

A decision is a small JSON object, signed as its canonical bytes with the supervisor
device's Ed25519 key (domain-separated from batches):

    {"v": 1, "type": "decision", "id": UUID, "kind": "check", "record_id": UUID,
     "version": n, "sha256": hex64 (the content decided on), "action": ACTION,
     "text": "...", "by": "name of the supervisor", "device_id": UUID, "key_id": hex16,
     "decided_at": ISO-8601 UTC, ...action fields}

Actions:
- ``approve``: the version is accepted (text optional);
- ``return``: sent back to the inspector to correct (text: the comment, required);
- ``reject``: refused (text: the reason, required);
- ``resolve``: a conflict is settled by choosing one of the contents held under the
  record (``chosen_version``, ``chosen_sha256``), or by a new ``content`` made of the
  contents' values (`merge`): then it is the record's next version (``chosen_version``
  = ``version`` + 1, its "version" field too) and ``chosen_sha256`` is its hash; text
  says why (required);
- ``handover``: the record moves to another device (``to_device_id``); text says why.

It travels as ``{"decision": {...}, "signature": base64url}``: in ``POST /v1/decisions``
and in the pull feed (change type ``decision``). A receiver re-verifies it with the
deciding device's known key. Nothing here imports the desktop app or the server.
"""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from sync import protocol
from sync.protocol import ProtocolError

DECISION_DOMAIN = b"INSPECTOR-DECISION-1\x00"
ACTIONS = ("approve", "return", "reject", "resolve", "handover")
NEEDS_TEXT = frozenset({"return", "reject", "resolve"})
MAX_TEXT = 2000  # characters of a comment or reason
REVIEW_STATES = ("pending", "returned", "approved", "rejected")
# The review state a decision leaves its record in (resolve/handover leave it as it was).
STATE_AFTER = {"approve": "approved", "return": "returned", "reject": "rejected"}

_FIELDS = {"v", "type", "id", "kind", "record_id", "version", "sha256", "action", "text",
           "by", "device_id", "key_id", "decided_at"}
_EXTRA = {"resolve": {"chosen_version", "chosen_sha256"}, "handover": {"to_device_id"}}
_OPTIONAL = {"resolve": {"content"}}
_MISSING = object()


def make(*, kind: str, record_id: str, version: int, sha256: str, action: str, text: str,
         by: str, device_id: str, key_id: str, decided_at: str | None = None,
         **extra: Any) -> dict[str, Any]:
    """A decision object (checked: see `check`)."""
    decision = {"v": 1, "type": "decision", "id": str(uuid.uuid4()), "kind": kind,
                "record_id": record_id, "version": version, "sha256": sha256,
                "action": action, "text": text, "by": by, "device_id": device_id,
                "key_id": key_id, "decided_at": decided_at or protocol.utc_now_text(), **extra}
    check(decision)
    return decision


def check(decision: Any) -> dict[str, Any]:
    """The decision if well formed, else ProtocolError (422) saying what is wrong."""
    if not isinstance(decision, dict) or decision.get("type") != "decision":
        raise ProtocolError("not a decision", 422)
    action = decision.get("action")
    if action not in ACTIONS:
        raise ProtocolError(f"decision action must be one of {', '.join(ACTIONS)}", 422)
    required = _FIELDS | _EXTRA.get(action, set())
    unknown = sorted(set(decision) - required - _OPTIONAL.get(action, set()))
    missing = sorted(required - set(decision))
    if unknown or missing:
        raise ProtocolError(f"decision fields: missing {missing}, unknown {unknown}", 422)
    if decision["v"] != 1:
        raise ProtocolError("unknown decision version", 422)
    for name in ("id", "record_id", "device_id"):
        if not protocol.is_uuid(decision[name]):
            raise ProtocolError(f"decision {name} must be a UUID", 422)
    if not isinstance(decision["kind"], str) or not protocol.KIND_RE.match(decision["kind"]):
        raise ProtocolError("bad decision kind", 422)
    if not isinstance(decision["version"], int) or not 1 <= decision["version"] <= protocol.MAX_INT:
        raise ProtocolError("bad decision version", 422)
    if not isinstance(decision["sha256"], str) or not protocol.SHA_RE.match(decision["sha256"]):
        raise ProtocolError("bad decision sha256", 422)
    if not isinstance(decision["key_id"], str) or not protocol.KEY_ID_RE.match(decision["key_id"]):
        raise ProtocolError("bad decision key_id", 422)
    text = decision["text"]
    if not isinstance(text, str) or len(text) > MAX_TEXT or protocol.bad_text_path(text) is not None:
        raise ProtocolError(f"decision text must be text of at most {MAX_TEXT} characters", 422)
    if action in NEEDS_TEXT and not text.strip():
        raise ProtocolError(f"a {action} decision needs its comment or reason", 422)
    by = decision["by"]
    if not isinstance(by, str) or not 0 < len(by) <= 128 or protocol.bad_text_path(by) is not None:
        raise ProtocolError("a decision names who made it", 422)
    if not isinstance(decision["decided_at"], str) or len(decision["decided_at"]) > 40:
        raise ProtocolError("bad decided_at", 422)
    if action == "resolve":
        if not isinstance(decision["chosen_version"], int) or decision["chosen_version"] < 1:
            raise ProtocolError("bad chosen_version", 422)
        if not (isinstance(decision["chosen_sha256"], str)
                and protocol.SHA_RE.match(decision["chosen_sha256"])):
            raise ProtocolError("bad chosen_sha256", 422)
        if "content" in decision:
            _check_content(decision)
    if action == "handover" and not protocol.is_uuid(decision["to_device_id"]):
        raise ProtocolError("to_device_id must be a UUID", 422)
    return decision


def _check_content(decision: dict[str, Any]) -> None:
    """A resolve's new content: the record's own, its next version, hashed as said."""
    content = decision["content"]
    if not isinstance(content, dict):
        raise ProtocolError("the content of a resolve must be an object", 422)
    if content.get("id") != decision["record_id"] or \
            content.get("kind", decision["kind"]) != decision["kind"]:
        raise ProtocolError("the content of a resolve must be the decided record's own "
                            "(its id and kind)", 422)
    version = decision["version"] + 1
    if decision["chosen_version"] != version or content.get("version") != version:
        raise ProtocolError(f"a resolve's new content is version {version}, the next "
                            "after the one decided on (chosen_version and its \"version\")",
                            422)
    if protocol.bad_text_path(content) is not None:
        raise ProtocolError("the content of a resolve holds a NUL, control character or "
                            "lone surrogate", 422)
    canonical = protocol.canonical_bytes(content)
    if len(canonical) > protocol.MAX_RECORD_BYTES:
        raise ProtocolError("the content of a resolve is larger than allowed", 422)
    if protocol.sha256_hex(canonical) != decision["chosen_sha256"]:
        raise ProtocolError("chosen_sha256 is not the hash of the resolve's content", 422)


def merge(sides: list[dict[str, Any]], picks: dict[str, int], version: int
          ) -> dict[str, Any]:
    """A new content made of the sides' values: each top-level field from the side
    `picks` names (by index; the first side, the current content, by default), a list
    (items, attachments...) whole; left out where that side has no such field. Its
    "version" is `version`."""
    out: dict[str, Any] = {}
    for key in sorted({k for side in sides for k in side} - {"version"}):
        value = sides[picks.get(key, 0)].get(key, _MISSING)
        if value is not _MISSING:
            out[key] = value
    out["version"] = version
    return out


def new_content(content: dict[str, Any]) -> dict[str, Any]:
    """The fields of a resolve by a new content (see the module's doc)."""
    return {"chosen_version": content["version"],
            "chosen_sha256": protocol.content_sha256(content), "content": content}


def invented(content: dict[str, Any], sides: list[dict[str, Any]]) -> list[str]:
    """The top-level fields of `content` (its "version" aside) whose value is no side's
    (a field left out counts as a side's value when that side lacks it too)."""
    keys = (set(content) | {k for side in sides for k in side}) - {"version"}
    return sorted(k for k in keys
                  if not any(_same(content.get(k, _MISSING), side.get(k, _MISSING))
                             for side in sides))


def _same(a: Any, b: Any) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return protocol.canonical_bytes(a) == protocol.canonical_bytes(b)  # 1 is not true


def signing_input(decision: dict[str, Any]) -> bytes:
    return DECISION_DOMAIN + protocol.canonical_bytes(decision)


def sign(key: Ed25519PrivateKey, decision: dict[str, Any]) -> dict[str, Any]:
    """The signed envelope ``{"decision": ..., "signature": ...}``."""
    check(decision)
    return {"decision": decision, "signature": protocol.b64e(key.sign(signing_input(decision)))}


def verify(public: Ed25519PublicKey, envelope: Any) -> dict[str, Any]:
    """The decision of a signed envelope, or ProtocolError (401 for a bad signature)."""
    if not isinstance(envelope, dict) or set(envelope) != {"decision", "signature"}:
        raise ProtocolError("a signed decision is {decision, signature}", 422)
    decision = check(envelope["decision"])
    if not isinstance(envelope["signature"], str):
        raise ProtocolError("bad decision signature", 401)
    protocol.verify_signature(public, envelope["signature"], signing_input(decision))
    return decision
