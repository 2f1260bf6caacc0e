"""The engine's pages read back with pdftotext: justified lines end at the right edge of
the text block, 28 characters per line, tables over pages with their header and correct
"第x页 共y页", the watermark on drafts only, and a refusal for a character no font has."""

from __future__ import annotations

import re

import pytest
from pdf_lines import flat, lines, page_texts

from inspector_app.core import fonts
from inspector_app.core.pdf import Flow, Signature, breaking, grid

TEXT = ("经查，当事人于2026年3月2日在其经营场所销售的“美厨”牌电热水壶（型号MC-1720）未加施CCC"
        "认证标志，其标称的生产者为佛山市美厨电器有限公司。执法人员当场告知当事人享有陈述、申辩"
        "的权利？当事人表示：“知道了！”《中华人民共和国产品质量法》第二十七条规定……价格￥89.50，"
        "阳性率52.3%，温度-18℃。") * 2 + "特此记录。"


def _paragraph_pdf() -> bytes:
    flow = Flow()
    flow.title("示例市市场监督管理局")
    flow.paragraph(TEXT)
    flow.paragraph("中华人民共和国市场监督管理总局" * 6, indent_chars=0)
    return flow.render("justified")


def test_full_lines_are_justified_to_the_right_edge_and_last_lines_are_not(tmp_path):
    pdf = _paragraph_pdf()
    top, foot = grid.PAGE_H - grid.TOP, grid.PAGE_H - grid.BOTTOM  # (y grows downwards)
    body = [ln for ln in lines(pdf, tmp_path)[0]
            if ln.y1 < foot and ln.text != "示例市市场监督管理局"]
    assert body[0].y0 > grid.PAGE_H - top
    assert len(body) >= 12
    # pdftotext gives the paragraphs' lines in order; each paragraph's last is short
    ends = [i for i, ln in enumerate(body) if ln.x1 < grid.RIGHT - 2 * grid.BODY_PT]
    assert len(ends) == 2, [(ln.text, ln.x1) for ln in body]
    for i, ln in enumerate(body):
        if i not in ends:
            # the glyph box ends at the edge; a closing mark's blank right half may hang
            # past it (标点挤压), its ink inside
            hang = grid.BODY_PT / 2 if ln.text[-1] in breaking.HALF_BLANK else 0
            assert -0.6 < ln.x1 - grid.RIGHT < hang + 0.6, (ln.text, ln.x1, grid.RIGHT)
    first = body[0]
    assert abs(first.x0 - (grid.LEFT + 2 * grid.BODY_PT)) < 0.6  # 2-character indent
    assert all(abs(ln.x0 - grid.LEFT) < 0.6 for ln in body[1:])


def test_plain_han_text_sets_28_characters_a_line(tmp_path):
    pdf = _paragraph_pdf()
    found = [ln for ln in lines(pdf, tmp_path)[0]
             if set(ln.text) <= set("中华人民共和国市场监督管理总局")]
    assert [len(ln.text) for ln in found] == [28, 28, 28, 6]


def test_no_line_starts_or_ends_with_a_forbidden_character(tmp_path):
    pdf = _paragraph_pdf()
    for ln in lines(pdf, tmp_path)[0]:
        assert not breaking.no_start(ln.text[0]), ln.text
        assert not breaking.no_end(ln.text[-1]), ln.text
    assert flat(TEXT) in flat("".join(page_texts(pdf, tmp_path, layout=False)))


def _table_pdf(draft: bool) -> bytes:
    flow = Flow(watermark="草稿 不作为执法文书" if draft else None)
    flow.title("清单")
    rows = [[str(n), f"物品{n}号" + "不锈钢电热水壶" * (n % 4), "1.5L", str(n)]
            for n in range(1, 91)]
    rows.insert(40, ["41a", "很长的备注" * 120, "", ""])  # taller than a page: split
    flow.table(["序号", "名称", "规格", "数量"], rows, [10, 60, 20, 10])
    flow.signature("当事人（签名）：", Signature(refused=True))
    return flow.render("table")


def test_a_table_runs_over_pages_with_its_header_and_page_numbers(tmp_path):
    pages = page_texts(_table_pdf(draft=False), tmp_path)
    assert len(pages) >= 4
    for n, page in enumerate(pages, start=1):
        assert re.search(r"序号\s+名称\s+规格\s+数量", page), n
        assert flat(page).count(f"第{n}页共{len(pages)}页") == 1, n
    text = flat("".join(pages))
    for n in range(1, 91):  # every row, once, in order
        assert text.count(f"物品{n}号") == 1, n
    assert [int(x) for x in re.findall(r"物品(\d+)号", text)] == list(range(1, 91))
    assert text.count("很长的备注") == 120
    assert "（拒绝签名）" in text


def test_the_watermark_is_on_every_page_of_a_draft_and_on_no_final(tmp_path):
    draft = page_texts(_table_pdf(draft=True), tmp_path, raw=True)
    assert len(draft) >= 4
    assert all(flat(p).startswith("草稿不作为执法文书") for p in draft)  # drawn first, under
    final = page_texts(_table_pdf(draft=False), tmp_path, raw=True)
    assert not any("草稿" in p for p in final)


def test_a_character_no_font_has_stops_the_document(tmp_path):
    flow = Flow()
    with pytest.raises(fonts.UnprintableText) as err:
        flow.field("当事人：", "王\U0002EBF0明")
    assert "U+2EBF0" in str(err.value)
    for call in (lambda f: f.title("\U0002EBF0"), lambda f: f.paragraph("a\U0002EBF0"),
                 lambda f: f.table(["名称"], [["\U0002EBF0"]], [1]),
                 lambda f: f.signature("签名：", Signature(name="\U0002EBF0"))):
        with pytest.raises(fonts.UnprintableText):
            call(Flow())


def test_keep_together_moves_a_block_that_would_break_to_the_next_page(tmp_path):
    flow = Flow()
    while flow.y - grid.LINE * 2 > flow.floor:
        flow.line("填充")
    flow.keep_together(lambda f: [f.line(f"签名块第{n}行") for n in range(1, 5)])
    pages = page_texts(flow.render(), tmp_path)
    assert len(pages) == 2
    assert "签名块" not in pages[0] and all(f"签名块第{n}行" in pages[1] for n in range(1, 5))
