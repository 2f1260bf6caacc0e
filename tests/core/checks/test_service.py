"""Saving checks: drafts and finals through the audited write path, local drafts, the link
to a seizure, and old checks after their definition changed."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from check_helpers import CHECKED_AT, COLLEAGUE, jpeg, kettle, make_market
from sqlalchemy import select

from inspector_app.core import audit, i18n, records
from inspector_app.core.checks import photos, service
from inspector_app.core.checks.rules import Answer
from inspector_app.core.checks.service import CheckError, CheckInvalid
from inspector_app.core.models import (
    Attachment,
    CheckDraft,
    History,
    LabelCheck,
    Party,
    Seizure,
    SeizureItem,
    Stall,
)
from inspector_app.forms import definitions


@pytest.fixture
def setup(signed_in):
    store, actor, _inspector = signed_in
    return store, actor, make_market(store, actor)


def _save(store, actor, data, **kw):
    with store.write() as session:
        return service.save(session, actor, data, store=store, **kw)


def test_a_final_check_is_an_audited_record_with_its_definition(setup):
    store, actor, market = setup
    saved = _save(store, actor, kettle(market), final=True)
    assert (saved.status, saved.outcome, saved.version) == ("final", "nonconforming", 1)
    with store.read() as session:
        check = service.load(session, saved.check_id)
        assert (check.form_id, check.form_version) == ("electrical_ccc", 1)
        assert check.category == "家用电器及电器附件"
        assert check.product_name == "电热水壶" and check.price == Decimal("89.50")
        assert check.barcode == "6901234567892" and check.quantity == Decimal(12)
        # fields without a column of their own keep their label as printed
        extra = {f.field_key: (f.label, f.value, f.display) for f in check.fields}
        assert extra["rating"] == ("额定电压/功率", "220V~ 1800W", None)
        assert extra["ccc_required"] == ("列入强制性产品认证目录", "yes", "是")
        items = {i.item_key: i for i in check.items}
        assert items["ccc"].result == "fail" and items["ccc"].note == "未加施CCC认证标志"
        assert items["ccc"].legal_basis.startswith("认证认可条例")
        party = session.get(Party, check.party_id)
        stall = session.get(Stall, check.stall_id)
        assert party.name == "𠮷祥商行" and stall.number == "A-101"
        assert stall.market_id == market and stall.party_id == party.id
        assert audit.verify(session, store.attachment_path) == []
        content = json.loads(session.scalars(select(History.content).where(
            History.record_id == check.id)).one())
        assert content["fields"][0]["field_key"] == "rating"


def test_a_draft_may_be_incomplete_but_not_wrong(setup):
    store, actor, market = setup
    data = kettle(market)
    data.answers = {}
    data.values = {"product_name": "电吹风"}
    saved = _save(store, actor, data, final=False)
    assert (saved.status, saved.outcome) == ("draft", "pending")
    data.values["barcode"] = "123"
    with pytest.raises(CheckInvalid) as err:
        _save(store, actor, data, final=False, check_id=saved.check_id,
              expected_version=saved.version)
    assert set(err.value.problems) == {"barcode"}


def test_finalising_refuses_an_incomplete_check_and_writes_nothing(setup):
    store, actor, market = setup
    data = kettle(market)
    del data.answers["warning"]
    data.measure = ""
    with pytest.raises(CheckInvalid) as err:
        _save(store, actor, data, final=True)
    assert set(err.value.problems) == {"item:warning", "measure"}
    with store.read() as session:
        assert session.scalars(select(LabelCheck)).all() == []
        assert session.scalars(select(Party)).all() == []


def test_a_draft_becomes_final_as_its_next_version_and_then_stays(setup):
    store, actor, market = setup
    first = _save(store, actor, kettle(market), final=False)
    final = _save(store, actor, kettle(market), final=True, check_id=first.check_id,
                  expected_version=1)
    assert (final.check_id, final.version, final.status) == (first.check_id, 2, "final")
    with pytest.raises(CheckError) as err:
        _save(store, actor, kettle(market), final=True, check_id=first.check_id)
    assert err.value.field == "status" and "已完成" in err.value.message
    with pytest.raises(records.VersionConflict):
        _save(store, actor, kettle(market), final=False,
              check_id=_save(store, actor, kettle(market), final=False).check_id,
              expected_version=7)


def test_photos_become_attachments_of_the_record(setup):
    store, actor, market = setup
    a = photos.process(store, jpeg(colour="red"), "a.jpg")
    b = photos.process(store, jpeg(colour="green"), "b.jpg")
    data = kettle(market, photos=[a, b])
    saved = _save(store, actor, data, final=False)
    data.photos = [b]
    again = _save(store, actor, data, final=False, check_id=saved.check_id,
                  expected_version=saved.version)
    with store.read() as session:
        assert [p.sha256 for p in service.photos_of(session, again.check_id)] == [b.sha256]
        history = session.scalars(select(History.content).where(
            History.record_id == saved.check_id).order_by(History.version)).all()
        assert len(json.loads(history[0])["attachments"]) == 2  # the old version keeps both
        assert audit.verify(session, store.attachment_path) == []
    assert store.attachment_path(a.sha256).exists()  # evidence files are never deleted


def test_a_photo_whose_file_is_gone_is_refused(setup):
    store, actor, market = setup
    photo = photos.process(store, jpeg(), "a.jpg")
    store.attachment_path(photo.sha256).unlink()
    with pytest.raises(CheckError, match="a.jpg"):
        _save(store, actor, kettle(market, photos=[photo]), final=False)


def test_a_seizure_starts_prefilled_from_a_non_conforming_check(setup):
    store, actor, market = setup
    photo = photos.process(store, jpeg(), "label.jpg")
    data = kettle(market, measure="seizure", photos=[photo])
    saved = _save(store, actor, data, final=True)
    assert saved.seizure_id and saved.seizure_error == ""
    with store.read() as session:
        check = session.get(LabelCheck, saved.check_id)
        seizure = session.get(Seizure, saved.seizure_id)
        assert check.seizure_id == seizure.id and seizure.source_check_id == check.id
        assert saved.version == check.version == 2  # the link is the check's next version
        assert seizure.party_id == check.party_id and seizure.market_id == market
        item = session.scalars(select(SeizureItem).where(
            SeizureItem.seizure_id == seizure.id)).one()
        assert (item.name, item.quantity, item.unit) == ("电热水壶", Decimal(12), "台")
        assert "CCC认证标志" in seizure.onsite_record
        evidence = session.scalars(select(Attachment).where(
            Attachment.record_kind == "seizure", Attachment.record_id == seizure.id)).all()
        assert [a.sha256 for a in evidence] == [photo.sha256]
        # the check's two officers take the measure
        assert [o.inspector_id for o in seizure.officers] == [actor.inspector_id, COLLEAGUE]
        assert audit.verify(session, store.attachment_path) == []
        again = service.start_seizure(session, actor, check.id)
        assert again == seizure.id  # never two seizures for one check


def test_no_seizure_for_other_measures(setup):
    store, actor, market = setup
    saved = _save(store, actor, kettle(market, measure="sample"), final=True)
    assert saved.seizure_id is None
    with store.read() as session:
        assert session.scalars(select(Seizure)).all() == []


def test_an_existing_party_and_stall_are_reused(setup):
    store, actor, market = setup
    one = _save(store, actor, kettle(market), final=True)
    two = _save(store, actor, kettle(market), final=True)
    with store.read() as session:
        a, b = session.get(LabelCheck, one.check_id), session.get(LabelCheck, two.check_id)
        assert (a.party_id, a.stall_id) == (b.party_id, b.stall_id)


def test_repeat_last_check_at_this_stall(setup):
    store, actor, market = setup
    saved = _save(store, actor, kettle(market), final=True)
    with store.read() as session:
        stall_id = session.get(LabelCheck, saved.check_id).stall_id
        by_stall = service.last_at_stall(session, stall_id=stall_id)
        mine = service.last_at_stall(session, inspector_id=actor.inspector_id)
        nobody = service.last_at_stall(session, inspector_id="someone-else")
    assert by_stall == mine
    assert (by_stall.market_id, by_stall.stall_number, by_stall.party_name) == (
        market, "A-101", "𠮷祥商行")
    assert by_stall.form_id == "electrical_ccc" and nobody is None


def test_local_drafts_keep_anything_and_go_with_the_save(setup):
    store, actor, market = setup
    data = kettle(market)
    data.values["barcode"] = "12"  # being typed: not valid yet, kept anyway
    with store.write() as session:
        service.autosave(session, actor, "d-1", data)
        service.autosave(session, actor, "d-1", data)
    with store.read() as session:
        left = service.drafts(session, actor.inspector_id)
        assert [d.id for d in left] == ["d-1"] and left[0].data == data
        assert service.drafts(session, "another-inspector") == []
    data.values["barcode"] = "6901234567892"
    saved = _save(store, actor, data, final=True, draft_id="d-1")
    assert saved.check_id == "d-1"  # a new check takes its draft's id
    with store.read() as session:
        assert session.scalars(select(CheckDraft)).all() == []


def test_an_unreadable_local_draft_is_left_alone(setup):
    store, actor, _market = setup
    with store.write() as session:
        session.add(CheckDraft(id="bad", inspector_id=actor.inspector_id, form_id="x",
                               form_version=1, content="{broken", updated_at=CHECKED_AT))
    with store.read() as session:
        assert service.drafts(session, actor.inspector_id) == []


def _v2_registry():
    """A version of electrical_ccc newer than the shipped ones (it drops the rating field)."""
    latest = definitions.builtin().latest("electrical_ccc")
    v2 = copy.deepcopy(json.loads((definitions.DEFINITIONS_DIR / latest.source).read_text()))
    v2["version"] = latest.version + 1
    for item in v2["checklist"]:
        if item["key"] == "ccc":
            item["label"]["zh"] = "CCC标志(新版措辞)"
    v2["fields"] = [f for f in v2["fields"] if f["key"] != "rating"]
    two = definitions.parse(json.dumps(v2, ensure_ascii=False).encode(),
                            f"electrical_ccc.v{v2['version']}")
    return two


def test_an_old_check_opens_as_it_was_made_after_its_definition_changed(setup):
    store, actor, market = setup
    saved = _save(store, actor, kettle(market), final=True)
    newer = _v2_registry()
    registry = definitions.Registry([*definitions.builtin(), newer])
    assert registry.latest("electrical_ccc").version == newer.version > 1
    with store.read() as session:
        check = service.load(session, saved.check_id)
        defn = service.definition_of(registry, check)
        assert defn.version == 1
        data = service.input_of(session, check, defn)
    assert data.values["rating"] == "220V~ 1800W"  # a field v2 no longer has
    assert data.values["ccc_required"] is True
    assert data.answers["ccc"] == Answer("fail", "未加施CCC认证标志")


def test_a_new_check_uses_the_latest_version(setup):
    store, actor, market = setup
    v2 = _v2_registry()
    registry = definitions.Registry([*definitions.builtin(), v2])
    data = kettle(market, form_version=v2.version)
    data.values.pop("rating")
    with store.write() as session:
        saved = service.save(session, actor, data, final=True, store=store, registry=registry)
    with store.read() as session:
        check = service.load(session, saved.check_id)
        assert check.form_version == v2.version
        assert {i.item_key: i.label for i in check.items}["ccc"] == "CCC标志(新版措辞)"


def test_a_check_prints_the_text_of_its_own_version(setup):
    """Version 2 fixed the punctuation (第(一)项 -> 第（一）项): a new check keeps the
    full-width text, one made with version 1 keeps what version 1 said."""
    store, actor, market = setup
    latest = definitions.builtin().latest("electrical_ccc")
    assert latest.version > 1
    old = _save(store, actor, kettle(market), final=True)
    new = _save(store, actor, kettle(market, form_version=latest.version), final=True)
    with store.read() as session:
        bases = {saved.check_id: {i.item_key: i.legal_basis
                                  for i in service.load(session, saved.check_id).items}
                 for saved in (old, new)}
    assert bases[old.check_id]["cert"] == "产品质量法第二十七条第一款第(一)项"
    assert bases[new.check_id]["cert"] == "产品质量法第二十七条第一款第（一）项"


def test_a_check_of_an_unknown_definition_is_refused(setup):
    store, actor, market = setup
    i18n.set_language("en")
    with pytest.raises(CheckError, match="not on this device"):
        _save(store, actor, kettle(market, form_version=9), final=False)
