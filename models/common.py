"""What every constraint family shares: the allocation variables and how to sum them."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.backend.lp import ModelBuilder
from optimizer.preprocess.data import ModelData

STOCK = np.array([False, True, True])  # fiscal is a yearly flow; personnel and facility accumulate


@dataclass
class Layout:
    """Where the core variables sit: index arrays of shape (R,C,K,T), -1 where absent."""

    x: np.ndarray  # new allocation
    u: np.ndarray  # unmet need (shortfall)


@dataclass
class Context:
    builder: ModelBuilder
    data: ModelData
    layout: Layout
    scenario: object  # optimizer.preprocess.schema.Scenario


def grid(*shape: int) -> list[np.ndarray]:
    """Flattened index arrays over a full grid: grid(R, T) -> [r, t]."""
    return [a.ravel() for a in np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")]


def level_terms(layout: Layout, row, r, c, k, t, coef, cumulative: bool):
    """COO terms adding coef x (new allocation) of (r,c,k) to each row: in year t only,
    or summed over years up to t for stock resources when cumulative.

    All inputs are equal-length arrays (one entry per row-term to emit)."""
    row, r, c, k, t = (np.asarray(a, int) for a in (row, r, c, k, t))
    coef = np.broadcast_to(np.asarray(coef, float), row.shape)
    T = layout.x.shape[3]
    rows, cols, vals = [], [], []
    for tau in range(T):
        use = (t == tau) | (cumulative & STOCK[k] & (t > tau))
        if not use.any():
            continue
        col = layout.x[r[use], c[use], k[use], tau]
        ok = col >= 0
        rows.append(row[use][ok])
        cols.append(col[ok])
        vals.append(coef[use][ok])
    if not rows:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def concat_terms(*parts):
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))
