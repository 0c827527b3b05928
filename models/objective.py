"""Objectives.

unserved (default): minimise weighted people left without the standard service,
  sum w[c] * priority[r] * u[r,c,k,t] / standard[c,k], plus cost_weight x cost
  as a tie-breaker so that no money is spent that serves nobody.
min_cost: meet every need (u = 0) at least cost.

Cost is what the plan pays within the horizon, in 100m yuan: fiscal money, the
salaries of added workers for the remaining years, the construction of space.
Where a unit cost is not given, a token cost stands in (10k yuan per FTE,
100 yuan per m2) so that the tie-breaker still prefers doing less for the same
coverage."""
from __future__ import annotations

import numpy as np

from models.common import Context
from optimizer.preprocess.data import K_FACILITY, K_FISCAL, K_PERSONNEL

TOKEN_COST = 0.01  # 100m yuan per 100 FTE or per 10k m2


def unit_cost(ctx: Context) -> np.ndarray:
    """(K,T) cost in 100m yuan of one internal unit of new allocation in year t."""
    d = ctx.data
    remaining = d.T - np.arange(d.T)
    cost = np.zeros((3, d.T))
    cost[K_FISCAL] = 1.0
    cost[K_PERSONNEL] = d.salary * remaining if d.salary > 0 else TOKEN_COST
    cost[K_FACILITY] = d.capex if d.capex > 0 else TOKEN_COST
    return cost


def people_per_unit(ctx: Context) -> np.ndarray:
    """(R,C,K,T) weighted 10k people per internal unit of unmet need."""
    d = ctx.data
    return d.priority[:, None, None, None] * d.weight[None, :, None, None] * d.inv_std[None]


def column_cost(ctx: Context) -> np.ndarray:
    """(K,T) cost per unit of each allocation column: x for money; for stocks the
    running total s, whose coefficient is cost[t] - cost[t+1] since what is added in
    t is s[t] - s[t-1]."""
    cost = unit_cost(ctx)
    out = cost.copy()
    out[1:, :-1] = cost[1:, :-1] - cost[1:, 1:]
    return out


def set_objective(ctx: Context) -> None:
    obj = ctx.scenario.objective
    lay, b = ctx.layout, ctx.builder
    xr, xc, xk, xt = np.nonzero(lay.x >= 0)
    cost = column_cost(ctx)[xk, xt]
    ur, uc, uk, ut = np.nonzero(lay.u >= 0)
    ucols = lay.u[ur, uc, uk, ut]
    if obj.kind == "min_cost":
        b.add_cost(lay.x[xr, xc, xk, xt], cost)
        b.set_upper(ucols, 0.0)
    else:
        b.add_cost(lay.x[xr, xc, xk, xt], obj.cost_weight * cost)
        b.add_cost(ucols, people_per_unit(ctx)[ur, uc, uk, ut])
