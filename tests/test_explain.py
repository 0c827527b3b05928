"""Diagnosis of infeasible plans and shadow prices in words, checked by re-solving."""
from __future__ import annotations

import re

import pytest

from optimizer.backend.status import Status
from optimizer.run import solve_scenario

from conftest import SCENARIOS, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def _status(path, *overrides):
    return solve_scenario(path, list(overrides), write=False).solution.status


def _then(overrides, set_text: str) -> list[str]:
    """The overrides with the diagnosis's suggestion in place of any for the same key (a key is given once)."""
    key = set_text.partition("=")[0]
    return [o for o in overrides if o.partition("=")[0] != key] + [set_text]


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
    assert _status(path, *_then(breaking, r.set_text)) is not Status.INFEASIBLE
    # relaxing by 5% less of the change (or by the tolerance, whichever is larger) is not enough
    less = max(r.shift * 0.05, 5 * r.knob.tol)
    from optimizer.diagnose import _shifted
    short, _ = _shifted(o.loaded.scenario, r.knob, r.shift - less)
    from optimizer.diagnose import Prober
    assert Prober({"solver": "highs"})(short) is False
    assert any(r.set_text in line for line in o.diagnosis.lines)


def test_diagnosis_written_and_named(tmp_path):
    o = solve_scenario(TINY, ["resources.fiscal.budget=1"], out=tmp_path / "d")
    text = (tmp_path / "d" / "diagnosis.csv").read_text(encoding="utf-8-sig")
    assert "resources.fiscal.budget" in text and "must be raised" in text
    assert o.diagnosis.iis, "HiGHS should find an irreducible infeasible set here"
    from optimizer.backend.highs import iis_rows
    assert len(iis_rows(_model(o))) < 16  # reduced: the elasticity filter alone gave 16 rows, not irreducible
    assert any(line.startswith(f"an irreducible infeasible set of {len(o.diagnosis.iis)} rows") for line in o.diagnosis.lines)


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


UNPROVEN = ["targets.regional_gap.cap=1.01", "resources.fiscal.budget=12"]  # infeasible; the pre-solve check passes it


def _model(o):
    from optimizer.models.build import build_model
    from optimizer.preprocess.data import build_data
    return build_model(build_data(o.loaded.scenario), o.loaded.scenario)[0]


def _no_verdict(model, **opts):
    from optimizer.backend.status import Solution
    return Solution(Status.NO_SOLUTION, solver="clarabel", method="ipm", message="NumericalError")


def test_solver_without_verdict_on_a_plan_the_check_proves_infeasible(monkeypatch, tmp_path):
    """Clarabel can end in NumericalError on a plan far from feasible; the check's proof decides."""
    monkeypatch.setattr("optimizer.run.solve", _no_verdict)
    o = solve_scenario(TINY, ["targets.personnel_density.min={2028: 30}"], out=tmp_path / "p")
    assert o.warnings and o.solution.status is Status.INFEASIBLE and o.exit_code == 2
    assert "pre-solve check proves" in o.solution.message and "NumericalError" in o.solution.message
    assert "personnel_density" in o.diagnosis.involved  # the diagnosis ran, with the real solver
    unproven = solve_scenario(TINY, UNPROVEN, write=False)  # no proof: no verdict stays no verdict
    assert not unproven.warnings


def test_solver_without_verdict_and_no_proof_stays_undecided(monkeypatch):
    monkeypatch.setattr("optimizer.run.solve", _no_verdict)
    o = solve_scenario(TINY, UNPROVEN, write=False)
    assert o.solution.status is Status.NO_SOLUTION and o.exit_code == 3 and o.diagnosis is None


def test_probe_without_verdict_is_never_taken_as_feasible(monkeypatch):
    """Every solve in the diagnosis ends without a verdict: no knob may be said to restore feasibility."""
    o = solve_scenario(TINY, UNPROVEN, write=False)
    assert o.solution.status is Status.INFEASIBLE
    monkeypatch.setattr("optimizer.diagnose.solve", _no_verdict)
    from optimizer.diagnose import diagnose
    d = diagnose(o.loaded.scenario, {"solver": "cbc"})  # cbc: no IIS
    assert all(r.shift is None for r in d.relaxations), d.lines
    undecided = [r for r in d.relaxations if r.undecided]
    assert undecided and all("NumericalError" in r.undecided for r in undecided)
    assert any("not decided" in line for line in d.lines) and not any("can be relaxed alone" in line for line in d.lines)


