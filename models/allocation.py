"""The core variables.

- x[r,c,t]: fiscal money allocated in year t (a flow);
- s[r,c,k,t]: personnel or space added from the first year up to year t (a
  stock), so the level is baseline + s and what is added in t is s[t] - s[t-1],
  kept >= 0 by the 'stock_order' rows. Holding the running total rather than
  the yearly additions keeps every row short: a level is one term, not a sum
  over all earlier years;
- u[r,c,k,t]: unmet need (shortfall); under the fair objective, the part of it in the first band of
  unmet shares, the other bands being columns of their own (Layout.bands), so that each band is priced
  by its own slope and a convex penalty stays a linear program.
"""
from __future__ import annotations

import numpy as np

from optimizer.backend.lp import ModelBuilder
from optimizer.models.common import Context, Layout, grid
from optimizer.models.registry import family
from optimizer.preprocess.data import ModelData


def add_allocation(b: ModelBuilder, d: ModelData, bands: int = 1) -> Layout:
    """The core columns; `bands` > 1 splits unmet need into that many columns per (r,c,k,t)."""
    R, C, K, T = d.R, d.C, d.K, d.T
    r, c, k, t = grid(R, C, K, T)
    x = np.full((R, C, K, T), -1, dtype=np.int64)
    u = np.full((R, C, K, T), -1, dtype=np.int64)
    on = d.active[c, k]
    stock = d.stock
    for name, sel in (("x", on & ~stock[k]), ("s", on & stock[k])):
        x[r[sel], c[sel], k[sel], t[sel]] = b.add_vars(
            name, {"resource": k[sel], "category": c[sel], "region": r[sel], "year": t[sel]})
    need = d.has_std[c, k]  # unmet need exists only where the category has a standard for the resource
    u[r[need], c[need], k[need], t[need]] = b.add_vars(
        "u", {"resource": k[need], "category": c[need], "region": r[need], "year": t[need]})
    more = None
    if bands > 1:  # the unmet need in bands 1.. (band 0 is u itself)
        more = np.full((bands - 1, R, C, K, T), -1, dtype=np.int64)
        for j in range(bands - 1):
            more[j, r[need], c[need], k[need], t[need]] = b.add_vars(
                f"u_band{j + 1}", {"resource": k[need], "category": c[need], "region": r[need], "year": t[need]})
    return Layout(x=x, stock=stock, u=u, attrition=d.attrition, bands=more)


@family("stock_order")
def stock_order(ctx: Context) -> None:
    """Stocks only grow: s[t] - s[t-1] >= 0 (what is added in a year is never negative); with a loss rate
    the level L[t] - (1 - a) L[t-1] >= 0 (nobody is hired, and nothing built, negative)."""
    lay = ctx.layout
    sel = (lay.x[:, :, :, 1:] >= 0) & lay.stock[None, None, :, None]
    r, c, k, t = np.nonzero(sel)
    n = len(r)
    if n:  # none in a one-year plan
        row = np.arange(n)
        ctx.rows("stock_order", ctx.added(row, r, c, k, t + 1, n=n) >= 0,
                 labels={"resource": k, "category": c, "region": r, "year": t + 1}, policy=False)
