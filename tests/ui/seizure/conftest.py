"""The seizure UI tests share the core seizure tests' helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core" / "seizure"))

from seizure_helpers import Agency, make_agency


@pytest.fixture
def agency(store) -> Agency:
    return make_agency(store)
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core" / "checks"))
