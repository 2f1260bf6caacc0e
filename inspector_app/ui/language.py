"""Switching the UI language: our gettext catalog plus Qt's own strings (OK, Cancel...)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from inspector_app.core import i18n

_qt_translator: QTranslator | None = None


def apply_language(language: str) -> str:
    """Use `language` for every later `_()` and for Qt's standard dialogs and buttons."""
    global _qt_translator
    i18n.set_language(language)
    language = i18n.language()
    app = QCoreApplication.instance()
    if app is None:
        return language
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language != "en":
        translator = QTranslator(app)
        path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{language}", path):
            app.installTranslator(translator)
            _qt_translator = translator
    QLocale.setDefault(QLocale("en_US" if language == "en" else language))
    return language
