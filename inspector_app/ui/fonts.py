"""Install the bundled CJK fonts into Qt and make them the application font."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from inspector_app.core.fonts import EXTB_FAMILY, MAIN_FAMILY, bundled_font_paths

log = logging.getLogger(__name__)

_families: list[str] | None = None


def install_app_fonts(app: QApplication) -> list[str]:
    """Add the bundled fonts (once) and set the app font to main + plane-2 fallback.

    Returns the family names Qt reports for the bundled font files.
    """
    global _families
    if _families is None:
        families: list[str] = []
        for path in bundled_font_paths():
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                log.warning("could not load bundled font %s", path)
                continue
            families += QFontDatabase.applicationFontFamilies(font_id)
        _families = families
    font = app.font()
    # Qt tries these in order for each character, so 𠮷 (U+20BB7) comes from HanaMinB.
    font.setFamilies([MAIN_FAMILY, EXTB_FAMILY])
    app.setFont(font)
    return list(_families)
