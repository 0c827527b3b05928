"""The price of a target as a curve (opt explain --curve KEY): person-services unserved and the objective
against the target's value, from one model re-solved point after point (parametric), not from independent runs.

The knob is shifted uniformly, as the diagnosis shifts it (optimizer.diagnose): every year of its schedule by
d. Where the shift moves only bounds (optimizer.exact.direction, checked on the range's ends and middle),
each point is the first point's model with its bounds moved, nothing rebuilt; otherwise each point's model is
built (its matrix changes: a ratio cap, a share floor). Either way HiGHS's simplex starts each point from
the previous point's basis, so a point costs a few pivots where the knob moves little."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.backend.solve import solve
from optimizer.backend.status import Status
from optimizer.exact import direction, moved
from optimizer.models.build import build_model
from optimizer.models.registry import Knob
from optimizer.postprocess.results import OBJECTIVE_UNIT, arrays, people_unserved
from optimizer.preprocess.data import build_data

DEFAULT_POINTS = 11


@dataclass(frozen=True)
class Curve:
    knob: Knob
    table: pd.DataFrame  # one row per point: the knob's value (its largest year), shift, status, objective, unserved
    parametric: bool  # bounds moved on one model (True) or each point built (False)
    objective_unit: str
    solve_seconds: float  # all points' solves together (the manifest's; the table has no timings)


def _largest(schedule) -> float:
    values = schedule.values() if isinstance(schedule, dict) else [schedule]
    return max(float(v) for v in values if v is not None)


def default_shifts(scenario, knob: Knob, points: int) -> np.ndarray:
    """From half the knob's largest value tighter to half looser (a cap of 1.5x: 1.0x to 2.0x, kept at 1x or
    more; a floor of 15 per 10k: 22.5 down to 7.5, kept at 0 or more), `points` evenly."""
    from optimizer.diagnose import _get

    v = _largest(_get(scenario, knob.path))
    half = 0.5 * abs(v) if v else 1.0
    lo, hi = -half, half
    if knob.sign < 0 and math.isfinite(knob.limit):  # a floor goes no lower than its limit
        hi = min(hi, v - knob.limit)
    if knob.sign > 0 and knob.unit == "x":  # a ratio cap of less than 1x holds no plan
        lo = max(lo, 1.0 - v)
    if knob.unit == "share":  # a share stays within 0 to 100%
        lo, hi = (max(lo, v - 1.0), hi) if knob.sign < 0 else (lo, min(hi, 1.0 - v))
    return np.linspace(lo, hi, points)


def price_curve(scenario, knob: Knob, shifts: np.ndarray, solver_opts: dict) -> Curve:
    """Each shift's person-services unserved and objective, the points in order, each solve warm-started."""
    from optimizer.diagnose import _shifted

    def built(d: float):
        s = _shifted(scenario, knob, d)[0]
        return build_model(build_data(s), s)

    lo, hi = float(shifts[0]), float(shifts[-1])
    first, ctx = built(lo)
    g = direction(lambda u: built(lo + u)[0], hi - lo, first) if hi > lo else None
    opts: dict[str, Any] = dict(solver_opts)
    basis = None
    rows = []
    seconds = 0.0
    for d in shifts:
        model, point_ctx = (moved(first, [g], [float(d) - lo]), ctx) if g is not None else built(float(d))
        highs = opts.get("solver", "auto") in ("auto", "highs") and model.A.shape[1] < 200_000
        warm: dict[str, Any] = {"basis": basis, "keep_basis": True} if highs else {}
        sol = solve(model, **opts, **warm)
        basis = sol.extra.get("basis") if sol.status is Status.OPTIMAL else basis
        x = sol.x if sol.status is Status.OPTIMAL else None
        ok = x is not None
        unserved = float(people_unserved(point_ctx.data, arrays(point_ctx, x)).sum()) if x is not None else math.nan
        sched = _shifted(scenario, knob, float(d))[1]
        rows.append({"value": _largest(sched), "shift": float(d), "status": sol.status.value,
                     "objective": float(sol.objective) if ok else math.nan, "person_services_unserved": unserved})
        seconds += sol.seconds
    return Curve(knob, pd.DataFrame(rows), g is not None, OBJECTIVE_UNIT[scenario.objective.kind], seconds)


