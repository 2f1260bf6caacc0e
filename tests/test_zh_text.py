"""Chinese text shipped outside the catalog uses full-width punctuation too: the string
literals of the app, the checklist definitions new checks are made with, and the other JSON
files shipped (the schemas). Same rules as the catalog test (tests/ui/test_zh_punctuation.py).

Left alone: docstrings and comments (nobody reads them in the app), the English source
strings given to _() (their zh_CN is in the catalog), regular-expression patterns (they match
what people type, half-width marks included), strings with no Chinese character (such as a
set of punctuation marks), and released definition versions older than the current one
(frozen: they are what checks made with them printed; tests/forms/released.json pins them).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from zh_punctuation import half_width_marks, json_strings, python_strings

from inspector_app.forms import definitions

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "inspector_app"


def _python_files() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_scan_finds_chinese_text_and_leaves_the_rest(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text('''"""文档(说明): not shown."""
import re
from inspector_app.core.i18n import _
LABEL = "农药残留(酶抑制率法)"
PATTERN = re.compile(r"肥\\(\\d{4}\\)")
HINT = _("Sealing (查封)")
LINE = f"时间:{when}"
MARKS = "，。!,"
OK = "状态：正常"
''', encoding="utf-8")
    found = {text for _line, text in python_strings(source) if half_width_marks(text)}
    assert found == {"农药残留(酶抑制率法)", "时间:{…}"}
    doc = {"a": [{"zh": "第(一)项", "en": "item (i)"}], "b": "好的，谢谢"}
    assert [w for w, t in json_strings(doc) if half_width_marks(t)] == ["a[0].zh"]


def test_string_literals_in_the_app_use_full_width_punctuation():
    bad = []
    for path in _python_files():
        for line, text in python_strings(path):
            marks = half_width_marks(text)
            if marks:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {text!r}: {marks}")
    assert bad == [], "\n".join(bad)


def test_current_definitions_use_full_width_punctuation():
    """The newest version of each definition: what new checks show and print."""
    bad = []
    for d in definitions.builtin().current():
        doc = json.loads((definitions.DEFINITIONS_DIR / d.source).read_text(encoding="utf-8"))
        for where, text in json_strings(doc):
            if half_width_marks(text):
                bad.append(f"{d.source}: {where}: {text!r}: {half_width_marks(text)}")
    assert bad == [], "\n".join(bad)


def _json_resources() -> list[Path]:
    """The JSON files shipped besides the definitions: the schemas, anything in resources/."""
    files = [*APP.rglob("*.json"), *(ROOT / "resources").rglob("*.json")]
    return sorted(p for p in files if definitions.DEFINITIONS_DIR not in p.parents)


def test_the_json_resources_include_the_schemas():
    names = {p.name for p in _json_resources()}
    assert {"definition.schema.json", "records.schema.json"} <= names


@pytest.mark.parametrize("path", _json_resources(), ids=lambda p: p.name)
def test_json_resources_use_full_width_punctuation(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    bad = [f"{where}: {text!r}" for where, text in json_strings(doc) if half_width_marks(text)]
    assert bad == [], "\n".join(bad)


def test_every_python_file_is_scanned():
    """The scan parses every file (a syntax it cannot read would hide strings)."""
    files = _python_files()
    assert len(files) > 50
    for path in files:
        ast.parse(path.read_text(encoding="utf-8"))
