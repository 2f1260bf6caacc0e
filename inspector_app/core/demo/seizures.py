"""Seizures 查封扣押 as the bulk demo makes them: officers, items, seals, the on-site
record, and the states a measure of that age has gone through."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from inspector_app.core.demo.bulk import canon_time, scaled
from inspector_app.core.demo.checks import Check
from inspector_app.core.demo.context import (
    LOCAL,
    Ctx,
    OfficerRef,
    SignatureFiles,
    audited,
    between,
    new_uuid,
    person_name,
    pick,
)
from inspector_app.core.demo.vocabulary import (
    CATEGORIES,
    CUSTODY,
    EXTENSION_REASONS,
    PACKAGING,
    RELEASE_REASONS,
    STATEMENTS,
    Category,
)
from inspector_app.core.models import Seizure, SeizureTransition
from inspector_app.core.stalls import stall_place

_SEIZURE_ITEM_COUNTS = (1, 1, 2, 2, 3, 3, 4, 5, 6)
_ITEM_REMARKS = ("外包装破损", "已拍照", "部分已开箱")


def _seizure_items(ctx: Ctx, first: tuple[str, str, str],
                   category: Category) -> list[dict[str, Any]]:
    rnd = ctx.rnd
    n = pick(rnd, _SEIZURE_ITEM_COUNTS)
    wanted = [first]
    if n > 1:
        others = [p[:3] for p in category.products if p[0] != first[0] or p[1] != first[1]]
        ctx.rng.shuffle(others)
        wanted += others[: n - 1]
    while len(wanted) < n:
        wanted.append(pick(rnd, PACKAGING))
    items = []
    for pos, (name, spec, unit) in enumerate(wanted, start=1):
        if unit in ("米", "千克") and rnd() < 0.5:
            qty = scaled(between(rnd, 10, 5000), 1)
        else:
            qty = str(between(rnd, 1, 300))
        items.append({"position": pos, "name": name, "spec": spec, "unit": unit,
                      "quantity": qty,
                      "remark": "" if rnd() < 0.8 else pick(rnd, _ITEM_REMARKS)})
    return items


_PRESENCE_TEXT = {"present": "当事人在场。", "absent": "当事人不在现场，见证人{witness}到场见证。",
                  "refused": "当事人在场，拒绝在笔录上签字，执法人员已注明，见证人{witness}到场见证。"}


_ATTACHMENTS: dict[tuple[SignatureFiles, str], tuple[dict[str, Any], ...]] = {}


def _attachment_rows(files: SignatureFiles, role: str) -> tuple[dict[str, Any], ...]:
    """The attachment rows of one signature (its PNG and strokes), but for their id,
    record id and time: as `add_signature` makes them."""
    found = _ATTACHMENTS.get((files, role))
    if found is None:
        found = _ATTACHMENTS[(files, role)] = tuple(
            {"record_kind": "seizure", "sha256": sha, "role": f"{kind}:{role}",
             "filename": f"{kind}-{role}.{ext}", "mime": mime, "size": size}
            for kind, sha, size, ext, mime in (
                ("signature", files.png_sha256, files.png_size, "png", "image/png"),
                ("strokes", files.strokes_sha256, files.strokes_size, "json",
                 "application/json")))
    return found


def _signatures(ctx: Ctx, seizure_id: str, at: datetime, presence: str, party_signer: str,
                witness: str, officers: tuple[OfficerRef, OfficerRef]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The on-site signatures of 行政强制法 art. 18, from `at` on, a few seconds apart, as
    `seizure.service.add_signature` stores them: the party signs (or its refusal is
    recorded), a witness signs where the party refused or is absent, then both officers.
    Returns the signature rows and their attachment rows (PNG and strokes of each)."""
    rng = ctx.sign_rng
    rnd = rng.random
    pool = ctx.signature_pool
    signers: list[tuple[str, str, str | None, SignatureFiles | None]] = []
    if presence == "present":
        signers.append(("party", party_signer, None, pick(rnd, pool)))
    else:
        if presence == "refused":
            signers.append(("party", party_signer, None, None))
        signers.append(("witness", witness, None, pick(rnd, pool)))
    signers += [("officer", o.name, o.id, ctx.officer_signatures[o.id]) for o in officers]
    sigs: list[dict[str, Any]] = []
    atts: list[dict[str, Any]] = []
    key = ctx.id_key
    for position, (role, signer, officer_id, files) in enumerate(signers, start=1):
        at += timedelta(seconds=20 + int(rnd() * 61))
        when = canon_time(at)
        if files is None:  # a refusal: no signature, no files
            sigs.append({"position": position, "role": role, "signer": signer,
                         "officer_id": None, "status": "refused", "png_sha256": None,
                         "strokes_sha256": None, "signed_at": when})
            continue
        sigs.append({"position": position, "role": role, "signer": signer,
                     "officer_id": officer_id, "status": "signed",
                     "png_sha256": files.png_sha256, "strokes_sha256": files.strokes_sha256,
                     "signed_at": when})
        for template in _attachment_rows(files, role):
            atts.append({**template, "id": new_uuid(rng, key), "record_id": seizure_id,
                         "created_at": when})
    return sigs, atts


