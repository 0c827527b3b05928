"""Benchmark: the objective kinds (issue 22).

    python bench/bench_fair.py provinces            # west and national under each kind
    python bench/bench_fair.py counties [--rounds 1] [--regions 2850]

provinces: for west.yaml and national.yaml under unserved, fair and maximin, the lowest share of a
category's need met (all regions summed) in 2030 and in the last year, person-services short over all
years, and the solve's seconds (in process, the model built once per run).

counties: the generated county scenario solved end to end with `opt solve` in a fresh process per run:
unserved; fair in its piecewise and its quadratic form (without the price of fairness, which is off at
this size by default); and the quadratic form with it (a second solve); alternating in each round.
Prints the medians and their ratio to unserved. Not a test.
"""
from __future__ import annotations

import argparse
import sys
import time

from counties import ROOT, rounds

KINDS = ("unserved", "fair", "maximin")


def provinces() -> None:
    sys.path.insert(0, str(ROOT))
    from optimizer.run import solve_scenario

    print("| scenario | kind | lowest share met 2030 | lowest share met, last year | person-services short | "
          "people fewer short under unserved | s |")
    print("|---|---|---|---|---|---|---|")
    for name in ("west", "national"):
        for kind in KINDS:
            t = time.perf_counter()
            o = solve_scenario(ROOT / "scenarios" / f"{name}.yaml", [f"objective.kind={kind}"], write=False)
            seconds = time.perf_counter() - t
            k = o.results.kpis
            low = k[(k["kpi"] == "need_met_lowest") & (k["scope"] == "lowest category and resource, all regions")]
            by_year = dict(zip(low["year"], low["value"]))
            price = o.results.summary.get("price_of_fairness", {})
            print(f"| {name} | {kind} | {by_year.get(2030, float('nan')):.1%} | {by_year[max(by_year)]:.1%} | "
                  f"{o.results.summary['people_unserved']:,.0f} | {price.get('people_fewer_short_if_unserved', 0):,.0f} | "
                  f"{seconds:.1f} |", flush=True)


SETTINGS = {
    "unserved": ["objective.kind=unserved"],
    "fair, piecewise": ["objective.kind=fair", "objective.price_of_fairness=false"],
    "fair, quadratic": ["objective.kind=fair", "objective.fair.form=quadratic", "objective.price_of_fairness=false"],
    "fair, quadratic, with the price of fairness": ["objective.kind=fair", "objective.fair.form=quadratic",
                                                     "objective.price_of_fairness=true"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("part", choices=["provinces", "counties"])
    ap.add_argument("--regions", type=int, default=2850)
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    provinces() if a.part == "provinces" else rounds(a.regions, a.rounds, SETTINGS, "unserved")


if __name__ == "__main__":
    main()
