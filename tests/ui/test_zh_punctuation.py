"""Chinese text uses full-width punctuation: in the zh_CN catalog, a half-width , : ; ? !
( ) next to a Chinese character is an error. Placeholders ({name}), URLs, `code`, menu
mnemonics ("文件(&F)") and file-dialog filters ("所有文件 (*)" with ;;) are left alone.
The checker is tests/zh_punctuation.py; tests/test_zh_text.py scans what is shipped
outside the catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from zh_punctuation import half_width_marks

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "resources" / "locale" / "zh_CN" / "LC_MESSAGES" / "inspector.po"


def test_the_checker_sees_what_it_should():
    assert half_width_marks("状态:{state}") == ["状态:{sta"]
    assert half_width_marks("剩余{days}天(至{date})") != []
    assert half_width_marks("状态：{state}") == []
    assert half_width_marks("文件(&F)") == []
    assert half_width_marks("CSV文件 (*.csv);;所有文件 (*)") == []
    assert half_width_marks("服务器地址，https://a.b/c?d=1") == []
    assert half_width_marks("比例 1:2") == []
    assert half_width_marks("Error: no (English only)") == []


def test_chinese_translations_use_full_width_punctuation():
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh)
    bad = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) \
            else [message.string]
        for text in strings:
            if text and half_width_marks(text):
                bad.append(f"{text!r}: {half_width_marks(text)}")
    assert bad == [], "\n".join(bad)
