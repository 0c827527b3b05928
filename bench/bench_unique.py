"""Benchmark: one answer among equally good ones (issue 18.6) at county scale: `opt solve` end to end with
objective.unique.enabled true against false (2,850 generated counties x 12 years; objective unserved: the
generated default above 300 counties, the fair objective's quadratic form, cannot be held as a row, and its
piecewise form takes 3x the time there).

    python bench/bench_unique.py [--regions 2850] [--rounds 1]
"""
from __future__ import annotations

import argparse

from counties import rounds

BASE = ["objective.kind=unserved"]
SETTINGS = {
    "one answer off": BASE + ["objective.unique.enabled=false"],
    "one answer on": BASE + ["objective.unique.enabled=true"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=2850)
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    rounds(a.regions, a.rounds, SETTINGS, "one answer off")


if __name__ == "__main__":
    main()
