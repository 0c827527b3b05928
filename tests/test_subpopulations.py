"""Demand that follows people (issue 17.1): a category's need follows the sub-population it serves."""
from __future__ import annotations

import pandas as pd
import pytest

from optimizer.run import solve_scenario

AGEING = """
name: ageing
years: "2026:2028"
subpopulations:
  aged60: {name: 60岁及以上, share: {2026: 0.2, 2028: 0.3}}
regions:
  - {id: A, population: 10}
categories:
  - {id: elderly, serves: aged60, standard: {fiscal: 1000}}
  - {id: childcare, standard: {fiscal: 100}}
resources:
  fiscal: {budget: 0.2}
objective: {kind: unserved, cost_weight: 0}
"""


@pytest.fixture
def ageing(tmp_path):
    path = tmp_path / "ageing.yaml"
    path.write_text(AGEING, encoding="utf-8")
    return path


def test_need_follows_the_group_it_serves(ageing, tmp_path):
    """Region A, 100,000 residents; aged 60+: 20%, 25%, 30% (linear 2026-2028) = 20,000, 25,000, 30,000.
    Childcare 100 yuan x 100,000 = 0.1 (100m yuan) a year serves 100,000 people: 1,000 people per 1m yuan;
    elderly care 1,000 yuan per person aged 60+: 100 per 1m yuan. Budget 0.2 a year: childcare is met
    (0.1), elderly care gets 0.1 = 10,000 people; unmet 10,000, 15,000, 20,000 people aged 60+:
    objective 1.0 + 1.5 + 2.0 = 4.5 (10k people)."""
    o = solve_scenario(ageing, out=tmp_path / "out")
    assert o.exit_code == 0
    assert o.solution.objective == pytest.approx(4.5, abs=1e-7)
    alloc = pd.read_csv(tmp_path / "out" / "allocation.csv", encoding="utf-8-sig")
    eld = alloc[(alloc["category"] == "elderly") & (alloc["resource"] == "fiscal")].set_index("year")
    assert list(eld["need"]) == pytest.approx([2000.0, 2500.0, 3000.0])  # 10k yuan: people aged 60+ x 1,000 yuan
    assert list(eld["people_unserved"]) == pytest.approx([10000.0, 15000.0, 20000.0])
    k = pd.read_csv(tmp_path / "out" / "kpis.csv", encoding="utf-8-sig")
    size = k[k["kpi"] == "subpopulation_aged60"].set_index("year")["value"]
    assert list(size) == pytest.approx([20000.0, 25000.0, 30000.0])
    share = k[k["kpi"] == "subpopulation_aged60_share"].set_index("year")["value"]
    assert list(share) == pytest.approx([0.2, 0.25, 0.3])


def test_a_region_own_share_replaces_the_scenario_share(ageing, tmp_path):
    """A's own 10% every year: 10,000 aged 60+, elderly care needs 0.1 and gets it: nothing unserved."""
    o = solve_scenario(ageing, ["regions.0.subpopulation_share={aged60: 0.1}"], write=False)
    assert o.exit_code == 0
    assert o.solution.objective == pytest.approx(0.0, abs=1e-7)


def test_without_serves_need_is_every_resident(ageing, tmp_path):
    """The same standard for every resident: elderly care needs 1.0 a year; 0.1 of it bought serves
    10,000 of 100,000: 90,000 unserved a year: 27.0."""
    o = solve_scenario(ageing, ["categories.0.serves=null"], write=False)
    assert o.exit_code == 0
    assert o.solution.objective == pytest.approx(27.0, abs=1e-7)


@pytest.mark.parametrize("override, message", [
    ("categories.0.serves=aged65", "categories[elderly].serves: expected a sub-population declared under 'subpopulations:' "
                                   "(aged60), found 'aged65'"),
    ("subpopulations.aged60.share=1.2", "subpopulations.aged60.share"),
    ("subpopulations.aged60.share=null", "subpopulations.aged60.share: expected a share of residents"),
    ("regions.0.subpopulation_share={aged65: 0.1}", "expected a sub-population declared"),
])
def test_bad_subpopulations_are_refused(ageing, tmp_path, invoke, override, message):
    out = tmp_path / "out"
    r = invoke("solve", ageing, "--set", override, "--out", out)
    assert r.exit_code == 1, r.output
    assert message in r.output.replace("\n", ""), r.output
    assert not out.exists()


def test_standards_by_year(tmp_path):
    """A standard rising from 100 (2026) to 300 yuan/person (2028), 200 between: 100,000 residents need 0.1, 0.2,
    0.3 (100m yuan); a budget of 0.1 a year leaves 0, 0.1 and 0.2 unmet, which is 0.1e8 / 200 = 50,000 and
    0.2e8 / 300 = 66,667 people: objective 5 + 6.6667 = 11.6667 (10k people)."""
    path = tmp_path / "std.yaml"
    path.write_text("""
years: "2026:2028"
regions: [{id: A, population: 10}]
categories: [{id: c, standard: {fiscal: {2026: 100, 2028: 300}}}]
resources: {fiscal: {budget: 0.1}}
objective: {kind: unserved, cost_weight: 0}
""", encoding="utf-8")
    o = solve_scenario(path, out=tmp_path / "out")
    assert o.exit_code == 0
    assert o.solution.objective == pytest.approx(5 + 20 / 3, abs=1e-7)
    alloc = pd.read_csv(tmp_path / "out" / "allocation.csv", encoding="utf-8-sig").set_index("year")
    assert list(alloc["need"]) == pytest.approx([1000.0, 2000.0, 3000.0])  # 10k yuan
    assert list(alloc["people_unserved"]) == pytest.approx([0.0, 50000.0, 200000 / 3], abs=1e-3)  # an interior point


def test_special_group_fraction_by_year(tmp_path):
    """care serves special groups 40% in 2026, 80% in 2027; arts none. At least 50% of money to special groups:
    2026 cannot spend at all (0.4 x care >= 0.5 x (care + arts) only at 0): 10 + 10 unmet (10k people);
    2027: 0.8 care >= 0.5 (care + arts) is arts <= 0.6 care; within the budget 0.2 arts is largest at care 0.125
    (money beyond care's need counts in the share), arts 0.075 of its 0.1: 25,000 unmet. 20 + 2.5 = 22.5."""
    path = tmp_path / "sg.yaml"
    path.write_text("""
years: "2026:2027"
regions: [{id: A, population: 10}]
categories:
  - {id: care, special_group_fraction: {2026: 0.4, 2027: 0.8}, standard: {fiscal: 100}}
  - {id: arts, special_group_fraction: 0, standard: {fiscal: 100}}
resources: {fiscal: {budget: 0.2}}
targets: {special_groups_share: {min: 0.5}}
objective: {kind: unserved, cost_weight: 0}
""", encoding="utf-8")
    o = solve_scenario(path, out=tmp_path / "out")
    assert o.exit_code == 0
    assert o.solution.objective == pytest.approx(22.5, abs=1e-7)
    k = pd.read_csv(tmp_path / "out" / "kpis.csv", encoding="utf-8-sig")
    share = k[k["kpi"] == "special_group_share_fiscal"].set_index("year")["value"]
    assert share[2027] == pytest.approx(0.5, abs=1e-9)
