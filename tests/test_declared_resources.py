"""Resources declared in the scenario (issue 17.2, 17.3): staff and space types beside the default three, each
with its unit, supply, unit cost, loss rate and density target; space that needs staff to serve. Solved by hand.

Region A: 100,000 residents (population 10, in 10k). Category c: 2 health technicians per 1,000 people (written
'20 per 10k people'), 200 FTE; 0.2 m2 of elderly-care space per person, 20,000 m2, which needs 5 FTE of personnel
per 1,000 m2: 100 FTE. Health technicians: 5 today, 10% leave a year (A is rural); space wears out 5% a year.

- health: today's 5 are 4.5, 4.05, 3.645 at the ends of 2026-2028; the density floor of 2 per 1,000 holds the
  level at 200: hired 195.5, then the 10% of 200 who leave, 20 and 20.
- space: 20,000 m2 built in 2026, then the 5% worn out, 1,000 m2 a year.
- personnel: 100 FTE in 2026 to run the space, none after (personnel do not leave here).
- the budget pays the salaries of the technicians added and still there (10 (10k yuan) each a year) and the
  construction (1,000 yuan/m2): 2026 195.5 x 10 + 20,000 x 0.1 = 3,955 (10k yuan); 2027 (200 - 4.05) x 10 + 100
  = 2,059.5; 2028 (200 - 3.645) x 10 + 100 = 2,063.55."""
from __future__ import annotations

import json

import pytest
from outputs import read_table, solve_cli

from optimizer.preprocess.load import load_scenario
from optimizer.run import solve_scenario

import recheck
from conftest import TESTS

TYPES = """
name: types
years: "2026:2028"
regions:
  - {id: A, name: 甲, area: rural, population: 10, base_stock: {health: 5}}
categories:
  - {id: c, name: 养老, standard: {health: "20 per 10k people", eld: 0.2}}
resources:
  fiscal: {budget: 1}
  personnel: {supply: 200}
  health: {kind: staff, name: 卫生技术人员, per: 1000, supply: 300, salary: 10, attrition: {urban: 0, rural: 0.1}}
  eld: {kind: space, name: 养老设施, supply: 3, capex: 1000, depreciation: 0.05,
        staffing: {staff: personnel, fte_per_1000_m2: 5}}
targets:
  density: {types: {health: {min: 2}}}
objective: {kind: unserved}
"""


@pytest.fixture
def types(tmp_path):
    path = tmp_path / "types.yaml"
    path.write_text(TYPES, encoding="utf-8")
    return path


def _by(a, res, column="allocated"):
    return list(a[a["resource"] == res].sort_values("year")[column])


def test_declared_types_by_hand(invoke, types):
    code, out, text = solve_cli(invoke, types)
    assert code == 0, text
    a = read_table(out, "allocation")
    assert _by(a, "health") == pytest.approx([195.5, 20, 20])
    assert _by(a, "health", "baseline") == pytest.approx([4.5, 4.05, 3.645])
    assert _by(a, "health", "level") == pytest.approx([200, 200, 200])
    assert _by(a, "eld") == pytest.approx([20_000, 1_000, 1_000])
    assert _by(a, "eld", "level") == pytest.approx([20_000] * 3)
    assert _by(a, "personnel") == pytest.approx([100, 0, 0], abs=1e-3)  # an interior point: FTE to 1e-3
    assert set(a[a["resource"] == "health"]["unit"]) == {"FTE"} and set(a[a["resource"] == "eld"]["unit"]) == {"m2"}
    assert a["unmet"].abs().max() == pytest.approx(0, abs=1e-3)
    k = read_table(out, "kpis")

    def kpi(name):
        return list(k[k["kpi"] == name].sort_values("year")["value"])

    assert kpi("fiscal_outlay") == pytest.approx([3_955, 2_059.5, 2_063.55])
    assert kpi("health_per_1000") == pytest.approx([2, 2, 2])
    assert set(k[k["kpi"] == "health_per_1000"]["unit"]) == {"FTE per 1,000 people"}
    assert set(k[k["kpi"] == "health_per_1000"]["met"]) == {True}
    assert kpi("health_hired") == pytest.approx([195.5, 20, 20])
    assert kpi("health_lost") == pytest.approx([0.5, 20, 20])
    assert kpi("health_net_change") == pytest.approx([195, 0, 0], abs=1e-3)
    assert kpi("eld_built") == pytest.approx([20_000, 1_000, 1_000])
    assert kpi("eld_worn_out") == pytest.approx([0, 1_000, 1_000], abs=1e-3)
    assert kpi("eld_m2_per_person") == pytest.approx([0.2] * 3)
    assert recheck.violations(load_scenario(types).scenario, a) == []


