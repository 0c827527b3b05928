"""The one rule for what a solver's answer is worth (optimizer.backend.status.decide), whatever the back end."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from optimizer.backend.status import Solution, Status, decide


class Rows:
    """x0 + x1 >= 2, x >= 0: the smallest model with a row to violate."""
    A = sp.csr_matrix(np.array([[1.0, 1.0]]))
    row_lower, row_upper = np.array([2.0]), np.array([np.inf])
    col_lower, col_upper = np.zeros(2), np.full(2, np.inf)
    cost, objective_offset, quad = np.array([1.0, 3.0]), 0.5, None

    def violation(self, x):
        from optimizer.backend.lp import LinearModel

        return LinearModel.violation(self, x)

    def objective_at(self, x):
        from optimizer.backend.lp import LinearModel

        return LinearModel.objective_at(self, x)


M = Rows()


@pytest.mark.parametrize("said,x,status,kept", [
    (Status.OPTIMAL, [2.0, 0.0], Status.OPTIMAL, True),
    (Status.OPTIMAL, [1.0, 0.5], Status.NO_SOLUTION, False),  # 0.5 short of the row: not optimal, whatever was said
    (Status.OPTIMAL, [2.0 - 2e-6, 0.0], Status.NO_SOLUTION, False),  # just over the tolerance (1e-6 relative)
    (Status.OPTIMAL, [2.0 - 5e-7, 0.0], Status.OPTIMAL, True),  # just within it
    (Status.OPTIMAL, None, Status.NO_SOLUTION, False),
    (Status.OPTIMAL, [np.nan, 2.0], Status.NO_SOLUTION, False),
    (Status.TIME_LIMIT, [3.0, 0.0], Status.TIME_LIMIT, True),  # a feasible point kept at a limit
    (Status.TIME_LIMIT, [0.0, 0.0], Status.NO_SOLUTION, False),
    (Status.TIME_LIMIT, None, Status.NO_SOLUTION, False),
    (Status.INFEASIBLE, [2.0, 0.0], Status.INFEASIBLE, False),
    (Status.UNBOUNDED, [2.0, 0.0], Status.UNBOUNDED, False),
    (Status.NO_SOLUTION, [2.0, 0.0], Status.NO_SOLUTION, False),  # numerical trouble keeps no point
    (Status.ERROR, [2.0, 0.0], Status.ERROR, False),
])
def test_decide(said, x, status, kept):
    sol = decide(said, M, None if x is None else np.array(x), 1e-6, solver="s", message="m")
    assert sol.status is status and sol.has_point is kept and (sol.x is not None) is kept
    if kept:
        assert sol.objective == pytest.approx(float(M.cost @ np.array(x)) + 0.5, abs=0)
        assert sol.row_activity is not None and sol.max_violation <= 1e-6
    if said is Status.OPTIMAL and status is Status.NO_SOLUTION and x is not None and np.all(np.isfinite(x)):
        assert "said optimal but its point violates a row" in sol.message


@pytest.mark.parametrize("status,code", [(Status.OPTIMAL, 0), (Status.INFEASIBLE, 2), (Status.UNBOUNDED, 2),
                                         (Status.TIME_LIMIT, 3), (Status.NO_SOLUTION, 3), (Status.ERROR, 3)])
def test_exit_code_and_is_ok(status, code):
    assert status.exit_code == code and status.is_ok is (status is Status.OPTIMAL)


def test_solution_is_immutable():
    sol = decide(Status.OPTIMAL, M, np.array([2.0, 0.0]), 1e-6, solver="s")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sol.status = Status.INFEASIBLE  # type: ignore[misc]
    other = sol.but(status=Status.INFEASIBLE)
    assert sol.status is Status.OPTIMAL and other.status is Status.INFEASIBLE and isinstance(other, Solution)


@pytest.mark.parametrize("solver", ["highs", "clarabel", "cbc"])
def test_every_back_end_decides_the_same(solver):
    """A back end's 'optimal' is decide()'s: the point passes the recheck, and the same objective."""
    from optimizer.errors import SolverUnavailable
    from optimizer.run import solve_scenario

    from conftest import TESTS

    try:
        o = solve_scenario(TESTS / "scenarios" / "tiny.yaml", write=False, solver=solver)
    except SolverUnavailable:
        pytest.skip(f"{solver} not available")
    assert o.solution.status is Status.OPTIMAL and o.solution.has_point and o.solution.max_violation <= 1e-6
    ref = solve_scenario(TESTS / "scenarios" / "tiny.yaml", write=False, solver="highs").solution.objective
    assert o.solution.objective == pytest.approx(ref, rel=1e-7)
