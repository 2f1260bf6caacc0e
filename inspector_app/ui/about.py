"""Help → About: the version, the data folder, and the bundled fonts with their licences."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.i18n import N_, _
from inspector_app.core.resources import fonts_dir, icon_path


@dataclass(frozen=True)
class FontLicence:
    file: str
    licence: str  # the licence column of resources/fonts/README.md


def _plain(markdown: str) -> str:
    text = re.sub(r"\*\*|`", "", markdown)
    return re.sub(r"\s+", " ", text).strip()


def font_licences(folder: Path | None = None) -> list[FontLicence]:
    """The fonts of the README's table (file in the first column, licence in the last)
    whose file is bundled."""
    folder = folder or fonts_dir()
    try:
        readme = (folder / "README.md").read_text("utf-8")
    except OSError:
        return []
    found = []
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        name = cells[0].split("`")[1]  # "`file.ttf` (14.2 MB)": the file's name
        if (folder / name).is_file():
            found.append(FontLicence(name, _plain(cells[-1])))
    return found


def licence_texts(folder: Path | None = None) -> str:
    """The licence files beside the fonts, one after the other."""
    folder = folder or fonts_dir()
    parts = []
    for path in sorted(folder.glob("LICENSE*")):
        try:
            parts.append(f"==== {path.name} ====\n\n{path.read_text('utf-8', 'replace')}")
        except OSError:
            continue
    return "\n\n".join(parts)


# The licences of the bundled fonts by name, as the README's licence column begins (the
# first that matches); the full texts are in the dialog's licence box.
LICENCE_NAMES = (
    ("Hanazono", N_("Hanazono Font License, or SIL Open Font License 1.1")),
    ("Arphic", N_("Arphic Public License")),
    ("Apache", N_("Apache License 2.0")),
    ("OFL", N_("SIL Open Font License 1.1")),
)


def licence_name(licence: str) -> str:
    """The name of the licence the README's column `licence` states, in the UI language."""
    return next((_(name) for key, name in LICENCE_NAMES if key in licence), licence)


def about_text(data_dir: Path | str | None) -> str:
    import inspector_app

    lines = [
        _("Inspector {version}").format(version=inspector_app.version()),
        _("Data folder: {path}").format(path=data_dir or _("(not open)")),
        _("Python {python}, Qt {qt}").format(python=sys.version.split()[0], qt=qVersion()),
        "",
        _("Bundled fonts:"),
    ]
    for font in font_licences():
        lines.append(_("{file}: {licence}").format(file=font.file,
                                                  licence=licence_name(font.licence)))
    return "\n".join(lines)


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path | str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(_("About Inspector"))
        self.setWindowIcon(QIcon(str(icon_path())))
        layout = QVBoxLayout(self)
        self.summary = QLabel(about_text(data_dir))
        self.summary.setObjectName("about_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(_("Licences of the bundled fonts:")))
        self.licences = QPlainTextEdit(licence_texts())
        self.licences.setObjectName("about_licences")
        self.licences.setReadOnly(True)
        self.licences.setMinimumHeight(220)
        layout.addWidget(self.licences, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 520)
