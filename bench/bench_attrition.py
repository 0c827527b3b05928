"""Benchmark: staff who leave at county scale (issue 17.3): attrition 10% against none, every person short
counting once (objective unserved, as when first measured) and the density target off (with 10% attrition the
generated supply cannot hold 15 per 10k: an infeasible plan would time the diagnosis, not the solve).

    python bench/bench_attrition.py [--regions 2850] [--rounds 1]
"""
from __future__ import annotations

import argparse

from counties import rounds

BASE = ["objective.kind=unserved", "targets.personnel_density.enabled=false"]
SETTINGS = {
    "no attrition": BASE + ["resources.personnel.attrition=0"],
    "attrition 10%": BASE + ["resources.personnel.attrition=0.1"],
    # issue 17.3: space that wears out (0.5% a year: at 2% the generated build capacity cannot keep 0.5 m2/person)
    "attrition 10%, space 0.5%": BASE + ["resources.personnel.attrition=0.1", "resources.facility.depreciation=0.005"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=2850)
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    rounds(a.regions, a.rounds, SETTINGS, "no attrition")


if __name__ == "__main__":
    main()
