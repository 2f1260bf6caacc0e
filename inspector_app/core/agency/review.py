"""A supervisor's review of the agency's records: the queue, the decisions, a record's history.

`decide` is the only write a supervisor's store takes on agency records: it signs the
decision with this device's key (sync/decisions.py), stores it as a `Decision` (sent_at
None: the next sync posts it, core/sync/decisions_out.py) and applies it to the record
(review state, conflict, owner). Nothing here edits or deletes a decision.

On an inspector's device the same `Decision` rows (received by sync) say how the records
made here stand: `local_state_sql` is the one expression the record lists, their filter and
`inspector records show` use.
"""

from __future__ import annotations

import heapq
import json
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from inspector_app.core import device_key, settings
from inspector_app.core.agency import contents
from inspector_app.core.agency.incoming import apply_to_record
from inspector_app.core.agency.tables import (
    AgencyConflict,
    AgencyRecord,
    AgencyVersion,
    Decision,
)
from inspector_app.core.i18n import N_, _
from inspector_app.core.models import RECORD_KINDS, KnownKey
from inspector_app.core.store import Store, utcnow
from sync import decisions, protocol
from sync.protocol import ProtocolError

ACTIONS = decisions.ACTIONS
REVIEW_ACTIONS = tuple(decisions.STATE_AFTER)  # approve, return, reject
STATES = decisions.REVIEW_STATES

