"""One translation mechanism for the core, the CLI and the UI: GNU gettext catalogs.

Source strings are English; zh_CN is the default language. Catalogs live in
resources/locale/<lang>/LC_MESSAGES/inspector.{po,mo}.
"""

from __future__ import annotations

import gettext

from inspector_app.core.resources import locale_dir

DOMAIN = "inspector"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Switch every later `_()` call to `language` (unknown languages fall back to English)."""
    global _current, _language
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    _language = language
    if language == "en":
        _current = gettext.NullTranslations()
    else:
        _current = gettext.translation(
            DOMAIN, localedir=str(locale_dir()), languages=[language], fallback=True
        )


def language() -> str:
    return _language


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


set_language(DEFAULT_LANGUAGE)
