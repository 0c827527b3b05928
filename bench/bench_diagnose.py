"""Benchmark: the diagnosis of an infeasible county plan against one solve (issue 20.2: every knob decided in
at most 3x one solve). The generated counties with 10% staff attrition cannot hold 15 social workers per 10k
people: `opt solve` of that plan (its solve, then the diagnosis) beside `opt solve` of the plan without
attrition (one solve), end to end in fresh processes, side by side in one run.

    python bench/bench_diagnose.py [--regions 333] [--rounds 1]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from counties import generate, timed_solve

BASE = ["objective.kind=unserved"]
FEASIBLE = BASE + ["resources.personnel.attrition=0"]
SHORT = BASE + ["resources.personnel.attrition=0.1"]


def timed(scenario: Path, out: Path, sets: list[str]) -> tuple[float, dict]:
    seconds = timed_solve(scenario, out, sets, codes=(0, 2))  # 2: the plan cannot be met (the diagnosis ran)
    return seconds, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=333)
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = generate(a.regions, Path(tmp) / "counties.yaml")
        solve_s, diag_s = [], []
        lines: list[str] = []
        for i in range(a.rounds):
            s, _ = timed(scenario, Path(tmp) / f"ok-{i}", FEASIBLE)
            d, summary = timed(scenario, Path(tmp) / f"short-{i}", SHORT)
            assert summary["status"] == "infeasible", summary["status"]
            lines = summary.get("diagnosis", [])
            solve_s.append(s)
            diag_s.append(d)
            print(f"round {i + 1}: one solve {s:.1f} s, infeasible plan with its diagnosis {d:.1f} s", flush=True)
        ms, md = statistics.median(solve_s), statistics.median(diag_s)
        print(f"\n{a.regions} counties x 12 years, {a.rounds} round(s)")
        print(f"| one solve (no attrition) | {ms:.1f} s | 1.000x |")
        print(f"| infeasible plan: solve + diagnosis (attrition 10%) | {md:.1f} s | {md / ms:.2f}x |")
        for line in lines:
            print(f"  - {line}")


if __name__ == "__main__":
    main()