def _onsite_record(start: datetime, end: datetime, place: str, officers: tuple[OfficerRef, ...],
                   party: str, presence: str, witness: str, violation: str,
                   items: list[dict[str, Any]], measure_word: str, statement: str) -> str:
    s, e = start.astimezone(LOCAL), end.astimezone(LOCAL)
    goods = "、".join(f"{i['name']}{i['quantity']}{i['unit']}" for i in items[:3])
    if len(items) > 3:
        goods += f"等{len(items)}种物品"
    o1, o2 = officers
    lines = [
        (f"时间：{s.year}年{s.month}月{s.day}日{s.hour}时{s.minute:02d}分至"
         f"{e.hour}时{e.minute:02d}分。地点：{place}。"),
        (f"执法人员{o1.name}（执法证号{o1.cert_no}）、{o2.name}（执法证号{o2.cert_no}）"
         f"向当事人{party}出示执法证件，告知实施行政强制措施的理由、依据及依法享有的陈述、"
         "申辩、申请行政复议和提起行政诉讼的权利。"),
        _PRESENCE_TEXT[presence].format(witness=witness),
        f"经查，当事人经营场所存放有{goods}，{violation}，依法实施{measure_word}。",
    ]
    if statement:
        lines.append(f"当事人陈述申辩：{statement}")
    lines.append("以上笔录经核对无误。")
    return "\n".join(lines)


_SEIZURE_COLUMNS = frozenset(c.key for c in Seizure.__table__.columns)
_TRANSITION_COLUMNS = frozenset(c.key for c in SeizureTransition.__table__.columns)
_TERMS = (30, 30, 30, 20, 15)
_LATE_REPORT_REASONS = ("夜间实施，负责人外出开会，次日下午方能当面报告",
                        "节假日期间负责人出差，通讯中断，返回后立即补报")
_SEAL_PLACES = ("仓库门", "货架", "货物外包装", "冷柜", "摊位柜台")


