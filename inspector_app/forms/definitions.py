"""Checklist definitions: loading, validating, and finding the version a record was made with.

A definition is a JSON file `definitions/<id>.v<version>.json` (see README.md in this
folder): the fields and the checklist of the labeling check of one product category. A
released version never changes; a change is a new version in a new file, and every older
version stays, so a record made with it (LabelCheck.form_id / form_version, and the file's
SHA-256 in form_sha256) still opens, shows and prints as it was made.

Loading trusts nothing, because definitions may later arrive by sync: the size is bounded,
the JSON may not repeat a key or hold NaN, the JSON Schema (`definition.schema.json`) checks
the shape, and `_Semantics` checks what a schema cannot (unique keys, conditions naming
earlier fields with values those fields can take, bounds that fit the record's columns,
patterns that compile and cannot backtrack badly). Nothing in a definition is executed:
conditions are data evaluated by `conditions.evaluate`, formats are names of rules in
`formats.py`. Every error names the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from inspector_app.core import i18n
from inspector_app.core.i18n import _
from inspector_app.forms import conditions, formats

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEFINITIONS_DIR = HERE / "definitions"
SCHEMA_PATH = HERE / "definition.schema.json"
FILE_NAME = re.compile(r"([a-z][a-z0-9_]{0,47})\.v([1-9][0-9]{0,3})\.json")
MAX_BYTES = 256 * 1024
SYNC_KIND = "form"  # SyncReference.kind of definitions pulled from the server

FIELD_TYPES = ("text", "multiline", "integer", "decimal", "date", "choice", "yesno", "gtin13")
TEXT_TYPES = ("text", "multiline")


@dataclass(frozen=True)
class ColumnRule:
    """A field whose key is a LabelCheck column is stored in that column."""

    types: tuple[str, ...]
    max_length: int = 0  # for text columns
    decimals: int = 0  # for numeric columns


COLUMN_FIELDS: dict[str, ColumnRule] = {
    "product_name": ColumnRule(("text",), 128),
    "brand": ColumnRule(("text",), 64),
    "spec_model": ColumnRule(("text",), 64),
    "batch_no": ColumnRule(("text",), 64),
    "shelf_life": ColumnRule(("text",), 32),
    "manufacturer": ColumnRule(("text",), 128),
    "manufacturer_address": ColumnRule(("text", "multiline"), 256),
    "barcode": ColumnRule(("gtin13",), 14),
    "unit": ColumnRule(("text", "choice"), 16),
    "quantity": ColumnRule(("decimal", "integer"), decimals=3),
    "price": ColumnRule(("decimal", "integer"), decimals=2),
}
# Header and outcome values the form keeps itself: no definition field may take these keys.
RESERVED_KEYS = frozenset({
    "id", "version", "status", "checked_at", "market_id", "stall_id", "party_id", "category",
    "form_id", "form_version", "form_sha256", "outcome", "outcome_override_reason", "measure",
    "remarks", "seizure_id", "details", "items", "attachments", "kind",
})


class DefinitionError(Exception):
    """A definition that cannot be used; names the file (or sync item) and the field."""

    def __init__(self, source: str, where: str, message: str):
        self.source, self.where, self.message = source, where, message
        super().__init__(f"{source}: {where}: {message}" if where else f"{source}: {message}")


# --- the loaded form --------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def __call__(self, language: str | None = None) -> str:
        language = language or i18n.language()
        return self.zh if language.startswith("zh") else self.en

    @classmethod
    def of(cls, data: Mapping[str, str] | None) -> Text | None:
        return None if data is None else cls(data["zh"], data["en"])


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True, eq=False)
class Field:
    key: str
    type: str
    label: Text
    required: bool = False
    help: Text | None = None
    placeholder: Text | None = None
    unit: Text | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    pattern_message: Text | None = None
    format: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int | None = None
    not_future: bool = False
    not_before: str | None = None
    choices: tuple[Choice, ...] = ()
    default: Any = None
    show_if: Mapping[str, Any] | None = None

    @property
    def column(self) -> str | None:
        """The LabelCheck column this field is stored in (else it goes in `details`)."""
        return self.key if self.key in COLUMN_FIELDS else None

    def choice_label(self, value: Any, language: str | None = None) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label(language)
        return "" if value is None else str(value)


@dataclass(frozen=True, eq=False)
class Item:
    key: str
    label: Text
    basis: Text
    hint: Text | None = None
    fail_note: Text | None = None
    allow_na: bool = False
    applies_if: Mapping[str, Any] | None = None


@dataclass(frozen=True, eq=False)
class Definition:
    id: str
    version: int
    released: str
    category: Text
    fields: tuple[Field, ...]
    checklist: tuple[Item, ...]
    sha256: str
    source: str
    order: int = 1000
    note: Text | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {f.key: f for f in self.fields})
        object.__setattr__(self, "_items_by_key", {i.key: i for i in self.checklist})

    def field(self, key: str) -> Field | None:
        return self._by_key.get(key)  # type: ignore[attr-defined]

    def item(self, key: str) -> Item | None:
        return self._items_by_key.get(key)  # type: ignore[attr-defined]

    def visible_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The values of the fields shown for `values`, in order (hidden fields left out).

        A condition sees only the fields before it, and a hidden field as empty.
        """
        shown: dict[str, Any] = {}
        for f in self.fields:
            if conditions.evaluate(f.show_if, shown):
                shown[f.key] = condition_value(f, values.get(f.key))
        return shown

    def visible_keys(self, values: Mapping[str, Any]) -> list[str]:
        return list(self.visible_values(values))

    def applicable_items(self, values: Mapping[str, Any]) -> list[Item]:
        shown = self.visible_values(values)
        return [i for i in self.checklist if conditions.evaluate(i.applies_if, shown)]


