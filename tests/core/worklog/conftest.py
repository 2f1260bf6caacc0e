"""Fixtures of the workstation-log tests (helpers in worklog_helpers.py)."""

from __future__ import annotations

import pytest
from worklog_helpers import Station, make_station


@pytest.fixture
def station(store) -> Station:
    """A workstation (instruments, reagent batches; one batch expired) and an open shift."""
    return make_station(store)
