"""Benchmark: building a large sharing network (graph, cutoff searches, LP rows) as a
share of the whole solve.

    python bench/bench_sharing.py [--grid 250] [--providers 2500] [--communities 25000] [--limit 15]

A street grid of GRID x GRID junctions (1-4 minutes a block), providers and
communities at random junctions; the defaults give about 100,000 reachable
provider-community pairs. Prints seconds for each stage and the build's share
of build + solve. Not a test: nothing asserts a time.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from optimizer.backend.solve import solve
from optimizer.models.build import build_model
from optimizer.models.sharing import reachable_pairs, road_graph
from optimizer.preprocess.assembled import scenario_model
from optimizer.preprocess.data import build_data
from optimizer.preprocess.schema import Scenario


def scenario(grid: int, n_prov: int, n_comm: int, limit: float, seed: int = 1) -> Scenario:
    rng = np.random.default_rng(seed)
    roads = []
    for i in range(grid):
        for j in range(grid):
            if i + 1 < grid:
                roads.append({"from": f"{i}_{j}", "to": f"{i + 1}_{j}", "minutes": float(rng.uniform(1, 4))})
            if j + 1 < grid:
                roads.append({"from": f"{i}_{j}", "to": f"{i}_{j + 1}", "minutes": float(rng.uniform(1, 4))})
    node = lambda: f"{rng.integers(grid)}_{rng.integers(grid)}"  # noqa: E731
    regions = [{"id": f"R{k}", "population": 50.0, "base_spending_pc": 600, "base_space": 5.0} for k in range(10)]
    return scenario_model().model_validate({
        "years": [2026, 2027],
        "regions": regions,
        "categories": [{"id": "space", "standard": {"fiscal": 200, "facility": 0.5}}],
        "resources": {"fiscal": {"budget": 20}, "facility": {"supply": 5, "capex": 3000}},
        "sharing": {
            "max_travel_minutes": limit,
            "providers": [{"id": f"P{i}", "region": f"R{i % 10}", "node": node(), "capacity": f"{int(rng.integers(200, 3000))} m2"}
                          for i in range(n_prov)],
            "communities": [{"id": f"Q{j}", "region": f"R{j % 10}", "node": node(), "population": "5000 people"}
                            for j in range(n_comm)],
            "roads": roads,
        },
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", type=int, default=250)
    ap.add_argument("--providers", type=int, default=2500)
    ap.add_argument("--communities", type=int, default=25000)
    ap.add_argument("--limit", type=float, default=15.0)
    a = ap.parse_args()
    t = time.perf_counter()
    s = scenario(a.grid, a.providers, a.communities, a.limit)
    t_scen = time.perf_counter() - t
    t = time.perf_counter()
    g = road_graph(s.sharing)
    t_graph = time.perf_counter() - t
    t = time.perf_counter()
    p, q, m = reachable_pairs(s.sharing)
    t_search = time.perf_counter() - t
    t = time.perf_counter()
    model, _ = build_model(build_data(s), s)
    t_build = time.perf_counter() - t  # includes the graph and the searches again
    sol = solve(model)
    print(f"grid {a.grid}x{a.grid} ({g.number_of_nodes():,} junctions, {g.number_of_edges():,} roads); "
          f"{a.providers:,} providers, {a.communities:,} communities; {len(p):,} pairs within {a.limit:g} minutes")
    print(f"scenario validation {t_scen:.2f}s | graph {t_graph:.2f}s | cutoff searches {t_search:.2f}s | "
          f"whole model build {t_build:.2f}s | solve {sol.seconds:.2f}s ({sol.status.value}) | {model!r}")
    print(f"build share of build + solve: {t_build / (t_build + sol.seconds):.1%}")


if __name__ == "__main__":
    main()
