"""Large models: Clarabel's interior-point method, with a direct (LDL) factorisation.

Why a second solver: on the county-scale plan (2,850 regions, 2.1M columns) HiGHS's
interior-point solver (IPX) spent 8-18 s an iteration in its iterative linear
solver and its dual simplex ran for minutes with hundreds of thousands of primal
infeasibilities left; Clarabel factorises the KKT system directly and solved the
same model in about a minute (bench/results.md). Below about 100k columns
HiGHS's simplex is as fast and gives a vertex, so `auto` keeps HiGHS there.

Clarabel solves  min c'x  s.t.  Ax + s = b, s in a cone. Rows with two finite
bounds become two rows; column bounds become rows too. Rows spanning many regions
are first rewritten with one auxiliary variable per region (backend/linking.py).
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from optimizer.backend.linking import split_linking_rows
from optimizer.backend.lp import LinearModel, LPArrays
from optimizer.backend.status import Solution, Status, decide
from optimizer.errors import SolverUnavailable, interrupt_for, stop_signals_noted
from optimizer.heap import prefaulted

GAP_TOL = 1e-9  # relative duality gap Clarabel stops at
PREFAULT_PER_NONZERO = 180  # bytes: ~1.5 GB at 2,850 counties, what Clarabel's first iterations allocate
FEAS_TOL = 1e-10  # and residuals: 1e-8 left the 2,850-county budget ~7,000 yuan over (of 714bn); 1e-10 ~70 yuan


def _clarabel():
    try:
        import clarabel
    except ImportError as e:
        raise SolverUnavailable(f"solver 'clarabel' is not available ({e}): pip install clarabel, "
                                "or run with --solver highs") from None
    return clarabel


def implied_nonnegative(A: sp.csr_matrix, rl, ru, cl) -> np.ndarray:
    """Columns whose bound x >= 0 follows from a row x_j - x_k >= 0 with x_k >= 0 (k < j, so that
    the chain of such rows ends at a bound that is kept): a stock's running total s[t] >= s[t-1]."""
    two = np.flatnonzero((np.diff(A.indptr) == 2) & (rl == 0) & ~np.isfinite(ru))
    at = A.indptr[two]
    c1, c2 = A.indices[at], A.indices[at + 1]
    v1, v2 = A.data[at], A.data[at + 1]
    j = np.where(v1 > 0, c1, c2)
    k = np.where(v1 > 0, c2, c1)
    ok = (v1 == -v2) & (k < j) & (cl[k] >= 0) & (cl[j] == 0)
    out = np.zeros(A.shape[1], dtype=bool)
    out[j[ok]] = True
    return out


def _conic(lp: LPArrays):
    """Stack rows and bounds as Ax + s = b; returns (M, b, parts) with parts naming each block.
    Lower bounds implied by other rows are left out (600k fewer rows at 2,850 counties)."""
    A, rl, ru, cl, cu = lp.A.tocsr(), lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper
    n = A.shape[1]
    eq = rl == ru
    up = ~eq & np.isfinite(ru)
    lo = ~eq & np.isfinite(rl)
    eye = sp.identity(n, format="csr")
    cup, clo = np.isfinite(cu), np.isfinite(cl) & ~implied_nonnegative(A, rl, ru, cl)
    blocks = [(eq, A[eq], ru[eq]), (up, A[up], ru[up]), (lo, -A[lo], -rl[lo]),
              (cup, eye[cup], cu[cup]), (clo, -eye[clo], -cl[clo])]
    M = sp.vstack([b[1] for b in blocks], format="csc")
    rhs = np.concatenate([b[2] for b in blocks])
    return M, rhs, [np.flatnonzero(b[0]) for b in blocks]


def _row_duals(z: np.ndarray, parts, m: int) -> np.ndarray:
    """Row duals in HiGHS's convention (d objective / d bound) from Clarabel's z >= 0."""
    eq, up, lo = parts[:3]
    sizes = np.cumsum([0] + [len(p) for p in parts[:3]])
    row = np.zeros(m)
    row[eq] -= z[sizes[0]:sizes[1]]
    row[up] -= z[sizes[1]:sizes[2]]
    row[lo] += z[sizes[2]:sizes[3]]
    return row


