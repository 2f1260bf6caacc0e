"""How far ahead of this device's clock a recorded time may be (another device's clock)."""

from __future__ import annotations

from datetime import timedelta

CLOCK_SLACK = timedelta(minutes=10)
