"""The full-width punctuation checker for Chinese text, shared by the tests that scan the
catalog and everything else the app ships (source string literals, definitions, schemas).

A half-width , : ; ? ! ( ) next to a Chinese character is an error. Placeholders ({name}),
URLs, `code`, menu mnemonics ("文件(&F)") and file-dialog filters ("所有文件 (*)" with ;;)
are left alone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\U00020000-\U0002ffff]")
IDEOGRAPH = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
HALF = re.compile(r"[,:;?!()]")
UNTOUCHED = re.compile(r"\{[^{}]*\}|https?://\S+|`[^`]*`|\(&\w\)")

# Calls whose string arguments are not Chinese text a user reads:
# _() and friends take English source strings (their zh_CN is checked in the catalog);
# the re functions take patterns, which match what users type, half-width marks included.
TRANSLATE_CALLS = frozenset({"_", "N_", "ngettext", "gettext", "pgettext", "npgettext"})
REGEX_CALLS = frozenset({"compile", "match", "fullmatch", "search", "sub", "subn", "split",
                         "findall", "finditer"})


def half_width_marks(text: str) -> list[str]:
    """Each half-width mark next to a Chinese character, shown in its context."""
    if ";;" in text or not CJK.search(text):
        return []
    masked = UNTOUCHED.sub(lambda m: "_" * len(m.group()), text)
    found = []
    for m in HALF.finditer(masked):
        i = m.start()
        near = masked[max(i - 1, 0):i] + masked[i + 1:i + 2]
        if CJK.search(near):
            found.append(text[max(i - 4, 0):i + 5])
    return found


# --- where Chinese text is shipped outside the catalog -----------------------------------


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return f"{owner}.{func.attr}"
    return ""


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are not Chinese text: docstrings, the arguments of
    _() and friends, and regular-expression patterns."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            translated = name.rpartition(".")[2] in TRANSLATE_CALLS and (
                "." not in name or name.startswith("i18n."))
            regex = name.startswith("re.") and name[3:] in REGEX_CALLS
            if translated or regex:
                for arg in node.args:
                    for sub in ast.walk(arg):
                        out.add(id(sub))
    return out


def _text_of(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's with each replacement shown as {…}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("{…}")
        return "".join(parts)
    return None


def python_strings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal in a Python file that holds Chinese text
    (at least one ideograph), except docstrings, _() source strings and regex patterns."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    exempt = _exempt_nodes(tree)
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside_fstring.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if id(node) in exempt or id(node) in inside_fstring:
            continue
        text = _text_of(node)
        if text and IDEOGRAPH.search(text):
            yield node.lineno, text


def json_strings(doc: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) of every string in a JSON document that holds Chinese text."""
    if isinstance(doc, str):
        if IDEOGRAPH.search(doc):
            yield where, doc
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield from json_strings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(doc, list):
        for n, value in enumerate(doc):
            yield from json_strings(value, f"{where}[{n}]")
