"""A few seizures made through the real workflow, signed on the spot, so a demo store has
notices to print and verify (the bulk demo seizures carry no document hashes); and the
signature files the bulk demo seizures share."""

from __future__ import annotations

import hashlib
import io
import json
import random
from decimal import Decimal

from sqlalchemy import select

from inspector_app.core import attachments, settings
from inspector_app.core.demo.context import Ctx, SignatureFiles, device_segment
from inspector_app.core.demo.vocabulary import GIVEN, SURNAMES
from inspector_app.core.records import Actor
from inspector_app.core.store import Store

APPROVER = "陈建国"  # the agency head who approves the printable seizures
PAD = (600, 200)  # the signature pad's size, in its pixels


def signature(signer: str) -> tuple[bytes, bytes]:
    """A made-up handwritten signature of `signer`: the PNG (ink on a transparent
    background) and the stroke data, in the signature pad's formats."""
    from PIL import Image, ImageDraw

    rng = random.Random(hashlib.sha256(signer.encode("utf-8")).digest())
    width, height = PAD
    strokes: list[list[list[float]]] = []
    ms = 0.0
    left = 40.0
    for _char in signer[:4] or "x":  # a few scribbled strokes per character
        for _n in range(rng.randint(2, 3)):
            x, y = left + rng.uniform(0, 60), rng.uniform(50, 150)
            stroke = []
            for _p in range(rng.randint(6, 12)):
                stroke.append([round(x, 1), round(y, 1), round(ms), round(rng.uniform(0.4, 0.9), 2)])
                x = min(width - 20, max(20, x + rng.uniform(-18, 26)))
                y = min(height - 20, max(20, y + rng.uniform(-30, 30)))
                ms += rng.uniform(8, 20)
            strokes.append(stroke)
            ms += rng.uniform(80, 200)
        left += 120
    image = Image.new("RGBA", PAD, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line([(p[0], p[1]) for p in stroke], fill=(0, 0, 0, 255), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    data = {"version": 1, "width": width, "height": height, "units": "px",
            "point": ["x", "y", "ms", "pressure"], "strokes": strokes}
    return out.getvalue(), json.dumps(data, separators=(",", ":")).encode("utf-8")


#: How many signatures the parties and witnesses of the bulk demo seizures share.
POOL = 12


def _stored(store: Store, signer: str) -> SignatureFiles:
    png, strokes = signature(signer)
    return SignatureFiles(attachments.store_bytes(store, png), len(png),
                          attachments.store_bytes(store, strokes), len(strokes))


def setup_signatures(ctx: Ctx, store: Store) -> None:
    """Put the signatures of the bulk demo seizures into the store's attachment files:
    each officer's own, and a pool the parties and witnesses share, so that a large demo
    store holds only a few dozen signature files. The same signer gives the same files,
    so a second run adds none."""
    ctx.officer_signatures = {o.id: _stored(store, o.name) for o in ctx.officers}
    ctx.signature_pool = [_stored(store, SURNAMES[n % len(SURNAMES)] + GIVEN[(7 * n) % len(GIVEN)])
                          for n in range(POOL)]


def printable_seizures(store: Store, issued: int = 2, drafts: int = 1) -> list[str]:
    """A few seizures made through the real workflow, so a demo store has notices to print
    and verify. Before they are issued, the party and both officers sign them on the
    signature path of the workflow (行政强制法 art. 18); the drafts are not signed yet.
    Sets this demo device's number segment and the agency's notice details when they are
    still empty."""
    from inspector_app.core.models import Inspector, Market, Party
    from inspector_app.core.seizure import numbering, service

    made: list[str] = []
    with store.write() as session:
        officers = session.scalars(select(Inspector).where(
            Inspector.cert_no != "", Inspector.active).order_by(Inspector.username)).all()
        party = session.scalars(select(Party).where(Party.name.like("%𠮷%"))).first() or \
            session.scalars(select(Party)).first()
        market = session.scalars(select(Market).order_by(Market.name)).first()
        if len(officers) < 2 or party is None:
            return made
        actor = Actor(settings.device_id(session), officers[0].id)
        if not numbering.DEVICE_SEGMENT.get(session):
            numbering.set_segment(session, device_segment(actor.device_id))
        for option, value in ((service.RECONSIDERATION_ORGAN, "示例市人民政府"),
                              (service.COURT, "示例市人民法院"),
                              (service.CONTACT_PHONE, "0591-87654321")):
            if not option.get(session):
                option.set(session, value)
        place = f"{market.name if market else ''}{party.name}经营场所"
        signer = party.legal_rep or party.name
        for n in range(issued + drafts):
            data = service.DraftInput(
                officer_ids=[officers[0].id, officers[1].id], party_id=party.id,
                market_id=market.id if market else None, place=place,
                suspected_violation=service.DEFAULT_VIOLATIONS[0],
                legal_basis=service.DEFAULT_LEGAL_BASES[0],
                custody_place="市场监管局涉案物品仓库", custodian="王五",
                onsite_record="执法人员出示执法证件，告知当事人检查事由。现场发现电热水壶"
                              "未加施CCC认证标志，当事人未能提供3C认证证书。",
                items=[service.ItemInput(f"电热水壶（{m + 1}号批次）", Decimal(m + 2), "台",
                                         "1.7L", "无3C标志") for m in range(3)],
                seals=[service.SealInput(f"FT-{n + 1:03d}1", "仓库门")])
            seizure = service.create_draft(session, actor, data)
            # The agency head's prior approval (行政强制法 art. 18(一)), before the issue.
            service.record_approval(session, actor, seizure.id, APPROVER,
                                    seizure.started_at)
            if n < issued:
                png, strokes = signature(signer)
                service.add_signature(store, session, actor, seizure.id, "party", signer,
                                      png=png, strokes=strokes)
                for officer in officers[:2]:
                    png, strokes = signature(officer.name)
                    service.add_signature(store, session, actor, seizure.id, "officer",
                                          officer.name, png=png, strokes=strokes,
                                          officer_id=officer.id)
                service.issue(store, session, actor, seizure.id)
            made.append(seizure.id)
    return made
