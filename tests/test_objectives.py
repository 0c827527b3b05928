"""The objective kinds (issue 22), solved by hand on one region, one year, two services.

Region A, 100,000 residents. Elderly care 1,000 yuan a person: need 1.0 (100m yuan), 10 (10k people) per
100m yuan short. Childcare 100 yuan a person: need 0.1, 100 per 100m yuan short. Budget 0.5 (100m yuan).

- unserved: childcare first (100 people per unit against 10), 0.1; elderly care the other 0.4. Short:
  elderly 0.6 x 10 = 6.0 (60,000 people), childcare none. Objective 6.0.
- fair, breakpoints [0.5], slopes [1, 20]: a unit of money in a band serves ppu x slope: childcare's
  upper band 2,000, elderly's upper band 200, childcare's lower band 100, elderly's lower band 10. Money
  goes in that order: childcare's upper band (its unmet share from 100% to 50%: 0.05), elderly's upper band
  (0.5, of which 0.45 is left). Short: childcare 0.05 (share met 50%), elderly 0.55 (share met 45%).
  Objective: childcare 0.05 x 100 x 1 = 5; elderly 0.5 x 10 x 1 + 0.05 x 10 x 20 = 15; 20.0. People short:
  50,000 + 55,000 = 105,000.
- maximin: stage 1, both shares >= z: 1.1 z <= 0.5, z = 5/11. Stage 2 holds z >= 5/11 - 1e-4 and serves
  the most people: the 0.00011 (100m yuan) freed goes to childcare."""
from __future__ import annotations

import json

import numpy as np
import pytest

from optimizer.run import solve_scenario

TWO = """
name: two
years: [2026]
regions:
  - {id: A, name: 甲, population: 10}
categories:
  - {id: elderly, name: 养老, standard: {fiscal: 1000}}
  - {id: childcare, name: 托育, standard: {fiscal: 100}}
resources:
  fiscal: {budget: 0.5}
objective: {cost_weight: 0, fair: {breakpoints: [0.5], slopes: [1, 20]}}
"""


