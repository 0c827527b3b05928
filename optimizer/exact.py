"""The least change of knobs that move only right-hand sides and bounds: exactly, in one LP each.

A knob's shift d moves every year of its schedule by d (a supply or budget raised, a floor lowered). Where
the model built with the knob shifted has the same matrix and costs as the plan's, and its row and column
bounds move in proportion to d (checked against real builds at d = hi/2 and d = hi, hi a shift known to be
enough), the model at any d in [0, hi] is the plan's with its bounds moved by d·g, and the least d is

    min  sum_k w_k d_k
    s.t. row_lower + sum_k d_k g_lo_k <= A x <= row_upper + sum_k d_k g_up_k
         col_lower + sum_k d_k c_lo_k <=   x <= col_upper + sum_k d_k c_up_k,    0 <= d_k <= hi_k

one LP with a column per knob (the elastic LP): exact to the solver's tolerance, where a bisection stops on
a step. One knob is the least change of that knob alone; several with weights, the cheapest combination.
A knob whose shift changes the matrix (a ratio cap, a share floor: the target multiplies a variable) or
moves a bound out of proportion (a floor clamped at 0 for some years before others) has no direction here,
and the diagnosis bisects it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from optimizer.backend.lp import LinearModel, RowBlock, VarBlock

LINEAR_TOL = 1e-9  # relative: a bound at hi/2 off the line through 0 and hi by more is not a direction


@dataclass(frozen=True)
class Direction:
    """How the plan's model moves per unit of a knob's shift: d(bound)/d(shift) for each row and column bound."""

    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    hi: float  # the shift the line was checked to (enough: the plan is feasible there)


def _same_structure(a: LinearModel, b: LinearModel) -> bool:
    if a.A.shape != b.A.shape or a.A.nnz != b.A.nnz or not np.array_equal(a.cost, b.cost):
        return False
    d = (a.A - b.A).tocoo()
    return not (d.nnz and np.abs(d.data).max() > 0)


def _slope(b0: np.ndarray, b1: np.ndarray, bh: np.ndarray, hi: float) -> np.ndarray | None:
    """(b1 - b0) / hi where the bound moves on a line through b0, bh, b1; None where it does not (a bound
    that turns infinite, or one clamped part of the way)."""
    fin0, fin1, finh = np.isfinite(b0), np.isfinite(b1), np.isfinite(bh)
    if not (np.array_equal(fin0, fin1) and np.array_equal(fin0, finh)):
        return None
    g = np.zeros_like(b0)
    g[fin0] = (b1[fin0] - b0[fin0]) / hi
    mid = b0[fin0] + g[fin0] * hi / 2
    if np.any(np.abs(bh[fin0] - mid) > LINEAR_TOL * np.maximum(1.0, np.abs(bh[fin0]))):
        return None
    return g


def direction(build: Callable[[float], LinearModel], hi: float, base: LinearModel | None = None) -> Direction | None:
    """The knob's direction from the models `build` makes at shifts 0 (or `base`), hi/2 and hi; None where
    the shift is not a move of bounds alone, in proportion."""
    m0 = base if base is not None else build(0.0)
    m1 = build(hi)
    if not _same_structure(m0, m1):  # a knob that changes the matrix: known from one build, not two
        return None
    mh = build(hi / 2)
    if not _same_structure(m0, mh):
        return None
    parts = [_slope(getattr(m0, k), getattr(m1, k), getattr(mh, k), hi)
             for k in ("row_lower", "row_upper", "col_lower", "col_upper")]
    if any(p is None for p in parts):
        return None
    rl, ru, cl, cu = parts
    assert rl is not None and ru is not None and cl is not None and cu is not None
    if not (rl.any() or ru.any() or cl.any() or cu.any()):
        return None  # the knob moves nothing in this model
    return Direction(rl, ru, cl, cu, hi)


def moved(model: LinearModel, dirs: list[Direction], shifts: list[float]) -> LinearModel:
    """The plan's model with each knob shifted: its bounds moved, nothing rebuilt."""
    rl, ru, cl, cu = model.row_lower.copy(), model.row_upper.copy(), model.col_lower.copy(), model.col_upper.copy()
    for g, d in zip(dirs, shifts):
        fin = np.isfinite(rl)
        rl[fin] += d * g.row_lower[fin]
        fin = np.isfinite(ru)
        ru[fin] += d * g.row_upper[fin]
        fin = np.isfinite(cl)
        cl[fin] += d * g.col_lower[fin]
        fin = np.isfinite(cu)
        cu[fin] += d * g.col_upper[fin]
    return replace(model, row_lower=rl, row_upper=ru, col_lower=cl, col_upper=cu, quad=None, integer=None)


