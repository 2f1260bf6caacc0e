"""Keep the translation catalogs in step with the code.

    python packaging/translations.py check     # every _() string has a zh_CN translation
    python packaging/translations.py compile   # .po -> .mo (commit both)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "resources" / "locale"
SOURCES = [ROOT / "inspector_app", ROOT / "sync"]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def source_messages() -> dict[str, str]:
    """msgid -> first place it is used, for every string marked in the code."""
    found: dict[str, str] = {}
    for src in SOURCES:
        if not src.exists():
            continue
        method_map = [("**.py", "python")]
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            str(src), method_map, keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            found.setdefault(msgid, f"{src.name}/{filename}:{lineno}")
    return found


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/inspector.po"))


def missing(po_path: Path) -> list[tuple[str, str]]:
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    # A plural entry's id is (singular, plural) and its string a tuple of forms.
    have = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog
            if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    return [(msgid, where) for msgid, where in source_messages().items() if msgid not in have]


def compile_all() -> None:
    for po_path in catalogs():
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        with po_path.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)
        print(f"compiled {po_path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "compile":
        compile_all()
        return 0
    bad = 0
    for po_path in catalogs():
        for msgid, where in missing(po_path):
            print(f"{po_path.parent.parent.name}: untranslated {msgid!r} ({where})")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
