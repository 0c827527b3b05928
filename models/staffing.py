"""Space needs staff to serve ("有設施無人員"): a space type with `staffing: {staff: <type>, fte_per_1000_m2: q}`
counts toward a category's need only as far as that category's staff of the type can run it,

    u[r,c,k,t] + (b[r,c,j,t] + s[r,c,j,t]) / q' + shared[r,c,t] >= need[r,c,k,t]      (staffing.<...>)

beside the shortfall row u + b_k + s_k >= need: the unmet need of space k is then at least need - min(space,
staff / q'), with j the staff type, b its baseline in the category (today's staff less leavers, split by
category as the baseline is), s what is added, q' = q x 10 (internal: 100 FTE per 10k m2), and `shared`
the space credited from facility sharing (run by the provider's staff). Staff may be added to a category for
its space though the category has no staff standard (models.allocation gives it the columns)."""
from __future__ import annotations

import numpy as np

from optimizer.models.common import Context
from optimizer.models.registry import family
from optimizer.preprocess.data import K_FACILITY


@family("staffing")
def staffing(ctx: Context) -> None:
    d, lay = ctx.data, ctx.layout
    for k_space, k_staff, q in d.staffing:
        r, c, t = (a.astype(int) for a in np.nonzero(lay.u[:, :, k_space, :] >= 0))
        n = len(r)
        if not n:
            continue
        row = np.arange(n)
        runs = ctx.unmet(row, r, c, np.full(n, k_space), t, n=n)
        runs = runs + ctx.level(row, r, c, np.full(n, k_staff), t, 1.0 / q, n=n)
        if lay.shared is not None and k_space == K_FACILITY:  # the space sharing credits
            sh = lay.shared[r, c, t]
            on = sh >= 0
            runs = runs + ctx.var(row[on], sh[on], n=n)
        rhs = d.need[r, c, k_space, t] - d.base_level[r, c, k_staff, t] / q
        ctx.rows("staffing", runs >= rhs, labels={"resource": np.full(n, k_space), "category": c, "region": r,
                                                  "year": t}, policy=False)
