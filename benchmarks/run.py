"""Run the benchmarks and print their figures beside their baselines.

    python benchmarks/run.py [NAME ...] [--quick] [--json OUT]

Each benchmark returns a figure, its unit, the target the issue sets, and (where the issue
names one) a baseline measured in the same run; the ratio is value / baseline.
With --json, writes {name: {"value": v, "unit": u, "baseline": b, "ratio": r, ...}}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Each module registers its benchmarks.
import bench_agency  # noqa: F401
import bench_catchup  # noqa: F401
import bench_checks  # noqa: F401
import bench_foundation  # noqa: F401
import bench_oversight  # noqa: F401
import bench_review  # noqa: F401
import bench_seizure  # noqa: F401
import bench_server_memory  # noqa: F401
import bench_sync  # noqa: F401
import bench_transfer  # noqa: F401
import bench_worklog  # noqa: F401
from common import REGISTRY, Context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small store, few repetitions")
    parser.add_argument("--json", metavar="OUT", help="write the results as JSON")
    parser.add_argument("--records", type=int, help="records of each kind in the store")
    args = parser.parse_args(argv)

    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    names = args.names or list(REGISTRY)
    ctx = Context(quick=args.quick, records=args.records or (2000 if args.quick else 100_000))

    results = {}
    print(f"{'benchmark':<28}{'value':>12}  {'unit':<6}{'baseline':>12}{'ratio':>8}  target")
    for name in names:
        res = REGISTRY[name](ctx)
        results[name] = res
        base = "" if res.get("baseline") is None else f"{res['baseline']:.3f}"
        ratio = "" if res.get("ratio") is None else f"{res['ratio']:.2f}"
        mark = "" if res.get("ok") is None else ("  ok" if res["ok"] else "  MISSED")
        print(f"{name:<28}{res['value']:>12.3f}  {res['unit']:<6}{base:>12}{ratio:>8}  "
              f"{res.get('target', '')}{mark}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
