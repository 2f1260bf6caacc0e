"""The words of the six seizure documents: the 2021 templates' text with its choices resolved.

Each function returns the document's body as blocks the drawing code sets:

* ``("field", label, value)``  a label and its value, continued lines under the value
* ``("para", text)``            a paragraph, first line indented two characters
* ``("plain", text)``           a paragraph without indent
* ``("blank", n)``              n ruled lines, left to be filled in by hand
* ``("closing",)``              agency name, seal, date
* ``("receipt", sig)``          the party's 签收 line with the signature captured for it

The templates' "场所/设施/财物" and "查封/扣押" choices are resolved from the record, "[ ]"
optional text is printed only when it applies, and a sentence is printed only when the
record holds what it states. The texts are Chinese by law: constants here, not UI strings.
"""

from __future__ import annotations

from inspector_app.core.i18n import _
from inspector_app.core.seizure.documents.model import (
    DECISION_RECEIPT,
    PartyInfo,
    Snapshot,
    cn_date,
    cn_time,
)
from inspector_app.core.seizure.rules import EXPIRED_GROUND, RELEASE_GROUNDS, RuleError

MEASURE_TEXT = {"seal": "查封", "detain": "扣押"}
GROUND_NUMERALS = {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五"}
BLANK = "＿＿＿＿"
CN_COUNT = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}
# Copies each document is made in (一式_份): one handed to the party, one kept on file
# (行政强制法 art. 24 for the decision and the list).
COPIES = {"decision": 2, "list": 2, "extension": 2, "release": 2}

# What the measure is taken on. The record's items are goods (产品, 原辅材料, 包装物, 工具:
# 产品质量法 art. 18(4)), each with a unit and a quantity: 财物. The record has no place
# (场所) or facility (设施) items.
OBJECT_WORD = "财物"


def title(kind: str) -> str:
    return {
        "decision": "实施行政强制措施决定书",
        "list": f"{OBJECT_WORD}清单",
        "record": "现场笔录",
        "seals": "封条",
        "extension": "延长行政强制措施期限决定书",
        "release": "解除行政强制措施决定书",
    }[kind]


def measure(snap: Snapshot) -> str:
    return MEASURE_TEXT.get(snap.measure, snap.measure)


def list_ref(snap: Snapshot) -> str:
    """《财物清单》（文书编号：…）"""
    return f"《{title('list')}》（文书编号：{snap.numbers.get('list', '') or BLANK}）"


def court(snap: Snapshot) -> str:
    """The court's name, once: the setting may hold the full name or the place only."""
    name = (snap.court or "").strip()
    if not name:
        return f"{BLANK}人民法院"
    return name if name.endswith("法院") else f"{name}人民法院"


def copies_line(kind: str) -> str:
    n = COPIES[kind]
    if kind == "list":
        return f"本清单一式{CN_COUNT[n]}份，一份交当事人，一份归档。"
    return f"本文书一式{CN_COUNT[n]}份，{CN_COUNT[n - 1]}份送达，一份归档。"


def resolve_choices(text: str, snap: Snapshot) -> str:
    """The statute's "查封、扣押" and "场所、设施或者财物" as this measure and its goods."""
    return (text.replace("查封、扣押", measure(snap))
            .replace("场所、设施或者财物", OBJECT_WORD))


def party_fields(p: PartyInfo) -> list[tuple]:
    """The party block of the decisions (template 21): what the record holds, "/" where it
    holds nothing."""
    return [
        ("field", "当事人：", p.name),
        ("field", "主体资格证照名称：", p.licence_name or "/"),
        ("field", "统一社会信用代码：", p.credit_code or "/"),
        ("field", "住所（住址）：", p.address or "/"),
        ("field", "法定代表人（负责人、经营者）：", p.legal_rep or "/"),
        ("field", "身份证件号码：", p.id_number or "/"),
        ("field", "联系电话：", p.phone or "/"),
    ]


def remedy(snap: Snapshot, what: str) -> str:
    organ = snap.reconsideration_organ or BLANK
    return (f"如不服本{what}，可以在收到本决定书之日起六十日内向{organ}申请行政复议；"
            f"也可以在六个月内依法向{court(snap)}提起行政诉讼。")


def approval(approver: str | None) -> str:
    """"经本局负责人批准，" only when the approval is recorded."""
    return "经本局负责人批准，" if (approver or "").strip() else ""


def contact_line(snap: Snapshot) -> str:
    return (f"联系人：{snap.contact_name or BLANK}　　"
            f"联系电话：{snap.contact_phone or BLANK}")


