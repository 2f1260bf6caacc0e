"""Reference data pulled from the central server, put to use on this device.

The server publishes items by (kind, item id) with a version. Markets and the team roster
become local entities (with a stable id made from the server's item id), audited like any
change but with the action "pull" and not queued to be sent back; legal bases join the list
the seizure form offers. Form definitions are read by `inspector_app.forms.definitions`.
"""

from __future__ import annotations

import json
import logging
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import audit, records
from inspector_app.core.models import AuditedMixin, Inspector, Market, SyncReference

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6f1d7c2e-3b0a-4c55-9a57-1e0e2f8a7b10")
NO_PASSWORD = "!server-roster"  # not an Argon2 hash: a pulled officer cannot sign in here

# kind -> (model, the content fields it takes)
ENTITIES: dict[str, tuple[type[AuditedMixin], tuple[str, ...]]] = {
    "market": (Market, ("name", "address", "district")),
    "inspector": (Inspector, ("name", "cert_no", "role")),
}


def local_id(kind: str, item_id: str) -> str:
    """The same local id for the same server item, on every device."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{item_id}"))


def apply(session: Session, actor: records.Actor) -> int:
    """Bring the local markets, roster and legal bases up to the pulled reference data;
    returns how many entities were created or changed."""
    from inspector_app.core.seizure.service import LEGAL_BASES

    changed = 0
    rows = session.scalars(select(SyncReference).order_by(SyncReference.kind,
                                                          SyncReference.item_id)).all()
    bases = list(LEGAL_BASES.get(session))
    for row in rows:
        try:
            content = json.loads(row.content)
        except ValueError:
            continue
        if not isinstance(content, dict):
            continue
        if row.kind == "legal_basis":
            short = str(content.get("short") or "").strip()
            if short and short not in bases:
                bases.append(short)
        elif row.kind in ENTITIES:
            changed += _entity(session, actor, row.kind, row.item_id, content)
    if bases != list(LEGAL_BASES.get(session)):
        LEGAL_BASES.set(session, bases)
    return changed


def _entity(session: Session, actor: records.Actor, kind: str, item_id: str,
            content: dict) -> int:
    model, fields = ENTITIES[kind]
    values = {f: str(content.get(f) or "").strip() for f in fields}
    if not values["name"]:
        log.warning("pulled %s %s has no name; left out", kind, item_id)
        return 0
    obj = session.get(model, local_id(kind, item_id))
    if obj is None:
        obj = model(id=local_id(kind, item_id), **values)
        if isinstance(obj, Inspector):
            obj.username = f"server:{item_id}"
            obj.password_hash = NO_PASSWORD
            obj.role = values["role"] or "inspector"
            obj.active = True
        records.create(session, obj, actor, action=audit.PULLED)
        return 1
    if all(getattr(obj, f) == v for f, v in values.items() if v or f != "role"):
        return 0
    for f, v in values.items():
        if v or f != "role":
            setattr(obj, f, v)
    records.update(session, obj, actor, obj.version, action=audit.PULLED)
    return 1
