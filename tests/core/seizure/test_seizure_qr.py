"""QR codes: decoded from rendered pages and photos, verified; every kind of forgery INVALID."""

from __future__ import annotations

import io
import sqlite3
import urllib.parse
from datetime import date

import pytest
from PIL import Image, ImageFilter

from inspector_app.core import device_key
from inspector_app.core.models import KnownKey
from inspector_app.core.seizure import qr, service, verify
from inspector_app.core.store import Store


def notice(agency, sid, kind="decision") -> bytes:
    with agency.store.write() as s:
        return service.notice_pdf(agency.store, s, sid, kind)


def code_of(agency, sid, kind="decision") -> str:
    with agency.store.write() as s:
        seizure = service.load(s, sid)
        return service.payload_for(agency.store, s, seizure, kind, service.snapshot(s, seizure))


def check(agency, source: str) -> list[verify.Verdict]:
    with agency.store.read() as s:
        return verify.verify_input(s, source)


def test_payload_round_trip_and_size():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    payload = qr.Payload("decision", "示例市监强制〔2025〕07-0001号", "示例市市场监督管理局",
                         date(2025, 3, 1), qr.party_hash("𠮷祥日杂商行"), 20, "ab" * 32,
                         device_key.key_id(key))
    text = qr.sign(payload, key).text()
    assert len(text.encode("utf-8")) < 300  # fits a QR code readable from a phone photo
    back = qr.parse(text)
    assert back == qr.sign(payload, key)
    assert qr.signature_ok(back, key.public_key())


def test_qr_decoded_from_a_rendered_page_is_valid(agency, tmp_path):
    sid = agency.issued(items=20)
    for kind in ("decision", "list", "record", "seals"):
        pdf = notice(agency, sid, kind)
        image = next(qr.pdf_page_images(pdf, dpi=150))
        texts = qr.decode_image(image)
        assert texts, f"no code found on the {kind} page"
        with agency.store.read() as s:
            verdict = verify.verify_text(s, texts[0])
        assert verdict.valid, (kind, verdict.reason)
        assert verdict.payload.kind == kind
        assert verdict.seizure_id == sid
    # the page image as a file, and the PDF itself
    path = tmp_path / "page.png"
    next(qr.pdf_page_images(notice(agency, sid), dpi=200)).save(path)
    assert [v.valid for v in check(agency, str(path))] == [True]
    pdf_path = tmp_path / "decision.pdf"
    pdf_path.write_bytes(notice(agency, sid))
    verdicts = check(agency, str(pdf_path))
    assert verdicts and all(v.valid for v in verdicts)
    assert ("当事人", "𠮷祥日杂商行") in verdicts[0].summary


def test_printed_code_is_24_mm_at_error_correction_m(agency):
    """The code on the page: error correction M (a smudged or folded print still reads), the
    smallest version that holds the payload, 24 mm wide at the page's bottom right."""
    import zxingcpp

    sid = agency.issued(items=20)
    dpi = 300
    page = next(qr.pdf_page_images(notice(agency, sid), dpi=dpi)).convert("L")
    found = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    code = found[0]
    text = bytes(code.bytes).decode("utf-8")
    assert text == code_of(agency, sid)
    assert code.extra["ECLevel"] == "M"
    modules = len(qr.matrix(text))
    assert int(code.extra["Version"]) == (modules - 17) // 4
    # version 10 holds 213 bytes at M, 11 holds 251: the payload needs one of these
    assert 10 <= int(code.extra["Version"]) <= 12, len(text.encode("utf-8"))
    pos = code.position
    width_mm = (pos.top_right.x - pos.top_left.x) / dpi * 25.4
    assert width_mm == pytest.approx(24, abs=0.5)
    assert pos.top_left.x > page.width / 2 and pos.top_left.y > page.height * 0.8
    # a black smudge over 9 % of the code (more than level L's 7 % can repair): still read
    smudge = page.copy()
    side = pos.top_right.x - pos.top_left.x
    x0, y0 = pos.top_left.x + int(side * 0.35), pos.top_left.y + int(side * 0.35)
    smudge.paste(0, (x0, y0, x0 + int(side * 0.3), y0 + int(side * 0.3)))
    assert qr.decode_image(smudge) == [text]


def test_qr_read_from_a_photo_of_a_printed_page(agency, tmp_path):
    """A tilted, blurred, JPEG-compressed 'photo' of the page still verifies."""
    sid = agency.issued(items=5)
    page = next(qr.pdf_page_images(notice(agency, sid), dpi=200)).convert("RGB")
    photo = page.rotate(4, expand=True, fillcolor=(200, 200, 190)).filter(
        ImageFilter.GaussianBlur(1.0))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=55)
    path = tmp_path / "photo.jpg"
    path.write_bytes(out.getvalue())
    verdicts = check(agency, str(path))
    assert [v.valid for v in verdicts] == [True]


def test_altered_payload_is_invalid_bad_signature(agency):
    sid = agency.issued(items=20)
    text = code_of(agency, sid)
    parts = text.split("|")
    parts[6] = "19"  # one item fewer
    altered = "|".join(parts)
    [verdict] = check(agency, altered)
    assert not verdict.valid and verdict.code == verify.BAD_SIGNATURE
    assert "签名" in verdict.reason
    parts = text.split("|")
    parts[4] = "20250302"  # another date
    assert check(agency, "|".join(parts))[0].code == verify.BAD_SIGNATURE


