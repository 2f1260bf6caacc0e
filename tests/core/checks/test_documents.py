"""The printed check record: content, Chinese text embedded, old checks print as made."""

from __future__ import annotations

import re

import pypdfium2
import pytest
from check_helpers import jpeg, kettle, make_market

from inspector_app.core.checks import documents, photos, service
from inspector_app.forms import definitions


@pytest.fixture
def saved(signed_in):
    store, actor, _inspector = signed_in
    market = make_market(store, actor)
    photo = photos.process(store, jpeg(orientation=6), "标签.jpg")
    data = kettle(market, measure="seizure", photos=[photo])
    data.remarks = "当事人当场表示将下架整改。"
    with store.write() as session:
        result = service.save(session, actor, data, final=True, store=store)
    return store, result


def _text(pdf: bytes) -> str:
    """The text of every page, without white space (table cells wrap their lines)."""
    doc = pypdfium2.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in doc)
    return re.sub(r"\s+", "", text)


def _fonts(pdf: bytes) -> tuple[list[str], list[str]]:
    """(every font named, the embedded ones)."""
    names = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", pdf)
    embedded = re.findall(rb"/FontFile2", pdf)
    return [n.decode() for n in names], [e.decode() for e in embedded]


def test_the_record_has_the_check_and_embeds_its_fonts(saved):
    store, result = saved
    with store.read() as session:
        pdf = documents.check_pdf(session, store, result.check_id, definitions.builtin())
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for words in ("产品标识和质量合格证明检查记录", "示例市市场监督管理局", "𠮷祥商行",
                  "电热水壶", "额定电压/功率", "220V~1800W", "CCC认证标志和有效的认证证书",
                  "不符合", "未加施CCC认证标志", "不合格", "查封扣押", "标签.jpg",
                  "当事人当场表示将下架整改", "检查人员", "32010001", "当事人签名",
                  "第1页"):
        assert words in text, words
    names, embedded = _fonts(pdf)
    assert names and all("+" in n for n in names), names  # subsets only: no Helvetica
    assert len(embedded) == len(names)


def test_an_old_check_prints_with_the_labels_it_was_made_with(saved):
    store, result = saved
    # A device that no longer has version 1 (or never had it) still prints the record.
    with store.read() as session:
        pdf = documents.check_pdf(session, store, result.check_id, definitions.Registry())
    text = _text(pdf)
    assert "额定电压/功率" in text and "CCC认证标志和有效的认证证书" in text
    assert "家用电器及电器附件第1版" in text and "electrical_ccc" not in text


def test_a_draft_is_marked_as_a_draft(signed_in):
    store, actor, _inspector = signed_in
    data = kettle(make_market(store, actor))
    data.answers = {}
    with store.write() as session:
        result = service.save(session, actor, data, final=False, store=store)
    with store.read() as session:
        snap = documents.snapshot(session, store, result.check_id, definitions.builtin())
    assert "草稿" in _text(documents.render(snap))


def test_a_long_checklist_runs_over_pages_with_its_header(saved):
    store, result = saved
    with store.read() as session:
        snap = documents.snapshot(session, store, result.check_id, definitions.builtin())
    snap.items = snap.items * 6
    text = _text(documents.render(snap))
    pages = re.findall(r"第(\d+)页共(\d+)页", text)
    assert len(pages) >= 2 and all(total == str(len(pages)) for _n, total in pages)
    assert text.count("检查项目") >= len(pages)
