"""Benchmark: do the allocator tuning (optimizer/heap.py) and the forked writer
(optimizer/postprocess/parallel.py) earn their keep on this machine?

    python bench/bench_tuning.py [--regions 2850] [--rounds 2]

Generates the county scenario, then solves it with `opt solve` in a fresh process per run, in
rounds, each round running the four settings one after another (both on, OPT_HEAP=off,
OPT_FORK=off, both off) so that the machine's slower and faster minutes fall on all of them.
Prints end-to-end seconds and peak memory per setting (each run's own, median over rounds), and
checks that every run's allocation.csv is byte-identical. Not a test.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from counties import generate

SETTINGS = {"both on (default)": {}, "OPT_HEAP=off": {"OPT_HEAP": "off"}, "OPT_FORK=off": {"OPT_FORK": "off"},
            "both off": {"OPT_HEAP": "off", "OPT_FORK": "off"}}


def run(scenario: Path, out: Path, env: dict) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "optimizer", "solve", str(scenario), "--out", str(out)],
                       env={**os.environ, **env}, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"opt solve failed ({r.returncode}): {r.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB; the largest child so far
    digest = hashlib.sha256((out / "allocation.csv").read_bytes()).hexdigest()
    return seconds, peak if peak > before else float("nan"), digest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=2850)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "counties.yaml"
        generate(a.regions, scenario)
        times: dict[str, list[float]] = {k: [] for k in SETTINGS}
        digests = set()
        for i in range(a.rounds):
            for name, env in SETTINGS.items():
                s, peak, digest = run(scenario, Path(tmp) / f"out-{i}-{len(times[name])}-{name.split()[0]}", env)
                times[name].append(s)
                digests.add(digest)
                print(f"round {i + 1}: {name:20s} {s:6.1f} s  (peak of all runs so far {peak / 1024:,.0f} MiB)", flush=True)
        base = statistics.median(times["both on (default)"])
        print(f"\n{a.regions} counties x 12 years, {a.rounds} rounds; allocation.csv identical in every run: {len(digests) == 1}")
        for name, ts in times.items():
            m = statistics.median(ts)
            print(f"| {name} | {m:.1f} s | {m / base:.3f}x | {', '.join(f'{t:.1f}' for t in ts)} |")


if __name__ == "__main__":
    main()