@pytest.fixture
def two(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    return path


def _money(o, cat):
    a = o.results.allocation
    return float(a[(a["category"] == cat) & (a["resource"] == "fiscal")]["allocated"].sum()) / 1e4  # 100m yuan


def _met(o, cat):
    k = o.results.kpis
    return float(k[(k["kpi"] == "need_met_share") & (k["scope"] == f"{cat} / fiscal")]["value"].iloc[0])


def test_unserved_funds_the_cheapest_people_first(two):
    o = solve_scenario(two, ["objective.kind=unserved"], write=False)
    assert o.solution.objective == pytest.approx(6.0, abs=1e-9)
    assert _money(o, "childcare") == pytest.approx(0.1, abs=1e-9)
    assert _money(o, "elderly") == pytest.approx(0.4, abs=1e-9)
    assert "price_of_fairness" not in o.results.summary


def test_fair_funds_the_worst_covered_band_first(two):
    o = solve_scenario(two, write=False)  # fair is the default
    assert o.loaded.scenario.objective.kind == "fair"
    assert o.solution.objective == pytest.approx(20.0, abs=1e-9)
    assert _money(o, "childcare") == pytest.approx(0.05, abs=1e-9)
    assert _money(o, "elderly") == pytest.approx(0.45, abs=1e-9)
    assert _met(o, "养老") == pytest.approx(0.45, abs=1e-9) and _met(o, "托育") == pytest.approx(0.5, abs=1e-9)
    assert o.results.summary["people_unserved"] == pytest.approx(105_000, abs=1e-4)


def test_price_of_fairness_against_unserved(two, tmp_path):
    o = solve_scenario(two, out=tmp_path / "out")
    price = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["price_of_fairness"]
    assert price["people_unserved"] == pytest.approx(105_000, abs=1e-4)
    assert price["people_unserved_if_unserved"] == pytest.approx(60_000, abs=1e-4)
    assert price["people_fewer_short_if_unserved"] == pytest.approx(45_000, abs=1e-4)
    assert price["lowest_share_met_by_year"]["2026"] == pytest.approx(0.45, abs=1e-9)
    assert price["lowest_share_met_if_unserved_by_year"]["2026"] == pytest.approx(0.40, abs=1e-9)
    assert "45,000 fewer person-services" in price["sentence"] and "40.0% instead of 45.0% in 2026" in price["sentence"]
    assert o.exit_code == 0


def test_fair_with_one_slope_is_unserved(two):
    """A single band at slope 1 is the unserved objective, number for number."""
    a = solve_scenario(two, ["objective.fair.breakpoints=[0.5]", "objective.fair.slopes=[1, 1]"], write=False)
    b = solve_scenario(two, ["objective.kind=unserved"], write=False)
    assert a.solution.objective == pytest.approx(b.solution.objective, abs=1e-9)


def test_maximin_raises_the_lowest_share_then_serves_the_most(two):
    o = solve_scenario(two, ["objective.kind=maximin"], write=False)
    z = 5 / 11 - 1e-4
    spare = 0.5 - 1.1 * z
    assert o.solution.extra["lowest_share_met"] == pytest.approx([5 / 11], abs=1e-9)
    assert _money(o, "elderly") == pytest.approx(z, abs=1e-9)
    assert _money(o, "childcare") == pytest.approx(0.1 * z + spare, abs=1e-9)
    assert o.solution.objective == pytest.approx(10 * (1 - z) + 100 * (0.1 * (1 - z) - spare), abs=1e-9)
    price = o.results.summary["price_of_fairness"]
    assert price["lowest_share_met_if_unserved_by_year"][2026] == pytest.approx(0.4, abs=1e-9)


def test_maximin_tolerance_moves_the_answer(two):
    o = solve_scenario(two, ["objective.kind=maximin", "objective.maximin_tolerance=0.01"], write=False)
    assert _money(o, "elderly") == pytest.approx(5 / 11 - 0.01, abs=1e-9)


@pytest.mark.parametrize("solver", ["highs", "clarabel", "cbc"])
@pytest.mark.parametrize("kind,want", [("fair", 20.0), ("unserved", 6.0)])
def test_solvers_agree(two, solver, kind, want):
    o = solve_scenario(two, [f"objective.kind={kind}", f"solver.name={solver}"], write=False)
    assert o.solution.objective == pytest.approx(want, rel=1e-6, abs=1e-6)


NEED_MET = TWO + """
targets:
  need_met:
    floors:
      elderly: {name: 养老需求满足率, categories: [elderly], min: 0.6}
"""


def test_need_met_floor_binds_with_its_price(tmp_path):
    """Under unserved with a budget of 0.65, a floor of 60% on elderly care's need met gives elderly care
    0.6 and childcare the other 0.05. Short: elderly 0.4 x 10 = 4,
    childcare 0.05 x 100 = 5: 9.0. One point more on the floor moves 0.01 from childcare (100 per unit) to
    elderly (10): 0.9 more, 9,000 people: the shadow price the sentence gives."""
    path = tmp_path / "nm.yaml"
    path.write_text(NEED_MET, encoding="utf-8")
    o = solve_scenario(path, ["objective.kind=unserved", "resources.fiscal.budget=0.65"], out=tmp_path / "out")
    assert o.solution.objective == pytest.approx(9.0, abs=1e-9)
    assert _money(o, "elderly") == pytest.approx(0.6, abs=1e-9)
    k = o.results.kpis
    row = k[k["kpi"] == "need_met_elderly"].iloc[0]
    assert row["value"] == pytest.approx(0.6, abs=1e-9) and row["target"] == pytest.approx(0.6) and row["met"] is True
    c = o.results.constraints
    fam = c[c["family"] == "need_met"].iloc[0]
    assert bool(fam["binding"])
    assert "9,000 people" in fam["meaning"]
    higher = solve_scenario(path, ["objective.kind=unserved", "resources.fiscal.budget=0.65",
                                   "targets.need_met.floors.elderly.min=0.61"], write=False)
    assert (higher.solution.objective - o.solution.objective) * 1e4 == pytest.approx(9_000, rel=1e-6)


def test_need_met_special_weights_by_the_special_group_fraction(tmp_path):
    """categories: special weighs each category by its special-group fraction: elderly 1.0, childcare 0 means
    the floor is on elderly care alone."""
    text = NEED_MET.replace("{id: elderly, name: 养老,", "{id: elderly, name: 养老, special_group_fraction: 1,")
    text = text.replace("{id: childcare, name: 托育,", "{id: childcare, name: 托育, special_group_fraction: 0,")
    text = text.replace("categories: [elderly]", "categories: special")
    path = tmp_path / "nm.yaml"
    path.write_text(text, encoding="utf-8")
    o = solve_scenario(path, ["objective.kind=unserved", "resources.fiscal.budget=0.65"], write=False)
    assert _money(o, "elderly") == pytest.approx(0.6, abs=1e-9)


def test_need_met_floor_out_of_reach_is_diagnosed(tmp_path):
    """80% of elderly care's need takes 0.8 of a 0.5 budget: the diagnosis asks the floor down to 50%
    (0.5 of 1.0) or the budget up to 0.8."""
    path = tmp_path / "nm.yaml"
    path.write_text(NEED_MET.replace("min: 0.6", "min: 0.8"), encoding="utf-8")
    o = solve_scenario(path, write=False)
    assert o.exit_code == 2
    text = "\n".join(o.diagnosis.lines)
    assert "need-met floor 养老需求满足率" in text
    assert "50.00%" in text and "0.8" in text, text


def test_coverage_is_in_the_allocation_and_kpis(two):
    o = solve_scenario(two, write=False)
    k = o.results.kpis
    low = k[(k["kpi"] == "need_met_lowest") & (k["scope"] == "lowest category and resource, all regions")]
    assert float(low["value"].iloc[0]) == pytest.approx(0.45, abs=1e-9)
    assert np.isfinite(k[k["kpi"] == "need_met_share"]["value"]).all()


def test_quadratic_form_by_hand(two):
    """form: quadratic, curvature 40: the penalty is ppu (u + 40 u^2 / 2N), a person short counting 1 + 40 x
    the unmet share. At the optimum both services' marginal values are equal: 10 (1 + 40 u_e) = 100 (1 + 400 u_c)
    with u_e + u_c = 1.1 - 0.5 = 0.6, so u_c = 15/4040 and u_e = 0.6 - u_c."""
    o = solve_scenario(two, ["objective.fair.form=quadratic", "objective.fair.curvature=40"], write=False)
    assert o.solution.solver == "clarabel"
    u_c = 15 / 4040
    u_e = 0.6 - u_c
    assert _money(o, "childcare") == pytest.approx(0.1 - u_c, abs=1e-6)
    assert _money(o, "elderly") == pytest.approx(1.0 - u_e, abs=1e-6)
    want = 10 * (u_e + 20 * u_e ** 2) + 100 * (u_c + 200 * u_c ** 2)
    assert o.solution.objective == pytest.approx(want, rel=1e-6)


def test_quadratic_form_refuses_a_linear_solver(two, invoke, tmp_path):
    r = invoke("solve", two, "--set", "objective.fair.form=quadratic", "--set", "solver.name=highs",
               "--out", tmp_path / "out")
    assert r.exit_code == 1, r.output
    assert "objective.fair.form" in r.output and "found solver highs" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_quadratic_form_cannot_be_written_as_lp(two, invoke, tmp_path):
    r = invoke("solve", two, "--set", "objective.fair.form=quadratic", "--write-lp", tmp_path / "m.lp",
               "--out", tmp_path / "out")
    assert r.exit_code == 1 and "quadratic form" in r.output, r.output
    assert not (tmp_path / "m.lp").exists() and not (tmp_path / "out").exists()


def test_price_of_fairness_can_be_switched_off(two):
    o = solve_scenario(two, ["objective.price_of_fairness=false"], write=False)
    assert "price_of_fairness" not in o.results.summary


def test_options_the_kind_does_not_read_are_said(two, caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="opt"):
        solve_scenario(two, ["objective.kind=unserved", "objective.maximin_tolerance=0.01"], write=False)
    text = caplog.text
    assert "objective.fair is given but not used under objective.kind unserved" in text
    assert "objective.maximin_tolerance is given but not used" in text
