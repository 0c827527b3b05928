"""Pick the back end for a solver choice and run it."""
from __future__ import annotations

import importlib.util

from optimizer.backend.clarabel_ipm import solve_clarabel
from optimizer.backend.highs import solve_highs
from optimizer.backend.lp import LinearModel
from optimizer.backend.pulp_backend import solve_pulp
from optimizer.backend.status import Solution

# From here up, `auto` uses Clarabel's interior point: at 333 counties (248k columns) it took 6 s
# where HiGHS's IPX took 43 s; at 31 provinces (23k columns) HiGHS's simplex is as fast and gives a vertex.
AUTO_IPM_COLUMNS = 100_000


def pick_solver(model: LinearModel, solver: str = "auto", method: str = "auto", backend: str = "auto",
                integer: bool = False) -> str:
    """The solver `auto` stands for on this model: HiGHS, or Clarabel for large models
    (where it is installed and neither a HiGHS method nor the PuLP back end was asked for)."""
    if solver != "auto":
        return solver
    if model.quad is not None:  # a quadratic objective: of ours, only Clarabel takes it
        return "clarabel"
    if integer and model.integer is not None:  # whole facilities: HiGHS's MIP
        return "highs"
    large = model.A.shape[1] >= AUTO_IPM_COLUMNS and method == "auto" and backend != "pulp"
    return "clarabel" if large and importlib.util.find_spec("clarabel") else "highs"


def solve(model: LinearModel, solver: str = "auto", backend: str = "auto", time_limit: float | None = None,
          threads: int | None = None, method: str = "auto", log: bool = False, progress=None,
          integer: bool = False, gap: float | None = None, basis=None, keep_basis: bool = False) -> Solution:
    """`progress(text)`, where given, hears how a long solve is going (interior point: each iteration).
    `integer`: the columns the model marks integer are made whole (HiGHS's MIP). `gap`: the relative duality
    gap Clarabel stops at, where not its default (optimizer.unique's stages ask for less). `basis`,
    `keep_basis`: HiGHS's simplex starts from a basis, and gives its last in extra["basis"] (others ignore them)."""
    solver = pick_solver(model, solver, method, backend, integer)
    whole = integer and model.integer is not None
    if whole and solver != "highs":  # refused with the scenario's key before (run.solver_options)
        raise ValueError(f"whole numbers need HiGHS, not {solver}")
    if whole:
        return solve_highs(model, time_limit=time_limit, threads=threads, method=method, log=log, integer=True)
    if model.quad is not None and solver != "clarabel":  # refused with the scenario's key before (run.solver_options)
        raise ValueError(f"a quadratic objective needs Clarabel, not {solver}")
    if solver == "clarabel":
        if backend == "pulp":
            raise ValueError("PuLP has no Clarabel interface; use backend 'auto' with solver 'clarabel'")
        return solve_clarabel(model, time_limit=time_limit, threads=threads, log=log, progress=progress,
                              **({"gap": gap} if gap is not None else {}))
    if backend == "auto":
        backend = "highspy" if solver == "highs" else "pulp"
    if backend == "highspy":
        if solver != "highs":
            raise ValueError("the highspy back end runs HiGHS only; use backend 'pulp' for other solvers")
        return solve_highs(model, time_limit=time_limit, threads=threads, method=method, log=log, basis=basis,
                           keep_basis=keep_basis)
    return solve_pulp(model, solver=solver, time_limit=time_limit, threads=threads, log=log)
