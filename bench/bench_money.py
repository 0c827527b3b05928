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

from counties import rounds

POOLS = ('targets.budget_pools={pools: {plan: {years: "2024:2030", min: 40000, max: 50000, '
         'tilt: [{group: [central, west], min_share: 0.5}]}, later: {years: "2031:2035", max: 36000, move: 0.2}}}')
SETTINGS = {
    "as generated": [],
    "public-service lines + pools": ["targets.regional_gap.line=public_service", "targets.regional_gap.cap=2.5",
                                     "targets.urban_rural_gap.line=public_service", POOLS],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=2850)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    rounds(a.regions, a.rounds, SETTINGS, "as generated")


if __name__ == "__main__":
    main()
