"""Shortfall: unmet need u >= need - level, where level = baseline + new allocation
(this year's for fiscal money; everything added so far for personnel and space)."""
from __future__ import annotations

import numpy as np

from optimizer.models.common import Context
from optimizer.models.registry import family


@family("shortfall")
def shortfall(ctx: Context) -> None:
    d, lay = ctx.data, ctx.layout
    r, c, k, t = (a.astype(int) for a in np.nonzero(lay.u >= 0))
    n = len(r)
    row = np.arange(n)
    unmet = ctx.unmet(row, r, c, k, t, n=n)
    added = ctx.level(row, r, c, k, t, n=n)
    ctx.rows("shortfall", unmet + added >= d.need[r, c, k, t] - d.base_level[r, c, k, t],
             labels={"resource": k, "category": c, "region": r, "year": t}, policy=False)
