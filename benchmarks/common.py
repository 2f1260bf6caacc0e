"""Shared pieces of the benchmarks: the registry and a store filled with demo data."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

INSPECTOR = [str(Path(sys.executable).with_name("inspector"))]
REGISTRY: dict[str, Callable[[Context], dict]] = {}


def benchmark(name: str):
    def register(fn):
        REGISTRY[name] = fn
        return fn
    return register


def result(value: float, unit: str, target: str, ok: bool | None,
           baseline: float | None = None, **extra) -> dict:
    ratio = value / baseline if baseline else None
    return dict(value=value, unit=unit, baseline=baseline, ratio=ratio, target=target, ok=ok,
                **extra)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


median = statistics.median


class Context:
    """What benchmarks share in one run: above all, the demo store (built once)."""

    def __init__(self, quick: bool, records: int):
        self.quick = quick
        self.records = records
        self.tmp = Path(tempfile.mkdtemp(prefix="inspector-bench-"))
        self._store_dir: Path | None = None
        self.demo_seconds: float | None = None

    def store_dir(self) -> Path:
        """A data folder with `records` records of each kind (made on first use, timed)."""
        if self._store_dir is None:
            path = self.tmp / "store"
            start = time.perf_counter()
            subprocess.run([*INSPECTOR, "--data-dir", str(path), "demo", "--records",
                            str(self.records)], check=True, stdout=subprocess.DEVNULL)
            self.demo_seconds = time.perf_counter() - start
            self._store_dir = path
        return self._store_dir

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
