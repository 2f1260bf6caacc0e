"""Every user-facing string has its zh_CN translation, and the shipped catalog is compiled."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

import translations


def test_every_marked_string_is_translated():
    for po_path in translations.catalogs():
        assert translations.missing(po_path) == [], po_path


def test_compiled_catalogs_match_their_sources():
    for po_path in translations.catalogs():
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        fresh = io.BytesIO()
        write_mo(fresh, catalog)
        assert po_path.with_suffix(".mo").read_bytes() == fresh.getvalue(), (
            f"run: python packaging/translations.py compile ({po_path})")
