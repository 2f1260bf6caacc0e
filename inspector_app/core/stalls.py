"""How a stall is named in text: one helper for every document and screen.

A stall number is kept as the market writes it: "A12", "B区235号", "3号摊位". In text it
reads "A12号摊位", "B区235号摊位", "3号摊位": 号 and 摊位 are added only where the number
does not already end with them.
"""

from __future__ import annotations


def stall_label(number: str | None) -> str:
    """The stall as text ("B区235号" -> "B区235号摊位"); "" for no stall."""
    number = (number or "").strip()
    if not number:
        return ""
    if number.endswith(("摊位", "摊")):
        return number
    if number.endswith("号"):
        return number + "摊位"
    return number + "号摊位"


def stall_place(market: str | None, number: str | None) -> str:
    """A market and a stall as one place: "东门市场B区235号摊位" (either may be missing)."""
    return "".join(x for x in ((market or "").strip(), stall_label(number)) if x)
