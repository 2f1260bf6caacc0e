"""Qt renders Chinese, including plane-2 characters, from the bundled fonts."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QRawFont, QTextLayout
from PySide6.QtWidgets import QLabel

from inspector_app.core.fonts import EXTB_FAMILY, MAIN_FAMILY
from inspector_app.ui.fonts import install_app_fonts

SAMPLE = "张三𠮷商行"  # 𠮷 is U+20BB7 (CJK Ext-B, plane 2)


def _raw(family: str) -> QRawFont:
    font = QFont(family)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    raw = QRawFont.fromFont(font)
    assert raw.familyName() == family  # the bundled font itself, not a substitute
    return raw


def test_install_app_fonts_adds_the_bundled_families(qapp):
    families = install_app_fonts(qapp)
    assert MAIN_FAMILY in families
    assert EXTB_FAMILY in families
    assert install_app_fonts(qapp) == families  # idempotent
    available = QFontDatabase.families()
    assert MAIN_FAMILY in available and EXTB_FAMILY in available
    assert qapp.font().families()[:2] == [MAIN_FAMILY, EXTB_FAMILY]


def test_bundled_fonts_cover_the_characters(qapp):
    install_app_fonts(qapp)
    assert _raw(MAIN_FAMILY).supportsCharacter(ord("商"))
    assert not _raw(MAIN_FAMILY).supportsCharacter(0x20BB7)
    assert _raw(EXTB_FAMILY).supportsCharacter(0x20BB7)
    assert _raw(EXTB_FAMILY).supportsCharacter(0x2A6A5)
    assert QFontMetrics(QFont(EXTB_FAMILY)).inFontUcs4(0x20BB7)
    assert QFontMetrics(QFont(MAIN_FAMILY)).inFont("商")
    app_metrics = QFontMetrics(qapp.font())
    assert app_metrics.inFont("商")
    assert app_metrics.inFontUcs4(0x20BB7)


def test_app_font_lays_out_each_character_in_a_bundled_font(qapp):
    install_app_fonts(qapp)
    layout = QTextLayout(SAMPLE, qapp.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    glyphs: dict[str, list[int]] = {}
    for run in layout.glyphRuns():
        glyphs.setdefault(run.rawFont().familyName(), []).extend(run.glyphIndexes())
    assert len(glyphs.get(MAIN_FAMILY, [])) == 4  # 张 三 商 行
    assert len(glyphs.get(EXTB_FAMILY, [])) == 1  # 𠮷
    assert all(g != 0 for ids in glyphs.values() for g in ids)  # no .notdef boxes


def test_label_renders_the_text(qapp, qtbot, tmp_path):
    install_app_fonts(qapp)
    label = QLabel(SAMPLE)
    label.setStyleSheet("background: white; color: black;")
    font = label.font()
    font.setPointSize(28)
    label.setFont(font)
    qtbot.addWidget(label)
    label.adjustSize()
    image = label.grab().toImage()
    image.save(str(tmp_path / "font_check.png"))
    dark = sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if QColor(image.pixel(x, y)).lightness() < 128
    )
    assert dark > 200  # ink was drawn
