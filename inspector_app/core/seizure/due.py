"""What is due on the running seizures: the term's days left, and the 24-hour report of an
emergency measure (行政强制法 arts. 19, 25). `service` offers these under its own name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core.models import Party, Seizure
from inspector_app.core.seizure import rules
from inspector_app.core.store import utcnow


@dataclass
class DueRow:
    seizure_id: str
    number: str
    party: str
    state: str
    term: rules.Term | None
    emergency: rules.EmergencyStatus | None

    @property
    def action(self) -> str:
        """What should happen now: "release" (term over), "report" (emergency), or ""."""
        if self.term is not None and self.term.overdue:
            return "release"
        if self.emergency is not None and self.emergency.reported_at is None:
            return "report"
        return ""

    @property
    def report_overdue(self) -> bool:
        """An emergency measure not reported within its 24 hours."""
        return self.emergency is not None and self.emergency.overdue


def due_rows(session: Session, now: datetime | None = None,
             ids: Sequence[str] | None = None) -> list[DueRow]:
    """Running measures (and unreported emergency measures), the most urgent first."""
    now = now or utcnow()
    stmt = select(Seizure).options(selectinload(Seizure.testing_periods)).where(
        (Seizure.state.in_(list(rules.ACTIVE)))
        | (Seizure.emergency & Seizure.emergency_reported_at.is_(None)
           & Seizure.state.in_([rules.DRAFT, *rules.ACTIVE])))
    if ids is not None:
        stmt = stmt.where(Seizure.id.in_(list(ids)))
    rows = []
    party_names = dict(session.execute(select(Party.id, Party.name)).all()) if ids is None \
        else {}
    for s in session.scalars(stmt):
        name = party_names.get(s.party_id) if ids is None else (
            session.get(Party, s.party_id).name if s.party_id else "")
        tz = rules.record_tz(s.created_offset)
        rows.append(DueRow(s.id, s.number, name or "", s.state,
                           rules.term(s, rules.local_date(now, tz), tz),
                           rules.emergency_status(s, now)))

    def urgency(row: DueRow):
        days = row.term.days_left if row.term else 999
        hours = row.emergency.hours_left / 24 if row.emergency and \
            row.emergency.reported_at is None else 999
        return min(days, hours)

    rows.sort(key=urgency)
    return rows


def days_left(session: Session, ids: Sequence[str], now: datetime | None = None
              ) -> dict[str, int]:
    """Days left of the running measures among `ids` (for a list's column)."""
    return {r.seizure_id: r.term.days_left for r in due_rows(session, now, ids) if r.term}
