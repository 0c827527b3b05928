"""The optimal face of an LP, read from the duals of a simplex answer (optimizer.unique's stages).

For any optimal dual (y, d) of min c.x over {l <= x <= u, L <= Ax <= U}, the optimal set is exactly the feasible
points that are complementary to it: a column with a nonzero reduced cost sits at the bound its sign names, a row
with a nonzero dual at the bound its sign names (complementary slackness is necessary and, with a fixed optimal
dual, sufficient). Every optimal dual describes the same set, so the face does not depend on which vertex the
simplex ended at. Fixing those columns and making those rows equalities gives the face as a smaller LP without
the dense row a held objective would be (which slowed Clarabel's factorisation 5-fold on national)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.backend.lp import LinearModel

# A reduced cost or dual of at most this, relative to the largest cost, is taken as 0: HiGHS's own dual
# feasibility tolerance (1e-7), so what the simplex itself cannot tell from 0 never fixes a column
DUAL_ZERO = 1e-7
AT_BOUND = 1e-9  # a column or row this close to a bound (relative, at least absolute) is at it


@dataclass(frozen=True)
class Face:
    """`model` over the columns left free (`free`, indices of the parent model's columns); the others are fixed
    at `values` (the parent's length; free columns there hold the point the face was read from)."""

    model: LinearModel
    free: np.ndarray
    values: np.ndarray

    def full(self, y: np.ndarray) -> np.ndarray:
        """The parent's point with the free columns at y."""
        x = self.values.copy()
        x[self.free] = y
        return x

    def within(self, inner: Face) -> Face:
        """This face narrowed by a face of its own model."""
        return Face(inner.model, self.free[inner.free], self.full(inner.values))


def _near(v: np.ndarray, bound: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(bound) & (np.abs(v - bound) <= AT_BOUND * np.maximum(1.0, np.abs(bound)))


def optimal_face(model: LinearModel, x: np.ndarray, col_dual: np.ndarray, row_dual: np.ndarray,
                 activity: np.ndarray | None = None) -> Face:
    """The face of `model`'s optimum that contains x, given an optimal dual (a minimisation's signs: a reduced
    cost > 0 at a lower bound, < 0 at an upper; a row dual likewise). A dual of the wrong sign (within the
    solver's tolerance) fixes nothing: the face is then read larger, never smaller, than it is."""
    zero = DUAL_ZERO * max(float(np.abs(model.cost).max()) if model.cost.size else 0.0, 1e-300)
    at_lo, at_hi = _near(x, model.col_lower), _near(x, model.col_upper)
    fix_lo = at_lo & (col_dual > zero)
    fix_hi = at_hi & (col_dual < -zero) & ~fix_lo
    fixed = fix_lo | fix_hi
    values = np.where(fix_lo, model.col_lower, np.where(fix_hi, model.col_upper, x))
    free = np.flatnonzero(~fixed)
    A = model.A.tocsc()
    shift = A[:, np.flatnonzero(fixed)] @ values[fixed]
    sub = A[:, free].tocsr()
    act = model.A @ x if activity is None else activity
    row_lo = _near(act, model.row_lower) & (row_dual > zero)
    row_hi = _near(act, model.row_upper) & (row_dual < -zero) & ~row_lo
    lower = np.where(row_hi, model.row_upper, model.row_lower) - shift
    upper = np.where(row_lo, model.row_lower, model.row_upper) - shift
    keep = np.diff(sub.indptr) > 0  # a row of fixed columns only holds at x already
    face = replace(model, A=sub[keep], row_lower=lower[keep], row_upper=upper[keep], col_lower=model.col_lower[free],
                   col_upper=model.col_upper[free], cost=model.cost[free],
                   quad=None if model.quad is None else model.quad[free], objective_offset=0.0, var_blocks={},
                   row_blocks=[], label_names={}, integer=None)
    return Face(face, free, values)
