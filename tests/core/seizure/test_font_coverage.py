"""Every character of a name prints and extracts as itself, or printing is refused.

All 8,105 characters of 通用规范汉字表 (2013) and samples of every CJK extension block go
through a real decision notice (the party's address) and back through pdftotext; each is
drawn with ink that is not the missing-glyph box; characters no bundled font has are
refused with their code points, and no PDF is made.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas
from seizure_helpers import make_agency

from inspector_app.core import fonts
from inspector_app.core.seizure import service

# What a notice prints on every page (page number, the QR code's caption).
PAGE_FURNITURE = r"第\d+页共\d+页|扫码核验"
TGH = Path(__file__).resolve().parents[2] / "data" / "tongyong_guifan_hanzi_2013.txt"

# Assigned code points of each block (Unicode 15.0).
BLOCKS = {
    "URO": (0x4E00, 0x9FFF), "A": (0x3400, 0x4DBF), "B": (0x20000, 0x2A6DF),
    "C": (0x2A700, 0x2B739), "D": (0x2B740, 0x2B81D), "E": (0x2B820, 0x2CEA1),
    "F": (0x2CEB0, 0x2EBE0), "G": (0x30000, 0x3134A), "H": (0x31350, 0x323AF),
}


def tgh_chars() -> list[str]:
    chars = []
    for line in TGH.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        code, ch = line.split("\t")
        assert int(code.removeprefix("U+"), 16) == ord(ch)
        chars.append(ch)
    return chars


def samples() -> list[str]:
    """First, last and five evenly spaced code points of every block."""
    out = []
    for lo, hi in BLOCKS.values():
        out += [chr(lo + (hi - lo) * i // 6) for i in range(7)]
    return out


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")


def party_notice(store, address: str) -> bytes:
    agency = make_agency(store)
    with store.write() as s:
        party = service.save_party(s, agency.actor, service.PartyInput(
            name="测试商行", credit_code="91350100M000100Y43", licence_name="营业执照",
            address=address, legal_rep="王五", phone="13812345678"), agency.party_id)
        assert party.address == address
    sid = agency.issued(items=1)
    with store.write() as s:
        return service.notice_pdf(store, s, sid, "decision")


def test_the_character_list_is_the_whole_table():
    chars = tgh_chars()
    assert len(chars) == 8105
    assert len(set(chars)) == 8105
    assert chars[:3] == ["一", "乙", "二"]


def test_uro_and_extensions_a_to_f_are_covered_whole():
    for block in ("URO", "A", "B", "C", "D", "E", "F"):
        lo, hi = BLOCKS[block]
        assert fonts.unprintable("".join(map(chr, range(lo, hi + 1)))) == [], block
    # G and H: BabelStone Han has about two thirds; the rest is refused, named.
    for block in ("G", "H"):
        lo, hi = BLOCKS[block]
        text = "".join(map(chr, range(lo, hi + 1)))
        missing = fonts.unprintable(text)
        assert 0 < len(missing) < (hi - lo + 1) / 2, block


def test_every_character_goes_through_a_decision_notice_and_back(store, tmp_path):
    printable = [ch for ch in samples() if not fonts.unprintable(ch)]
    assert len(printable) >= len(samples()) - 4  # only a few G/H samples lack a glyph
    body = "".join(tgh_chars()) + "".join(printable)
    assert fonts.unprintable(body) == []
    address = "【始】" + body + "【终】"
    text = pdftotext(party_notice(store, address), tmp_path)
    flat = re.sub(r"\s+", "", text)
    start, end = flat.index("【始】") + 3, flat.index("【终】")
    # The address runs over pages: take out what each page prints at its foot.
    got = re.sub(PAGE_FURNITURE, "", flat[start:end])
    assert got == body
    assert any(ord(ch) > 0xFFFF for ch in got)  # astral characters came back as themselves


def test_characters_no_font_has_are_refused_and_named(store):
    lacking = [ch for ch in samples() if fonts.unprintable(ch)]
    lacking.append("\U0002EBF0")  # Ext I (Unicode 15.1): no bundled font has it
    assert lacking
    with pytest.raises(fonts.UnprintableText) as caught:
        party_notice(store, "东门路" + "".join(lacking) + "1号")
    assert caught.value.chars == lacking
    for ch in lacking:
        assert f"{ch}（U+{ord(ch):04X}）" in caught.value.message


@pytest.mark.parametrize("face", fonts.FACES)
def test_each_character_draws_ink_that_is_not_the_missing_glyph_box(tmp_path, face):
    chars = tgh_chars() + [ch for ch in samples() if not fonts.unprintable(ch)]
    cell, cols, rows, size = 14, 40, 56, 12
    fonts.register_pdf_fonts()
    path = tmp_path / "grid.pdf"
    c = canvas.Canvas(str(path), pagesize=(cell * cols, cell * rows),
                      initialFontName=fonts.PDF_MAIN_FONT)
    per_page = cols * rows - 1
    for n, ch in enumerate(chars):
        i = n % per_page
        if i == 0:
            if n:
                c.showPage()
            # The first cell: the box the body font draws for a character it lacks.
            c.setFont(fonts.PDF_MAIN_FONT, size)
            c.drawString(1, cell * rows - cell + 2, "\ue000")
        x, y = (i + 1) % cols, (i + 1) // cols
        fonts.draw_text(c, x * cell + 1, cell * rows - (y + 1) * cell + 2, ch, size, face)
    c.showPage()
    c.save()
    subprocess.run(["pdftoppm", "-gray", "-r", "144", str(path), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert len(pages) == -(-len(chars) // per_page)
    scale = 2  # 144 dpi = 2 pixels a point
    blank, like_box = [], []
    for p, page in enumerate(pages):
        image = Image.open(page)

        def cell_pixels(i, image=image):
            x, y = i % cols, i // cols
            box = (x * cell * scale, y * cell * scale, (x + 1) * cell * scale,
                   (y + 1) * cell * scale)
            return [v < 160 for v in image.crop(box).tobytes()]

        notdef = cell_pixels(0)
        assert sum(notdef) > 20  # the box itself has ink
        for i, ch in enumerate(chars[p * per_page:(p + 1) * per_page]):
            ink = cell_pixels(i + 1)
            if sum(ink) < 4:  # 一 has the least ink
                blank.append(ch)
            elif sum(a != b for a, b in zip(ink, notdef, strict=True)) < 10:
                like_box.append(ch)
    assert blank == [] and like_box == []


def test_cli_notice_refuses_with_a_message_exit_2_and_writes_nothing(store, tmp_path):
    from cli_runner import inspector

    agency = make_agency(store)
    with store.write() as s:
        service.save_party(s, agency.actor, service.PartyInput(
            name="𠮷祥\U0002EBF0日杂商行", credit_code="91350100M000100Y43",
            licence_name="营业执照", address="东门路1号", legal_rep="王五",
            phone="13812345678"), agency.party_id)
    sid = agency.issued(items=1)
    out = tmp_path / "out" / "decision.pdf"
    code, printed, err = inspector("--data-dir", store.data_dir, "notice", sid, "--kind",
                                   "decision", "--out", str(out))
    assert code == 2
    assert "无法打印：字体中没有以下字符：\U0002EBF0（U+2EBF0）。" in err
    assert "Traceback" not in err and printed == ""
    assert not out.exists() and not out.parent.exists()