def test_space_without_staff_serves_no_one(invoke, types):
    """50 FTE of personnel in 2026 run 10,000 m2; a floor makes 20,000 m2 be built anyway: the other 10,000 m2
    serve nobody, 50,000 people (at 0.2 m2 each) short in 2026, whatever the LP's columns say of the space."""
    code, out, text = solve_cli(invoke, types, "resources.personnel.supply=50", "categories.0.bounds.eld.min={2026: 2}")
    assert code == 0, text
    a = read_table(out, "allocation")
    assert _by(a, "eld")[0] == pytest.approx(20_000)
    assert _by(a, "eld", "unmet") == pytest.approx([10_000, 0, 0], abs=1e-3)
    assert _by(a, "eld", "people_unserved") == pytest.approx([50_000, 0, 0], abs=1e-3)
    k = read_table(out, "kpis")
    total = k[k["kpi"] == "people_unserved_total"].sort_values("year")["value"]
    assert list(total) == pytest.approx([50_000, 0, 0], abs=1e-3)
    # m2 built that its staff cannot run: the floor of 20,000 m2 a year holds every year (a yearly amount
    # given for one year is held), so 20,000 are built each year and 100 FTE run 20,000 of the 39,000 and 57,050
    idle = k[k["kpi"] == "eld_without_staff"].sort_values("year")["value"]
    assert list(idle) == pytest.approx([10_000, 19_000, 37_050], abs=1e-2)
    assert "unique" in json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert recheck.violations(load_scenario(types).scenario, a) == []


def test_staffing_rows_hold_the_unmet_need(types):
    """The objective counts the 50,000 people: 5.0 (10k people), every person short once."""
    o = solve_scenario(types, ["resources.personnel.supply=50", "objective.cost_weight=0"], write=False)
    assert o.solution.objective == pytest.approx(5.0, abs=1e-7)


def test_a_region_own_loss_by_type(invoke, types):
    code, out, text = solve_cli(invoke, types, "regions.0.attrition={health: 0.5}")
    assert code == 0, text
    a = read_table(out, "allocation")
    assert _by(a, "health", "baseline") == pytest.approx([2.5, 1.25, 0.625])
    assert _by(a, "health") == pytest.approx([197.5, 100, 100])


def test_declared_types_diagnosed_exactly(invoke, types):
    """Supply 100: 195.5 FTE are needed in 2026: 95.5 more supply, or a floor of 1.045 per 1,000 (104.5 FTE)."""
    code, out, text = solve_cli(invoke, types, "resources.health.supply=100")
    assert code == 2, text
    assert "卫生技术人员" in text
    d = read_table(out, "diagnosis")
    d = d[d["change"] == "value"].set_index("parameter")
    assert d.loc["resources.health.supply", "least_change"] == pytest.approx(95.5, rel=2e-3)
    assert d.loc["targets.density.types.health.min", "least_change"] == pytest.approx(2 - 1.045, rel=2e-3)


@pytest.mark.parametrize("solver", ["clarabel", "cbc"])
def test_solvers_agree(types, solver):
    base = solve_scenario(types, write=False)
    other = solve_scenario(types, [f"solver.name={solver}"], write=False)
    assert other.solution.objective == pytest.approx(base.solution.objective, rel=1e-6, abs=1e-7)
    a, b = base.results.allocation, other.results.allocation
    for res in ("health", "eld"):  # an interior point stops within its tolerance of the vertex (1.5 m2 in 20,000)
        assert _by(b, res) == pytest.approx(_by(a, res), rel=1e-3, abs=1e-2)


def test_unused_types_leave_west_unchanged(tmp_path):
    """Declaring types no category uses changes nothing: west's objective to 1e-9 (tests/test_answers_pinned.py)."""
    path = tmp_path / "west_types.yaml"
    path.write_text(f"extends: {TESTS.parent / 'scenarios' / 'west.yaml'}\nname: west_types\nresources:\n"
                    "  spare: {kind: staff, supply: 10, salary: 5}\n  spare_space: {kind: space, capex: 100}\n",
                    encoding="utf-8")
    o = solve_scenario(path, ["objective.price_of_fairness=false"], write=False)
    assert o.solution.objective == pytest.approx(1120687.8906556321, rel=1e-9)


def test_density_floors_in_the_types_own_units(types):
    """'2 per 1,000 people' for health (per 1000) and '2 m2/person' read in the type's unit: the same answer as
    the plain numbers (2; and a space floor the need already meets)."""
    plain = solve_scenario(types, ["targets.density.types.eld={min: 0.2}"], write=False)
    text = solve_scenario(types, ["targets.density.types.health.min='2 per 1,000 people'",
                                  "targets.density.types.eld={min: '0.2 m2/person'}"], write=False)
    assert text.exit_code == 0 and text.solution.objective == pytest.approx(plain.solution.objective, rel=1e-12)
    k = text.results.kpis
    assert set(k[k["kpi"] == "health_per_1000"]["target"]) == {2.0}
    assert list(k[k["kpi"] == "eld_m2_per_person"]["target"]) == pytest.approx([0.2] * 3)
