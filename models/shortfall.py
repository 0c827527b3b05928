"""Shortfall: unmet need u >= need - level, where level = baseline + new allocation
(this year's for fiscal money; everything added so far for personnel and space)."""
from __future__ import annotations

import numpy as np

from models.common import Context, concat_terms, level_terms
from models.registry import family
from optimizer.backend.lp import INF, row_block


@family("shortfall")
def shortfall(ctx: Context) -> None:
    d, lay = ctx.data, ctx.layout
    r, c, k, t = (a.astype(int) for a in np.nonzero(lay.u >= 0))
    n = len(r)
    row = np.arange(n)
    rhs = d.need[r, c, k, t] - d.base_level[r, c, k, t]
    terms = concat_terms((row, lay.u[r, c, k, t], np.ones(n)),
                         level_terms(lay, row, r, c, k, t, 1.0, cumulative=True))
    ctx.builder.add_rows(row_block("shortfall", *terms, lower=rhs, upper=np.full(n, INF),
                                   labels={"resource": k, "category": c, "region": r, "year": t}, policy=False))
