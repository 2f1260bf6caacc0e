"""What `inspector seizure show` prints: a seizure as plain data, and as text lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from inspector_app.cli import table
from inspector_app.core.i18n import _


def _time(moment: datetime | None, tz) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="minutes") if moment else None


def view(session, seizure_id: str) -> dict[str, Any]:
    """The seizure as JSON-ready data: its fields, signatures, documents, history, and (for a
    draft) what still stops it from being issued."""
    from inspector_app.core.models import Market, Party
    from inspector_app.core.seizure import rules, service

    s = service.load(session, seizure_id)
    tz = service.seizure_tz(s)
    party = session.get(Party, s.party_id) if s.party_id else None
    market = session.get(Market, s.market_id) if s.market_id else None
    term = rules.term(s, service.today_for(s), tz)
    emergency = rules.emergency_status(s, service.utcnow())
    data: dict[str, Any] = {
        "id": s.id, "state": s.state, "number": s.number, "measure": s.measure,
        "party": {"id": party.id, "name": party.name} if party else None,
        "market": {"id": market.id, "name": market.name} if market else None,
        "officers": [{"position": o.position, "id": o.inspector_id, "name": o.name,
                      "cert_no": o.cert_no} for o in s.officers],
        "place": s.place, "suspected_violation": s.suspected_violation,
        "legal_basis": s.legal_basis, "term_days": s.term_days,
        "extension_days": s.extension_days, "custody_place": s.custody_place,
        "custodian": s.custodian, "party_presence": s.party_presence,
        "witness_name": s.witness_name, "emergency": s.emergency,
        "started_at": _time(s.started_at, tz), "issued_at": _time(s.issued_at, tz),
        "items": [{"name": i.name, "spec": i.spec, "quantity": service._qty(i.quantity),
                   "unit": i.unit, "remark": i.remark} for i in s.items],
        "seals": [{"number": x.number, "location": x.location} for x in s.seals],
        "signatures": [{"role": x.role, "signer": x.signer, "status": x.status,
                        "officer_id": x.officer_id, "signed_at": _time(x.signed_at, tz)}
                       for x in s.signatures],
        "documents": [{"kind": d.kind, "number": d.number,
                       "issued_at": _time(d.issued_at, tz)} for d in s.documents],
        "transitions": [{"from": t.from_state, "to": t.to_state, "at": _time(t.at, tz),
                         "reason": t.reason, "approver": t.approver, "ground": t.ground}
                        for t in s.transitions],
        "testing_periods": [{"start": p.start_date, "end": p.end_date,
                             "description": p.description} for p in s.testing_periods],
        "term": None if term is None else {
            "end": term.end.isoformat(), "days_left": term.days_left,
            "overdue": term.overdue},
        "emergency_report": None if emergency is None else {
            "due": _time(emergency.due, tz), "reported_at": _time(s.emergency_reported_at, tz),
            "approver": s.emergency_approver, "overdue": emergency.overdue,
            "reason": getattr(s, "emergency_report_reason", None)},
    }
    data["approver"] = s.approver  # prior approval (art. 18)
    data["approved_at"] = _time(s.approved_at, tz)
    if s.state == rules.DRAFT:
        data["problems"] = [p.message for p in rules.issue_problems(s, party)]
    return data


def lines(data: dict[str, Any]) -> list[str]:
    from inspector_app.core.seizure import rules, service

    state = _(rules.STATE_LABELS.get(data["state"], data["state"]))
    rows = [_("Seizure {id}").format(id=data["id"]),
            _("State: {state}").format(state=state)]
    if data["number"]:
        rows.append(_("Number: {number}").format(number=data["number"]))
    rows.append(_("Party: {name}").format(name=data["party"]["name"] if data["party"]
                                           else _("(none)")))
    rows.append(_("Officers: {names}").format(names=_(", ").join(
        _("{name} ({cert_no})").format(name=o["name"],
                                        cert_no=o["cert_no"] or _("no certificate number"))
        for o in data["officers"]) or _("(none)")))
    rows.append(_("Place: {place}").format(place=data["place"] or _("(none)")))
    term = data["term"]
    if term is not None:
        rows.append(_("Term: {days} days, ends {date} ({left} days left)").format(
            days=data["term_days"] + data["extension_days"], date=term["end"],
            left=term["days_left"]))
    else:
        rows.append(_("Term: {days} days").format(days=data["term_days"]))
    if data.get("approver"):
        rows.append(_("Approved by: {name} ({time})").format(
            name=data["approver"], time=data.get("approved_at") or ""))
    report = data["emergency_report"]
    if report is not None:
        rows.append(_("Emergency measure: reported {time} to {name}").format(
            time=report["reported_at"], name=report["approver"]) if report["reported_at"]
            else _("Emergency measure: report by {time}").format(time=report["due"]))
    rows.append(_("Items:"))
    rows += [f"  {n}. {i['name']} {i['spec']} {i['quantity']}{i['unit']}".rstrip()
             for n, i in enumerate(data["items"], start=1)]
    if data["seals"]:
        rows.append(_("Seals: {numbers}").format(numbers=_(", ").join(
            x["number"] for x in data["seals"])))
    rows.append(_("Signatures:"))
    rows += table.lines(None, [[x["role"], x["signer"], x["status"], x["signed_at"]]
                               for x in data["signatures"]], indent=2) or ["  " + _("(none)")]
    if data["documents"]:
        rows.append(_("Documents:"))
        rows += table.lines(None, [[_(service.KIND_LABELS.get(d["kind"], d["kind"])),
                                    d["number"], d["issued_at"]] for d in data["documents"]],
                            indent=2)
    if data.get("problems"):
        rows.append(_("Before it can be issued:"))
        rows += [f"  - {line}" for p in data["problems"] for line in p.splitlines()]
    elif data["state"] == rules.DRAFT:
        rows.append(_("It can be issued."))
    return rows
