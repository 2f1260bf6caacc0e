"""Helpers of the seizure tests: a set-up agency with two officers, a party, a segment."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw

from inspector_app.core import auth, records, settings
from inspector_app.core.seizure import numbering, service

ISSUE_TIME = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in UTC+8
APPROVER = "王局长"  # the agency head who approves the measures of these tests


def _ink() -> bytes:
    """A small drawn-signature PNG, as the signature pad exports one."""
    image = Image.new("LA", (120, 40), (0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(5, 30), (40, 8), (70, 32), (115, 10)], fill=(0, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


INK = _ink()


class Agency:
    def __init__(self, store, actor, officers, party_id):
        self.store = store
        self.actor = actor
        self.officers = officers  # inspector ids, both with 执法证号
        self.party_id = party_id

    def draft_input(self, items: int = 3, **changes) -> service.DraftInput:
        data = service.DraftInput(
            officer_ids=list(self.officers), party_id=self.party_id,
            place="东门农副产品批发市场A12号摊位",
            suspected_violation="销售不符合保障人体健康和人身、财产安全的国家标准的产品",
            legal_basis=service.DEFAULT_LEGAL_BASES[0],
            custody_place="东门市场仓库3号", custodian="王五",
            onsite_record="执法人员在该摊位发现电热水壶,未标注CCC认证标志。",
            items=[service.ItemInput(f"电热水壶{i + 1}", Decimal(i + 2), "台", "1.7L", "无3C标志")
                   for i in range(items)],
            seals=[service.SealInput("FT-0001", "仓库门"), service.SealInput("FT-0002", "货架")],
            started_at=ISSUE_TIME)
        for key, value in changes.items():
            setattr(data, key, value)
        return data

    def draft(self, items: int = 3, approved: bool = True, **changes) -> str:
        return self.draft_at(ISSUE_TIME, items, approved, **changes)

    def draft_at(self, now: datetime, items: int = 3, approved: bool = True,
                 **changes) -> str:
        """A draft made at `now`; `approved`: with the agency head's prior approval, given
        half an hour before (an emergency measure has none)."""
        changes.setdefault("started_at", now)
        with self.store.write() as s:
            seizure = service.create_draft(s, self.actor, self.draft_input(items, **changes),
                                           now=now)
            sid = seizure.id
        if approved and not changes.get("emergency"):
            self.approve(sid, now - timedelta(minutes=30), now)
        return sid

    def sign_all(self, sid: str, now: datetime = ISSUE_TIME, party: str = "signed",
                 witness: bool = False) -> None:
        """The on-site signatures issuing asks for: both officers, and the party's
        signature ("signed"), its refusal ("refused") or none ("none"), and the witness's."""
        with self.store.write() as s:
            seizure = service.load(s, sid)
            officers = [(o.inspector_id, o.name) for o in seizure.officers]
        signers: list[tuple[str, str, str | None, bool]] = [
            ("officer", name, oid, False) for oid, name in officers]
        if party != "none":
            signers.append(("party", "𠮷祥日杂商行", None, party == "refused"))
        if witness:
            signers.append(("witness", "赵见证", None, False))
        for role, signer, oid, refused in signers:
            with self.store.write() as s:
                service.add_signature(self.store, s, self.actor, sid, role, signer,
                                      png=None if refused else INK, refused=refused,
                                      officer_id=oid, now=now)

    def approve(self, sid: str, at: datetime, now: datetime | None = None) -> None:
        """The agency head's prior approval, given at `at` (recorded at `now`)."""
        with self.store.write() as s:
            service.record_approval(s, self.actor, sid, APPROVER, at, now=now or at)

    def issued(self, items: int = 3, now: datetime = ISSUE_TIME, **changes) -> str:
        """Drafted, approved (unless an emergency measure), signed and issued at `now`."""
        sid = self.draft_at(now, items, **changes)
        presence = changes.get("party_presence", "present")
        self.sign_all(sid, now, party={"absent": "none", "refused": "refused"}.get(
            presence, "signed"), witness=presence != "present")
        with self.store.write() as s:
            service.issue(self.store, s, self.actor, sid, now=now)
        return sid

    def seizure(self, sid: str):
        with self.store.read() as s:
            seizure = service.load(s, sid)
            s.expunge_all()
            return seizure


def make_agency(store, name="示例市市场监督管理局", abbr="示例", segment="07") -> Agency:
    with store.write() as s:
        first = auth.first_setup(s, name, abbr,
                                 auth.NewInspector("张三", "zhang", "demo1234", "32010001",
                                                   "supervisor"))
        actor = records.Actor(settings.device_id(s), first.id)
        second = auth.add_inspector(s, actor, auth.NewInspector("李四", "li", "demo1234",
                                                                "32010002"))
        numbering.set_segment(s, segment)
        service.RECONSIDERATION_ORGAN.set(s, "示例市人民政府")
        service.COURT.set(s, "示例市鼓楼区")
        service.CONTACT_PHONE.set(s, "0591-87654321")
        party = service.save_party(s, actor, service.PartyInput(
            name="𠮷祥日杂商行", credit_code="91350100M000100Y43", licence_name="营业执照",
            address="东门路1号", legal_rep="王五", phone="13812345678"))
        return Agency(store, actor, [first.id, second.id], party.id)