@pytest.mark.parametrize("cut", [1, 10, 40, 120])
def test_truncated_payload_is_invalid_unreadable(agency, cut):
    sid = agency.issued()
    text = code_of(agency, sid)
    [verdict] = check(agency, text[:-cut])
    assert not verdict.valid and verdict.code in (verify.UNREADABLE, verify.BAD_SIGNATURE)
    if cut >= 40:
        assert verdict.code == verify.UNREADABLE


def test_re_encoded_payload_is_invalid(agency):
    sid = agency.issued()
    text = code_of(agency, sid)
    # UTF-8 bytes read back as Latin-1 (a scanner guessing the wrong charset)
    mojibake = text.encode("utf-8").decode("latin-1")
    # GBK bytes read as UTF-8 with replacement characters
    gbk = text.encode("gb18030").decode("utf-8", errors="replace")
    # brackets "normalised" to ASCII by a text editor, and the whole text percent-encoded
    folded = text.replace("〔", "[").replace("〕", "]")
    quoted = urllib.parse.quote(text)
    # the date's digits turned full-width by an input method
    widened = text.replace("|20250301|", "|２０２５０３０１|")
    for bad in (mojibake, gbk, folded, quoted, widened):
        [verdict] = check(agency, bad)
        assert not verdict.valid, bad
        assert verdict.code in (verify.BAD_SIGNATURE, verify.FOREIGN_AGENCY, verify.UNREADABLE)


def test_payload_of_another_agency_is_invalid(agency, tmp_path, new_agency):
    other = new_agency(Store(tmp_path / "other"), name="另一市市场监督管理局", abbr="另一",
                       segment="01")
    sid = other.issued()
    foreign = code_of(other, sid)
    [verdict] = check(agency, foreign)
    assert not verdict.valid and verdict.code == verify.FOREIGN_AGENCY
    assert "另一市市场监督管理局" in verdict.reason
    other.store.close()


def test_unknown_key_is_invalid(agency, tmp_path, new_agency):
    """Same agency name, but a device whose key this store has never been given."""
    other = new_agency(Store(tmp_path / "other-device"), segment="02")
    sid = other.issued()
    text = code_of(other, sid)
    [verdict] = check(agency, text)
    assert not verdict.valid and verdict.code == verify.UNKNOWN_KEY
    # once the server hands over that device's key, the signature checks out (the document
    # itself is not held here yet, which the verdict says)
    with other.store.read() as s:
        their = s.scalars(__import__("sqlalchemy").select(KnownKey)).one()
    with agency.store.write() as s:
        s.add(KnownKey(key_id=their.key_id, public_key=their.public_key,
                       device_id=their.device_id, agency=their.agency, source="server",
                       added_at=their.added_at))
    [verdict] = check(agency, text)
    assert verdict.valid and verdict.note
    other.store.close()


def test_content_changed_in_the_store_is_invalid(agency):
    sid = agency.issued(items=3)
    text = code_of(agency, sid)
    assert check(agency, text)[0].valid
    con = sqlite3.connect(agency.store.db_path)
    con.execute("UPDATE seizure_items SET quantity = 999 WHERE seizure_id = ? AND position = 1",
                (sid,))
    con.commit()
    con.close()
    [verdict] = check(agency, text)
    assert not verdict.valid and verdict.code == verify.CONTENT_CHANGED
    # and the changed record can no longer be printed as if it were the issued document
    with pytest.raises(service.RuleError), agency.store.write() as s:
        service.notice_pdf(agency.store, s, sid, "decision")


def test_party_edits_after_issue_do_not_change_the_issued_documents(agency):
    sid = agency.issued()
    text = code_of(agency, sid)
    with agency.store.write() as s:
        service.save_party(s, agency.actor, service.PartyInput(
            name="新名称商行", credit_code="91350100M000100Y43"), agency.party_id)
    assert check(agency, text)[0].valid
    assert code_of(agency, sid) == text  # the same device prints the same code again


@pytest.mark.parametrize("junk", ["", "hello", "INSP1|", "INSP1|D|x|y|z", "INSP1" + "|" * 20,
                                  "\x00\xff" * 50, "INSP1|Q|a|b|20250101|AAAA|1|AA|k|s",
                                  "https://example.org/?q=1"])
def test_junk_is_unreadable_never_a_crash(agency, junk):
    [verdict] = check(agency, junk)
    assert not verdict.valid and verdict.code in (verify.UNREADABLE, verify.FOREIGN_AGENCY)


def test_file_without_a_code_or_not_an_image(agency, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (400, 400), 255).save(blank)
    [verdict] = check(agency, str(blank))
    assert verdict.code == verify.UNREADABLE
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a pdf")
    [verdict] = check(agency, str(broken))
    assert verdict.code == verify.UNREADABLE


def test_own_key_is_registered_on_first_use(agency):
    with agency.store.write() as s:
        key = service.own_key(agency.store, s)
        row = s.get(KnownKey, device_key.key_id(key))
        assert row.source == "own" and row.agency == "示例市市场监督管理局"
        assert row.public_key == device_key.public_b64(key)