# --- the documents ---------------------------------------------------------------------


def decision(snap: Snapshot) -> list[tuple]:
    m = measure(snap)
    start = snap.doc_date("decision")
    custody = (f"保管地点：{snap.custody_place or BLANK}；保管人：{snap.custodian or BLANK}。")
    keeper = "你（单位）应当" if snap.measure == "seal" else "本局将"
    return [
        *party_fields(snap.party),
        ("para",
         (f"经查，你（单位）涉嫌{snap.suspected_violation or BLANK}。本局依据"
         f"{snap.legal_basis or BLANK}的规定，{approval(snap.approver)}决定对有关{OBJECT_WORD}"
         f"（详见《{title('list')}》，文书编号：{snap.numbers.get('list', '') or BLANK}）"
         f"实施{m}行政强制措施。")),
        ("para", f"实施行政强制措施的{OBJECT_WORD}地点：{snap.place or BLANK}。"),
        ("para",
         f"{m}的期限为{snap.term_days}日" + (f"，自{cn_date(start)}起计算" if start else "")
         + f"。需要进行检测、检验、检疫或者技术鉴定的，{m}的期间不包括检测、检验、检疫或者"
         "技术鉴定的期间，检测、检验、检疫或者技术鉴定的期间本局将另行书面告知。"),
        ("para", f"对{m}的{OBJECT_WORD}，{keeper}妥善保管，不得使用或者损毁。{custody}"),
        ("para", remedy(snap, "行政强制措施决定")),
        ("para", contact_line(snap)),
        ("plain", f"附件：{list_ref(snap)}"),
        ("closing",),
        ("plain", copies_line("decision")),
        ("receipt", snap.signature(DECISION_RECEIPT)),
    ]


def list_columns() -> list[tuple[str, float]]:
    """The 清单's columns (name, width in mm): the template's "标称名称/场所" and
    "规格（型号）/场所地址" resolved for goods."""
    return [("序号", 12), ("标称名称", 40), ("规格（型号）", 36), ("单位", 14), ("数量", 20),
            ("备注", 34)]


def list_page_head(snap: Snapshot) -> str:
    """The line every page of the 清单 starts with: its number and the party."""
    return (f"文书编号：{snap.number('list') or '（草稿，未编号）'}　"
            f"当事人：{snap.party.name or BLANK}")


def list_end(snap: Snapshot) -> str:
    return f"（以下空白）共{len(snap.items)}项。{copies_line('list')}"


PRESENCE = {"present": "当事人在场", "refused": "当事人在场，拒绝签名"}


def record(snap: Snapshot) -> list[tuple]:
    """现场笔录 (template 9)."""
    p = snap.party
    blocks: list[tuple] = [
        ("field", "时间：", f"{cn_time(snap.started_at)}至{_clock(snap.record_ended_at)}"),
        ("field", "地点：", snap.place),
    ]
    for n, (name, cert) in enumerate(snap.officers):
        blocks.append(("field", "执法人员：" if n == 0 else "　　　　　",
                       f"{name}  执法证号：{cert}"))
    blocks += [
        ("field", "当事人：", p.name),
        ("field", "统一社会信用代码（身份证件号码）：", p.credit_code or p.id_number or "/"),
        ("field", "住所（住址）：", p.address or "/"),
        ("field", "法定代表人（负责人）：", p.legal_rep or "/"),
        ("field", "联系电话：", p.phone or "/"),
    ]
    witness = snap.witness_name or BLANK
    if snap.party_presence == "absent":
        blocks.append(("field", "当事人在场情况：", f"当事人不在场，见证人{witness}在场"))
        notified = {True: "执法人员已通知当事人到场，当事人未到场。",
                    False: "执法人员未能通知当事人到场。"}.get(snap.party_notified, "")
        blocks.append(("para", (f"{notified}执法人员向见证人{witness}出示了执法证件，"
                               "见证人在场见证。")))
    else:
        blocks.append(("field", "当事人在场情况：",
                       PRESENCE.get(snap.party_presence, snap.party_presence)))
        blocks.append(("para",
                       ("执法人员向当事人出示了执法证件，当场告知当事人采取行政强制措施的理由、"
                       "依据以及当事人依法享有的陈述、申辩权利和申请行政复议、提起行政诉讼的"
                       "救济途径。")))
    blocks.append(("plain", "现场情况："))
    blocks.append(("para", snap.onsite_record or BLANK))
    blocks.append(("plain", "当事人陈述、申辩："))
    if snap.party_statement.strip():
        blocks.append(("para", snap.party_statement.strip()))
    elif snap.party_presence == "absent":
        blocks.append(("para", "当事人不在场，未作陈述、申辩。"))
    else:  # nothing recorded: left for the party to write in
        blocks.append(("blank", 3))
    if snap.items:
        blocks.append(("para", (f"执法人员对{len(snap.items)}项{OBJECT_WORD}实施{measure(snap)}，"
                               f"详见{list_ref(snap)}。")))
    party_sig = snap.signature("party")
    if snap.party_presence == "present" and party_sig is not None \
            and party_sig.status == "signed":
        blocks.append(("para", "以上笔录经当事人核对无误。"))
    return blocks


