"""Benchmark: sweep throughput with 1 and 2 Dask workers.

    python bench/bench_sweep.py [--scenario scenarios/national.yaml] [--points 24]

Varies the regional gap cap over POINTS values and prints points per second for
each worker count (Dask start-up included, as a user would see it). Not a test.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from optimizer.sweep import Vary, run_sweep

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "national.yaml"))
    ap.add_argument("--points", type=int, default=24)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    a = ap.parse_args()
    vary = [Vary("targets.regional_gap.cap", tuple(round(1.0 + 0.05 * i, 6) for i in range(a.points)))]
    base = None
    for w in a.workers:
        t = time.perf_counter()
        table = run_sweep(Path(a.scenario), vary, [], workers=w)
        dt = time.perf_counter() - t
        base = base or dt
        print(f"workers {w}: {a.points} points in {dt:.1f}s = {a.points / dt:.2f} points/s "
              f"(speed-up {base / dt:.2f}x; statuses {table['status'].value_counts().to_dict()})")


if __name__ == "__main__":
    main()
