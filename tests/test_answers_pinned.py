"""The bundled scenarios' answers, pinned: a refactor (issue 15) changes none of them. The objectives as
solved before the family-spec refactor began (commit 16e6e4a); to 1e-9, relative. A change to the model
that is meant to move them updates these numbers in the same commit, and says why."""
from __future__ import annotations

import pytest

from optimizer.run import solve_scenario

from conftest import SCENARIOS

PINNED = {"west": 763127.2949970029, "national": 3872564.037960951, "city-sharing": 286.28826823048877}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_objective_is_pinned(name):
    o = solve_scenario(SCENARIOS / f"{name}.yaml", write=False)
    assert o.exit_code == 0, o
    assert o.solution.objective == pytest.approx(PINNED[name], rel=1e-9)