def solve_clarabel(model: LinearModel, time_limit: float | None = None, threads: int | None = None,
                   log: bool = False, tol: float = 1e-6, progress=None, gap: float = GAP_TOL) -> Solution:
    """`progress(text)` is told each iteration's gap and residuals (for the terminal's status line)."""
    clarabel = _clarabel()
    t0 = time.perf_counter()
    m, n = model.A.shape
    with prefaulted(PREFAULT_PER_NONZERO * model.A.nnz):  # the second core readies pages meanwhile
        split = split_linking_rows(model)
        M, b, parts = _conic(split)
    n2 = split.A.shape[1]
    cones = [clarabel.ZeroConeT(len(parts[0]))] if len(parts[0]) else []
    cones.append(clarabel.NonnegativeConeT(M.shape[0] - len(parts[0])))
    s = clarabel.DefaultSettings()
    s.verbose = bool(log)
    s.iterative_refinement_enable = False  # 1.5x faster here; the point is rechecked against the rows below
    s.tol_gap_rel = s.tol_gap_abs = gap
    s.tol_feas = FEAS_TOL
    if time_limit:
        s.time_limit = float(time_limit)
    if threads:
        s.max_threads = int(threads)
    cost, n_rows2, n_aux = split.cost, split.A.shape[0], split.n_aux
    del split  # Clarabel holds its own copy from here; at 2,850 counties this frees ~0.7 GB
    passed = time.perf_counter() - t0  # our part: rewriting and stacking the arrays
    t0 = time.perf_counter()
    P = sp.csc_matrix((n2, n2)) if model.quad is None else \
        sp.diags(np.concatenate([model.quad, np.zeros(n2 - n)]), format="csc")  # objective x'Px/2 + cost.x
    solver = clarabel.DefaultSolver(P, cost, M, b, cones, s)  # ordering, symbolic factor
    del M, b
    setup = time.perf_counter() - t0
    # Ctrl-C (or TERM, HUP) during the solve: Python's own handler would raise KeyboardInterrupt inside the
    # callback, where Clarabel prints it and goes on (the run then wrote its results and exited 0). Here the
    # signal is only noted, the callback asks Clarabel to stop, and the interrupt is raised after.
    with stop_signals_noted() as came:
        def tell(info) -> bool:
            if progress is not None:
                progress(f"interior point: iteration {info.iterations}, relative gap {info.gap_rel:.1e}, "
                         f"infeasibility {max(info.res_primal, info.res_dual):.1e} (stops at {GAP_TOL:.0e} and {FEAS_TOL:.0e})")
            return bool(came)  # True asks the solver to stop
        solver.set_termination_callback(tell)
        t0 = time.perf_counter()
        res = solver.solve()
    if came:
        raise interrupt_for(came[0])
    seconds = setup + time.perf_counter() - t0
    status = str(res.status)
    said = {"Solved": Status.OPTIMAL, "AlmostSolved": Status.OPTIMAL, "PrimalInfeasible": Status.INFEASIBLE,
            "AlmostPrimalInfeasible": Status.INFEASIBLE, "DualInfeasible": Status.UNBOUNDED,
            "AlmostDualInfeasible": Status.UNBOUNDED, "MaxTime": Status.TIME_LIMIT,
            "MaxIterations": Status.TIME_LIMIT}.get(status, Status.NO_SOLUTION)
    extra = {"pass_seconds": passed, "setup_seconds": setup, "iterations": int(res.iterations), "aux_columns": n_aux}
    x = row_dual = col_dual = None
    if said in (Status.OPTIMAL, Status.TIME_LIMIT):
        # an interior point meets column bounds only to the solver's tolerance (x = -1e-7 for x >= 0);
        # clipped, the rows are rechecked in decide()
        x = np.clip(np.asarray(res.x)[:n], model.col_lower, model.col_upper)
        row_dual = _row_duals(np.asarray(res.z), parts, n_rows2)[:m]
        col_dual = model.cost - model.A.T @ row_dual  # reduced costs: the gradient c + Px less A'y
        if model.quad is not None:
            col_dual = col_dual + model.quad * x
    return decide(said, model, x, tol, solver="clarabel", method="ipm", seconds=seconds, message=status,
                  row_dual=row_dual, col_dual=col_dual, extra=extra)