def draw(curve: Curve, written: float, path: Path) -> None:
    """The objective (people unserved as the scenario counts them: one value at every point, where the
person-services of one optimal answer may differ from another's) against the knob's value; the value written in the scenario marked; points with
    no answer (infeasible) shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    t = curve.table
    ok = t[t["status"] == "optimal"]
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.plot(ok["value"], ok["objective"], marker="o")
    for v in t.loc[t["status"] != "optimal", "value"]:
        ax.axvline(v, color="0.85", lw=4, zorder=0)
    ax.axvline(written, color="tab:red", ls="--", label=f"as written: {written:g} {curve.knob.unit}")
    ax.legend()
    ax.set_xlabel(f"{curve.knob.what} ({curve.knob.unit}; input)")
    ax.set_ylabel(f"objective: {curve.objective_unit} (output)")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title(f"the price of the {curve.knob.what}" + ("" if len(ok) == len(t) else " (grey: infeasible)"))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)




def money_needed(scenario, knob: Knob, budget: Knob, solver_opts: dict) -> pd.DataFrame:
    """The least yearly budget that makes the plan feasible against how many years later `knob`'s milestones
    come (0 to the most its first milestone allows): at each delay one elastic LP on the budget, allowed to go
    down as far as its line holds (to 0) as well as up, on the model built with the milestones moved."""
    from optimizer.diagnose import _get, _model_of, _shifted
    from optimizer.exact import elastic

    written = _get(scenario, budget.path)
    values = [float(v) for v in (written.values() if isinstance(written, dict) else [written]) if v is not None]
    lowest = min(values)
    first = min(y for y in _get(scenario, knob.path))
    rows = []
    for later in range(int(knob.limit) + 1):
        moved_plan = _shifted(scenario, knob, float(later))[0] if later else scenario
        base = _model_of(moved_plan)

        def with_budget(d: float, plan=moved_plan):
            return _model_of(_shifted(plan, budget, d)[0])

        g = direction(with_budget, max(lowest, 1.0), base)
        if g is None:  # the budget moves the matrix here (a pool's share of it): no exact answer
            rows.append({"years_later": later, "first_milestone": first + later, "status": "not exact",
                         "least_budget": math.nan, "budget_change": math.nan})
            continue
        sol = solve(elastic(base, [replace(g, hi=math.inf)], [1.0], least=[-lowest]), **solver_opts)
        ok = sol.status is Status.OPTIMAL and sol.x is not None
        change = float(sol.x[-1]) if ok and sol.x is not None else math.nan
        rows.append({"years_later": later, "first_milestone": first + later, "status": sol.status.value,
                     "least_budget": lowest + change, "budget_change": change})
    return pd.DataFrame(rows)


def draw_money(table: pd.DataFrame, knob: Knob, budget_unit: str, written: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = table[table["status"] == "optimal"]
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.plot(ok["first_milestone"], ok["least_budget"], marker="o", label="least budget that meets every target")
    ax.axhline(written, color="tab:red", ls="--", label=f"budget as written: {written:g} {budget_unit}")
    ax.legend()
    ax.set_xlabel(f"year the first of the {knob.what} is reached (input)")
    ax.set_ylabel(f"least yearly budget ({budget_unit}; output)")
    ax.set_xticks(table["first_milestone"])
    ax.set_title(f"money needed against when the {knob.what} are reached")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)



def write_curve(folder: Path, loaded, opts: dict, table: pd.DataFrame, draw_to: Callable[[Path], None],
                timings: dict, about: dict, argv: list[str]) -> None:
    """curve.csv, curve.png (drawn by `draw_to`) and manifest.json (with `about` under 'curve'), all or nothing,
    never over a folder opt did not write."""
    from optimizer.postprocess.manifest import manifest
    from optimizer.postprocess.places import atomic_folder, sealed
    from optimizer.postprocess.write import write_csv, write_json

    with atomic_folder(folder) as tmp:
        write_csv(table, tmp / "curve.csv")
        draw_to(tmp / "curve.png")
        m = manifest(loaded, opts, "curve", timings, argv, ["curve.csv", "curve.png"])
        m["curve"] = about
        write_json(sealed(tmp, m), tmp / "manifest.json")


__all__ = ["Curve", "DEFAULT_POINTS", "default_shifts", "draw", "draw_money", "money_needed", "price_curve", "write_curve"]
