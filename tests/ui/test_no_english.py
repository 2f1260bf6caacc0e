"""No English left in the zh_CN user interface.

1. A static scan of the UI code (and the CLI): every text given to a user-visible Qt setter
   or constructor goes through `_()`; no f-string mixes English words with values there.
2. The app itself in zh_CN: every page, every tab and the windows and dialogs reached from
   them (the journey of test_every_control), every user-visible text of every widget
   (titles, labels, buttons, tabs, group boxes, menus, tooltips, placeholders, item model
   headers and cells, combo box items) is checked for English words (two or more ASCII
   letters), with a short, justified allow-list.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from test_every_control import hooks, server  # noqa: F401 - fixtures of the journey

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [ROOT / "inspector_app" / "ui", ROOT / "inspector_app" / "cli"]

# method name -> the positions of its user-visible text arguments
SETTERS: dict[str, tuple[int, ...]] = {
    "setText": (0,), "setWindowTitle": (0,), "setToolTip": (0,), "setStatusTip": (0,),
    "setWhatsThis": (0,), "setPlaceholderText": (0,), "setTitle": (0,), "setLabelText": (0,),
    "setTabText": (1,), "setTabToolTip": (1,), "addTab": (1,), "insertTab": (2,),
    "addItem": (0,), "insertItem": (1,), "addItems": (0,), "setItemText": (1,),
    "setHorizontalHeaderLabels": (0,), "setVerticalHeaderLabels": (0,),
    "showMessage": (0,), "addRow": (0,), "addAction": (0,), "addMenu": (0,),
    "addButton": (0,), "setSuffix": (0,), "setPrefix": (0,), "setSpecialValueText": (0,),
    "setInformativeText": (0,), "setDetailedText": (0,), "setCancelButtonText": (0,),
    "setOkButtonText": (0,), "information": (1, 2), "warning": (1, 2), "critical": (1, 2),
    "question": (1, 2), "getItem": (1, 2), "getText": (1, 2), "getMultiLineText": (1, 2),
    "getInt": (1, 2), "getDouble": (1, 2), "getSaveFileName": (1,), "getOpenFileName": (1,),
    "getOpenFileNames": (1,), "getExistingDirectory": (1,), "setHeaderLabels": (0,),
}
CONSTRUCTORS: dict[str, tuple[int, ...]] = {
    "QLabel": (0,), "QPushButton": (0,), "QToolButton": (), "QCheckBox": (0,),
    "QRadioButton": (0,), "QGroupBox": (0,), "QAction": (0,), "QMenu": (0,),
    "QListWidgetItem": (0,), "QTableWidgetItem": (0,), "QMessageBox": (1, 2),
    "QProgressDialog": (0,), "QCommandLinkButton": (0, 1),
}
ENGLISH = re.compile(r"[A-Za-z]{2,}")
GLUE = re.compile(r"[A-Za-z:;,()!?]")  # words or ASCII punctuation next to a translation
MARKUP = re.compile(r"<[^>]*>")  # HTML tags and their attributes are not shown
URL = re.compile(r"[a-z]+://\S+|(?:/[^\s/]+)+/?")  # addresses and file paths
# Literals that may stay as they are, and why.
ALLOWED_LITERALS = {
    "https://sync.example.gov.cn",  # an example of a server address, not a sentence
    "PDF (*.pdf)",  # a file type filter: the format's name
}


def _english_parts(node: ast.AST) -> list[str]:
    """The English words in the literal text of `node` that did not go through `_()`."""
    words: list[str] = []
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in ("_", "N_", "ngettext"):
            return []
        if name == "format" and isinstance(node.func, ast.Attribute):
            return _english_parts(node.func.value)
        return []  # a value computed by a call: judged where it is made
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value in ALLOWED_LITERALS:
            return []
        return english_words(MARKUP.sub(" ", node.value))
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant):
                words += english_words(MARKUP.sub(" ", part.value))
            elif isinstance(part, ast.FormattedValue):
                words += _english_parts(part.value)
        return words
    if isinstance(node, ast.BinOp):
        return _english_parts(node.left) + _english_parts(node.right)
    if isinstance(node, ast.IfExp):
        return _english_parts(node.body) + _english_parts(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            words += _english_parts(element)
    return words


def _is_gettext(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id in ("_", "ngettext")


def untranslated(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        # An f-string that glues translated words to punctuation or other text: the
        # sentence (and its punctuation, ：；（）in Chinese) belongs in one _() with
        # placeholders, e.g. f"{name}  {_('Certificate')}: " + cert.
        if isinstance(node, ast.JoinedStr) and any(
                isinstance(v, ast.FormattedValue) and any(map(_is_gettext, ast.walk(v.value)))
                for v in node.values) and any(
                isinstance(v, ast.Constant) and GLUE.search(MARKUP.sub("", v.value))
                for v in node.values):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in SETTERS:
            positions = SETTERS[func.attr]
        elif isinstance(func, ast.Name) and func.id in CONSTRUCTORS:
            positions = CONSTRUCTORS[func.id]
        else:
            continue
        args = [a for a in node.args if not isinstance(a, ast.Starred)]
        for pos in positions:
            if pos < len(args):
                words = _english_parts(args[pos])
                if words:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: "
                                 f"{ast.unparse(args[pos])[:80]}")
    return found


def _scanned() -> list[Path]:
    return sorted(p for root in SCANNED for p in ([root] if root.is_file()
                                                   else root.rglob("*.py")))


def test_user_visible_texts_go_through_gettext():
    found = [line for path in _scanned()
             for line in untranslated(path)]
    assert not found, "texts shown to users without _():\n" + "\n".join(found)


def test_the_scan_finds_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "label.setText(f'Certificate: {cert}')\n"
        "QLabel('Name')\n"
        "box.addTab(widget, 'Basics')\n"
        "label.setText(_('Name'))\n"
        "label.setText(_('Hello, {name}').format(name=name))\n"
        "label.setText(str(n))\n"
        "text = f'{name}  {_(\"Certificate\")}: ' + cert\n", encoding="utf-8")
    global ROOT
    old, ROOT = ROOT, tmp_path
    try:
        found = untranslated(sample)
    finally:
        ROOT = old
    assert sorted(line.split(":")[1] for line in found) == ["1", "2", "3", "7"]


# --- the running app ---------------------------------------------------------------------

# English that may show in the zh_CN UI, and why.
ALLOWED_WORDS = {
    "English",  # the language menu names each language in itself
    "zhang", "demo",  # the demo account's user name and password, to be typed as shown
    "Ctrl", "Shift", "Alt", "Enter", "Tab", "Esc",  # key names, as printed on keyboards
    "mg", "kg", "ml", "mL", "cm", "mm", "ppm", "MPa", "dn",  # units (dn: a pipe's diameter)
    "QR", "PDF", "CSV", "JSON", "GTIN", "EAN", "CCC", "SC", "XK", "ID", "GB", "USB",
    "SHA", "UTC", "LED", "URL", "CA", "PNG", "JPG", "JPEG",  # names of codes and formats
    "Python", "Qt",  # About and the crash report name the versions of what the app runs on
}
ENGLISH_CAPITALS = {"OK", "YES", "NO", "ON", "OFF", "NEW", "SAVE", "OPEN", "HELP"}
TOKEN = re.compile(r"[^\s，。：；（）()、“”\"'：:,;/]+")


def english_words(text: str) -> list[str]:
    """English words in `text`, leaving out codes (a token with a digit: YQ-01, SN2024,
    GB/T 5009.199), addresses (://, .cn) and the allowed words."""
    out = []
    for token in TOKEN.findall(URL.sub(" ", text)):
        if any(c.isdigit() for c in token) or \
                token.endswith((".cn", ".com", ".json", ".pdf", ".csv", ".ttf", ".ttc")):
            continue
        for word in ENGLISH.findall(token):
            if word in ALLOWED_WORDS or word.upper() in ALLOWED_WORDS:
                continue
            # A short all-capitals word is a model or type code of the demo goods (BV,
            # BVVB cable types) or an acronym; but Qt's English OK, YES, NO are not.
            if word.isupper() and len(word) <= 5 and word not in ENGLISH_CAPITALS:
                continue
            out.append(word)
    return out


def widget_texts(root) -> list[tuple[str, str]]:
    """(what, text) of everything a user can read in `root` and its children."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QListView,
        QMenu,
        QPlainTextEdit,
        QTabWidget,
        QTextEdit,
        QWidget,
    )

    def plain(text: str) -> str:
        if "<" in text and ">" in text:
            doc = QTextDocument()
            doc.setHtml(text)
            return doc.toPlainText()
        return text

    out = [("window title", root.windowTitle())]
    for w in [root, *root.findChildren(QWidget)]:
        name = type(w).__name__
        if w.toolTip():
            out.append((f"{name} tooltip", w.toolTip()))
        if isinstance(w, QLabel) and w.isVisibleTo(root):
            out.append((name, plain(w.text())))
        elif isinstance(w, QAbstractButton) and w.isVisibleTo(root):
            out.append((name, w.text().replace("&", "")))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
            out.append((f"{name} placeholder", w.placeholderText()))
            if isinstance(w, QTextEdit) and w.isReadOnly():
                out.append((name, w.toPlainText()))
        if isinstance(w, QTabWidget):
            out += [("tab", w.tabText(i)) for i in range(w.count())]
        if isinstance(w, QComboBox):
            out += [(f"{name} item", w.itemText(i)) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model, top = w.model(), QModelIndex()
            columns = 1 if isinstance(w, QListView) else model.columnCount(top)
            for col in range(columns if not isinstance(w, QListView) else 0):
                out.append(("header", str(model.headerData(
                    col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")))
            for row in range(min(model.rowCount(top), 20)):
                for col in range(columns):
                    value = model.index(row, col).data(Qt.ItemDataRole.DisplayRole)
                    if isinstance(value, str):
                        out.append(("cell", value))
        if isinstance(w, QMenu):
            out += [("menu", a.text().replace("&", "")) for a in w.actions()]
    if hasattr(root, "menuBar"):
        def walk(menu):
            for action in menu.actions():
                yield action.text().replace("&", "")
                if action.menu() is not None:
                    yield from walk(action.menu())
        for top in root.menuBar().actions():
            out.append(("menu", top.text().replace("&", "")))
            if top.menu() is not None:
                out += [("menu", t) for t in walk(top.menu())]
    return [(what, text) for what, text in out if text]


def test_english_words_are_found():
    assert english_words("证号：Certificate: 32010001") == ["Certificate"]
    assert english_words("YQ-01 农药残留速测仪 GDYN-12M，GB/T 5009.199，mg/kg，PDF") == []
    assert english_words("https://sync.example.gov.cn") == []
    assert english_words("BVVB 2×1.5mm² 100m/卷") == []
    assert english_words("OK") == ["OK"]


@pytest.mark.usefixtures("hooks")
def test_no_english_in_the_chinese_ui(qtbot, tmp_path, start_app, sign_in, type_text,
                                      server):  # noqa: F811 - the fixture imported above
    from test_every_control import journey

    seen: dict[tuple[str, str], str] = {}

    def visit(where: str, root) -> None:
        for what, text in widget_texts(root):
            if english_words(text):
                seen.setdefault((what, text), where)

    journey(qtbot, tmp_path, start_app, sign_in, type_text, server, on_visit=visit,
            languages=False)
    found = [f"{where}: {what}: {text!r}" for (what, text), where in seen.items()]
    assert not found, "English in the zh_CN UI:\n" + "\n".join(found)
