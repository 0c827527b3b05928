"""Diagnosis of infeasible plans and shadow prices in words, checked by re-solving."""
from __future__ import annotations

import re

import pytest

from conftest import SCENARIOS, TESTS
from optimizer.backend.status import Status
from optimizer.run import solve_scenario

TINY = TESTS / "scenarios" / "tiny.yaml"


def _status(path, *overrides):
    return solve_scenario(path, list(overrides), write=False).solution.status


@pytest.mark.parametrize("path,breaking,family", [
    (TINY, ["resources.fiscal.budget=1"], "supply"),
    (TINY, ["targets.regional_gap.cap=1.01", "resources.fiscal.budget=4"], "regional_gap"),
    (TINY, ["targets.personnel_density.min={2028: 30}"], "personnel_density"),
    (SCENARIOS / "west.yaml", ["targets.livelihood_share.min=0.95"], "livelihood_share"),
])
def test_reported_relaxation_restores_feasibility_and_less_does_not(path, breaking, family):
    o = solve_scenario(path, breaking, write=False)
    assert o.solution.status is Status.INFEASIBLE and o.exit_code == 2
    assert family in o.diagnosis.involved, o.diagnosis.lines
    r = next(r for r in o.diagnosis.relaxations if r.knob.family == family and r.shift is not None)
    assert _status(path, *breaking, r.set_text) is not Status.INFEASIBLE
    # relaxing by 5% less of the change (or by the tolerance, whichever is larger) is not enough
    less = max(r.shift * 0.05, 5 * r.knob.tol)
    from optimizer.diagnose import _shifted
    short, _ = _shifted(o.loaded.scenario, r.knob, r.shift - less)
    from optimizer.diagnose import _feasible
    assert not _feasible(short, {"solver": "highs"})
    assert any(r.set_text in line for line in o.diagnosis.lines)


def test_diagnosis_written_and_named(tmp_path):
    o = solve_scenario(TINY, ["resources.fiscal.budget=1"], out=tmp_path / "d")
    text = (tmp_path / "d" / "diagnosis.csv").read_text(encoding="utf-8-sig")
    assert "resources.fiscal.budget" in text and "must be raised" in text
    assert o.diagnosis.iis, "HiGHS should find an irreducible infeasible set here"


def _people(path, *overrides):
    o = solve_scenario(path, ["objective.cost_weight=0", *overrides], write=False)
    assert o.solution.status is Status.OPTIMAL
    return o


def test_budget_shadow_price_matches_finite_difference():
    base = _people(SCENARIOS / "west.yaml")
    cons = base.results.constraints
    row = cons[(cons["family"] == "supply") & (cons["name"] == "supply.fiscal.2027")].iloc[0]
    per_100m = -row["shadow_price"]  # people served per extra 100m yuan
    assert per_100m > 0 and "2027" in row["meaning"]
    step = 1.0  # 100m yuan in 2027 only
    moved = _people(SCENARIOS / "west.yaml", "resources.fiscal.budget={2024: 3000, 2026: 3000, 2027: 3001, 2028: 3000}")
    served = (base.solution.objective - moved.solution.objective) * 1e4 / step
    assert served == pytest.approx(per_100m, rel=0.01)
    assert re.search(r"serve another [\d,.]+ (million )?people", row["meaning"])


def test_share_shadow_price_matches_finite_difference():
    base = _people(SCENARIOS / "west.yaml")
    cons = base.results.constraints
    row = cons[(cons["name"] == "livelihood_share.fiscal.2027")].iloc[0]
    assert row["binding"]
    step = 0.001
    moved = _people(SCENARIOS / "west.yaml", f"targets.livelihood_share.min={{2024: 0.7, 2026: 0.7, 2027: {0.7 + step}, 2028: 0.7}}")
    change = (moved.solution.objective - base.solution.objective) * 1e4 / (step * 100)  # per percentage point
    assert change == pytest.approx(row["shadow_price"], rel=0.01)
