"""Line breaking: the complete sets of characters that may not start or end a line, the
push-down rule, Latin words kept whole, 28 characters of 16 pt per line."""

from __future__ import annotations

import random
import unicodedata

import pytest

from inspector_app.core import fonts
from inspector_app.core.pdf import breaking, grid


def test_the_sets_are_complete_by_unicode_category():
    start, end = breaking.no_start_chars(), breaking.no_end_chars()
    for code in range(0x110000):
        ch = chr(code)
        cat = unicodedata.category(ch)
        if cat in ("Pe", "Pf"):
            assert ch in start, hex(code)
        if cat in ("Ps", "Pi", "Sc"):
            assert ch in end, hex(code)
    for ch in "，。、；：？！…‥·％‰℃,.;:?!%）」』》】〕”’":
        assert ch in start, ch
    for ch in "（「『《【〔“‘￥¥$#＃":
        assert ch in end, ch
    assert not start & end


SAMPLE = ("经查，当事人于2026年3月2日在其经营场所销售的“美厨”牌电热水壶（型号MC-1720）"
          "未加施CCC认证标志；其标称的生产者为佛山市美厨电器有限公司。执法人员当场告知："
          "当事人享有陈述、申辩的权利！是否需要听证？《产品质量法》第二十七条…… 价格￥89.50，"
          "阳性率52.3%，温度-18℃。「引语」『书名』【注】〔一〕——")


@pytest.mark.parametrize("width_chars", [5, 6, 7, 8, 9, 11, 13, 17, 28])
def test_no_line_starts_or_ends_with_a_forbidden_character(width_chars):
    rng = random.Random(width_chars)
    for _ in range(30):
        words = list(SAMPLE)
        rng.shuffle(words)
        text = "".join(words) + SAMPLE
        lines = breaking.break_lines(text, 16, 16 * width_chars)
        assert "".join(line.text for line in lines).replace(" ", "") == text.replace(" ", "")
        for n, line in enumerate(lines):
            assert line.width <= 16 * width_chars * (1 + grid.SQUEEZE) + 8.01 or line.hung
            if n:
                assert not breaking.no_start(line.text[0]), (line.text, lines[n - 1].text)
            if n < len(lines) - 1:
                assert not breaking.no_end(line.text[-1]), (line.text, lines[n + 1].text)


def test_the_previous_character_is_pushed_down_rather_than_a_comma_starting_a_line():
    fonts.register_pdf_fonts()
    lines = breaking.wrap("一二三四五六七八九十，。" * 10, 16, 16 * 10)
    assert all(line and line[0] not in "，。" for line in lines)
    assert "".join(lines) == "一二三四五六七八九十，。" * 10
    # a line is full or ends where the next one needed its previous character
    assert lines[0] == "一二三四五六七八九"
    assert lines[1].startswith("十，。")


def test_latin_words_and_numbers_are_not_broken_unless_longer_than_a_line():
    text = "检测仪器编号YQ-2026-0001，试剂批号NC20260115，检测值52.3%。" * 3
    for width in (16 * 8, 16 * 11, 16 * 15):
        for line in breaking.wrap(text, 16, width):
            for word in ("YQ-2026-0001", "NC20260115", "52.3"):
                # a word is either whole in the line or absent from it
                for cut in range(1, len(word)):
                    assert not line.endswith(word[:cut]) or word[:cut] == word or \
                        line.endswith(word), (line, word)
    long = "A" * 100
    lines = breaking.wrap(long, 16, 16 * 10)
    assert "".join(lines) == long and len(lines) > 1


def test_twenty_eight_han_characters_of_16_pt_fill_a_line_of_the_text_block():
    text = "中华人民共和国市场监督管理总局" * 10
    lines = breaking.break_lines(text, grid.BODY_PT, grid.TEXT_W)
    assert [len(line.text) for line in lines[:-1]] == [grid.CHARS] * (len(lines) - 1)


def test_a_character_no_font_has_is_refused_not_printed_blank():
    with pytest.raises(fonts.UnprintableText) as err:
        breaking.break_lines("当事人：王\U0002EBF0明", 16, grid.TEXT_W)
    assert err.value.chars == ["\U0002EBF0"]
