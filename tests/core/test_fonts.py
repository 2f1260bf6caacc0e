"""The bundled CJK fonts work in reportlab PDFs, without any system Chinese font."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from reportlab.pdfbase.ttfonts import TTFontParser
from reportlab.pdfgen import canvas

from inspector_app.core import fonts

SAMPLE = "张三𠮷商行"  # 𠮷 is U+20BB7 (CJK Ext-B, plane 2)


def _need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found (apt-get install poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.mark.parametrize("path", fonts.bundled_font_paths(), ids=lambda p: p.name)
def test_bundled_font_exists_and_has_truetype_outlines(path):
    assert path.is_file()
    tables = TTFontParser(str(path), subfontIndex=0).table
    assert "glyf" in tables and "loca" in tables
    assert "CFF " not in tables and "CFF2" not in tables


def test_bundled_fonts_have_licence_files():
    for name in ("LICENSE-wqy-microhei.txt", "LICENSE-hanazono.txt", "LICENSE-noto-cjk.txt",
                 "LICENSE-babelstone-han.txt", "README.md"):
        assert (fonts.main_font_path().parent / name).is_file()


def test_register_pdf_fonts_is_idempotent():
    from reportlab.pdfbase import pdfmetrics

    names = fonts.register_pdf_fonts()
    assert names == (fonts.PDF_MAIN_FONT, fonts.PDF_EXTB_FONT)
    assert fonts.register_pdf_fonts() == names
    body, extb = (pdfmetrics.getFont(n) for n in names)
    assert body.face.name == b"NotoSerifCJKsc-Regular"  # a 宋体, not the 黑体 WenQuanYi
    assert ord("商") in body.face.charToGlyph and 0x3400 in body.face.charToGlyph  # Ext A
    assert 0x2A6A5 not in body.face.charToGlyph
    assert 0x2A6A5 in extb.face.charToGlyph
    title = pdfmetrics.getFont(fonts.TITLE.pdf_name)
    assert title.face.name == b"NotoSerifCJKsc-Bold"


def test_font_runs_follow_the_fallback_chain():
    body, extb = fonts.register_pdf_fonts()
    rest, title = fonts.REST.pdf_name, fonts.TITLE.pdf_name
    assert fonts.font_runs(SAMPLE) == [(body, "张三𠮷商行")]  # Noto Serif has 𠮷
    assert fonts.font_runs("张𪚥㐀") == [(body, "张"), (extb, "𪚥"), (body, "㐀")]
    assert fonts.font_runs("𰀀王") == [(rest, "𰀀"), (body, "王")]  # Ext G: BabelStone
    assert fonts.font_runs("ABC 123") == [(body, "ABC 123")]
    assert fonts.font_runs("") == []
    # The title face (a 通用规范汉字表 subset) falls back to the body chain.
    assert fonts.font_runs("决定书𪚥", "title") == [(title, "决定书"), (extb, "𪚥")]
    # A variation selector (in no font) stays with the character before it...
    assert fonts.font_runs("𪚥\U000e0100商") == [(extb, "𪚥\U000e0100"), (body, "商")]
    # ...but it would print as a box, so printing it is refused.
    assert fonts.unprintable("𪚥\U000e0100商") == ["\U000e0100"]


def test_unprintable_names_what_no_font_draws():
    assert fonts.unprintable("张三 𠮷𪚥\n商行\u3000No.1") == []
    assert fonts.unprintable("a\ue000b\U0002EBF0\ue000") == ["\ue000", "\U0002EBF0"]
    with pytest.raises(fonts.UnprintableText) as caught:
        fonts.require_printable("王\U0002EBF0")
    assert caught.value.chars == ["\U0002EBF0"]
    assert "U+2EBF0" in caught.value.message
    with pytest.raises(ValueError):
        fonts.font_runs("王", "bold")


def test_draw_text_refuses_and_draws_nothing(tmp_path):
    fonts.register_pdf_fonts()
    c = canvas.Canvas(str(tmp_path / "x.pdf"), initialFontName=fonts.PDF_MAIN_FONT)
    with pytest.raises(fonts.UnprintableText):
        fonts.draw_text(c, 72, 700, "张\ue000三", 12)
    assert fonts.draw_text(c, 72, 700, "张三", 12) > 72


def _draw(path, lines):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    main, _ = fonts.register_pdf_fonts()
    c = canvas.Canvas(str(path), initialFontName=main)  # no stray Helvetica
    y = 760
    for line in lines:
        x = 72
        for font, run in fonts.font_runs(line):
            c.setFont(font, 18)
            c.drawString(x, y, run)
            x += stringWidth(run, font, 18)
        y -= 30
    c.showPage()
    c.save()


def test_pdf_embeds_every_font_and_gives_back_the_text(tmp_path):
    pdffonts = _need_tool("pdffonts")
    pdftotext = _need_tool("pdftotext")
    pdf = tmp_path / "fonts.pdf"
    lines = [SAMPLE, "生产者：𪚥记食品有限公司 No. 2024-001", "𰀀㐀鿿"]
    _draw(pdf, lines)

    out = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    names = [row.split()[0] for row in rows]
    assert any(fonts.PDF_EXTB_FONT in n for n in names), out
    assert any("NotoSerifCJKsc-Regular" in n for n in names), out
    assert any("BabelStoneHan" in n for n in names), out
    for row in rows:
        # columns: name type [subtype] encoding emb sub uni object-id gen
        emb, _sub, uni = row.split()[-5:-2]
        assert emb == "yes", out
        assert uni == "yes", out

    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    for line in lines:
        assert line in text, text


class _Face:
    """A reportlab face as `_real_codes` reads it: cmap, loca offsets and glyf bytes."""

    def __init__(self, glyphs: list[bytes], cmap: dict[int, int]):
        self.charToGlyph = cmap
        self.glyphPos = [0]
        for data in glyphs:
            self.glyphPos.append(self.glyphPos[-1] + len(data))
        self.data = b"HEAD" + b"".join(glyphs)

    def get_table_pos(self, tag):
        assert tag == "glyf"
        return 4, len(self.data) - 4

    def get_chunk(self, pos, length):
        return self.data[pos:pos + length]


def test_a_cmap_entry_to_an_empty_glyph_is_not_a_glyph():
    import struct

    outline = struct.pack(">h", 2) + b"\0" * 20  # two contours
    composite = struct.pack(">h", -1) + b"\0" * 20
    no_contours = struct.pack(">h", 0) + b"\0" * 8
    face = _Face([b"", outline, b"", composite, no_contours],
                 {0x41: 1, 0x42: 2, 0x43: 3, 0x44: 4, 0x45: 99})
    assert fonts._real_codes(face) == {0x41, 0x43}
    # In the bundled body font, the ideographic space maps to an empty glyph.
    loaded = fonts._fonts()[fonts.PDF_MAIN_FONT]
    assert 0x3000 in loaded.cmap and 0x3000 not in loaded.real
    assert fonts.unprintable("\u3000") == []  # whitespace prints as itself


def test_readme_records_the_sha256_of_each_built_font():
    import hashlib
    import re

    readme = (fonts.main_font_path().parent / "README.md").read_text(encoding="utf-8")
    recorded = {name: digest for digest, name in
                re.findall(r"^([0-9a-f]{64})  (\S+\.ttf)$", readme, flags=re.MULTILINE)}
    assert set(recorded) == {f.file for f in (*fonts.PDF_FONTS, fonts.SCREEN)}  # all built
    for name, digest in recorded.items():
        data = (fonts.main_font_path().parent / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
