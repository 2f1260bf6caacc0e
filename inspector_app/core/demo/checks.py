"""Labeling and certificate checks 标识检查: the product, the checklist, the outcome.

These run hundreds of thousands of times: they draw with `rnd()` (random.random) and
`pick` / `between`, which are several times faster than rng.choice/randint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from inspector_app.core.demo.bulk import canon_time, scaled
from inspector_app.core.demo.context import (
    LOCAL,
    Ctx,
    OfficerRef,
    StallRef,
    audited,
    between,
    gtin,
    pick,
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
    "correct": "已责令当事人立即改正，相关产品下架整改。",
    "sample": "已现场抽样送检，样品封存并由当事人签字确认。",
    "seizure": "涉嫌存在严重质量问题，现场实施查封扣押。",
}
_FAIL_COUNTS = (1, 1, 1, 2, 2, 3)
# Checklist rows, made once: (key, result) -> the row without its position.
_ITEM_ROWS = {
    (key, result): {"item_key": key, "label": label, "legal_basis": basis, "result": result,
                    "note": fail_note if result == "fail" else ""}
    for key, (label, basis, fail_note) in CHECK_ITEMS.items()
    for result in ("pass", "fail", "na")
}


def _product(ctx: Ctx, category: Category) -> dict[str, Any]:
    rnd = ctx.rnd
    name, spec, unit, lo, hi, shelf = pick(rnd, category.products)
    brand = pick(rnd, BRANDS)
    province, city, district = pick(rnd, PLACES)
    short = province.removesuffix("省").removesuffix("市")
    cents = between(rnd, lo * 100, hi * 100)
    if rnd() < 0.7:
        cents -= cents % 10
    return {"product_name": name, "brand": brand, "spec_model": spec, "unit": unit,
            "shelf_life": shelf, "price": scaled(cents, 2),
            "manufacturer": f"{short}{brand}{category.trade}有限公司",
            "manufacturer_address": (f"{province}{city}{district}{pick(rnd, PARKS)}"
                                     f"{pick(rnd, ROADS)}{between(rnd, 1, 200)}号"),
            "barcode": gtin(ctx.rng) if rnd() < category.barcode_rate else ""}


@dataclass
class Check:
    row: dict[str, Any]
    items: list[dict[str, Any]]
    at: datetime
    stall: StallRef
    category: str
    team: tuple[OfficerRef, OfficerRef]  # the two officers (行政处罚法 art. 42)

    @property
    def officers(self) -> list[dict[str, Any]]:
        return [{"position": n, "inspector_id": o.id, "name": o.name, "cert_no": o.cert_no}
                for n, o in enumerate(self.team, start=1)]


def make_check(ctx: Ctx, moment: datetime, fate: tuple[str, str]) -> Check:
    rng, rnd = ctx.rng, ctx.rnd
    stall = pick(rnd, ctx.checkable or ctx.stalls)
    cat_key = pick(rnd, stall.categories or tuple(CATEGORIES))
    category = CATEGORIES[cat_key]
    outcome, measure = fate
    inspector = pick(rnd, ctx.officers)
    row = _product(ctx, category)
    produced = (moment - timedelta(days=between(rnd, 3, 240))).astimezone(LOCAL).date()
    batch = (f"{produced:%Y-%m-%d}" if cat_key == "food"
             else f"{produced:%Y%m%d}{pick(rnd, 'ABCDK')}{between(rnd, 1, 9)}")
    # The common items, then some of the category's own, in checklist order.
    keys = category.items
    n_common = len(COMMON_ITEMS)
    keep = between(rnd, max(0, 6 - n_common), len(keys) - n_common)
    extra = sorted(rng.sample(range(n_common, len(keys)), keep))
    keys = keys[:n_common] + tuple(keys[i] for i in extra)
    fails = (rng.sample(range(len(keys)), pick(rnd, _FAIL_COUNTS))
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
    updated = moment + timedelta(seconds=between(rnd, 300, 1800))
    check_id = ctx.new_id()
    # The second officer comes from the check's id, not from a draw of its own, so every
    # other draw (and so the rest of the demo) stays as it was before checks named one.
    others = [o for o in ctx.officers if o.id != inspector.id]
    second = others[int(check_id[:8], 16) % len(others)]
    row.update(audited(check_id, updated, ctx.device, ctx.author(inspector.id)))
    row.update(
        status="draft" if moment > ctx.now - timedelta(days=3) and rnd() < 0.3 else "final",
        checked_at=canon_time(moment), market_id=stall.market.id, stall_id=stall.id,
        party_id=stall.party_id, category=category.label, batch_no=batch,
        quantity=str(between(rnd, 1, 50) if rnd() < 0.5 else between(rnd, 10, 500)),
        form_id="", form_version=0, outcome=outcome, outcome_override_reason="",
        measure=measure, remarks=_CHECK_REMARKS[measure], seizure_id=None)
    return Check(row, items, updated, stall, cat_key, (inspector, second))

