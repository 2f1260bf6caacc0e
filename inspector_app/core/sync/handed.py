"""Records this device handed to another one (a supervisor's or the operator's handover).

The server feeds both devices a "handover" change. The device the record left keeps it
(`note`, in the setting HANDED_OVER); from then on `records.update`, the one path every
change of a record takes, refuses to change it here (`check`), and the record view says to
whom and when it went. A record handed back to this device is its own again.

The same holds for what a pulled record names that another device owns (its party, say:
`owned_elsewhere`), since the server would refuse this device's version of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import settings
from inspector_app.core.i18n import _
from inspector_app.core.models import KnownKey
from inspector_app.core.sync import state


def note(session: Session, data: dict[str, Any]) -> None:
    """Keep a pulled handover (idempotent): of a record leaving this device, or coming
    back to it."""
    me = settings.device_id(session)
    key = (data.get("kind"), data.get("record_id"))
    kept = [e for e in state.HANDED_OVER.get(session) if (e.get("kind"), e.get("id")) != key]
    if data.get("from_device_id") == me and data.get("to_device_id") != me:
        kept.append({"kind": key[0], "id": key[1], "version": data.get("version"),
                     "to_device_id": data.get("to_device_id"),
                     "decided_by": data.get("decided_by", ""),
                     "decided_at": data.get("decided_at", ""),
                     "reason": data.get("reason", "")})
    elif data.get("to_device_id") != me:
        return  # not about this device
    if kept != state.HANDED_OVER.get(session):
        state.HANDED_OVER.set(session, kept)
    if data.get("to_device_id") == me:
        owned_elsewhere(session, key[0], key[1], me)


def owned_elsewhere(session: Session, kind: str, record_id: str, owner: str) -> None:
    """Keep who owns a pulled entity (forgotten when it is this device)."""
    held = state.OWNED_ELSEWHERE.get(session)
    kept = [e for e in held if (e.get("kind"), e.get("id")) != (kind, record_id)]
    if owner and owner != settings.device_id(session):
        kept.append({"kind": kind, "id": record_id, "to_device_id": owner})
    if kept != held:
        state.OWNED_ELSEWHERE.set(session, kept)


def entry(session: Session, kind: str, record_id: str) -> dict[str, Any] | None:
    """The handover of a record this device gave away, if it did."""
    return next((e for e in state.HANDED_OVER.get(session)
                 if (e.get("kind"), e.get("id")) == (kind, record_id)), None)


def receiver(session: Session, found: dict[str, Any]) -> str:
    """Who the record went to: the inspector of that device (as the server named it)."""
    name = session.scalar(select(KnownKey.inspector).where(
        KnownKey.device_id == found.get("to_device_id"), KnownKey.inspector.is_not(None))
        .limit(1))
    device = str(found.get("to_device_id") or "")[:8]
    return _("{inspector} (device {device})").format(inspector=name, device=device) if name \
        else _("device {device}").format(device=device)


def when(found: dict[str, Any]) -> str:
    """The local time of the handover decision."""
    try:
        moment = datetime.fromisoformat(str(found.get("decided_at", "")))
    except ValueError:
        return str(found.get("decided_at", ""))
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def describe(session: Session, found: dict[str, Any]) -> str:
    """One sentence for the record view: to whom and when it was handed over."""
    return _("Handed over to {to} on {when}.").format(to=receiver(session, found),
                                                       when=when(found))


def refusal(session: Session, kind: str, record_id: str) -> str | None:
    """Why this device may not change the record (None: it may)."""
    from inspector_app.core.transfer import entity_label

    found = entry(session, kind, record_id)
    if found is None:
        owner = next((e for e in state.OWNED_ELSEWHERE.get(session)
                      if (e.get("kind"), e.get("id")) == (kind, record_id)), None)
        if owner is None:
            return None
        return _("This {kind} belongs to {owner}; it can only be changed on that device."
                 ).format(kind=entity_label(kind), owner=receiver(session, owner))
    return _("This {kind} was handed over to {to} on {when}; it can no longer be changed "
             "on this device.").format(kind=entity_label(kind), to=receiver(session, found),
                                       when=when(found))