# What a user reads for each review state (the supervisor's and the inspector's lists).
STATE_LABELS = {
    "pending": N_("Awaiting review"),
    "returned": N_("Returned"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    # an inspector's record returned, corrected here and not yet synced
    "returned_edited": N_("Returned (corrected, not synced yet)"),
}
ACTION_LABELS = {
    "approve": N_("Approved"),
    "return": N_("Returned"),
    "reject": N_("Rejected"),
    "resolve": N_("Conflict resolved"),
    "handover": N_("Handed over"),
}


class DecisionError(Exception):
    """A decision that cannot be made; `message` is in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def kind_label(kind: str) -> str:
    from inspector_app.core.queries import KIND_LABELS

    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def state_label(state: str | None) -> str:
    return _(STATE_LABELS[state]) if state in STATE_LABELS else (state or "")


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def is_supervisor(session: Session) -> bool:
    from inspector_app.core.sync import state

    return state.is_supervisor(session)


# --- deciding ----------------------------------------------------------------------------


def _by(user: Any) -> str:
    name = getattr(user, "name", None) if user is not None else None
    if name is None and isinstance(user, str):
        name = user
    name = (name or "").strip()
    if not name:
        raise DecisionError(_("A decision needs the signed-in supervisor's name."))
    return name


def decide(store: Store, kind: str, record_id: str, action: str, text: str = "", *,
           user: Any, chosen_version: int | None = None, chosen_sha256: str | None = None,
           to_device_id: str | None = None, content: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    """Sign and store a decision on an agency record, and apply it here. A resolve
    chooses a version (`chosen_version`, `chosen_sha256`) or carries a new `content`,
    each field one of the conflicting contents' (see `new_content`).

    Returns the decision's fields as signed, with "signature" and "review_state" (the
    record's state after it). Raises DecisionError, and writes nothing, on bad input."""
    text = (text or "").strip()
    by = _by(user)
    if action not in ACTIONS:
        raise DecisionError(_("Unknown decision {action}; use one of: {choices}.").format(
            action=action, choices=", ".join(ACTIONS)))
    if len(text) > decisions.MAX_TEXT:
        raise DecisionError(_("A comment may hold at most {n} characters.").format(
            n=decisions.MAX_TEXT))
    if action in decisions.NEEDS_TEXT and not text:
        raise DecisionError({
            "return": _("Say what the inspector should correct: a returned record needs a "
                        "comment."),
            "reject": _("A rejection needs its reason."),
            "resolve": _("Say why this version is chosen: resolving a conflict needs a "
                         "reason."),
        }[action])
    key = device_key.load_or_create(store.data_dir)
    with store.write() as session:
        if not is_supervisor(session):
            raise DecisionError(_("Only a supervisor's device makes review decisions; this "
                                  "device is enrolled for an inspector."))
        record = session.get(AgencyRecord, (kind, record_id))
        if record is None:
            raise DecisionError(_("There is no {kind} record {id} in the agency's records "
                                  "here (sync first?).").format(kind=kind_label(kind),
                                                                id=record_id))
        extra: dict[str, Any] = {}
        open_conflicts = _open_conflicts(session, kind, record_id)
        if action in REVIEW_ACTIONS:
            if open_conflicts:
                raise DecisionError(_("This record has an unresolved conflict: resolve it "
                                      "first, then review the chosen version."))
            done = session.scalar(select(Decision.action).where(
                Decision.kind == kind, Decision.record_id == record_id,
                Decision.version == record.version,
                Decision.action.in_(REVIEW_ACTIONS)).limit(1))
            if done is not None:
                raise DecisionError(_("Version {version} of this record was already decided "
                                      "({decision}); a decision is never changed.").format(
                    version=record.version, decision=action_label(done)))
        elif action == "resolve":
            if not open_conflicts:
                raise DecisionError(_("This record has no unresolved conflict."))
            if content is not None:
                extra = new_content(session, record, content)
            elif chosen_version is None or not chosen_sha256:
                raise DecisionError(_("Choose the version that settles the conflict (its "
                                      "number and content hash)."))
            else:
                chosen = session.scalar(select(AgencyVersion).where(
                    AgencyVersion.kind == kind, AgencyVersion.record_id == record_id,
                    AgencyVersion.version == chosen_version,
                    AgencyVersion.content_sha256 == chosen_sha256))
                if chosen is None:
                    raise DecisionError(_("Version {version} ({sha}) is not one of this "
                                          "record's versions.").format(
                        version=chosen_version, sha=chosen_sha256[:12]))
                extra = {"chosen_version": chosen_version, "chosen_sha256": chosen_sha256}
        else:  # handover
            if not to_device_id:
                raise DecisionError(_("Name the device the record is handed to."))
            known = session.scalar(select(KnownKey.key_id).where(
                KnownKey.device_id == to_device_id, KnownKey.revoked_at.is_(None)).limit(1))
            if known is None:
                raise DecisionError(_("The device {device} is not known here (or its key was "
                                      "revoked).").format(device=to_device_id))
            if to_device_id == record.owner_device_id:
                raise DecisionError(_("The record already belongs to that device."))
            extra = {"to_device_id": to_device_id}
        try:
            decision = decisions.make(
                kind=kind, record_id=record_id, version=record.version,
                sha256=record.content_sha256, action=action, text=text, by=by,
                device_id=settings.device_id(session), key_id=device_key.key_id(key),
                **extra)
        except ProtocolError as exc:
            raise DecisionError(_("The decision is not well formed: {reason}").format(
                reason=exc)) from exc
        envelope = decisions.sign(key, decision)
        now = utcnow()
        session.add(Decision(
            id=decision["id"], kind=kind, record_id=record_id, version=record.version,
            action=action, text=text, by=by, decided_at=decision["decided_at"],
            device_id=decision["device_id"], key_id=decision["key_id"],
            body=protocol.dumps(decision), signature=envelope["signature"], sent_at=None,
            received_at=now))
        apply_to_record(session, decision)
        return {**decision, "signature": envelope["signature"],
                "review_state": record.review_state}


def sides(session: Session, record: AgencyRecord) -> list[tuple[int, str, dict[str, Any]]]:
    """(version, sha256, content) of the contents in conflict: the current one first, then
    each unresolved one."""
    held = [(record.version, record.content_sha256)] + [
        (c.version, c.content_sha256)
        for c in _open_conflicts(session, record.kind, record.record_id)]
    return [(v, sha, content(session, record.kind, record.record_id, v, sha))
            for v, sha in held]


def new_content(session: Session, record: AgencyRecord, new: Any) -> dict[str, Any]:
    """The resolve fields for a new content of `record` (its next version), if each of
    its fields is one of the conflicting contents' and a seizure keeps the rules;
    DecisionError saying why not otherwise (the server checks the same). A content that
    is one side's whole chooses that side's version instead."""
    if not isinstance(new, dict):
        raise DecisionError(_("The new content must be a JSON object."))
    if new.get("id") != record.record_id or new.get("kind", record.kind) != record.kind:
        raise DecisionError(_("The new content is not this record's: its id or kind "
                              "differs."))
    new = {**new, "version": record.version + 1}
    held = sides(session, record)
    for version, sha, side in held:
        if decisions.invented(new, [side]) == []:
            return {"chosen_version": version, "chosen_sha256": sha}
    foreign = decisions.invented(new, [side for _v, _sha, side in held])
    if foreign:
        raise DecisionError(_("Each field of the new content must hold the value of one of "
                              "the contents in conflict; these do not: {fields}.").format(
            fields=", ".join(foreign)))
    if protocol.bad_text_path(new) is not None or \
            len(protocol.canonical_bytes(new)) > protocol.MAX_RECORD_BYTES:
        raise DecisionError(_("The new content holds control characters or is too large."))
    if record.kind == "seizure":
        from inspector_app.core.seizure import record_rules

        keys = dict(session.execute(select(KnownKey.key_id, KnownKey.public_key)).all())
        problems = record_rules.seizure_issues(new) + record_rules.signature_issues(new, keys)
        if problems:
            raise DecisionError(_("The new content breaks the rules of a seizure: "
                                  "{problems}").format(
                problems="；".join(record_rules.describe(p) for p in problems)))
    return decisions.new_content(new)


def _open_conflicts(session: Session, kind: str, record_id: str) -> list[AgencyConflict]:
    return list(session.scalars(select(AgencyConflict).where(
        AgencyConflict.kind == kind, AgencyConflict.record_id == record_id,
        AgencyConflict.resolved_by.is_(None))))


# --- the queue ---------------------------------------------------------------------------


def _filtered(stmt, *, state: str | None, kind: str | None, inspector: str | None,
              market: list[str] | None, day_from: date | str | None, day_to: date | str | None):
    if state:
        stmt = stmt.where(AgencyRecord.review_state == state)
    if kind:
        stmt = stmt.where(AgencyRecord.kind == kind)
    if inspector:
        stmt = stmt.where(AgencyRecord.inspector == inspector)
    if market:  # ids (see _market_ids): the market index then gives the day order
        stmt = stmt.where(AgencyRecord.market_id.in_(market))
    if day_from:
        stmt = stmt.where(AgencyRecord.day >= str(day_from))
    if day_to:
        stmt = stmt.where(AgencyRecord.day <= str(day_to))
    return stmt


def _market_ids(session: Session, market: str | None) -> list[str] | None:
    """The market ids `market` names: itself when records have it as their market id, else
    the markets of that name (the reference data pulled, the local markets; last, a scan
    of the records' market names)."""
    if not market:
        return None
    if session.scalar(select(AgencyRecord.kind).where(AgencyRecord.market_id == market)
                      .limit(1)) is not None:
        return [market]
    from sqlalchemy import text

    ids = set(session.execute(text(
        "SELECT item_id FROM sync_reference WHERE kind = 'market' "
        "AND json_extract(content, '$.name') = :name UNION "
        "SELECT id FROM markets WHERE name = :name"), {"name": market}).scalars())
    if not ids:
        ids = set(session.execute(select(AgencyRecord.market_id).where(
            AgencyRecord.market == market).distinct()).scalars())
    return sorted(ids) or [""]  # none: matches no record


def _index_hint(stmt, inspector, market):
    """A named inspector or market is far more selective than a review state: read its
    index (inspector or market, then day), which keeps the day order too."""
    if inspector:
        return stmt.with_hint(AgencyRecord, "INDEXED BY ix_agency_records_inspector", "sqlite")
    if market:
        return stmt.with_hint(AgencyRecord, "INDEXED BY ix_agency_records_market", "sqlite")
    return stmt


def queue(session: Session, *, state: str | None = "pending", kind: str | None = None,
          inspector: str | None = None, market: str | None = None,
          day_from: date | str | None = None, day_to: date | str | None = None,
          offset: int = 0, limit: int = 100) -> list[AgencyRecord]:
    """Agency records in review state `state` (None: any), oldest day first (the longest
    waiting on top; then in the order received), a page at a time.

    Read in the order of an index (review_state, kind, day, or inspector/market, day; the
    rowid last), so no statement sorts the queue: the keys of the first offset+limit
    entries (of each kind) are merged, then only the page's rows are loaded."""
    # Per kind, the review index gives the day order; a named inspector or market is read
    # through its own index (in day order too), all kinds at once.
    if kind or inspector or market:
        kinds: list[str | None] = [kind]
    else:
        kinds = sorted(RECORD_KINDS)  # the kinds the app reviews
    wanted = max(offset, 0) + max(limit, 0)
    if wanted == 0:
        return []
    rowid = literal_column("agency_records.rowid")
    market = _market_ids(session, market)
    keyed = []
    for k in kinds:
        stmt = _filtered(select(AgencyRecord.day, rowid), state=state, kind=k,
                         inspector=inspector, market=market, day_from=day_from,
                         day_to=day_to)
        stmt = _index_hint(stmt, inspector, market)
        keyed.append([tuple(row) for row in session.execute(
            stmt.order_by(AgencyRecord.day, rowid).limit(wanted))])
    page = list(islice(heapq.merge(*keyed), offset, wanted))
    if not page:
        return []
    ids = [rid for _day, rid in page]
    found = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for rid, record in session.execute(select(rowid, AgencyRecord).where(
                rowid.in_(chunk))):
            found[rid] = record
    return [found[rid] for rid in ids if rid in found]


def count(session: Session, *, state: str | None = "pending", kind: str | None = None,
          inspector: str | None = None, market: str | None = None,
          day_from: date | str | None = None, day_to: date | str | None = None,
          **_ignored: Any) -> int:
    """How many records `queue` lists with the same filters."""
    market = _market_ids(session, market)
    stmt = _filtered(select(func.count()).select_from(AgencyRecord), state=state, kind=kind,
                     inspector=inspector, market=market, day_from=day_from, day_to=day_to)
    return session.scalar(stmt) or 0


# --- a record's history and content --------------------------------------------------------


def decision_rows(session: Session, kind: str, record_id: str) -> list[Decision]:
    return list(session.scalars(select(Decision).where(
        Decision.kind == kind, Decision.record_id == record_id).order_by(
        Decision.decided_at, Decision.id)))


def comment(row: Decision, refused: dict[str, dict[str, Any]] | None = None
            ) -> dict[str, Any]:
    """A decision as `records show` and the record views give it."""
    body = json.loads(row.body)
    item = {"id": row.id, "action": row.action, "text": row.text, "by": row.by,
            "decided_at": row.decided_at, "version": row.version,
            "sha256": body.get("sha256", "")}
    for name in ("chosen_version", "chosen_sha256", "to_device_id", "content"):
        if name in body:
            item[name] = body[name]
    if refused is not None and row.id in refused:
        item["refused"] = refused[row.id].get("reason", "")
    return item


def resolve_outcome(item: dict[str, Any]) -> str:
    """What a resolve (a `comment` item) kept, in words; "" for another decision."""
    if item.get("action") != "resolve" or "chosen_version" not in item:
        return ""
    kept = _("kept a new content made of the conflicting ones, as version {version} "
             "({sha})") if "content" in item else _("kept version {version} ({sha})")
    return kept.format(version=item["chosen_version"], sha=item["chosen_sha256"][:12])


def history(session: Session, kind: str, record_id: str) -> list[dict[str, Any]]:
    """Every version received and every decision on an agency record, oldest first (a
    decision after the version it was made on)."""
    record = session.get(AgencyRecord, (kind, record_id))
    current = (record.version, record.content_sha256) if record else None
    conflicted = {(c.version, c.content_sha256) for c in session.scalars(
        select(AgencyConflict).where(AgencyConflict.kind == kind,
                                     AgencyConflict.record_id == record_id,
                                     AgencyConflict.resolved_by.is_(None)))}
    items: list[tuple[tuple, dict[str, Any]]] = []
    names = dict(session.execute(select(KnownKey.device_id, KnownKey.inspector)).all())
    for v in session.scalars(select(AgencyVersion).where(
            AgencyVersion.kind == kind, AgencyVersion.record_id == record_id)):
        items.append(((v.version, 0, v.received_at.isoformat(), v.pk), {
            "type": "version", "version": v.version, "sha256": v.content_sha256,
            "base_version": v.base_version, "device_id": v.device_id,
            "batch_id": v.batch_id, "received_at": v.received_at.isoformat(),
            "at": v.received_at.isoformat(), "inspector": names.get(v.device_id) or "",
            "current": (v.version, v.content_sha256) == current,
            "conflict": (v.version, v.content_sha256) in conflicted}))
    refused = refused_decisions(session)
    rows = decision_rows(session, kind, record_id)
    by_decision = {d.id: d.by for d in rows}
    for _key, item in items:  # a version a resolve made: by whom
        if item["batch_id"] in by_decision:
            item["made_by"] = by_decision[item["batch_id"]]
    for d in rows:
        items.append(((d.version, 1, d.decided_at, d.id), {
            "type": "decision", **comment(d, refused), "device_id": d.device_id,
            "sent": d.sent_at is not None}))
    items.sort(key=lambda pair: pair[0])
    return [item for _key, item in items]


def content(session: Session, kind: str, record_id: str, version: int,
            sha256: str | None = None) -> dict[str, Any]:
    """The canonical content of one version of an agency record (the current content when
    several were received under that version and `sha256` is not given)."""
    stmt = select(AgencyVersion).where(AgencyVersion.kind == kind,
                                       AgencyVersion.record_id == record_id,
                                       AgencyVersion.version == version)
    if sha256:
        stmt = stmt.where(AgencyVersion.content_sha256 == sha256)
    rows = list(session.scalars(stmt.order_by(AgencyVersion.pk)))
    if not rows:
        raise DecisionError(_("Version {version} of {kind} record {id} is not held here.")
                            .format(version=version, kind=kind_label(kind), id=record_id))
    record = session.get(AgencyRecord, (kind, record_id))
    row = next((r for r in rows if record and r.content_sha256 == record.content_sha256),
               rows[0])
    return contents.content_of(session, row)


def refused_decisions(session: Session) -> dict[str, dict[str, Any]]:
    """Decisions made here that the server refused (409 stale, 422...), by id."""
    from inspector_app.core.sync import decisions_out

    return {e["id"]: e for e in decisions_out.REFUSED_BY_SERVER.get(session)}


# --- how an inspector's own records stand -------------------------------------------------

_RECORD_TABLES = {"check": "label_checks", "seizure": "seizures", "worklog": "work_logs"}


def local_state_sql(kind: str, alias: str = "r") -> str:
    """SQL giving the review state of an inspector's record `alias` of `kind` from the
    decisions received about it: the latest review decision's state; NULL when none.
    A record returned and saved again since: "returned_edited" until its new version is
    synced, then "pending" (the server puts it back in the queue)."""
    if kind not in _RECORD_TABLES:
        raise ValueError(kind)
    return (
        f"(SELECT CASE WHEN {alias}.version > d.version THEN "
        "CASE WHEN d.action = 'return' AND EXISTS (SELECT 1 FROM outbox o WHERE "
        "o.kind = d.kind AND o.record_id = d.record_id AND o.acked_at IS NULL) "
        "THEN 'returned_edited' ELSE 'pending' END "
        "WHEN d.action = 'approve' THEN 'approved' WHEN d.action = 'return' THEN 'returned' "
        "WHEN d.action = 'reject' THEN 'rejected' END "
        f"FROM decisions d WHERE d.kind = '{kind}' AND d.record_id = {alias}.id "
        "AND d.action IN ('approve', 'return', 'reject') "
        "ORDER BY d.decided_at DESC, d.id DESC LIMIT 1)")


def local_state(session: Session, kind: str, record_id: str) -> str | None:
    from sqlalchemy import text

    sql = f"SELECT {local_state_sql(kind)} FROM {_RECORD_TABLES[kind]} r WHERE r.id = :id"
    return session.execute(text(sql), {"id": record_id}).scalar()


def review_of(session: Session, kind: str, record_id: str) -> dict[str, Any]:
    """{"state", "comments"} of a record: on a supervisor's device from the agency record,
    else from the decisions this device received about its own record."""
    if is_supervisor(session):
        record = session.get(AgencyRecord, (kind, record_id))
        state = record.review_state if record is not None else None
    else:
        state = local_state(session, kind, record_id) if kind in _RECORD_TABLES else None
    refused = refused_decisions(session)
    return {"state": state,
            "comments": [comment(d, refused) for d in decision_rows(session, kind, record_id)]}


_OWN_FACTS = {"check": ("checked_at", "product_name"), "seizure": ("started_at", "number"),
              "worklog": ("log_date", "operator_name")}


def own_reviewed(session: Session, *, kind: str | None = None, state: str | None = None
                 ) -> list[dict[str, Any]]:
    """An inspector's records that have a review decision, newest decision first, with
    their state (`local_state_sql`); `state` keeps only those in it ("returned" keeps the
    corrected ones not synced yet too)."""
    from sqlalchemy import text

    found: list[tuple[str, dict[str, Any]]] = []
    for k in ([kind] if kind else list(_RECORD_TABLES)):
        day, title = _OWN_FACTS[k]
        sql = (f"SELECT r.id, r.version, substr(CAST(r.{day} AS TEXT), 1, 10), r.{title}, "
               f"{local_state_sql(k)}, (SELECT max(d.decided_at) FROM decisions d "
               f"WHERE d.kind = '{k}' AND d.record_id = r.id) AS last "
               f"FROM {_RECORD_TABLES[k]} r WHERE r.id IN "
               f"(SELECT record_id FROM decisions WHERE kind = '{k}')")
        for rid, version, day_, title_, st, last in session.execute(text(sql)):
            if st is None or (state and st != state
                              and not (state == "returned" and st == "returned_edited")):
                continue
            found.append((last or "", {"kind": k, "id": rid, "version": version,
                                       "day": day_ or "", "title": title_ or "",
                                       "review_state": st}))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _last, item in found]