def _clock(moment) -> str:
    return f"{moment.hour}时{moment.minute:02d}分" if moment else "  时  分"


def _earlier(snap: Snapshot) -> str:
    return (f"本局于{cn_date(snap.issued_on)}对你（单位）的有关{OBJECT_WORD}实施了"
            f"{measure(snap)}行政强制措施（《实施行政强制措施决定书》文书编号："
            f"{snap.numbers.get('decision', '') or BLANK}）。")


def extension(snap: Snapshot) -> list[tuple]:
    """延长行政强制措施期限决定书 (template 22)."""
    ext = snap.extension or {}
    m = measure(snap)
    new_end = ext.get("new_end")
    until = f"，至{cn_date(new_end)}止" if new_end else ""
    return [
        ("field", "当事人：", snap.party.name),
        ("para",
         _earlier(snap) + f"因{ext.get('reason') or BLANK}，依据《中华人民共和国行政强制法》"
         f"第二十五条的规定，{approval(ext.get('approver'))}决定将{m}期限延长"
         f"{ext.get('days') or BLANK}日{until}。检测、检验、检疫或者技术鉴定的期间不计入"
         f"{m}期限。"),
        ("para", remedy(snap, "决定")),
        ("closing",),
        ("plain", copies_line("extension")),
        ("receipt", None),
    ]


def check_release(snap: Snapshot) -> None:
    """Refuse a release whose stated ground the dates contradict."""
    rel = snap.release or {}
    day, end = snap.doc_date("release"), rel.get("term_end")
    # the same rule as closing (rules.check_close): the term has ended on its last day
    if rel.get("ground") == EXPIRED_GROUND and day is not None and end is not None \
            and day < end:
        raise RuleError(_(
            "The release gives as its ground that the term has ended (期限已经届满), but the "
            "term runs until {end} and the release is dated {day}: the document cannot "
            "state it. Release on another ground.").format(end=end.isoformat(),
                                                           day=day.isoformat()), "ground")


def release(snap: Snapshot) -> list[tuple]:
    """解除行政强制措施决定书 (template 23); refused when its ground contradicts the dates."""
    check_release(snap)
    rel = snap.release or {}
    m = measure(snap)
    ground = rel.get("ground") or ""
    basis = "《中华人民共和国行政强制法》第二十八条第一款" + (
        f"第（{GROUND_NUMERALS[ground]}）项" if ground in GROUND_NUMERALS else "")
    why = resolve_choices(RELEASE_GROUNDS.get(ground, ""), snap) or rel.get("reason") or BLANK
    extra = rel.get("reason") if ground and rel.get("reason") else ""
    return [
        ("field", "当事人：", snap.party.name),
        ("para",
         _earlier(snap) + f"鉴于{why}" + (f"（{extra}）" if extra else "")
         + f"，依据{basis}的规定，本局决定自{cn_date(snap.doc_date('release'))}起解除上述"
         f"行政强制措施。解除{m}的{OBJECT_WORD}共{len(snap.items)}项，详见{list_ref(snap)}，"
         f"上述{OBJECT_WORD}予以退还。"),
        ("para", remedy(snap, "决定")),
        ("closing",),
        ("plain", copies_line("release")),
        ("receipt", None),
    ]


def seal_lines(snap: Snapshot, number: str, where: str) -> dict[str, str]:
    """The texts of one 封条 (template 25)."""
    return {
        "agency": snap.agency or BLANK,
        "title": "封    条",
        "number": f"封条编号：{number or BLANK}",
        "date": f"{cn_date(snap.doc_date('seals'))}{measure(snap)}",
        "decision": f"决定书文书编号：{snap.numbers.get('decision', '') or BLANK}",
        "where": f"加贴位置：{where or BLANK}",
        "warning": "擅自启封、损毁封条者，依法追究法律责任。",
    }


BODIES = {"decision": decision, "record": record, "extension": extension, "release": release}
