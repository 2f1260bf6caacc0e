"""Qt renders Chinese, Ext A to H included, from the bundled fonts (the same chains as
the documents: a character the documents print, the screen shows)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QRawFont, QTextLayout
from PySide6.QtWidgets import QLabel

from inspector_app.core import fonts
from inspector_app.ui.fonts import FAMILIES, install_app_fonts

SAMPLE = "张三𪚥㐀商行𰀀"  # 𪚥 U+2A6A5 (Ext B), 㐀 U+3400 (Ext A), 𰀀 U+30000 (Ext G)
# First, middle and last code points of URO and each extension block that the fonts have.
BLOCK_SAMPLES = [0x4E00, 0x7000, 0x9FFF, 0x3400, 0x4000, 0x4DBF, 0x20000, 0x25000, 0x2A6DF,
                 0x2A700, 0x2B739, 0x2B740, 0x2B81D, 0x2B820, 0x2CEA1, 0x2CEB0, 0x2EBE0,
                 0x30000, 0x3134A, 0x31350, 0x323AF]


def _raw(family: str) -> QRawFont:
    font = QFont(family)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    raw = QRawFont.fromFont(font)
    assert raw.familyName() == family  # the bundled font itself, not a substitute
    return raw


def test_install_app_fonts_adds_the_bundled_families(qapp):
    families = install_app_fonts(qapp)
    for family in (fonts.MAIN_FAMILY, fonts.BODY.family, fonts.EXTB.family, fonts.REST.family):
        assert family in families
        assert family in QFontDatabase.families()
    assert install_app_fonts(qapp) == families  # idempotent
    assert qapp.font().families() == FAMILIES
    assert FAMILIES == ["WenQuanYi Micro Hei", "Noto Serif CJK SC", "HanaMinB", "BabelStone Han"]


def test_bundled_fonts_cover_the_characters(qapp):
    install_app_fonts(qapp)
    assert _raw(fonts.MAIN_FAMILY).supportsCharacter(ord("商"))
    assert not _raw(fonts.MAIN_FAMILY).supportsCharacter(0x3400)  # WenQuanYi lacks Ext A
    assert _raw(fonts.BODY.family).supportsCharacter(0x3400)
    assert _raw(fonts.EXTB.family).supportsCharacter(0x2A6A5)
    assert _raw(fonts.REST.family).supportsCharacter(0x30000)
    app_metrics = QFontMetrics(qapp.font())
    for code in BLOCK_SAMPLES:
        assert app_metrics.inFontUcs4(code), hex(code)


def test_app_font_lays_out_each_character_in_a_bundled_font(qapp):
    install_app_fonts(qapp)
    layout = QTextLayout(SAMPLE, qapp.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    glyphs: dict[str, list[int]] = {}
    for run in layout.glyphRuns():
        glyphs.setdefault(run.rawFont().familyName(), []).extend(run.glyphIndexes())
    assert len(glyphs.get(fonts.MAIN_FAMILY, [])) == 4  # 张 三 商 行
    assert len(glyphs.get(fonts.BODY.family, [])) == 1  # 㐀
    assert len(glyphs.get(fonts.EXTB.family, [])) == 1  # 𪚥
    assert len(glyphs.get(fonts.REST.family, [])) == 1  # 𰀀
    assert all(g != 0 for ids in glyphs.values() for g in ids)  # no .notdef boxes


def _label_image(qtbot, text: str):
    label = QLabel(text)
    label.setStyleSheet("background: white; color: black;")
    font = label.font()
    font.setPointSize(28)
    label.setFont(font)
    qtbot.addWidget(label)
    label.resize(80, 80)
    return label.grab().toImage()


def _dark(image) -> set[tuple[int, int]]:
    return {(x, y) for x in range(image.width()) for y in range(image.height())
            if QColor(image.pixel(x, y)).lightness() < 128}


def test_each_sample_character_draws_ink_that_is_not_the_missing_glyph(qapp, qtbot, tmp_path):
    install_app_fonts(qapp)
    missing = _dark(_label_image(qtbot, "\U0002EBF0"))  # Ext I: no bundled font has it
    for code in BLOCK_SAMPLES + [ord(ch) for ch in "商𠮷"]:
        image = _label_image(qtbot, chr(code))
        image.save(str(tmp_path / f"U+{code:04X}.png"))
        ink = _dark(image)
        assert len(ink) > 30, hex(code)
        assert len(ink ^ missing) > 30, hex(code)  # not the box Qt draws for no glyph


def test_label_renders_the_text(qapp, qtbot, tmp_path):
    install_app_fonts(qapp)
    image = _label_image(qtbot, SAMPLE)
    assert len(_dark(image)) > 200  # ink was drawn
