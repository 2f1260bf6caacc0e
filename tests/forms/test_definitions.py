"""Checklist definitions: the shipped ones are valid and never change; bad ones are refused
with the file and the field named; every version stays loadable."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest

from inspector_app.forms import conditions, definitions
from inspector_app.forms.definitions import DefinitionError

SHIPPED = definitions.DEFINITIONS_DIR
CATEGORIES = {"packaged_food", "electrical_ccc", "building_materials", "agricultural_inputs",
              "textiles_garments", "general_goods"}
# A released version never changes: a change is a new file <id>.v<n+1>.json. The SHA-256 of
# every released file is pinned in released.json: if the test below fails, put the old bytes
# back and make the change in a new version (then pin the new file too).
RELEASED = json.loads((Path(__file__).parent / "released.json").read_text())


def _good() -> dict:
    return json.loads((SHIPPED / "packaged_food.v1.json").read_text(encoding="utf-8"))


def _write(folder: Path, doc: dict | str | bytes, name: str = "packaged_food.v1.json") -> Path:
    path = folder / name
    if isinstance(doc, dict):
        doc = json.dumps(doc, ensure_ascii=False)
    path.write_bytes(doc if isinstance(doc, bytes) else doc.encode("utf-8"))
    return path


def _field(doc: dict, key: str) -> dict:
    return next(f for f in doc["fields"] if f["key"] == key)


def test_every_shipped_definition_is_valid_and_every_category_is_there():
    registry = definitions.builtin()
    current = registry.current()
    assert {d.id for d in current} == CATEGORIES
    for d in current:
        assert d.source == f"{d.id}.v{d.version}.json"
        assert d.field("product_name").required
        assert d.category.zh and d.category.en
        assert all(i.basis.zh and i.label.zh and i.label.en for i in d.checklist)
        # art. 27 (i) certificate and (ii) name and address are on every list
        keys = {i.key for i in d.checklist}
        assert "cert" in keys, d.id
    assert [d.order for d in current] == sorted(d.order for d in current)


def test_released_files_never_change():
    found = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SHIPPED.glob("*.json")}
    assert set(RELEASED) <= set(found), "a released definition file was removed"
    for name, digest in RELEASED.items():
        assert found[name] == digest, f"{name} changed after release: make a new version"
    assert set(found) <= set(RELEASED), "pin the new definition file in released.json"


def test_the_json_schema_itself_is_valid():
    import jsonschema

    schema = json.loads(definitions.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


# --- bad definitions ------------------------------------------------------------------------


def _mutations():
    """(what is wrong, change to a good document, words the error must contain)."""

    def drop_checklist(d):
        del d["checklist"]

    def bad_type(d):
        _field(d, "brand")["type"] = "colour"

    def extra_prop(d):
        _field(d, "brand")["eval"] = "__import__('os')"

    def dup_key(d):
        _field(d, "brand")["key"] = "product_name"

    def later_field(d):
        _field(d, "brand")["show_if"] = {"field": "licence_no", "filled": True}

    def unknown_field(d):
        d["checklist"][1]["applies_if"] = {"field": "nowhere", "equals": "x"}

    def bad_choice(d):
        _field(d, "brand")["show_if"] = {"field": "packaging", "equals": "boxed"}

    def yes_as_text(d):
        d["fields"].insert(2, {"key": "imported", "type": "yesno",
                               "label": {"zh": "进口", "en": "Imported"}})
        _field(d, "brand")["show_if"] = {"field": "imported", "equals": "yes"}

    def nested_repeat(d):
        _field(d, "brand").update(pattern="(a+)+$", pattern_message={"zh": "错", "en": "bad"})

    def backreference(d):
        _field(d, "brand").update(pattern=r"(a)\1", pattern_message={"zh": "错", "en": "bad"})

    def no_message(d):
        _field(d, "brand")["pattern"] = "[A-Z]{2}"

    def unknown_format(d):
        _field(d, "licence_no")["format"] = "python_expression"

    def no_product(d):
        d["fields"] = [f for f in d["fields"] if f["key"] != "product_name"]

    def quantity_text(d):
        _field(d, "quantity").update(type="text")
        _field(d, "quantity").pop("decimals")
        _field(d, "quantity").pop("min")

    def too_long(d):
        _field(d, "brand")["max_length"] = 65

    def not_before_text(d):
        _field(d, "expiry_date")["not_before"] = "batch_no"

    def reserved(d):
        _field(d, "brand")["key"] = "outcome"

    def default_not_choice(d):
        _field(d, "packaging")["default"] = "loose"

    def deep(d):
        cond: dict = {"field": "packaging", "equals": "bulk"}
        for _n in range(7):
            cond = {"not": cond}
        _field(d, "brand")["show_if"] = cond

    def own_field(d):
        _field(d, "brand")["show_if"] = {"field": "brand", "filled": True}

    def dup_item(d):
        d["checklist"][1]["key"] = "cert"

    def min_over_max(d):
        _field(d, "price")["max"] = -1

    def long_basis(d):
        d["checklist"][0]["basis"]["zh"] = "条" * 121

    return [
        ("checklist missing", drop_checklist, ["(top level)", "checklist"]),
        ("unknown field type", bad_type, ["fields[2] (brand).type", "colour"]),
        ("unknown property", extra_prop, ["fields[2] (brand)", "eval"]),
        ("two fields, one key", dup_key, ["fields[2] (product_name).key"]),
        ("condition on a later field", later_field, ["fields[2] (brand).show_if.field",
                                                     "licence_no"]),
        ("condition on no field", unknown_field, ["checklist[1] (name_addr).applies_if",
                                                  "nowhere"]),
        ("value not a choice", bad_choice, ["fields[2] (brand).show_if", "boxed"]),
        ("yes/no compared with text", yes_as_text, ["fields[3] (brand).show_if", "imported"]),
        ("pattern that backtracks", nested_repeat, ["fields[2] (brand).pattern"]),
        ("pattern with a backreference", backreference, ["fields[2] (brand).pattern"]),
        ("pattern without a message", no_message, ["fields[2] (brand).pattern_message"]),
        ("unknown format", unknown_format, ["(licence_no).format", "python_expression"]),
        ("no product name", no_product, ["fields", "product_name"]),
        ("column field of the wrong type", quantity_text, ["(quantity).type"]),
        ("longer than its column", too_long, ["(brand).max_length", "64"]),
        ("not_before names a text field", not_before_text, ["(expiry_date).not_before"]),
        ("a key the form keeps", reserved, ["fields[2] (outcome).key"]),
        ("default not a choice", default_not_choice, ["(packaging).default", "loose"]),
        ("conditions nested too deep", deep, ["(brand).show_if"]),
        ("condition on its own field", own_field, ["(brand).show_if.field", "brand"]),
        ("two items, one key", dup_item, ["checklist[1] (cert).key"]),
        ("min above max", min_over_max, ["(price).min"]),
        ("basis too long for the record", long_basis, ["checklist[0] (cert).basis.zh"]),
    ]


@pytest.mark.parametrize("what,change,words", _mutations(), ids=[m[0] for m in _mutations()])
def test_a_bad_definition_names_the_file_and_the_field(tmp_path, what, change, words):
    doc = _good()
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(DefinitionError) as err:
        definitions.load_file(path)
    text = str(err.value)
    assert text.startswith("packaged_food.v1.json: "), text
    for word in words:
        assert word in text, (what, text)


@pytest.mark.parametrize("content,words", [
    (b"{not json", ["not valid JSON"]),
    (b'{"id": "a", "id": "b"}', ["appears twice"]),
    (b'{"version": NaN}', ["NaN"]),
    (b"\xff\xfe\x00", ["UTF-8"]),
    (b"[" * 100_000, ["nested"]),
    (b"[]", ["JSON object"]),
    (b" " * (definitions.MAX_BYTES + 1), ["larger than"]),
])
def test_files_that_are_not_definitions_are_refused(tmp_path, content, words):
    from inspector_app.core import i18n

    i18n.set_language("en")
    path = _write(tmp_path, content)
    with pytest.raises(DefinitionError) as err:
        definitions.load_file(path)
    assert str(err.value).startswith("packaged_food.v1.json")
    for word in words:
        assert word in str(err.value)


def test_a_file_name_must_match_its_content(tmp_path):
    from inspector_app.core import i18n

    i18n.set_language("en")
    path = _write(tmp_path, _good(), "packaged_food.v2.json")
    with pytest.raises(DefinitionError, match=r"packaged_food\.v2\.json: id"):
        definitions.load_file(path)
    with pytest.raises(DefinitionError, match="<id>.v<version>.json"):
        definitions.load_file(_write(tmp_path, _good(), "food.json"))


def test_errors_are_in_the_users_language(tmp_path):
    from inspector_app.core import i18n

    doc = _good()
    _field(doc, "brand")["show_if"] = {"field": "nowhere", "filled": True}
    path = _write(tmp_path, doc)
    i18n.set_language("zh_CN")
    with pytest.raises(DefinitionError) as zh:
        definitions.load_file(path)
    i18n.set_language("en")
    with pytest.raises(DefinitionError) as en:
        definitions.load_file(path)
    assert "which is not a field defined before it" in str(en.value)
    assert str(zh.value) != str(en.value)


# --- versions ---------------------------------------------------------------------------------


def test_every_version_stays_known_and_the_latest_is_offered(tmp_path):
    v1 = _good()
    v2 = copy.deepcopy(v1)
    v2["version"] = 2
    v2["checklist"].append({"key": "qr_trace", "label": {"zh": "追溯码", "en": "Trace code"},
                            "basis": {"zh": "示例", "en": "Example"}})
    _write(tmp_path, v1, "packaged_food.v1.json")
    _write(tmp_path, v2, "packaged_food.v2.json")
    registry = definitions.Registry(definitions.load_directory(tmp_path))
    assert registry.versions("packaged_food") == [1, 2]
    assert registry.latest("packaged_food").version == 2
    assert registry.get("packaged_food", 1).item("qr_trace") is None
    assert registry.get("packaged_food", 2).item("qr_trace") is not None
    assert [d.version for d in registry.current()] == [2]


# Version 2 of every shipped definition is version 1 with full-width Chinese punctuation
# (第(一)项 -> 第（一）项): nothing else changed. Version 1 stays: checks made with it open
# and print as they were made.
FULL_WIDTH_VERSION = 2


def _width_folded(doc):
    """The document with full-width marks read as half-width, less version and date."""
    if isinstance(doc, dict):
        return {k: _width_folded(v) for k, v in doc.items() if k not in ("version", "released")}
    if isinstance(doc, list):
        return [_width_folded(v) for v in doc]
    if isinstance(doc, str):
        return doc.translate(str.maketrans("，：；？！（）", ",:;?!()"))
    return doc


@pytest.mark.parametrize("form_id", sorted(CATEGORIES))
def test_the_full_width_version_changes_only_punctuation(form_id):
    v1, v2 = (json.loads((SHIPPED / f"{form_id}.v{n}.json").read_text(encoding="utf-8"))
              for n in (1, FULL_WIDTH_VERSION))
    assert (v1["version"], v2["version"]) == (1, FULL_WIDTH_VERSION)
    assert v1 != v2
    assert _width_folded(v1) == _width_folded(v2)


def test_new_checks_use_the_full_width_version_and_old_ones_keep_theirs():
    registry = definitions.builtin()
    for form_id in CATEGORIES:
        assert registry.versions(form_id) == [1, FULL_WIDTH_VERSION]
        new, old = registry.latest(form_id), registry.get(form_id, 1)
        assert new.version == FULL_WIDTH_VERSION
        assert new.item("cert").basis.zh.endswith("第二十七条第一款第（一）项"), form_id
        assert old.item("cert").basis.zh.endswith("第二十七条第一款第(一)项"), form_id
        assert [i.key for i in new.checklist] == [i.key for i in old.checklist]
        assert [(f.key, f.show_if) for f in new.fields] == [(f.key, f.show_if)
                                                           for f in old.fields]
        assert [i.applies_if for i in new.checklist] == [i.applies_if for i in old.checklist]


def test_a_version_cannot_be_given_other_content(tmp_path):
    from inspector_app.core import i18n

    i18n.set_language("en")
    other = _good()
    other["checklist"][0]["label"]["zh"] = "改过的标签"
    changed = definitions.parse(json.dumps(other).encode(), "elsewhere.json")
    registry = definitions.Registry(definitions.builtin())
    with pytest.raises(DefinitionError, match="already known"):
        registry.add(changed)


def test_synced_definitions_are_checked_and_bad_ones_left_out(caplog):
    class Row:
        def __init__(self, item_id, content):
            self.item_id, self.content = item_id, content

    shipped = definitions.builtin().versions("packaged_food")
    new, worse = shipped[-1] + 1, shipped[-1] + 2
    v2 = _good()
    v2["version"] = new
    bad = _good()
    bad["version"] = worse
    _field(bad, "brand")["type"] = "script"
    registry = definitions.with_synced([
        Row(f"packaged_food.v{new}", json.dumps(v2, ensure_ascii=False)),
        Row(f"packaged_food.v{worse}", json.dumps(bad, ensure_ascii=False)),
        Row("../../etc/passwd", "{}"),
    ])
    assert registry.versions("packaged_food") == [*shipped, new]
    assert f"sync:packaged_food.v{worse}" in caplog.text
    assert "sync:../../etc/passwd" in caplog.text


def test_registry_for_a_store_adds_what_sync_pulled(store):
    from datetime import UTC, datetime

    from inspector_app.core.models import SyncReference

    shipped = definitions.builtin().versions("packaged_food")
    v2 = _good()
    v2["version"] = new = shipped[-1] + 1
    with store.write() as session:
        session.add(SyncReference(kind=definitions.SYNC_KIND, item_id=f"packaged_food.v{new}",
                                  version=new, content=json.dumps(v2),
                                  received_at=datetime.now(UTC)))
    with store.read() as session:
        registry = definitions.registry_for(session)
    assert registry.versions("packaged_food") == [*shipped, new]


# --- conditions -------------------------------------------------------------------------------


def test_conditions_are_evaluated_as_data():
    values = {"kind": "seed", "count": 3, "ok": False, "name": "  "}
    assert conditions.evaluate({"field": "kind", "equals": "seed"}, values)
    assert conditions.evaluate({"field": "kind", "in": ["seed", "pesticide"]}, values)
    assert not conditions.evaluate({"field": "name", "filled": True}, values)
    assert conditions.evaluate({"field": "missing", "filled": False}, values)
    assert conditions.evaluate({"field": "ok", "equals": False}, values)
    assert not conditions.evaluate({"field": "count", "equals": True}, {"count": 1})
    assert conditions.evaluate({"all": [{"field": "kind", "equals": "seed"},
                                        {"not": {"field": "ok", "equals": True}}]}, values)
    assert conditions.evaluate({"any": [{"field": "kind", "equals": "x"},
                                        {"field": "count", "equals": 3}]}, values)


def test_a_hidden_field_counts_as_empty_in_later_conditions():
    defn = definitions.builtin().latest("general_goods")
    values = {"product_name": "雨伞", "use_by": False, "shelf_life": "12个月",
              "licence_required": True, "licence_no": "XK06-014-00123"}
    shown = defn.visible_keys(values)
    assert "shelf_life" not in shown and "licence_no" in shown
    items = {i.key for i in defn.applicable_items(values)}
    assert "dates" not in items and "licence_xk" in items
