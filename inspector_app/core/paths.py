"""Where this device keeps its data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "INSPECTOR_DATA_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """`override`, else $INSPECTOR_DATA_DIR, else the platform's user data folder."""
    chosen = override or os.environ.get(ENV_DATA_DIR)
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir("Inspector", False))
    return path.expanduser().resolve()
