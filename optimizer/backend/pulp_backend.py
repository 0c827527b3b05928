"""The PuLP path: the same arrays as a PuLP problem, for any PuLP solver and for
LP/MPS files. Written against the API PuLP 3.3 and 4.x share
(LpProblem.add_variable, lpDot, addConstraint, writeLP/writeMPS, .pi, .varValue).

PuLP's own status is not trusted: under a time limit some versions say
"Optimal" for points that violate rows, so the point is checked from the arrays.
"""
from __future__ import annotations

import shutil
import time

import numpy as np

from optimizer.backend.lp import LinearModel
from optimizer.backend.status import Solution, Status, decide
from optimizer.errors import SolverUnavailable


def to_pulp(model: LinearModel, name: str = "opt"):
    """(problem, variables, [(constraint name, row, side)]) built from the arrays."""
    import pulp

    prob = pulp.LpProblem(name, pulp.LpMinimize)
    cnames = model.col_names()
    lo = [None if not np.isfinite(v) else float(v) for v in model.col_lower]
    hi = [None if not np.isfinite(v) else float(v) for v in model.col_upper]
    xs = [prob.add_variable(n, lo[j], hi[j]) for j, n in enumerate(cnames)]
    nz = np.nonzero(model.cost)[0]
    prob.setObjective(pulp.lpDot([float(model.cost[j]) for j in nz], [xs[j] for j in nz]))
    A = model.A.tocsr()
    rows = []
    for i, rname in enumerate(model.row_names()):
        s, e = A.indptr[i], A.indptr[i + 1]
        if s == e:
            continue  # empty rows are checked by the caller
        expr = pulp.lpDot([float(v) for v in A.data[s:e]], [xs[j] for j in A.indices[s:e]])
        lb, ub = model.row_lower[i], model.row_upper[i]
        if np.isfinite(lb) and np.isfinite(ub) and lb == ub:
            prob.addConstraint(expr == float(lb), rname)
            rows.append((rname, i))
            continue
        if np.isfinite(lb):
            n = rname if not np.isfinite(ub) else rname + "_min"
            prob.addConstraint(expr >= float(lb), n)
            rows.append((n, i))
        if np.isfinite(ub):
            n = rname if not np.isfinite(lb) else rname + "_max"
            prob.addConstraint(expr <= float(ub), n)
            rows.append((n, i))
    return prob, xs, rows


def pulp_solver(name: str, time_limit: float | None, threads: int | None, log: bool):
    import pulp

    if name == "highs":
        s = pulp.HiGHS(msg=log, timeLimit=time_limit, threads=threads)
    else:
        s = pulp.COIN_CMD(msg=log, timeLimit=time_limit, threads=threads) if shutil.which("cbc") else None
        if (s is None or not s.available()) and hasattr(pulp, "PULP_CBC_CMD"):
            s = pulp.PULP_CBC_CMD(msg=log, timeLimit=time_limit, threads=threads)
        if s is None:
            raise SolverUnavailable(
                "solver 'cbc' is not available: install it with 'apt-get install coinor-cbc' "
                "(or use PuLP 3.x, which bundles it), or run with --solver highs")
    if not s.available():
        raise SolverUnavailable(f"solver '{name}' is not available to PuLP here; "
                                + ("pip install highspy" if name == "highs" else "apt-get install coinor-cbc"))
    return s


def _constraints_by_name(prob) -> dict:
    cons = prob.constraints() if callable(prob.constraints) else prob.constraints
    if isinstance(cons, dict):
        return dict(cons)
    return {c.name: c for c in cons}


# PuLP's status codes in its own words (PuLP 3's pulp.LpStatus; PuLP 4 has no such table)
_PULP_SAID = {1: "Optimal", 0: "Not Solved", -1: "Infeasible", -2: "Unbounded", -3: "Undefined"}


def solve_pulp(model: LinearModel, solver: str = "highs", time_limit: float | None = None,
               threads: int | None = None, log: bool = False, tol: float = 1e-6) -> Solution:

    A = model.A.tocsr()
    empty = np.diff(A.indptr) == 0
    if np.any(empty & ((model.row_lower > 0) | (model.row_upper < 0))):
        return Solution(Status.INFEASIBLE, solver=f"pulp/{solver}", message="a row with no variables cannot be met")
    s = pulp_solver(solver, time_limit, threads, log)
    prob, xs, rows = to_pulp(model)
    t0 = time.perf_counter()
    ret = prob.solve(s)
    seconds = time.perf_counter() - t0
    code = int(getattr(ret, "status", ret))
    x = np.array([v.varValue if v.varValue is not None else np.nan for v in xs], dtype=float)
    stopped = time_limit is not None and seconds >= 0.98 * time_limit  # PuLP says 1 (optimal) at a time limit too
    said = {-1: Status.INFEASIBLE, -2: Status.UNBOUNDED}.get(code, Status.OPTIMAL if code == 1 and not stopped
                                                                 else Status.TIME_LIMIT)
    duals = None
    if said in (Status.OPTIMAL, Status.TIME_LIMIT) and np.all(np.isfinite(x)):
        byname = _constraints_by_name(prob)
        duals = np.zeros(A.shape[0])
        for n, i in rows:
            pi = byname[n].pi
            duals[i] += pi if pi is not None else 0.0
    return decide(said, model, x, tol, solver=f"pulp/{solver}", method="default", seconds=seconds,
                  message=_PULP_SAID.get(code, f"status {code}"), row_dual=duals)


def is_our_model_file(path) -> bool:
    """An LP or MPS file this module wrote: PuLP opens an LP with the problem's name in a comment
    ('\\* opt *\\') and names it on an MPS file's NAME line."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(200).splitlines()[:2]
    except OSError:
        return False
    return bool(head) and (head[0].strip() == "\\* opt *\\" or any(h.split() == ["NAME", "opt"] for h in head))


def write_model_file(model: LinearModel, path) -> None:
    """LP or MPS file (by extension) with readable row and column names."""
    prob, _, _ = to_pulp(model)
    if str(path).lower().endswith(".mps"):
        prob.writeMPS(str(path))
    else:
        prob.writeLP(str(path))
