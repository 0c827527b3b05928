"""docs/model.md read alone gives opt's answer (issue 21.4): tests/page_lp.py, written from the page by a reader who
did not open the code, builds each bundled scenario's LP; its optimum equals opt's objective to 1e-9 (it came
out at 2e-15). A change to the model the page does not say fails here, whatever the golden files say."""
from pathlib import Path

import page_lp
import pytest

import optimizer

ROOT = Path(__file__).resolve().parents[1]
# plan.yaml as written is infeasible; the least supply and pool ceiling its diagnosis prints make it feasible
PLAN_FEASIBLE = ("resources.personnel.supply=201346", "targets.budget_pools.pools.after_2030.max=93409.6")
CASES = [
    ("scenarios/west.yaml", ()),
    ("scenarios/national.yaml", ()),
    ("scenarios/city-sharing.yaml", ()),
    ("scenarios/plan.yaml", PLAN_FEASIBLE),
    ("tests/scenarios/tiny.yaml", ()),
]


@pytest.mark.parametrize("objective", ["fair", "unserved"])
@pytest.mark.parametrize("scenario,overrides", CASES, ids=[Path(c[0]).stem for c in CASES])
def test_the_page_gives_opts_objective(scenario, overrides, objective, monkeypatch):
    monkeypatch.chdir(ROOT)
    sets = [*overrides, f"objective.kind={objective}"]
    ours = optimizer.solve(scenario, sets)
    status, page = page_lp.solve(ROOT / scenario, [tuple(s.split("=", 1)) for s in overrides], objective)
    assert ours.status == "optimal" and status == "Optimal"
    assert abs(page - ours.objective) <= 1e-9 * abs(ours.objective), (page, ours.objective)


def test_the_page_finds_plan_yaml_infeasible_as_opt_does(monkeypatch):
    monkeypatch.chdir(ROOT)
    from optimizer.run import solve_scenario

    ours = optimizer.Result(solve_scenario("scenarios/plan.yaml", [], write=False, joint=False))  # one knob at a time: 4 s, not 22
    assert ours.status == "infeasible"
    assert page_lp.solve(ROOT / "scenarios/plan.yaml")[0] == "Infeasible"


def test_the_page_lp_sees_a_changed_row():
    """Not vacuous: a budget 1% lower moves the page's optimum by far more than the tolerance."""
    west = ROOT / "scenarios/west.yaml"
    budget = page_lp.load(west)["resources"]["fiscal"]["budget"]
    low = budget * 0.99 if not isinstance(budget, dict) else {k: v * 0.99 for k, v in budget.items()}
    at, below = page_lp.solve(west)[1], page_lp.solve(west, [("resources.fiscal.budget", repr(low))])[1]
    assert below - at > 1e-6 * at
