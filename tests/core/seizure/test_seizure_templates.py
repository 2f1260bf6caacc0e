"""The documents state only what the record holds, with the templates' choices resolved."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import timedelta

import pytest
from seizure_helpers import INK, ISSUE_TIME
from test_seizure_documents import notice, pdf_text

from inspector_app.core.seizure import documents, service
from inspector_app.core.seizure.rules import RuleError


def text_of(pdf: bytes, tmp_path) -> str:
    return "".join(pdf_text(pdf, tmp_path))


def images_per_page(pdf: bytes, tmp_path) -> dict[int, int]:
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True,
                             text=True, check=True).stdout
    counts: dict[int, int] = {}
    for row in listing.splitlines()[2:]:
        cells = row.split()
        if cells and cells[2] == "image":
            counts[int(cells[0])] = counts.get(int(cells[0]), 0) + 1
    return counts


def snapshot(agency, sid) -> documents.Snapshot:
    with agency.store.write() as s:
        return service.snapshot(s, service.load(s, sid), agency.store)


def test_numbers_are_not_padded_and_the_court_is_named_once(agency, tmp_path):
    with agency.store.write() as s:
        service.COURT.set(s, "示例市人民法院")  # the full name, as the demo sets it
    sid = agency.issued(items=2)
    text = text_of(notice(agency, sid, "decision"), tmp_path)
    assert "示例市监强制〔2025〕07-1号" in text and "07-0001" not in text
    assert "依法向示例市人民法院提起行政诉讼" in text
    assert "人民法院人民法院" not in text


def test_an_absent_partys_record_shows_the_ids_to_the_witness(agency, tmp_path):
    sid = agency.issued(items=2, party_presence="absent", witness_name="赵见证",
                        party_notified=True)
    text = text_of(notice(agency, sid, "record"), tmp_path)
    assert "执法人员已通知当事人到场，当事人未到场。执法人员向见证人赵见证出示了执法证件" in text
    assert "向当事人出示" not in text and "当场告知当事人" not in text
    assert "当事人陈述、申辩：当事人不在场，未作陈述、申辩。" in text
    assert "经当事人核对无误" not in text


def test_the_partys_statement_is_printed_as_recorded_never_defaulted(agency, tmp_path):
    sid = agency.issued(items=2)  # no statement recorded: ruled lines to write it in
    text = text_of(notice(agency, sid, "record"), tmp_path)
    assert "当事人陈述、申辩：执法人员对2项财物实施查封" in text
    assert "无。" not in text
    sid = agency.issued(items=2, party_statement="货是别人寄卖的。")
    text = text_of(notice(agency, sid, "record"), tmp_path)
    assert "当事人陈述、申辩：货是别人寄卖的。执法人员对2项财物实施查封" in text


def test_approval_is_stated_only_when_recorded(agency, tmp_path):
    sid = agency.issued(items=2)
    text = text_of(notice(agency, sid, "decision"), tmp_path)
    recorded = bool(getattr(agency.seizure(sid), "approver", None))  # prior approval
    assert ("经本局负责人批准" in text) is recorded
    with agency.store.write() as s:
        service.extend(agency.store, s, agency.actor, sid, 10, "需送检", approver="局长",
                       now=ISSUE_TIME + timedelta(days=20))
    text = text_of(notice(agency, sid, "extension"), tmp_path)
    assert "经本局负责人批准，决定将查封期限延长10日，至2025年4月10日止。" in text
    snap = snapshot(agency, sid)
    for approver, said in (("", False), ("局长王某", True)):
        ext = dict(snap.extension, approver=approver)
        changed = dataclasses.replace(snap, extension=ext, approver=approver)
        for kind in ("extension", "decision"):
            text = text_of(documents.render([(changed, kind, None)]), tmp_path)
            assert ("经本局负责人批准" in text) is said, (kind, approver)


def test_a_release_whose_ground_contradicts_the_dates_is_refused(agency, tmp_path):
    sid = agency.issued(items=2)
    with agency.store.write() as s:
        service.close(agency.store, s, agency.actor, sid, "released", "经检验合格",
                      ground="1", now=ISSUE_TIME + timedelta(days=10))
    text = text_of(notice(agency, sid, "release"), tmp_path)
    assert "鉴于当事人没有违法行为（经检验合格）" in text and "上述财物予以退还" in text
    snap = snapshot(agency, sid)
    assert snap.release["term_end"].isoformat() == "2025-03-31"
    expired = dataclasses.replace(snap, release=dict(snap.release, ground="4"))
    with pytest.raises(RuleError) as refused:
        documents.render([(expired, "release", None)])
    assert "期限已经届满" in refused.value.message and "2025-03-31" in refused.value.message
    # the day before the term's last day it may not; on that day it may
    end = snap.release["term_end"]
    early = dataclasses.replace(expired, dates=dict(snap.dates, release=end - timedelta(1)))
    with pytest.raises(RuleError):
        documents.render([(early, "release", None)])
    last = dataclasses.replace(expired, dates=dict(snap.dates, release=end))
    assert "鉴于查封期限已经届满" in text_of(documents.render([(last, "release", None)]),
                                       tmp_path)


def test_the_decision_receipt_uses_its_own_signature(agency, tmp_path):
    sid = agency.issued(items=2)  # the party signed the on-site record
    pdf = notice(agency, sid, "decision")
    assert images_per_page(pdf, tmp_path) == {}  # that signature is not reused
    assert "当事人签收：年月日" in text_of(pdf, tmp_path)  # a line to sign by hand
    with agency.store.write() as s:
        service.add_signature(agency.store, s, agency.actor, sid, documents.DECISION_RECEIPT,
                              "王五", png=INK, now=ISSUE_TIME + timedelta(hours=26))
    pdf = notice(agency, sid, "decision")
    assert sum(images_per_page(pdf, tmp_path).values()) == 1
    assert "当事人签收：2025年3月2日" in text_of(pdf, tmp_path)
    with agency.store.write() as s:  # a later refusal is what the line then shows
        service.add_signature(agency.store, s, agency.actor, sid, documents.DECISION_RECEIPT,
                              "王五", refused=True)
    pdf = notice(agency, sid, "decision")
    assert images_per_page(pdf, tmp_path) == {}
    assert "当事人签收：（拒绝签名）" in text_of(pdf, tmp_path)
    # the record and list keep the on-site signatures only
    assert "拒绝签名" not in text_of(notice(agency, sid, "list"), tmp_path)


def test_no_receipt_before_the_decision_is_issued(agency):
    sid = agency.draft(items=2)
    with pytest.raises(RuleError) as refused, agency.store.write() as s:
        service.add_signature(agency.store, s, agency.actor, sid, documents.DECISION_RECEIPT,
                              "王五", png=INK)
    assert "签收" in refused.value.message
