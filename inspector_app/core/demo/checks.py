"""Labeling and certificate checks 标识检查: the product, the checklist, the outcome.

These run hundreds of thousands of times: they draw with `rnd()` (random.random) and
`_pick` / `_between`, which are several times faster than rng.choice/randint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from inspector_app.core.demo.bulk import _ct, _scaled
from inspector_app.core.demo.context import (
    LOCAL,
    _audited,
    _between,
    _Ctx,
    _gtin,
    _pick,
    _Stall,
)
from inspector_app.core.demo.vocabulary import (
    BRANDS,
    CATEGORIES,
    CHECK_ITEMS,
    COMMON_ITEMS,
    OPTIONAL_ITEMS,
    PARKS,
    PLACES,
    ROADS,
    Category,
)

FATES = (("conforming", "", 80), ("nonconforming", "correct", 11),
         ("nonconforming", "sample", 5), ("nonconforming", "seizure", 4))
_CHECK_REMARKS = {
    "": "",
    "correct": "已责令当事人立即改正,相关产品下架整改。",
    "sample": "已现场抽样送检,样品封存并由当事人签字确认。",
    "seizure": "涉嫌存在严重质量问题,现场实施查封扣押。",
}
_FAIL_COUNTS = (1, 1, 1, 2, 2, 3)
# Checklist rows, made once: (key, result) -> the row without its position.
_ITEM_ROWS = {
    (key, result): {"item_key": key, "label": label, "legal_basis": basis, "result": result,
                    "note": fail_note if result == "fail" else ""}
    for key, (label, basis, fail_note) in CHECK_ITEMS.items()
    for result in ("pass", "fail", "na")
}


def _product(ctx: _Ctx, category: Category) -> dict[str, Any]:
    rnd = ctx.rnd
    name, spec, unit, lo, hi, shelf = _pick(rnd, category.products)
    brand = _pick(rnd, BRANDS)
    province, city, district = _pick(rnd, PLACES)
    short = province.removesuffix("省").removesuffix("市")
    cents = _between(rnd, lo * 100, hi * 100)
    if rnd() < 0.7:
        cents -= cents % 10
    return {"product_name": name, "brand": brand, "spec_model": spec, "unit": unit,
            "shelf_life": shelf, "price": _scaled(cents, 2),
            "manufacturer": f"{short}{brand}{category.trade}有限公司",
            "manufacturer_address": (f"{province}{city}{district}{_pick(rnd, PARKS)}"
                                     f"{_pick(rnd, ROADS)}{_between(rnd, 1, 200)}号"),
            "barcode": _gtin(ctx.rng) if rnd() < category.barcode_rate else ""}


@dataclass
class _Check:
    row: dict[str, Any]
    items: list[dict[str, Any]]
    at: datetime
    stall: _Stall
    category: str


def _make_check(ctx: _Ctx, moment: datetime, fate: tuple[str, str]) -> _Check:
    rng, rnd = ctx.rng, ctx.rnd
    stall = _pick(rnd, ctx.checkable or ctx.stalls)
    cat_key = _pick(rnd, stall.categories or tuple(CATEGORIES))
    category = CATEGORIES[cat_key]
    outcome, measure = fate
    inspector = _pick(rnd, ctx.officers)
    row = _product(ctx, category)
    produced = (moment - timedelta(days=_between(rnd, 3, 240))).astimezone(LOCAL).date()
    batch = (f"{produced:%Y-%m-%d}" if cat_key == "food"
             else f"{produced:%Y%m%d}{_pick(rnd, 'ABCDK')}{_between(rnd, 1, 9)}")
    # The common items, then some of the category's own, in checklist order.
    keys = category.items
    n_common = len(COMMON_ITEMS)
    keep = _between(rnd, max(0, 6 - n_common), len(keys) - n_common)
    extra = sorted(rng.sample(range(n_common, len(keys)), keep))
    keys = keys[:n_common] + tuple(keys[i] for i in extra)
    fails = (rng.sample(range(len(keys)), _pick(rnd, _FAIL_COUNTS))
             if outcome == "nonconforming" else ())
    items = []
    for pos, key in enumerate(keys):
        if pos in fails:
            result = "fail"
        elif key in OPTIONAL_ITEMS and rnd() < 0.06:
            result = "na"
        else:
            result = "pass"
        item = _ITEM_ROWS[(key, result)].copy()
        item["position"] = pos + 1
        items.append(item)
    updated = moment + timedelta(seconds=_between(rnd, 300, 1800))
    check_id = ctx.new_id()
    row.update(_audited(check_id, updated, ctx.device, ctx.author(inspector.id)))
    row.update(
        status="draft" if moment > ctx.now - timedelta(days=3) and rnd() < 0.3 else "final",
        checked_at=_ct(moment), market_id=stall.market.id, stall_id=stall.id,
        party_id=stall.party_id, category=category.label, batch_no=batch,
        quantity=str(_between(rnd, 1, 50) if rnd() < 0.5 else _between(rnd, 10, 500)),
        form_id="", form_version=0, outcome=outcome, outcome_override_reason="",
        measure=measure, remarks=_CHECK_REMARKS[measure], seizure_id=None)
    return _Check(row, items, updated, stall, cat_key)

