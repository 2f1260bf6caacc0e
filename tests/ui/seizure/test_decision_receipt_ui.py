"""The party's receipt of the decision, captured on the signatures tab by pressing its button."""

from __future__ import annotations

from test_seizure_workflow_ui import open_page, sign

from inspector_app.core.seizure import documents


def test_the_receipt_button_appears_once_issued_and_captures_a_signature(qtbot, agency):
    draft = open_page(qtbot, agency, agency.draft())
    assert (documents.DECISION_RECEIPT, None) not in draft.signatures.buttons
    sid = agency.issued()
    page = open_page(qtbot, agency, sid)
    button = page.signatures.buttons[(documents.DECISION_RECEIPT, None)]
    assert button.text() == "签名：当事人签收决定书"
    before = page.signatures.signature_list.count()
    sign(qtbot, page, documents.DECISION_RECEIPT)
    receipts = [s for s in agency.seizure(sid).signatures
                if s.role == documents.DECISION_RECEIPT]
    assert [(r.status, r.signer) for r in receipts] == [("signed", "𠮷祥日杂商行")]
    assert receipts[0].png_sha256
    assert page.signatures.signature_list.count() == before + 1
    shown = page.signatures.signature_list.item(before).text()
    assert "已签收决定书" in shown


def test_the_receipt_refusal_is_recorded_without_touching_the_on_site_presence(qtbot, agency):
    sid = agency.issued()
    page = open_page(qtbot, agency, sid)
    sign(qtbot, page, documents.DECISION_RECEIPT, refuse=True)
    seizure = agency.seizure(sid)
    assert [s.status for s in seizure.signatures if s.role == documents.DECISION_RECEIPT] \
        == ["refused"]
    assert seizure.party_presence == "present"
    last = page.signatures.signature_list.count() - 1
    assert "拒绝签收决定书" in page.signatures.signature_list.item(last).text()