def elastic(model: LinearModel, dirs: list[Direction], weights: list[float], least: list[float] | None = None) -> LinearModel:
    """The elastic LP: the plan's rows and columns with a shift column per knob (last, in the order given),
    costs only on the shifts. A row or column bound moved by a knob takes the shift's column into a row; a
    row whose two sides move differently is split in two one-sided rows. `least`: each shift's lower bound
    (default 0: only relaxed; a negative one lets the LP tighten the knob, as far as its line holds)."""
    n, m = model.A.shape[1], model.A.shape[0]
    K = len(dirs)
    G_lo = np.column_stack([g.row_lower for g in dirs]) if K else np.zeros((m, 0))
    G_up = np.column_stack([g.row_upper for g in dirs]) if K else np.zeros((m, 0))
    fin_lo, fin_up = np.isfinite(model.row_lower), np.isfinite(model.row_upper)
    G_lo[~fin_lo] = 0.0
    G_up[~fin_up] = 0.0
    split = np.any(G_lo != G_up, axis=1) & fin_lo & fin_up  # both sides finite and moving apart
    # a row moved on one side only, or on both alike, keeps one row: A x - G d within its bounds
    one = np.where(fin_lo & ~split, G_lo.T, G_up.T).T  # the moving side's slope (equal where both move alike)
    rows_main = sp.hstack([model.A, sp.csr_matrix(-np.where(split[:, None], G_up, one))], format="csr")
    row_lower = np.where(split, -np.inf, model.row_lower)
    row_upper = model.row_upper.copy()
    blocks, lowers, uppers = [rows_main], [row_lower], [row_upper]
    named = list(model.row_blocks)  # the rows keep their names (an LP file, PuLP); the new ones are named apart
    if split.any():  # the lower side of a split row, on its own
        idx = np.flatnonzero(split)
        blocks.append(sp.hstack([model.A[idx], sp.csr_matrix(-G_lo[idx])], format="csr"))
        lowers.append(model.row_lower[idx])
        uppers.append(np.full(len(idx), np.inf))
        named.append(_named_rows("elastic_lower", idx))
    col_lower, col_upper = model.col_lower.copy(), model.col_upper.copy()
    for side, bounds in (("lower", col_lower), ("upper", col_upper)):
        C = np.column_stack([getattr(g, f"col_{side}") for g in dirs]) if K else np.zeros((n, 0))
        C[~np.isfinite(bounds)] = 0.0
        cols = np.flatnonzero(np.any(C != 0, axis=1))
        if len(cols):  # the bound becomes a row x_j - sum_k c_jk d_k >= (<=) the bound
            pick = sp.csr_matrix((np.ones(len(cols)), (np.arange(len(cols)), cols)), shape=(len(cols), n))
            blocks.append(sp.hstack([pick, sp.csr_matrix(-C[cols])], format="csr"))
            lowers.append(bounds[cols] if side == "lower" else np.full(len(cols), -np.inf))
            uppers.append(bounds[cols] if side == "upper" else np.full(len(cols), np.inf))
            bounds[cols] = -np.inf if side == "lower" else np.inf
            named.append(_named_rows(f"elastic_col_{side}", cols))
    return LinearModel(
        A=sp.csr_matrix(sp.vstack(blocks, format="csr")), row_lower=np.concatenate(lowers), row_upper=np.concatenate(uppers),
        col_lower=np.concatenate([col_lower, np.zeros(K) if least is None else np.asarray(least, float)]),
        col_upper=np.concatenate([col_upper, np.array([g.hi for g in dirs])]),
        cost=np.concatenate([np.zeros(n), np.asarray(weights, float)]),
        var_blocks={**model.var_blocks, "shift": VarBlock("shift", n, K, {"unit": np.arange(K)})}, row_blocks=named,
        label_names=model.label_names)


def _named_rows(family: str, of: np.ndarray) -> RowBlock:
    """A block that only names rows (family.<the row or column it copies>): the rows are in the matrix already."""
    none = np.zeros(0)
    return RowBlock(family, len(of), none.astype(int), none.astype(int), none, none, none, {"unit": np.asarray(of)},
                    policy=False)


__all__ = ["Direction", "direction", "elastic", "moved"]
