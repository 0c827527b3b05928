"""Benchmark: how much an answer moves when its input moves a little (issue 18), with one answer chosen among
equally good ones (objective.unique.enabled: true) and without (false), side by side in one run.

For each scenario and change: the sum of absolute changes of the money cells (region x category x year, 10k
yuan) over the absolute net change of the money (1.0 is the least possible: every cell moves the same way);
the largest change of a region-year's money in percent, over the input's change in percent; and, for the base
scenario, the largest difference of a money cell between HiGHS, Clarabel and CBC over the largest cell.

    python bench/bench_stability.py [--counties 100] [--skip-national]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.run import solve_scenario  # noqa: E402

POOL = "targets.budget_pools.pools.plan_2024_2030"  # national's money: a 2024-2030 pool, min = max
CHANGES = {  # name: (alternative override lists, the first the scenario has; the input's change in percent)
    "budget -0.5%": ([["resources.fiscal.budget=*0.995"], [f"{POOL}.min=*0.995", f"{POOL}.max=*0.995"]], 0.5),
    "budget -1%": ([["resources.fiscal.budget=*0.99"], [f"{POOL}.min=*0.99", f"{POOL}.max=*0.99"]], 1.0),
    "budget -5%": ([["resources.fiscal.budget=*0.95"], [f"{POOL}.min=*0.95", f"{POOL}.max=*0.95"]], 5.0),
    "gap cap 1.5 -> 1.45": ([["targets.regional_gap.cap=*0.9666666667"]], 3.3),
    "gap cap -1%": ([["targets.regional_gap.cap=*0.99"]], 1.0),  # national's 1.85 -> 1.83 (1.45 is below 1.811)
    "a region's population +2%": ([["population.{first}=*1.02"]], 2.0),  # the population table's first region
}


def money(o) -> pd.Series:
    a = o.results.allocation
    a = a[a["resource"] == "fiscal"]
    return a.set_index(["region", "category", "year"])["allocated"].astype(float)


def scaled(loaded_raw: dict, path: str, factor: float):
    """The value at a dotted path of the raw scenario times factor, as an override (schedules: each value)."""
    node = loaded_raw
    for p in path.split("."):
        node = node[int(p)] if isinstance(node, list) else node[p]
    if isinstance(node, dict):  # a schedule, or a row of a table read as text
        return "{" + ", ".join(f"{k}: {float(v) * factor!r}" for k, v in node.items()) + "}"
    return repr(float(node) * factor)


def overrides_for(o, sets: list[str]) -> list[str]:
    out = []
    for s in sets:
        key, value = s.split("=", 1)
        if "{first}" in key:
            key = key.replace("{first}", str(next(iter(o.loaded.raw.get("population") or {"": 0}))))
        out.append(f"{key}={scaled(o.loaded.raw, key, float(value[1:]))}" if value.startswith("*") else s)
    return out


def measure(path: Path, unique: bool, solvers: bool) -> list[dict]:
    flag = [f"objective.unique.enabled={'true' if unique else 'false'}", "objective.price_of_fairness=false"]
    t = time.perf_counter()
    base = solve_scenario(path, flag, write=False)
    seconds = time.perf_counter() - t
    m0 = money(base)
    rows = [{"change": "(none)", "seconds": seconds}]
    for name, (alternatives, pct) in CHANGES.items():
        for sets in alternatives:
            try:
                sets = overrides_for(base, sets)
                break
            except (KeyError, IndexError, TypeError):
                continue  # the scenario has no such key (a county scenario without a gap cap)
        else:
            continue
        o = solve_scenario(path, flag + sets, write=False)
        if o.results is None:
            rows.append({"change": name, "status": o.solution.status.value})
            continue
        m1 = money(o).reindex(m0.index, fill_value=0.0)
        diff = m1 - m0
        net = abs(diff.sum())
        by_ry = m0.groupby(level=["region", "year"]).sum()
        d_ry = diff.groupby(level=["region", "year"]).sum()
        pct_ry = (d_ry.abs() / by_ry.where(by_ry > 1e-6)).max() * 100
        rows.append({"change": name, "moved_over_net": diff.abs().sum() / net if net > 1e-6 else np.nan,
                     "moved_10k_yuan": diff.abs().sum(), "net_10k_yuan": diff.sum(),
                     "largest_region_year_pct_over_input_pct": pct_ry / pct})
    if solvers:
        for solver in ("clarabel", "cbc"):
            o = solve_scenario(path, flag + [f"solver.name={solver}"], write=False)
            m1 = money(o).reindex(m0.index, fill_value=0.0)
            rows.append({"change": f"solver {solver} against highs",
                         "solver_cell_difference_over_largest": float((m1 - m0).abs().max() / m0.abs().max())})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--skip-national", action="store_true")
    a = ap.parse_args()
    scenarios = {"west": ROOT / "scenarios" / "west.yaml"}
    if not a.skip_national:
        scenarios["national"] = ROOT / "scenarios" / "national.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        if a.counties:
            from counties import generate

            scenarios[f"{a.counties} counties"] = generate(a.counties, Path(tmp) / "counties.yaml", years="2024:2030")
        out = []
        for name, path in scenarios.items():
            for unique in (False, True):
                for row in measure(path, unique, solvers=True):
                    out.append({"scenario": name, "unique": unique, **row})
                    print(out[-1], flush=True)
    table = pd.DataFrame(out)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
