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
    for name in ("LICENSE-wqy-microhei.txt", "LICENSE-hanazono.txt", "README.md"):
        assert (fonts.main_font_path().parent / name).is_file()


def test_register_pdf_fonts_is_idempotent():
    from reportlab.pdfbase import pdfmetrics

    names = fonts.register_pdf_fonts()
    assert names == (fonts.PDF_MAIN_FONT, fonts.PDF_EXTB_FONT)
    assert fonts.register_pdf_fonts() == names
    main, extb = (pdfmetrics.getFont(n) for n in names)
    assert ord("商") in main.face.charToGlyph
    assert 0x20BB7 not in main.face.charToGlyph
    assert 0x20BB7 in extb.face.charToGlyph
    assert 0x2A6A5 in extb.face.charToGlyph


def test_font_runs_puts_plane2_characters_in_the_extb_font():
    main, extb = fonts.register_pdf_fonts()
    assert fonts.font_runs(SAMPLE) == [(main, "张三"), (extb, "𠮷"), (main, "商行")]
    assert fonts.font_runs("𪚥") == [(extb, "𪚥")]
    assert fonts.font_runs("ABC 123") == [(main, "ABC 123")]
    assert fonts.font_runs("") == []
    # A variation selector (in neither font) stays with the character before it.
    assert fonts.font_runs("𠮷\U000e0100商") == [(extb, "𠮷\U000e0100"), (main, "商")]


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
    lines = [SAMPLE, "生产者：𪚥记食品有限公司 No. 2024-001"]
    _draw(pdf, lines)

    out = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    names = [row.split()[0] for row in rows]
    assert any(fonts.PDF_EXTB_FONT in n for n in names), out
    assert any("WenQuanYiMicroHei" in n for n in names), out
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
