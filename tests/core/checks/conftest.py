"""The check tests share their helpers with the UI check tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def signed_in(signed_in):
    """As tests/conftest.py's, with a second officer (check_helpers.COLLEAGUE) in the
    roster: a check is made by two officers."""
    from check_helpers import add_colleague

    store, actor, _inspector = signed_in
    add_colleague(store, actor)
    return signed_in
