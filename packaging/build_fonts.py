"""Build the bundled fonts in resources/fonts/ from the Debian font packages.

A developer tool, not part of the app: it needs fontTools (the `fonts` extra) and the
Debian (bookworm) packages fonts-noto-cjk, fonts-hanazono, fonts-babelstone-han and
fonts-wqy-microhei. resources/fonts/README.md records the sources' sha256 and what each
output covers. Run:

    python packaging/build_fonts.py resources/fonts

Outputs (all glyf TrueType, which reportlab can embed; it cannot embed CFF):

* NotoSerifSC-Regular-subset.ttf: the body face (宋体). Noto Serif CJK SC Regular, every
  character it has except Hangul, with its CFF outlines converted to quadratic curves.
* NotoSerifSC-Bold-subset.ttf: the title face (a heavy 宋, like 小标宋). Noto Serif CJK SC
  Bold, only Latin, punctuation and the 8,105 characters of 通用规范汉字表; titles fall
  back to the body chain for anything else.
* HanaMinB-subset.ttf: CJK Extensions B-F (plane 2) from HanaMinB.
* BabelStoneHan-subset.ttf: only the ideographs none of the fonts above has a real glyph
  for (Extensions G and H, the newest URO and Ext A characters).
* wqy-microhei-subset.ttf: the screen's sans face, WenQuanYi Micro Hei, without Hangul
  (as the body face) and without the collection's second face (Micro Hei Mono) and glyph
  names; its outlines, hinting and layout tables as they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

NOTO_REGULAR = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
NOTO_BOLD = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
NOTO_SC_INDEX = 2  # face 2 of the collections is "Noto Serif CJK SC"
HANAMIN_B = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"
BABELSTONE = "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf"
WQY_MICROHEI = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TGH_LIST = Path(__file__).resolve().parents[1] / "tests/data/tongyong_guifan_hanzi_2013.txt"

HANGUL = [(0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
          (0xFFA0, 0xFFDC)]
# Latin and the punctuation and symbols a document may use, for the title face.
TITLE_EXTRA = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2150, 0x218F),
               (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
# Every block of CJK ideographs (and radicals, strokes), for the last fallback.
IDEOGRAPHS = [(0x2E80, 0x2FDF), (0x2FF0, 0x2FFF), (0x31C0, 0x31EF), (0x3400, 0x4DBF),
              (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F), (0x30000, 0x323AF)]


def in_ranges(code: int, ranges) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


def real_glyphs(font: TTFont) -> set[int]:
    """Code points whose glyph has outlines (a cmap entry to an empty glyph is not one)."""
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    if "glyf" in font:
        glyf = font["glyf"]
        return {c for c, g in cmap.items() if glyf[g].numberOfContours != 0}
    out = set()
    for code, name in cmap.items():
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds is not None:
            out.add(code)
    return out


def load(path: str, index: int = 0) -> TTFont:
    # recalcTimestamp=False keeps the source's date in `head`, so a rebuild is byte-identical.
    return TTFont(path, fontNumber=index, lazy=False, recalcTimestamp=False)


def subsetted(font: TTFont, unicodes: set[int]) -> TTFont:
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.desubroutinize = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(unicodes))
    sub.subset(font)
    return font


def screen_font(out_dir: Path) -> Path:
    """WenQuanYi Micro Hei (face 0 of the collection) less Hangul, for the screen only."""
    font = load(WQY_MICROHEI, 0)
    keep = {c for c in font.getBestCmap() if not in_ranges(c, HANGUL)}
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.notdef_outline = True
    opts.hinting = True  # the screen's face: keep its TrueType hinting
    opts.glyph_names = False  # post format 3
    opts.drop_tables += ["FFTM"]  # FontForge's time stamps
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(keep))
    sub.subset(font)
    path = out_dir / "wqy-microhei-subset.ttf"
    font.save(path)
    return path


def cff_to_glyf(font: TTFont, max_err: float = 1.0) -> TTFont:
    """Replace CFF outlines by TrueType quadratic ones (fontTools' otf2ttf snippet)."""
    assert "CFF " in font
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, max_err, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones",):
        setattr(maxp, field, 1)
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: CID fonts have none worth keeping
    font.sfntVersion = "\000\001\000\000"
    return font


def tgh_chars() -> set[int]:
    codes = set()
    for line in TGH_LIST.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            codes.add(ord(line.split("\t")[1]))
    assert len(codes) == 8105, len(codes)
    return codes


def build(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    covered: set[int] = set()

    print("body: Noto Serif CJK SC Regular", flush=True)
    font = load(NOTO_REGULAR, NOTO_SC_INDEX)
    body = {c for c in real_glyphs(font) if not in_ranges(c, HANGUL)} | {0x20, 0x3000}
    font = cff_to_glyf(subsetted(font, body))
    font.save(out_dir / "NotoSerifSC-Regular-subset.ttf")
    covered |= real_glyphs(font)

    print("title: Noto Serif CJK SC Bold", flush=True)
    font = load(NOTO_BOLD, NOTO_SC_INDEX)
    have = real_glyphs(font)
    title = {c for c in have if in_ranges(c, TITLE_EXTRA)} | (tgh_chars() & have)
    font = cff_to_glyf(subsetted(font, title | {0x20, 0x3000}))
    font.save(out_dir / "NotoSerifSC-Bold-subset.ttf")

    print("Ext B-F: HanaMinB", flush=True)
    font = load(HANAMIN_B)
    plane2 = {c for c in real_glyphs(font) if 0x20000 <= c <= 0x2FFFF and c not in covered}
    font = subsetted(font, plane2 | set(range(0x20, 0x7F)))
    font.save(out_dir / "HanaMinB-subset.ttf")
    covered |= real_glyphs(font)

    print("the rest: BabelStone Han", flush=True)
    font = load(BABELSTONE)
    rest = {c for c in real_glyphs(font) if in_ranges(c, IDEOGRAPHS) and c not in covered}
    font = subsetted(font, rest | set(range(0x20, 0x7F)))
    font.save(out_dir / "BabelStoneHan-subset.ttf")

    print("screen: WenQuanYi Micro Hei", flush=True)
    screen_font(out_dir)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/fonts"))
