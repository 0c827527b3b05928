"""Benchmark: what money as the plan counts it costs at county scale (issue 16): the gaps on the
public-service line and two budget pools (a 2024-2030 floor and ceiling with a tilt to the centre and
west; a 2031-2035 ceiling with a yearly band), against the generated scenario as it is.

    python bench/bench_money.py [--regions 2850] [--rounds 2]

Generates the county scenario, then solves it with `opt solve` in a fresh process per run, the two
settings one after the other in each round so that the machine's slower and faster minutes fall on
both. Prints end-to-end seconds per setting (median over rounds) and their ratio. Not a test.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from counties import generate

POOLS = ('targets.budget_pools={pools: {plan: {years: "2024:2030", min: 40000, max: 50000, '
         'tilt: [{group: [central, west], min_share: 0.5}]}, later: {years: "2031:2035", max: 36000, move: 0.2}}}')
SETTINGS = {
    "as generated": [],
    "public-service lines + pools": ["targets.regional_gap.line=public_service", "targets.regional_gap.cap=2.5",
                                     "targets.urban_rural_gap.line=public_service", POOLS],
}


def run(scenario: Path, out: Path, sets: list[str]) -> float:
    cmd = [sys.executable, "-m", "optimizer", "solve", str(scenario), "--out", str(out)]
    for s in sets:
        cmd += ["--set", s]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"opt solve failed ({r.returncode}): {r.stdout[-2000:]} {r.stderr[-2000:]}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=2850)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "counties.yaml"
        generate(a.regions, scenario)
        times: dict[str, list[float]] = {k: [] for k in SETTINGS}
        for i in range(a.rounds):
            for name, sets in SETTINGS.items():
                s = run(scenario, Path(tmp) / f"out-{i}-{len(times[name])}", sets)
                times[name].append(s)
                print(f"round {i + 1}: {name:30s} {s:6.1f} s", flush=True)
        base = statistics.median(times["as generated"])
        print(f"\n{a.regions} counties x 12 years, {a.rounds} rounds")
        for name, ts in times.items():
            m = statistics.median(ts)
            print(f"| {name} | {m:.1f} s | {m / base:.3f}x | {', '.join(f'{t:.1f}' for t in ts)} |")


if __name__ == "__main__":
    main()
