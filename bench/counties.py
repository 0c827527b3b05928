"""The generated county scenario the benchmarks solve (`opt generate counties`, seed 1)."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(regions: int, out: Path, years: str = "2024:2035", seed: int = 1) -> Path:
    subprocess.run([sys.executable, "-m", "optimizer", "generate", "counties", "--regions", str(regions),
                    "--years", years, "--seed", str(seed), "--out", str(out)], check=True, capture_output=True)
    return out


def timed_solve(scenario: Path, out: Path, sets: list[str], codes: tuple[int, ...] = (0,)) -> float:
    """`opt solve` end to end in a fresh process, with `--set`s: its seconds (a failed solve, one whose exit code is
    not in `codes`, stops the bench)."""
    cmd = [sys.executable, "-m", "optimizer", "solve", str(scenario), "--out", str(out)]
    for s in sets:
        cmd += ["--set", s]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t
    if r.returncode not in codes:
        raise SystemExit(f"opt solve failed ({r.returncode}): {r.stdout[-2000:]} {r.stderr[-2000:]}")
    return seconds


def rounds(regions: int, n: int, settings: dict[str, list[str]], base: str) -> None:
    """The generated counties solved under each setting in turn, n rounds (so that the machine's slower and
    faster minutes fall on all of them); prints each run, then the medians and their ratio to `base`."""
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "counties.yaml"
        generate(regions, scenario)
        times: dict[str, list[float]] = {k: [] for k in settings}
        for i in range(n):
            for name, sets in settings.items():
                s = timed_solve(scenario, Path(tmp) / f"out-{i}-{len(times[name])}", sets)
                times[name].append(s)
                print(f"round {i + 1}: {name:32s} {s:6.1f} s", flush=True)
        first = statistics.median(times[base])
        print(f"\n{regions} counties x 12 years, {n} rounds")
        for name, ts in times.items():
            m = statistics.median(ts)
            print(f"| {name} | {m:.1f} s | {m / first:.3f}x | {', '.join(f'{t:.1f}' for t in ts)} |")
