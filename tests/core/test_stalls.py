"""One way to name a stall in text: 号 and 摊位 added only where missing."""

from __future__ import annotations

import pytest

from inspector_app.core.stalls import stall_label, stall_place


@pytest.mark.parametrize(("number", "text"), [
    ("B区235号", "B区235号摊位"), ("A12", "A12号摊位"), ("3号摊位", "3号摊位"),
    ("A-101", "A-101号摊位"), (" C07 ", "C07号摊位"), ("", ""), (None, ""),
])
def test_stall_label(number, text):
    assert stall_label(number) == text


def test_stall_place():
    assert stall_place("东门市场", "B区235号") == "东门市场B区235号摊位"
    assert stall_place("", "A12") == "A12号摊位"
    assert stall_place("东门市场", "") == "东门市场"
