"""From the solver's vector to what users read: allocation, KPIs, constraints.

Every number is recomputed from the allocation itself (levels, unmet need,
shares), not taken from auxiliary variables, so the tables check the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimizer.backend.lp import LinearModel
from optimizer.backend.status import Solution
from optimizer.models.common import Context
from optimizer.models.registry import FAMILIES, in_build_order
from optimizer.postprocess import kpis as kpi_mod
from optimizer.postprocess.coverage import share_met
from optimizer.postprocess.headline import headline_numbers
from optimizer.postprocess.rowfacts import row_facts
from optimizer.postprocess.sharing import sharing_tables
from optimizer.preprocess.data import K_FACILITY, ModelData
from optimizer.units import PEOPLE, fmt_people, people_zh

# what the objective's value counts, by kind (the terminal, results.xlsx and summary.json say it)
OBJECTIVE_UNIT = {"fair": "weighted 10k people, counted at the fair penalty's slopes",
                  "unserved": "weighted 10k people", "maximin": "weighted 10k people (its second stage)",
                  "min_cost": "100m yuan"}


@dataclass
class Arrays:
    """(R,C,K,T) in internal units."""

    alloc: np.ndarray
    level: np.ndarray
    need: np.ndarray
    base: np.ndarray
    shared: np.ndarray  # space credited from facility sharing (facility resource only)
    works: dict[str, np.ndarray] = field(default_factory=dict)  # (R,T) each family's work (Layout.works), its units
    works_outlay: np.ndarray | None = None  # (R,T) what the budget pays for that work done, 100m yuan
    works_salaries: np.ndarray | None = None  # (R,T) and for the staff it needs
    runs: np.ndarray | None = None  # space its staff can run (models.staffing), inf where no staff are needed

    @property
    def unmet(self) -> np.ndarray:
        served = self.level if self.runs is None else np.minimum(self.level, self.runs)
        return np.maximum(self.need - served, 0.0)


def _values(x: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The solution's values of columns (0 where a column is absent, -1)."""
    return np.where(cols >= 0, x[np.maximum(cols, 0)], 0.0)


def _clean(v: np.ndarray) -> np.ndarray:
    """Solver noise (and -0) is no allocation."""
    return np.where(np.abs(v) < 1e-9, 0.0, v)


def arrays(ctx: Context, x: np.ndarray) -> Arrays:
    d, lay = ctx.data, ctx.layout
    col = _values(x, lay.x)  # money this year; stocks: added so far
    stock = d.stock[None, None, :, None]
    yearly = np.where(stock, np.diff(col, axis=3, prepend=0.0), col)
    if d.attrition is not None:  # a decaying stock's column is the level still there: added = L[t] - rho L[t-1]
        rho = 1.0 - d.attrition[:, None, :, None]
        yearly[:, :, :, 1:] = np.where(stock, col[:, :, :, 1:] - rho * col[:, :, :, :-1], yearly[:, :, :, 1:])
    alloc = _clean(yearly)
    added = np.where(stock, np.cumsum(alloc, axis=3), alloc)
    if d.attrition is not None:  # what was added in tau is rho^(t - tau) of itself in t
        rho = 1.0 - d.attrition[:, None, :]
        for t in range(1, d.T):
            added[:, :, :, t] = np.where(d.stock, rho * added[:, :, :, t - 1] + alloc[:, :, :, t], added[:, :, :, t])
    base = d.base_level
    shared = np.zeros_like(alloc)
    if lay.shared is not None:
        shared[:, :, K_FACILITY, :] = _clean(_values(x, lay.shared))
    works = {name: _clean(_values(x, w.cols)) for name, w in lay.works.items()}  # running totals where w.stock
    outlay, salaries = np.zeros((d.R, d.T)), np.zeros((d.R, d.T))
    for name, w in lay.works.items():  # as the budget row pays it: what is done, and the salaries of its staff
        done = np.diff(works[name], axis=1, prepend=0.0) if w.stock else works[name]
        outlay = outlay + w.cost * done
        salaries = salaries + d.salary * w.staff * works[name]
    level = base + added + shared
    runs = None
    for k_space, k_staff, q in d.staffing:  # as the staffing rows count it: staff / q, and the space shared
        runs = np.full(level.shape, np.inf) if runs is None else runs
        runs[:, :, k_space] = level[:, :, k_staff] / q + shared[:, :, k_space]
    return Arrays(alloc, level, d.need, base, shared, works, outlay, salaries, runs)


def people_unserved(d: ModelData, a: Arrays) -> np.ndarray:
    """(R,C,K,T) people left without the standard (unweighted)."""
    return a.unmet * d.inv_std[None] * PEOPLE


def allocation_table(d: ModelData, a: Arrays) -> pd.DataFrame:
    # every (region, category, resource, year) with a variable (a standard or a bound), in that order: a stock's
    # row stays in the years nothing is added to it, so its level can be rechecked from the file
    at = np.flatnonzero(np.broadcast_to(d.active[None, :, :, None], a.alloc.shape) | (a.alloc != 0))
    r, c, k, t = np.unravel_index(at, a.alloc.shape)
    conv = np.array([u.internal / u.output_scale for u in d.resources])[k]

    def names(codes, values):  # a million rows name 2,850 regions: codes into the names, no string per row
        which, unique = pd.factorize(pd.Index(values, dtype=object))  # names may repeat (two counties called 城关镇)
        return pd.Categorical.from_codes(which[codes], categories=unique, validate=False)

    return pd.DataFrame({
        "region": names(r, d.region_ids),
        "region_name": names(r, d.region_names),
        "category": names(c, d.cat_ids),
        "category_name": names(c, d.cat_names),
        "resource": names(k, d.res_ids),
        "year": d.years[t],
        "unit": names(k, [u.output_unit for u in d.resources]),
        "allocated": a.alloc.ravel()[at] * conv,
        "baseline": a.base.ravel()[at] * conv,
        "shared": a.shared.ravel()[at] * conv,
        "level": a.level.ravel()[at] * conv,
        "need": a.need.ravel()[at] * conv,
        "unmet": a.unmet.ravel()[at] * conv,
        "people_unserved": people_unserved(d, a).ravel()[at],
    }).pipe(lambda df: df.assign(need_met_share=share_met(df)))