def condition_value(f: Field, raw: Any) -> Any:
    """A field's value as conditions compare it (typed where the text allows)."""
    if raw is None:
        return None
    if f.type == "yesno":
        return raw if isinstance(raw, bool) else None
    if f.type == "integer":
        try:
            return int(str(raw).strip())
        except ValueError:
            return None
    if isinstance(raw, str):
        return raw.strip()
    return raw


# --- loading ----------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(_("the key {key!r} appears twice in one object").format(key=key))
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(_("{name} is not allowed").format(name=name))


def parse_json(data: bytes, source: str) -> Any:
    if len(data) > MAX_BYTES:
        raise DefinitionError(source, "", _("the file is larger than {n} KB").format(
            n=MAX_BYTES // 1024))
    try:
        text = data.decode("utf-8-sig")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_float=Decimal,
                          parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise DefinitionError(source, "", _("the file is not UTF-8 text")) from None
    except RecursionError:
        raise DefinitionError(source, "", _("the JSON is nested too deeply")) from None
    except ValueError as exc:
        raise DefinitionError(source, "", _("the file is not valid JSON ({error})").format(
            error=exc)) from None


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _where(doc: Any, path: Iterable[Any]) -> str:
    """A JSON path as a reader finds it: fields[3] (licence_no).show_if.field."""
    out = ""
    node = doc
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("key"), str):
                out += f" ({node['key']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def parse(data: bytes, source: str, expect: tuple[str, int] | None = None) -> Definition:
    """Validate and load one definition from its bytes.

    `source` names it in errors (a file name, or a sync item); `expect` is the
    (id, version) its name promises.
    """
    doc = parse_json(data, source)
    if not isinstance(doc, dict):
        raise DefinitionError(source, "", _("a definition is a JSON object"))
    import jsonschema

    errors = list(_validator().iter_errors(doc))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise DefinitionError(source, _where(doc, best.absolute_path) or "(top level)",
                              best.message)
    if expect is not None and (doc["id"], doc["version"]) != expect:
        raise DefinitionError(source, "id", _(
            "the name promises {id} version {version}, the content is {cid} version "
            "{cversion}").format(id=expect[0], version=expect[1], cid=doc["id"],
                                 cversion=doc["version"]))
    _Semantics(doc, source).check()
    return _build(doc, source, hashlib.sha256(data).hexdigest())


def load_file(path: Path) -> Definition:
    path = Path(path)
    match = FILE_NAME.fullmatch(path.name)
    if match is None:
        raise DefinitionError(path.name, "", _(
            "a definition file is named <id>.v<version>.json, e.g. packaged_food.v1.json"))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DefinitionError(path.name, "", _("the file is larger than {n} KB").format(
                n=MAX_BYTES // 1024))
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(path.name, "", _("the file cannot be read ({error})").format(
            error=exc.strerror or exc)) from None
    return parse(data, path.name, (match.group(1), int(match.group(2))))


def load_directory(folder: Path) -> list[Definition]:
    """Every definition in `folder` (raises on the first bad one)."""
    return [load_file(p) for p in sorted(Path(folder).glob("*.json"))]


def _build(doc: dict[str, Any], source: str, sha: str) -> Definition:
    fields = []
    for f in doc["fields"]:
        pattern = f.get("pattern")
        fields.append(Field(
            key=f["key"], type=f["type"], label=Text.of(f["label"]),
            required=bool(f.get("required", False)), help=Text.of(f.get("help")),
            placeholder=Text.of(f.get("placeholder")), unit=Text.of(f.get("unit")),
            min_length=f.get("min_length"), max_length=f.get("max_length"),
            pattern=re.compile(pattern) if pattern else None,
            pattern_message=Text.of(f.get("pattern_message")), format=f.get("format"),
            min=_dec(f.get("min")), max=_dec(f.get("max")), decimals=f.get("decimals"),
            not_future=bool(f.get("not_future", False)), not_before=f.get("not_before"),
            choices=tuple(Choice(c["value"], Text.of(c["label"])) for c in f.get("choices", ())),
            default=f.get("default"), show_if=f.get("show_if")))
    items = tuple(Item(
        key=i["key"], label=Text.of(i["label"]), basis=Text.of(i["basis"]),
        hint=Text.of(i.get("hint")), fail_note=Text.of(i.get("fail_note")),
        allow_na=bool(i.get("allow_na", False)), applies_if=i.get("applies_if"))
        for i in doc["checklist"])
    return Definition(
        id=doc["id"], version=doc["version"], released=doc["released"],
        category=Text.of(doc["category"]), fields=tuple(fields), checklist=items, sha256=sha,
        source=source, order=doc.get("order", 1000), note=Text.of(doc.get("note")), raw=doc)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- what a schema cannot check -----------------------------------------------------------


def unsafe_pattern(pattern: str) -> str | None:
    """Why `pattern` may not be used (None if it may): it must compile, and may have no
    backreference and no repetition inside a repetition (the shapes that backtrack
    exponentially, such as (a+)+)."""
    try:
        re.compile(pattern)
        from re import _parser as sre_parse  # type: ignore[attr-defined]

        tree = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return _("the pattern does not compile ({error})").format(error=exc)
    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT} \
        if hasattr(sre_parse, "POSSESSIVE_REPEAT") else {sre_parse.MAX_REPEAT,
                                                          sre_parse.MIN_REPEAT}

    def walk(items, inside_repeat: bool) -> str | None:
        for op, av in items:
            if op in (sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS):
                return _("the pattern may not use backreferences")
            if op in repeats:
                _lo, hi, sub = av
                if inside_repeat and hi != 1:
                    return _("the pattern may not repeat a part that repeats itself "
                             "(like (a+)+): it could take very long to check")
                found = walk(sub, inside_repeat or hi != 1)
            elif op == sre_parse.SUBPATTERN:
                found = walk(av[-1], inside_repeat)
            elif op == sre_parse.BRANCH:
                found = next((r for b in av[1] if (r := walk(b, inside_repeat))), None)
            elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
                found = walk(av[1], inside_repeat)
            else:
                found = None
            if found:
                return found
        return None

    return walk(tree, False)


class _Semantics:
    def __init__(self, doc: dict[str, Any], source: str):
        self.doc, self.source = doc, source

    def fail(self, path: list[Any], message: str) -> None:
        raise DefinitionError(self.source, _where(self.doc, path), message)

    def check(self) -> None:
        fields = self.doc["fields"]
        earlier: dict[str, dict[str, Any]] = {}
        for n, f in enumerate(fields):
            here: list[Any] = ["fields", n]
            key = f["key"]
            if key in earlier:
                self.fail([*here, "key"], _("the key {key} is used by two fields").format(
                    key=key))
            if key in RESERVED_KEYS:
                self.fail([*here, "key"], _("{key} is kept by the form itself and cannot be "
                                            "a field of a definition").format(key=key))
            self.check_field(here, f, earlier)
            if "show_if" in f:
                self.check_condition([*here, "show_if"], f["show_if"], earlier, key)
            earlier[key] = f
        name = earlier.get("product_name")
        if name is None or name["type"] != "text" or not name.get("required"):
            self.fail(["fields"], _("every definition needs a required text field "
                                    "product_name"))
        seen: set[str] = set()
        for n, item in enumerate(self.doc["checklist"]):
            here = ["checklist", n]
            if item["key"] in seen:
                self.fail([*here, "key"], _("the key {key} is used by two checklist "
                                            "items").format(key=item["key"]))
            seen.add(item["key"])
            if "applies_if" in item:
                self.check_condition([*here, "applies_if"], item["applies_if"], earlier, None)

    def check_field(self, here: list[Any], f: dict[str, Any],
                    earlier: dict[str, dict[str, Any]]) -> None:
        kind = f["type"]
        only = {
            "choices": ("choice",), "min_length": TEXT_TYPES, "max_length": TEXT_TYPES,
            "pattern": ("text",), "pattern_message": ("text",), "format": ("text",),
            "min": ("integer", "decimal"), "max": ("integer", "decimal"),
            "decimals": ("decimal",), "not_future": ("date",), "not_before": ("date",),
        }
        for prop, types in only.items():
            if prop in f and kind not in types:
                self.fail([*here, prop], _("{prop} cannot be used with a field of type "
                                           "{type}").format(prop=prop, type=kind))
        if kind == "choice":
            if "choices" not in f:
                self.fail([*here], _("a choice field needs its choices"))
            values = [c["value"] for c in f["choices"]]
            for n, value in enumerate(values):
                if value in values[:n]:
                    self.fail([*here, "choices", n, "value"], _(
                        "the choice {value} appears twice").format(value=value))
        if "min_length" in f and "max_length" in f and f["min_length"] > f["max_length"]:
            self.fail([*here, "min_length"], _("min_length is greater than max_length"))
        if "min" in f and "max" in f and Decimal(str(f["min"])) > Decimal(str(f["max"])):
            self.fail([*here, "min"], _("min is greater than max"))
        for prop in ("min", "max"):
            if prop in f and kind == "integer" and Decimal(str(f[prop])) % 1:
                self.fail([*here, prop], _("the bound of an integer field must be whole"))
        if "pattern" in f:
            problem = unsafe_pattern(f["pattern"])
            if problem:
                self.fail([*here, "pattern"], problem)
            if "pattern_message" not in f:
                self.fail([*here, "pattern_message"], _(
                    "a pattern needs a pattern_message telling the user what to type"))
        if "format" in f and f["format"] not in formats.FORMATS:
            self.fail([*here, "format"], _("unknown format {name}; known: {names}").format(
                name=f["format"], names=", ".join(sorted(formats.FORMATS))))
        if "not_before" in f:
            other = earlier.get(f["not_before"])
            if other is None or other["type"] != "date":
                self.fail([*here, "not_before"], _(
                    "not_before must name a date field defined before this one"))
        if "default" in f:
            problem = self.value_problem(f, f["default"])
            if problem:
                self.fail([*here, "default"], problem)
        rule = COLUMN_FIELDS.get(f["key"])
        if rule is not None:
            if kind not in rule.types:
                self.fail([*here, "type"], _("{key} is stored in the record's own column and "
                                             "must be of type {types}").format(
                    key=f["key"], types=" or ".join(rule.types)))
            if rule.max_length and f.get("max_length", 0) > rule.max_length:
                self.fail([*here, "max_length"], _("{key} holds at most {n} characters").format(
                    key=f["key"], n=rule.max_length))
            if kind == "choice" and rule.max_length and any(
                    len(c["value"]) > rule.max_length for c in f["choices"]):
                self.fail([*here, "choices"], _("{key} holds at most {n} characters").format(
                    key=f["key"], n=rule.max_length))
            if kind == "decimal" and f.get("decimals", rule.decimals) > rule.decimals:
                self.fail([*here, "decimals"], _("{key} keeps at most {n} decimals").format(
                    key=f["key"], n=rule.decimals))

    @staticmethod
    def value_problem(f: dict[str, Any], value: Any) -> str | None:
        """Why `value` can never be a value of field `f` (None if it can)."""
        kind = f["type"]
        if kind == "yesno":
            ok = isinstance(value, bool)
        elif kind == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "choice":
            ok = value in [c["value"] for c in f.get("choices", ())]
        elif kind == "decimal":
            ok = isinstance(value, str) and _is_decimal(value)
        else:
            ok = isinstance(value, str)
        if ok:
            return None
        if kind == "choice":
            return _("{value!r} is not one of the choices of {key}").format(
                value=value, key=f["key"])
        return _("{value!r} is not a value of the {type} field {key}").format(
            value=value, type=kind, key=f["key"])

    def check_condition(self, here: list[Any], cond: dict[str, Any],
                        earlier: dict[str, dict[str, Any]], own: str | None) -> None:
        if conditions.depth(cond) > conditions.MAX_DEPTH:
            self.fail(here, _("the condition is nested more than {n} deep").format(
                n=conditions.MAX_DEPTH))
        for key, leaf in conditions.references(cond):
            target = earlier.get(key)
            if target is None:
                message = (_("the condition refers to its own field {key}") if key == own
                           else _("the condition refers to {key}, which is not a field "
                                  "defined before it"))
                self.fail([*here, "field"], message.format(key=key))
            for value in ([leaf["equals"]] if "equals" in leaf else leaf.get("in", [])):
                problem = self.value_problem(target, value)
                if problem:
                    self.fail([*here, "equals" if "equals" in leaf else "in"], problem)


def _is_decimal(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


# --- the registry -----------------------------------------------------------------------


class Registry:
    """Every known version of every definition."""

    def __init__(self, definitions: Iterable[Definition] = ()):
        self._all: dict[tuple[str, int], Definition] = {}
        for d in definitions:
            self.add(d)

    def add(self, d: Definition) -> None:
        known = self._all.get((d.id, d.version))
        if known is not None and known.sha256 != d.sha256:
            raise DefinitionError(d.source, "version", _(
                "{id} version {version} is already known with other content ({other}); "
                "a released version never changes: give the change a new version").format(
                id=d.id, version=d.version, other=known.source))
        self._all.setdefault((d.id, d.version), d)

    def get(self, form_id: str, version: int) -> Definition | None:
        return self._all.get((form_id, version))

    def latest(self, form_id: str) -> Definition | None:
        versions = [d for (i, _v), d in self._all.items() if i == form_id]
        return max(versions, key=lambda d: d.version) if versions else None

    def versions(self, form_id: str) -> list[int]:
        return sorted(v for (i, v) in self._all if i == form_id)

    def current(self) -> list[Definition]:
        """The latest version of each definition, in display order."""
        ids = {i for i, _v in self._all}
        latest = [self.latest(i) for i in ids]
        return sorted((d for d in latest if d), key=lambda d: (d.order, d.id))

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self):
        return iter(sorted(self._all.values(), key=lambda d: (d.id, d.version)))


@lru_cache(maxsize=1)
def builtin() -> Registry:
    """The definitions shipped with the app (a bad one is a bug: it raises)."""
    return Registry(load_directory(DEFINITIONS_DIR))


def with_synced(rows: Iterable[Any], base: Registry | None = None) -> Registry:
    """`base` (default: the shipped ones) plus definitions pulled from the server.

    `rows` are SyncReference rows of kind "form" (item_id "<id>.v<version>", content the
    definition's JSON). A bad one is logged and left out; it never stops the app.
    """
    registry = Registry(base or builtin())
    for row in rows:
        source = f"sync:{row.item_id}"
        match = re.fullmatch(r"([a-z][a-z0-9_]{0,47})\.v([1-9][0-9]{0,3})", row.item_id or "")
        try:
            if match is None:
                raise DefinitionError(source, "", _("the item id is not <id>.v<version>"))
            registry.add(parse(str(row.content).encode("utf-8"), source,
                               (match.group(1), int(match.group(2)))))
        except DefinitionError as exc:
            log.error("definition left out: %s", exc)
    return registry


def registry_for(session: Any) -> Registry:
    """The shipped definitions and the ones this store has pulled."""
    from sqlalchemy import select

    from inspector_app.core.models import SyncReference

    rows = session.execute(select(SyncReference.item_id, SyncReference.content).where(
        SyncReference.kind == SYNC_KIND).order_by(SyncReference.item_id)).all()
    return _with_synced_cached(tuple((r[0], r[1]) for r in rows)) if rows else builtin()


@lru_cache(maxsize=4)
def _with_synced_cached(rows: tuple[tuple[str, str], ...]) -> Registry:
    """`with_synced`, parsed once per set of pulled definitions."""

    class _Row:
        def __init__(self, item_id: str, content: str):
            self.item_id, self.content = item_id, content

    return with_synced([_Row(i, c) for i, c in rows])
