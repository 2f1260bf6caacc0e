"""docs/documents.md, 检查记录: every field of its field table, read back from the PDF with
pdftotext and compared with the record it comes from."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from check_helpers import COLLEAGUE, jpeg, kettle, make_market
from pdf_lines import flat, lines, page_texts

from inspector_app.core import fonts, records, settings
from inspector_app.core.checks import documents, photos, rules, service
from inspector_app.core.models import Inspector, Market, Party, Stall
from inspector_app.core.pdf import breaking
from inspector_app.forms import definitions


def _record(signed_in, final=True, **changes):
    store, actor, _inspector = signed_in
    market = make_market(store, actor)
    photo = photos.process(store, jpeg(orientation=6), "标签.jpg")
    data = kettle(market, measure="seizure", photos=[photo], stall_number="B区235号",
                  **changes)
    data.remarks = "当事人当场表示将下架整改。"
    with store.write() as session:
        result = service.save(session, actor, data, final=final, store=store)
    return store, result.check_id


def test_every_field_of_the_check_record(signed_in, tmp_path):
    store, check_id = _record(signed_in)
    registry = definitions.builtin()
    with store.read() as s:
        pdf = documents.check_pdf(s, store, check_id, registry)
        check = service.load(s, check_id)
        defn = service.definition_of(registry, check)
        market = s.get(Market, check.market_id)
        stall = s.get(Stall, check.stall_id)
        party = s.get(Party, check.party_id)
        officers = check.officers
        agency = settings.AGENCY_NAME.get(s)
        shots = service.photos_of(s, check_id)
        pages = page_texts(pdf, tmp_path)
        raw = flat("".join(page_texts(pdf, tmp_path, raw=True)))  # cells in drawing order
        when = check.checked_at.astimezone(timezone(timedelta(minutes=check.created_offset)))
        assert raw.startswith(flat(agency + documents.TITLE))
        assert f"记录编号：{check.id[:8].upper()}" in raw and f"第{check.version}版" in raw
        assert (f"检查时间{when.year}年{when.month}月{when.day}日{when:%H:%M}"
                f"检查地点{market.name}B区235号摊位") in raw
        assert stall.number == "B区235号" and "号号" not in raw
        assert f"经营者{party.name}统一社会信用代码{party.credit_code or '（未记录）'}" in raw
        assert f"产品类别{check.category}检查清单{defn.category.zh}第{check.form_version}版" in raw
        # 产品信息: every recorded field, label then value
        extra = {row.field_key: row for row in check.fields}
        shown = 0
        for f in defn.fields:
            if f.column and getattr(check, f.column) not in (None, ""):
                value = rules.as_text(f, getattr(check, f.column))
                if f.type == "choice":
                    value = f.choice_label(value, "zh")
                value += f" {f.unit.zh}" if f.unit else ""
            elif f.key in extra:
                value = extra[f.key].display or extra[f.key].value
            else:
                continue
            assert flat(f.label.zh + value) in raw, (f.label.zh, value)
            shown += 1
        assert shown >= 10
        # 检查项目: number, item, basis, result, note, in this order
        for n, item in enumerate(check.items, start=1):
            row = f"{n}{item.label}{item.legal_basis}{rules.RESULT_ZH[item.result]}{item.note}"
            assert flat(row) in raw, row
        failed = [i.label for i in check.items if i.result == "fail"]
        assert failed
        assert flat(f"检查结论{rules.OUTCOME_ZH[check.outcome]}不符合项{'；'.join(failed)}"
                    f"处理措施{rules.MEASURE_ZH[check.measure]}") in raw
        assert flat(f"备注{check.remarks}") in raw
        for n, shot in enumerate(shots, start=1):
            assert f"{n}.{shot.filename}SHA-256{shot.sha256[:16]}{shot.sha256[16:32]}…" in raw
        # both officers the record holds, each with 证号, in the record's order
        assert [(o.name, o.cert_no) for o in officers] == [("张三", "32010001"),
                                                            ("李四", "32010002")]
        lines_of = [f"检查人员：{o.name}执法证号：{o.cert_no}签名：" for o in officers]
        assert all(ln in raw for ln in lines_of)
        assert raw.index(lines_of[0]) < raw.index(lines_of[1])
        assert raw.count("检查人员：") == 2
        assert "当事人意见：" in raw and "当事人签名：" in raw and "日期：年月日" in raw
        assert "草稿" not in raw
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in flat(page)
        assert flat(f"记录{check.id}版本{check.version}") in flat(page)
    for page in lines(pdf, tmp_path):
        for ln in page:
            assert not breaking.no_start(ln.text[0]), ln.text
            assert not breaking.no_end(ln.text[-1]), ln.text


def test_a_draft_with_one_officer_prints_one_officer_line(signed_in, tmp_path):
    store, check_id = _record(signed_in, final=False, second_officer_id=None)
    with store.read() as s:
        assert [o.name for o in service.load(s, check_id).officers] == ["张三"]
        pdf = documents.check_pdf(s, store, check_id, definitions.builtin())
    raw = flat("".join(page_texts(pdf, tmp_path, raw=True)))
    assert "检查人员：张三执法证号：32010001签名：" in raw
    assert raw.count("检查人员：") == 1  # no blank line for a second officer
    assert "李四" not in raw


def test_the_officers_print_as_the_record_holds_them(signed_in, tmp_path):
    """Renamed on the roster later, the second officer prints as the check named him."""
    store, check_id = _record(signed_in)
    _store, actor, _inspector = signed_in
    with store.write() as s:
        li = s.get(Inspector, COLLEAGUE)
        li.name, li.cert_no = "李四明", "32019999"
        records.update(s, li, actor, li.version)
    with store.read() as s:
        pdf = documents.check_pdf(s, store, check_id, definitions.builtin())
    raw = flat("".join(page_texts(pdf, tmp_path, raw=True)))
    assert "检查人员：李四执法证号：32010002签名：" in raw
    assert "李四明" not in raw and "32019999" not in raw


def test_a_check_made_before_it_named_officers_prints_who_saved_it(signed_in, tmp_path):
    """A check from before migration 0009 has no officer rows: its author prints, once."""
    store, check_id = _record(signed_in)
    with store.write() as s:  # as such a check is stored: no check_officers rows
        s.connection().exec_driver_sql("DELETE FROM check_officers WHERE check_id = ?",
                                       (check_id,))
    with store.read() as s:
        pdf = documents.check_pdf(s, store, check_id, definitions.builtin())
    raw = flat("".join(page_texts(pdf, tmp_path, raw=True)))
    assert "检查人员：张三执法证号：32010001签名：" in raw
    assert raw.count("检查人员：") == 1


def test_a_draft_carries_the_watermark_and_a_final_does_not(signed_in, tmp_path):
    store, check_id = _record(signed_in, final=False)
    with store.read() as s:
        draft = documents.check_pdf(s, store, check_id, definitions.builtin())
    pages = page_texts(draft, tmp_path, raw=True)
    assert all(flat(p).startswith("草稿检查尚未完成") for p in pages)


def test_a_name_no_font_has_stops_the_record(signed_in, tmp_path):
    store, check_id = _record(signed_in)
    with store.read() as s:
        snap = documents.snapshot(s, store, check_id, definitions.builtin())
    snap.party = "王\U0002EBF0明"
    with pytest.raises(fonts.UnprintableText) as err:
        documents.render(snap)
    assert err.value.chars == ["\U0002EBF0"]


