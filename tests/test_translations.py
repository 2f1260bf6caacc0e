"""Every user-facing string has its zh_CN translation, and the shipped catalog is compiled."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

import translations


def _messages(catalog) -> dict:
    """id -> translation of every translated, non-fuzzy entry (the header left out: it
    names the tool's version, which differs from machine to machine)."""
    def plain(value):  # a plural entry's id and string are sequences (list or tuple)
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {plain(m.id): plain(m.string) for m in catalog
            if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, (list, tuple))
                                         else m.string)}


def test_every_marked_string_is_translated():
    for po_path in translations.catalogs():
        assert translations.missing(po_path) == [], po_path


def test_compiled_catalogs_match_their_sources():
    """The shipped .mo holds exactly the .po's translations (compared by content)."""
    catalogs = translations.catalogs()
    assert catalogs, "no translation catalogs found"
    for po_path in catalogs:
        with po_path.open("rb") as fh:
            source = _messages(read_po(fh))
        with po_path.with_suffix(".mo").open("rb") as fh:
            compiled = _messages(read_mo(fh))
        assert compiled == source, f"run: python packaging/translations.py compile ({po_path})"


def test_no_translation_shows_a_template_choice_literally():
    """The templates' "场所/设施/财物" and "查封/扣押" are resolved from the record; the
    screen and paper never show the choice itself."""
    for po_path in translations.catalogs():
        with po_path.open("rb") as f:
            catalog = read_po(f)
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                assert "场所/设施" not in (text or "") and "查封/扣押" not in (text or ""), \
                    (message.id, text)
