"""The core variables: new allocation x[r,c,k,t] and unmet need u[r,c,k,t]."""
from __future__ import annotations

import numpy as np

from models.common import Layout, grid
from optimizer.backend.lp import ModelBuilder


def add_allocation(b: ModelBuilder) -> Layout:
    d = b.data
    R, C, T = d.R, d.C, d.T
    r, c, k, t = grid(R, C, 3, T)
    x = np.full((R, C, 3, T), -1, dtype=np.int64)
    u = np.full((R, C, 3, T), -1, dtype=np.int64)
    on = d.active[c, k]
    x[r[on], c[on], k[on], t[on]] = b.add_vars("x", {"resource": k[on], "category": c[on], "region": r[on], "year": t[on]})
    need = d.std[c, k] > 0  # unmet need exists only where the category has a standard for the resource
    u[r[need], c[need], k[need], t[need]] = b.add_vars("u", {"resource": k[need], "category": c[need], "region": r[need], "year": t[need]})
    return Layout(x=x, u=u)
