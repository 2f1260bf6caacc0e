"""Install the bundled CJK fonts into Qt and make them the application font."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from inspector_app.core.fonts import SCREEN_CHAIN, font_path

log = logging.getLogger(__name__)

_families: list[str] | None = None

# Qt tries these in order for each character: the sans UI face, then the body chain of
# the documents (Ext A from Noto Serif, 𠮷 U+20BB7 from HanaMinB, Ext G/H from BabelStone).
FAMILIES = [font.family for font in SCREEN_CHAIN]


def install_app_fonts(app: QApplication) -> list[str]:
    """Add the bundled screen fonts (once) and set the app font to their fallback chain.

    Returns the family names Qt reports for the bundled font files.
    """
    global _families
    if _families is None:
        families: list[str] = []
        for font in SCREEN_CHAIN:
            path = font_path(font)
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                log.warning("could not load bundled font %s", path)
                continue
            families += QFontDatabase.applicationFontFamilies(font_id)
        _families = families
    font = app.font()
    font.setFamilies(FAMILIES)
    app.setFont(font)
    return list(_families)
