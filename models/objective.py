"""Objectives.

fair (default): as unserved, but a person short counts slopes[j] times while the unmet share of that
  (region, category, resource, year)'s need lies in band j (between breakpoints j-1 and j): a convex
  piecewise-linear penalty of the unmet share, written with one unmet column per band (the LP fills the
  cheaper bands first because the slopes rise), so money goes where coverage is lowest unless it serves
  many more people elsewhere. With `form: quadratic` the penalty is ppu (u + kappa u^2 / 2N) instead: a
  person short counts 1 + kappa x the unmet share (a convex QP: Clarabel only).
unserved: minimise weighted people left without the standard service,
  sum w[c] * priority[r] * u[r,c,k,t] / standard[c,k], plus cost_weight x cost
  as a tie-breaker so that no money is spent that serves nobody.
maximin: two stages (optimizer.stages): first maximise sum_t z[t], z[t] the lowest share of need met in
  year t over every (region, category, resource) with a need, u + need z[t] <= need; then, with each z[t]
  held at least its value less the tolerance, the unserved objective. A z per year, so that a year whose
  lowest share cannot rise (staff that cannot be hired yet) does not hold the others down.
min_cost: meet every need (u = 0) at least cost.

Cost is what the plan pays within the horizon, in 100m yuan: fiscal money, the
salaries of added workers (of every staff type) for the remaining years, the construction
of space (of every space type). Where a unit cost is not given, a token cost stands in
(10k yuan per FTE, 100 yuan per m2) so that the tie-breaker still prefers doing less for
the same coverage."""
from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.models.common import Context
from optimizer.preprocess.data import K_FISCAL

TOKEN_COST = 0.01  # 100m yuan per 100 FTE or per 10k m2


def unit_cost(ctx: Context) -> np.ndarray:
    """(K,T) cost in 100m yuan of one internal unit of new allocation in year t."""
    d = ctx.data
    remaining = d.T - np.arange(d.T)
    cost = np.zeros((d.K, d.T))
    cost[K_FISCAL] = 1.0
    for k in d.of_kind("staff"):  # the salaries of the remaining years
        cost[k] = d.unit_cost[k] * remaining if d.unit_cost[k] > 0 else TOKEN_COST
    for k in d.of_kind("space"):
        cost[k] = d.unit_cost[k] if d.unit_cost[k] > 0 else TOKEN_COST
    return cost


def people_per_unit(ctx: Context) -> np.ndarray:
    """(R,C,K,T) weighted 10k people per internal unit of unmet need."""
    d = ctx.data
    return d.priority[:, None, None, None] * d.weight[None, :, None, None] * d.inv_std[None]


def column_cost(ctx: Context) -> np.ndarray:
    """(R,K,T) cost per unit of each allocation column: x for money; for stocks the
    running total s, whose coefficient is cost[t] - cost[t+1] since what is added in
    t is s[t] - s[t-1]; with attrition the staff level L, hired L[t] - rho L[t-1], whose
    coefficient is cost[t] - rho cost[t+1]."""
    cost = unit_cost(ctx)
    out = np.broadcast_to(cost, (ctx.data.R, *cost.shape)).copy()
    stock = ctx.layout.stock
    out[:, stock, :-1] = cost[None, stock, :-1] - cost[None, stock, 1:]
    if ctx.layout.attrition is not None:
        rho = 1.0 - ctx.layout.attrition[:, stock, None]
        out[:, stock, :-1] = cost[None, stock, :-1] - rho * cost[None, stock, 1:]
    return out


def bands(scenario: Any) -> tuple[np.ndarray, np.ndarray]:
    """The fair penalty's bands of unmet share: edges (J+1,) from 0 to 1 and slopes (J,); one band of
    slope 1 for every other objective."""
    obj = scenario.objective
    if obj.kind != "fair" or obj.fair.form == "quadratic":
        return np.array([0.0, 1.0]), np.array([1.0])
    return np.array([0.0, *obj.fair.breakpoints, 1.0]), np.array(obj.fair.slopes, dtype=float)


def objective_cost(ctx: Context, kind: str, tiebreak: bool = True) -> np.ndarray:
    """The cost vector of objective `kind` over the built model's columns (the model may hold bands or the
    maximin column; `unserved` prices every band at slope 1 and leaves the maximin column free); without
    `tiebreak`, its people term alone (the allocations' cost_weight x cost left out)."""
    lay, b = ctx.layout, ctx.builder
    scenario: Any = ctx.scenario
    cost = np.zeros(b.nvars)
    xr, xc, xk, xt = np.nonzero(lay.x >= 0)
    unit = column_cost(ctx)[xr, xk, xt]
    if kind == "maximin_first":
        cost[lay.coverage] = -1.0
        return cost
    if kind == "min_cost":
        cost[lay.x[xr, xc, xk, xt]] = unit
        return cost
    if tiebreak:
        np.add.at(cost, lay.x[xr, xc, xk, xt], scenario.objective.cost_weight * unit)
    ppu = people_per_unit(ctx)
    slopes = bands(ctx.scenario)[1] if kind == "fair" else np.ones(len(lay.unmet_cols()))
    for cols, slope in zip(lay.unmet_cols(), slopes):
        on = cols >= 0
        cost[cols[on]] += slope * ppu[on]
    return cost


def set_objective(ctx: Context) -> None:
    scenario: Any = ctx.scenario
    obj = scenario.objective
    lay, b, d = ctx.layout, ctx.builder, ctx.data
    if obj.kind == "min_cost":
        for cols in lay.unmet_cols():
            b.set_upper(cols[cols >= 0], 0.0)
    edges = bands(ctx.scenario)[0]
    for j, cols in enumerate(lay.unmet_cols()[:-1]):  # the last band takes whatever is left
        on = cols >= 0
        b.set_upper(cols[on], (edges[j + 1] - edges[j]) * d.need[on])
    if obj.kind == "maximin":
        lay.coverage = b.add_vars("lowest_share_met", {"year": np.arange(d.T)}, ub=1.0)
        r, c, k, t = np.nonzero((lay.u >= 0) & (d.need > 0))
        n = len(r)
        row = np.arange(n)
        need = d.need[r, c, k, t]
        ctx.rows("lowest_share_met", ctx.unmet(row, r, c, k, t, n=n) + ctx.var(row, lay.coverage[t], need, n=n)
                 <= need, labels={"resource": k, "category": c, "region": r, "year": t}, policy=False)
    cost = objective_cost(ctx, "unserved" if obj.kind == "maximin" else obj.kind)
    on = np.nonzero(cost)[0]
    b.add_cost(on, cost[on])
    if obj.kind == "fair" and obj.fair.form == "quadratic":  # ppu (u + kappa u^2 / 2N): a person short counts 1 + kappa u/N
        r, c, k, t = np.nonzero((lay.u >= 0) & (d.need > 0))
        b.add_quad(lay.u[r, c, k, t], obj.fair.curvature * people_per_unit(ctx)[r, c, k, t] / d.need[r, c, k, t])
