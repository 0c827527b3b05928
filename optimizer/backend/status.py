"""Solver outcome as a small enum; the exit code follows from it. Every back end says what its solver
said in these words and hands its point to `decide`, the one rule for what the point is worth."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np


class Status(Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"  # stopped; a feasible point may be kept
    NO_SOLUTION = "no_solution"  # stopped or failed without a usable point
    ERROR = "error"

    @property
    def is_ok(self) -> bool:
        return self is Status.OPTIMAL

    @property
    def exit_code(self) -> int:
        return {Status.OPTIMAL: 0, Status.INFEASIBLE: 2, Status.UNBOUNDED: 2}.get(self, 3)


@dataclass(frozen=True)
class Solution:
    status: Status
    objective: float = float("nan")
    x: np.ndarray | None = None
    row_activity: np.ndarray | None = None
    row_dual: np.ndarray | None = None  # d objective / d row bound, per row
    col_dual: np.ndarray | None = None
    solver: str = ""
    method: str = ""
    seconds: float = 0.0
    max_violation: float = float("nan")
    message: str = ""
    has_point: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def shows_feasible(self) -> bool:
        """The plan is feasible by this: optimal, unbounded, or a point kept at the time limit
        (a kept point meets every row within tolerance)."""
        return self.status in (Status.OPTIMAL, Status.UNBOUNDED) or (self.status is Status.TIME_LIMIT and self.has_point)

    def but(self, **changes) -> Solution:
        """A copy with some fields changed (a Solution is never changed in place)."""
        return replace(self, **changes)

    def __repr__(self) -> str:
        return (f"Solution({self.status.value}, objective={self.objective:.6g}, solver={self.solver}/{self.method}, "
                f"{self.seconds:.2f}s, max violation {self.max_violation:.1e})")


def decide(said: Status, model, x: np.ndarray | None, tol: float, *, solver: str, method: str = "", seconds: float = 0.0,
           message: str = "", row_activity: np.ndarray | None = None, row_dual: np.ndarray | None = None,
           col_dual: np.ndarray | None = None, extra: dict | None = None) -> Solution:
    """What a solver's answer is worth, the same for every back end: `said` is what the solver said
    (OPTIMAL, INFEASIBLE, UNBOUNDED, TIME_LIMIT for a limit reached or an interrupt, NO_SOLUTION for
    numerical trouble, ERROR for anything else), `x` its point if it gave one.

    - A point is kept only where the solver says optimal or stopped at a limit, and only if it is finite
      and meets every row and bound within `tol` (relative, LinearModel.violation).
    - Optimal is what the solver said AND what the recheck shows; a point that fails the recheck is
      dropped and the status is no_solution, with the violation in the message.
    - Infeasible, unbounded, numerical trouble and errors keep no point."""
    base = dict(solver=solver, method=method, seconds=seconds, message=message, extra=dict(extra or {}))
    if said not in (Status.OPTIMAL, Status.TIME_LIMIT):
        return Solution(said, **base)
    word = "optimal" if said is Status.OPTIMAL else (message or "stopped")
    if x is None or not np.all(np.isfinite(x)):
        return Solution(Status.NO_SOLUTION, **{**base, "message": f"{solver} said {word} but gave no finite point"})
    x = np.asarray(x, dtype=float)
    violation = model.violation(x)
    if violation > tol:
        return Solution(Status.NO_SOLUTION, max_violation=violation, **{
            **base, "message": f"{solver} said {word} but its point violates a row by {violation:.2e} (relative)"})
    return Solution(said, objective=model.objective_at(x), x=x,
                    row_activity=model.A @ x if row_activity is None else row_activity, row_dual=row_dual,
                    col_dual=col_dual, max_violation=violation, has_point=True, **base)