def make_seizure(ctx: Ctx, moment: datetime, check: Check | None) -> str:
    """A seizure, started at `moment` (from `check`, when given); returns its id."""
    rng, rnd = ctx.rng, ctx.rnd
    seizure_id = ctx.new_id()
    if check is not None:
        stall = check.stall
        category = CATEGORIES[check.category]
        first = (check.row["product_name"], check.row["spec_model"], check.row["unit"])
    else:
        stall = pick(rnd, ctx.checkable or ctx.stalls)
        category = CATEGORIES[pick(rnd, stall.categories or tuple(CATEGORIES))]
        first = pick(rnd, category.products)[:3]
    o1, o2 = rng.sample(ctx.officers, 2)
    if check is not None:  # the check's officers take the measure (the draw above is kept)
        o1, o2 = check.team
    violation, basis = pick(rnd, category.violations)
    measure = "seal" if rnd() < 0.6 else "detain"
    items = _seizure_items(ctx, first, category)
    place = stall_place(stall.market.name, stall.number) + ("及其仓库" if rnd() < 0.3 else "")
    roll = rnd()
    presence = "absent" if roll < 0.04 else "refused" if roll < 0.11 else "present"
    witness = (person_name(rng) if presence == "absent"
               else person_name(ctx.sign_rng) if presence == "refused" else "")
    statement = pick(rnd, STATEMENTS) if presence != "absent" else ""
    party = stall.party_name or "（未登记经营者）"
    end_of_visit = moment + timedelta(minutes=between(rnd, 30, 90))
    onsite = _onsite_record(moment, end_of_visit, place, (o1, o2), party, presence, witness,
                            violation.removeprefix("涉嫌"), items,
                            "查封" if measure == "seal" else "扣押", statement)

    # The state follows from the seizure's age: a measure lasts at most 30 days, plus one
    # extension of at most 30; a few old ones are left overdue for the deadline warnings.
    latest = ctx.now - timedelta(minutes=5)
    term = pick(rnd, _TERMS)
    issued_at: datetime | None = None
    number = ""
    transitions: list[dict[str, Any]] = []
    extension = 0
    last = end_of_visit

    def move(frm: str, to: str, at: datetime, reason: str = "", approver: str = "",
             ground: str = "") -> None:
        row = {"position": len(transitions) + 1, "from_state": frm, "to_state": to,
               "at": canon_time(at), "inspector_id": o1.id, "reason": reason}
        if "approver" in _TRANSITION_COLUMNS:  # the seizure workflow's columns (0004)
            row["approver"] = approver or None
        if "ground" in _TRANSITION_COLUMNS:
            row["ground"] = ground or None
        transitions.append(row)

    signatures: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    if rnd() >= (0.3 if latest - moment < timedelta(days=2) else 0.005):  # not a draft
        issued_at = moment + timedelta(minutes=between(rnd, 20, 60))
        # Signed on the spot before it is issued (the drafts are not signed yet).
        signatures, attachments = _signatures(
            ctx, seizure_id, issued_at - timedelta(minutes=between(ctx.sign_rng.random, 6, 12)),
            presence,
            stall.rep or party, witness, (o1, o2))
        number = ctx.doc_number(seizure_id, issued_at)
        move("draft", "issued", issued_at)
        last = max(last, issued_at)
        deadline = issued_at + timedelta(days=term)
        roll = rnd()
        if latest < deadline:  # still running
            target = "issued" if roll < 0.6 else "released" if roll < 0.85 else "extended"
        elif latest < deadline + timedelta(days=30):  # may be in its extension
            target = "extended" if roll < 0.45 else "released" if roll < 0.995 else "issued"
        else:  # long over: released, but for a few overdue ones
            target = "released" if roll < 0.99 else "issued" if roll < 0.995 else "extended"
        if target == "extended" or (target == "released" and rnd() < 0.15):
            ext_at = deadline - timedelta(minutes=between(rnd, 1440, 6000))
            if last < ext_at < latest:
                extension = 30 if latest >= deadline else pick(rnd, (15, 30, 30))
                move("issued", "extended", ext_at, pick(rnd, EXTENSION_REASONS), ctx.approver)
                last = ext_at
                deadline += timedelta(days=extension)
        if target == "released":
            start, end = last + timedelta(hours=2), min(deadline, latest)
            if start < end:
                at = start + timedelta(seconds=int(rnd() * (end - start).total_seconds()))
                # "term expired" only from the term's last (local) day on (art. 28)
                expired = at.astimezone(LOCAL).date() >= deadline.astimezone(LOCAL).date()
                reason, ground = (RELEASE_REASONS[-1] if expired
                                  else pick(rnd, RELEASE_REASONS[:-1]))
                move(transitions[-1]["to_state"], "released", at, reason, ground=ground)
                last = at
    state = transitions[-1]["to_state"] if transitions else "draft"
    updated = min(last + timedelta(minutes=between(rnd, 1, 30)), latest)
    n_seals = pick(rnd, (1, 1, 2)) if measure == "seal" else pick(rnd, (0, 1))
    year = moment.astimezone(LOCAL).year
    seals = [{"position": i, "number": f"{ctx.abbr}封〔{year}〕{int(rnd() * 100000):05d}-{i}",
              "location": pick(rnd, _SEAL_PLACES)}
             for i in range(1, n_seals + 1)]
    officers = [{"position": i, "inspector_id": o.id, "name": o.name, "cert_no": o.cert_no}
                for i, o in enumerate((o1, o2), start=1)]
    custody = pick(rnd, CUSTODY)
    if "当事人" in custody:
        custodian = stall.rep or party
    elif "市场" in custody:
        custodian = person_name(rng)
    else:
        custodian = pick(rnd, ctx.officers).name
    emergency = rnd() < 0.03
    notified = presence != "absent" or rnd() < 0.5
    # An emergency measure (art. 19) is reported within 24 hours; a few are reported late,
    # with the reason, and one that was never extended may be left unreported (overdue).
    # Any other measure has the agency head's prior approval before it starts (art. 18).
    late_reason = ""
    reported = None
    own = random.Random(seizure_id).random  # leaves the demo's shared stream as it was
    on_time = moment + timedelta(minutes=between(rnd, 60, 1200)) if emergency else None
    if emergency:
        roll = own()
        extended_or_closed = any(t["to_state"] not in ("issued", "released")
                                 for t in transitions)
        if roll < 0.3:
            reported = moment + timedelta(minutes=between(own, 25 * 60, 40 * 60))
            late_reason = pick(own, _LATE_REPORT_REASONS)
        elif roll < 0.55 and not extended_or_closed:
            reported = moment + timedelta(days=3650)  # never (dropped below)
        else:
            reported = on_time
        if reported > latest:  # not yet reported (still within its 24 hours, or overdue)
            reported, late_reason = None, ""
            if any(t["to_state"] in ("extended", "confiscated", "destroyed", "transferred")
                   for t in transitions):  # those need the report first: report it on time
                reported = on_time if on_time <= latest else None
        if reported is not None:
            updated = max(updated, reported)
    approved_at = None
    if not emergency and (issued_at is not None or own() < 0.5):
        approved_at = moment - timedelta(minutes=between(own, 10, 180))
    row = audited(seizure_id, updated, ctx.device, ctx.author(o1.id))
    row.update(
        state=state, number=number, measure=measure, market_id=stall.market.id,
        party_id=stall.party_id, place=place, suspected_violation=violation, legal_basis=basis,
        started_at=canon_time(moment), issued_at=canon_time(issued_at) if issued_at else None,
        term_days=term, extension_days=extension, custody_place=custody, custodian=custodian,
        onsite_record=onsite, party_presence=presence, witness_name=witness,
        emergency=emergency, source_check_id=check.row["id"] if check is not None else None)
    # Fields of the seizure workflow (migration 0004), where this schema has them.
    optional = {
        "record_ended_at": canon_time(end_of_visit),
        "party_notified": notified,
        "party_statement": statement or None,
        "contact_phone": ctx.contact_phone,
        "emergency_reported_at": canon_time(reported) if reported else None,
        "emergency_approver": ctx.approver if reported else None,
        "emergency_report_reason": late_reason or None,
        "approver": ctx.approver if approved_at else None,
        "approved_at": canon_time(approved_at) if approved_at else None,
    }
    row.update((k, v) for k, v in optional.items() if k in _SEIZURE_COLUMNS)
    ctx.writer.add(Seizure, row, updated, {"officers": officers, "items": items,
                                            "seals": seals, "transitions": transitions,
                                            "signatures": signatures}, attachments)
    return seizure_id