def test_bisection_cut_short_gives_a_bracket_that_holds_the_least_change(monkeypatch):
    o = solve_scenario(TINY, UNPROVEN, write=False)
    exact = next(r for r in o.diagnosis.relaxations if r.knob.family == "regional_gap")
    assert exact.shift is not None and exact.at_least is None
    from optimizer.backend import solve as real
    from optimizer.diagnose import Prober, least_shift
    calls = []

    def stops_after_four(model, **opts):
        calls.append(1)
        return real.solve(model, **opts) if len(calls) <= 4 else _no_verdict(model)

    monkeypatch.setattr("optimizer.diagnose.solve", stops_after_four)
    r = least_shift(o.loaded.scenario, exact.knob, Prober({"solver": "highs"}))
    assert r.at_least is not None and r.at_least - exact.knob.tol <= exact.shift <= r.shift + exact.knob.tol
    assert r.at_least < r.shift and "not narrowed further" in r.sentence and "NumericalError" in r.sentence
    assert _status(TINY, *_then(UNPROVEN, r.set_text)) is Status.OPTIMAL  # what it says to set does make it feasible


def test_diagnosis_stops_at_the_time_limit():
    o = solve_scenario(TINY, UNPROVEN, write=False)
    from optimizer.diagnose import diagnose
    d = diagnose(o.loaded.scenario, {"solver": "highs", "time_limit": 1e-9})
    assert not d.iis and all(r.shift is None for r in d.relaxations)
    assert all(r.undecided == "the time limit was reached" for r in d.relaxations if r.undecided)
    assert any(r.undecided for r in d.relaxations)


def test_every_target_is_tried_before_any_is_narrowed(monkeypatch):
    """With only as many solves as it takes to try each target at its most relaxed, every target is
    still decided (can or cannot restore feasibility alone); the narrowing is what goes short."""
    o = solve_scenario(TINY, UNPROVEN, write=False)
    from optimizer.backend import solve as real
    from optimizer.diagnose import Prober, _applies, bracket, diagnose, knobs
    counting = Prober({"solver": "highs"})
    tried = [bracket(o.loaded.scenario, k, counting) for k in knobs(o.loaded.scenario) if _applies(o.loaded.scenario, k)]
    assert sum(r.shift is not None for r in tried) >= 2 and counting.solves < 30
    calls = []

    def budgeted(model, **opts):
        calls.append(1)
        return real.solve(model, **opts) if len(calls) <= counting.solves else _no_verdict(model)

    monkeypatch.setattr("optimizer.diagnose.solve", budgeted)
    d = diagnose(o.loaded.scenario, {"solver": "cbc"})
    assert [r.shift is not None for r in d.relaxations] == [r.shift is not None for r in tried]
    # bracketed, not narrowed; or decided by one LP (exact), whose checks, last, went short
    assert all(r.at_least is not None or (r.exact and "not decided" in r.checked) for r in d.relaxations if r.shift is not None)
    assert not any(r.shift is None and r.undecided for r in d.relaxations)


def test_cut_short_bracket_is_raised_by_what_the_check_proves():
    """Out of time, the lower end of the bracket is still the largest shift the pre-solve check proves
    is not enough, found without a solve; and it is below the least change."""
    breaking = ["targets.personnel_density.min={2028: 30}"]  # the check proves this one
    o = solve_scenario(TINY, breaking, write=False)
    exact = next(r for r in o.diagnosis.relaxations if r.knob.family == "personnel_density")
    from optimizer.diagnose import Prober, bracket, narrow
    found = bracket(o.loaded.scenario, exact.knob, Prober({"solver": "highs"}))
    assert found.at_least == 0.0
    cut = narrow(o.loaded.scenario, found, Prober({"solver": "highs"}, time_limit=1e-9))
    assert cut.undecided == "the time limit was reached"
    assert 0.0 < cut.at_least <= exact.shift <= cut.shift


def test_iis_out_of_time_is_none_not_the_whole_model():
    """Out of time HiGHS hands back every row of the model as 'the' infeasible set: not passed on."""
    from types import SimpleNamespace

    from optimizer.backend.highs import iis_rows
    from optimizer.preprocess.load import load_scenario
    model = _model(SimpleNamespace(loaded=load_scenario(SCENARIOS / "west.yaml", ["targets.livelihood_share.min=0.95"])))
    assert iis_rows(model, 1e-6) is None
    rows = iis_rows(model, 60.0)
    assert rows and len(rows) < 50 < model.A.shape[0]


def test_the_summary_sentences_name_their_target_and_way(invoke, tmp_path):
    """'raising the target by 0.01 m2 per person' named no target, and 'moving the binding category bounds by one
    unit ... would change service by' no direction (issue 21's new-user run)."""
    r = invoke("solve", SCENARIOS / "west.yaml", "--out", tmp_path / "w")
    said = " ".join(r.output.split())
    assert r.exit_code == 0
    assert "raising the community space target by 0.01 m2 per person in every region in 2030 would leave another" in said
    assert "raising the social-worker density target by 1 workers per 10k people in every region in 2030" in said
    assert ("loosening every binding category floor or cap in 2025 by one unit (a floor lowered, a cap raised; 100m yuan, "
            "100 FTE or 10k m2) would serve another") in said
