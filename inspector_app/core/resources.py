"""Where the bundled resources (fonts, translations) live.

The checkout keeps them in the top-level `resources/` folder; the wheel and the
PyInstaller bundle carry the same folder as `inspector_app/resources/` (setup.py maps it
into the package, packaging/inspector.spec copies it there).
"""

from __future__ import annotations

import os
from pathlib import Path

import inspector_app

#: Inside the package: an installed wheel or the PyInstaller bundle.
PACKAGED = Path(inspector_app.__file__).resolve().parent / "resources"
#: Beside the package: a source checkout (or an editable install of one).
CHECKOUT = Path(inspector_app.__file__).resolve().parents[1] / "resources"


def resources_dir() -> Path:
    """The resources folder: an override, the package's own copy, or the checkout's."""
    override = os.environ.get("INSPECTOR_RESOURCES_DIR")
    if override:
        return Path(override)
    if PACKAGED.is_dir():
        return PACKAGED
    return CHECKOUT


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def locale_dir() -> Path:
    return resources_dir() / "locale"


def icon_path() -> Path:
    """The application icon (PNG), drawn by packaging/icon.py."""
    return Path(inspector_app.__file__).resolve().parent / "assets" / "inspector.png"
