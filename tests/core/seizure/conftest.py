"""Fixtures of the seizure tests (helpers in seizure_helpers.py)."""

from __future__ import annotations

import pytest
from seizure_helpers import Agency, make_agency


@pytest.fixture
def agency(store) -> Agency:
    return make_agency(store)


@pytest.fixture
def new_agency():
    """make_agency, for tests that need a second device or agency."""
    return make_agency
