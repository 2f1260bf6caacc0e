"""The checks of a seizure record that arrives whole on this device (import, sync pull).

`record_rules` says what the record itself must hold; this adds what only this store
knows: this device's own keys and segment (a number from this device's segment was made
here, and only here), and the public keys of the other devices it trusts (`known_keys`),
against which each document's signature is checked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import settings
from inspector_app.core.models import KnownKey
from inspector_app.core.seizure import numbering, record_rules
from inspector_app.core.seizure.rules import RuleError


def store_issues(session: Session, record: dict[str, Any]) -> list[RuleError]:
    """What `record` breaks of the rules that need this store (see the module doc)."""
    keys = dict(session.execute(select(KnownKey.key_id, KnownKey.public_key)).all())
    own = set(session.scalars(select(KnownKey.key_id).where(KnownKey.source == "own")))
    issues = record_rules.segment_issues(record, own, numbering.DEVICE_SEGMENT.get(session),
                                         settings.device_id(session))
    return issues + record_rules.signature_issues(record, keys)


def issues(session: Session, record: dict[str, Any]) -> list[RuleError]:
    """Every rule `record` (a seizure's exported dict) breaks, here."""
    return record_rules.seizure_issues(record) + store_issues(session, record)
