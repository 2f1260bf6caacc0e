"""Finding a seizure, and the time zone its dates are read in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timezone

from sqlalchemy.orm import Session, selectinload

from inspector_app.core.i18n import _
from inspector_app.core.models import Seizure
from inspector_app.core.seizure import rules
from inspector_app.core.store import utcnow

ISSUE_KINDS = ("decision", "list", "record", "seals")


class NotFound(LookupError):
    def __init__(self, seizure_id: str):
        super().__init__(_("There is no seizure {id}.").format(id=seizure_id))
        self.message = str(self)


def load(session: Session, seizure_id: str) -> Seizure:
    seizure = session.get(Seizure, seizure_id, options=[
        selectinload(Seizure.officers), selectinload(Seizure.items),
        selectinload(Seizure.seals), selectinload(Seizure.documents),
        selectinload(Seizure.transitions), selectinload(Seizure.testing_periods),
        selectinload(Seizure.signatures)])
    if seizure is None:
        raise NotFound(seizure_id)
    return seizure


def seizure_tz(seizure: Seizure) -> timezone:
    """The time zone the seizure was made in: dates print the same on every device."""
    return rules.record_tz(seizure.created_offset)


def today_for(seizure: Seizure, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(seizure_tz(seizure)).date()


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