def constraints_table(model: LinearModel, sol: Solution, d: ModelData) -> tuple[pd.DataFrame, list[dict]]:
    """One line per policy row; and per (family, year) the summed effect of the family's step."""
    frames, summary = [], []
    for block in model.row_blocks:
        fam = FAMILIES.get(block.family)
        if not block.policy or fam is None or fam.explain is None:
            continue
        facts = row_facts(model, sol, block)
        ex = fam.explain(facts, d)
        binding = facts.binding if ex.binding is None else ex.binding
        years = d.years[block.labels["year"]]
        df = pd.DataFrame({
            "family": block.family,
            "name": model.block_row_names(block),  # policy rows only: naming all 1.7M rows took 2 s
            "year": years,
            "scope": ex.scope,
            "target": ex.target if len(ex.target) else np.nan,
            "slack": ex.slack,
            "slack_unit": ex.slack_unit,
            "binding": binding,
            "shadow_price": ex.shadow_price,
            "shadow_unit": ex.shadow_unit,
            "meaning": ex.meaning,
        })
        frames.append(df)
        for y in np.unique(years):
            sel = years == y
            eff = float(ex.effect[sel].sum())
            if binding[sel].any() and eff > 0.5:
                summary.append({"family": block.family, "year": int(y), "people": eff,
                                "binding_rows": int(binding[sel].sum()), "rows": int(sel.sum()),
                                "sentence": ex.summary.format(year=int(y), people=fmt_people(eff)),
                                **({"sentence_zh": ex.summary_zh.format(year=int(y), people=people_zh(eff))}
                                   if ex.summary_zh else {})})
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["family", "name", "year", "scope", "target", "slack", "slack_unit", "binding", "shadow_price", "shadow_unit", "meaning"])
    return table, sorted(summary, key=lambda s: -s["people"])


@dataclass
class Results:
    allocation: pd.DataFrame
    kpis: pd.DataFrame
    constraints: pd.DataFrame
    binding: list[dict]
    summary: dict
    arrays: Arrays | None = None
    extra: dict = field(default_factory=dict)
    headline: dict = field(default_factory=dict)  # optimizer.postprocess.headline.headline_numbers

    def __repr__(self) -> str:
        s = self.summary
        return (f"Results({s['status']}, people unserved {s.get('people_unserved', float('nan')):,.0f}, "
                f"{len(self.allocation)} allocation rows, {int(self.constraints['binding'].sum()) if len(self.constraints) else 0} binding targets)")


def make_results(model: LinearModel, ctx: Context, sol: Solution) -> Results:
    d = ctx.data
    a = arrays(ctx, sol.x)
    alloc = allocation_table(d, a)
    kp = kpi_mod.kpi_table(d, a, ctx.scenario)
    cons, binding = constraints_table(model, sol, d)
    extra = sharing_tables(ctx, sol.x, a) if ctx.network is not None else {}
    for fam in in_build_order():  # tables of a family's own (renewal.csv)
        if fam.tables is not None:
            extra.update(fam.tables(d, a, ctx.scenario))
    pu = people_unserved(d, a)
    summary = {
        "status": sol.status.value,
        "objective": sol.objective,
        "people_unserved": float(pu.sum()),
        "people_unserved_by_year": {int(y): float(v) for y, v in zip(d.years, pu.sum(axis=(0, 1, 2)))},
        "solver": sol.solver,
        "method": sol.method,
        "iterations": sol.extra.get("iterations"),
        **({"mip_gap": sol.extra["mip_gap"]} if "mip_gap" in sol.extra else {}),
        "max_violation": sol.max_violation,
        "message": sol.message,
    }
    scenario: Any = ctx.scenario
    obj = scenario.objective
    summary["objective_unit"] = OBJECTIVE_UNIT[obj.kind]
    if obj.kind == "min_cost":  # every need met: the objective, and its prices, are money
        summary["shadow_prices_count"] = ("under min_cost every need is met: the figures these sentences give as "
                                          "people are the objective's own unit, 100m yuan of cost")
    if obj.kind == "fair":  # duals are in the objective's units: people counted at the band's slope
        lo, hi = ((1.0, 1.0 + obj.fair.curvature) if obj.fair.form == "quadratic" else
                  (obj.fair.slopes[0], obj.fair.slopes[-1]))
        summary["shadow_prices_count"] = (
            f"under the fair objective, people in these prices count {lo:g} to {hi:g} times each, by how much of "
            f"their service's need is unmet where the change lands")
        summary["shadow_prices_weights"] = [lo, hi]
    if "kpis" in extra:  # facility sharing's KPIs join the table
        kp = pd.concat([kp, extra.pop("kpis")], ignore_index=True)
    return Results(alloc, kp, cons, binding, summary, a, extra, headline_numbers(d, a))
