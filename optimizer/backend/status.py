"""Solver outcome as a small enum; the exit code follows from it."""
from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
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

    def take_point(self, model, x: np.ndarray, tol: float, said: str) -> None:
        """Keep the solver's point, rechecked against the arrays: an 'optimal' point that violates
        a row by more than tol (relative) is not called optimal, whatever the solver said."""
        self.x = x
        self.objective = float(model.cost @ x + model.objective_offset)
        self.max_violation = model.violation(x)
        self.has_point = True
        if self.status is Status.OPTIMAL and self.max_violation > tol:
            self.status = Status.NO_SOLUTION
            self.message = f"{said} but the point violates a row by {self.max_violation:.2e} (relative)"

    def __repr__(self) -> str:
        return (f"Solution({self.status.value}, objective={self.objective:.6g}, solver={self.solver}/{self.method}, "
                f"{self.seconds:.2f}s, max violation {self.max_violation:.1e})")
