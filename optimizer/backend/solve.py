"""Pick the back end for a solver choice and run it."""
from __future__ import annotations

from optimizer.backend.highs import solve_highs
from optimizer.backend.lp import LinearModel
from optimizer.backend.pulp_backend import solve_pulp
from optimizer.backend.status import Solution


def solve(model: LinearModel, solver: str = "highs", backend: str = "auto", time_limit: float | None = None,
          threads: int | None = None, method: str = "auto", log: bool = False) -> Solution:
    if backend == "auto":
        backend = "highspy" if solver == "highs" else "pulp"
    if backend == "highspy":
        if solver != "highs":
            raise ValueError("the highspy back end runs HiGHS only; use backend 'pulp' for other solvers")
        return solve_highs(model, time_limit=time_limit, threads=threads, method=method, log=log)
    return solve_pulp(model, solver=solver, time_limit=time_limit, threads=threads, log=log)
