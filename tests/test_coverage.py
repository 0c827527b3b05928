"""Facility coverage (issue 17.4), solved by hand.

Region A: 100,000 residents, 10 villages, 2 of them with an elderly-care facility today. Care: 1,000 yuan a
person (need 1.0, 100m yuan, a year); budget 1.0 a year, 2026-2027. Target: 55% of villages by 2027, a
facility costing 100万元 (0.01) and needing 2 FTE. 5.5 - 2 = 3.5 facilities: 0.035 less for care, 3,500
people short (objective 0.35, every person short counting once, no tie-breaker). One point more of coverage
is 0.1 facility, 0.001 (100m yuan) less for care: 100 people. Whole facilities (--integer): 4, 0.04: 4,000 people."""
from __future__ import annotations

import pytest

from optimizer.run import solve_scenario

COV = """
name: cov
years: [2026, 2027]
regions:
  - {id: A, name: 甲, area: rural, population: 10, villages: 10, facilities: {elderly: {villages: 2}}}
categories:
  - {id: care, name: 养老, standard: {fiscal: 1000}}
resources:
  fiscal: {budget: 1.0}
  personnel: {supply: 5}
objective: {kind: unserved, cost_weight: 0}
targets:
  coverage:
    types:
      elderly: {name: 养老服务设施, capex: '100 万元', staff: 2, villages: {2027: 0.55}}
"""


@pytest.fixture
def cov(tmp_path):
    path = tmp_path / "cov.yaml"
    path.write_text(COV, encoding="utf-8")
    return path


def _kpi(o, kpi, scope="all regions"):
    k = o.results.kpis
    return k[(k["kpi"] == kpi) & (k["scope"] == scope)].set_index("year")["value"]


def test_coverage_by_hand(cov):
    o = solve_scenario(cov, write=False)
    assert o.exit_code == 0
    assert o.solution.objective == pytest.approx(0.35, abs=1e-9)
    assert _kpi(o, "facilities_built_elderly_villages")[2027] == pytest.approx(3.5, abs=1e-9)
    assert _kpi(o, "coverage_elderly_villages")[2027] == pytest.approx(0.55, abs=1e-9)
    assert _kpi(o, "fiscal_outlay").sum() == pytest.approx(20_000, abs=1e-6)  # the budget pays the facilities too
    row = o.results.constraints[o.results.constraints["family"] == "coverage"].iloc[0]
    assert "100 people" in row["meaning"], row["meaning"]


def test_coverage_shadow_price_is_the_finite_difference(cov):
    a = solve_scenario(cov, write=False)
    b = solve_scenario(cov, ["targets.coverage.types.elderly.villages={2027: 0.56}"], write=False)
    assert (b.solution.objective - a.solution.objective) * 1e4 == pytest.approx(100, rel=1e-6)


def test_whole_facilities(cov):
    o = solve_scenario(cov, ["solver.integer=true"], write=False)
    assert o.solution.method == "mip" and o.results.summary["mip_gap"] <= 1e-4
    assert _kpi(o, "facilities_built_elderly_villages")[2027] == pytest.approx(4.0, abs=1e-6)
    assert o.solution.objective == pytest.approx(0.4, abs=1e-7)


def test_staff_come_from_the_supply(cov):
    """3.5 facilities need 7 FTE; a supply of 3 a year allows 6 by 2027: the check proves it, and the diagnosis
    asks for more supply or less coverage (2 + 3 facilities: 50%)."""
    o = solve_scenario(cov, ["resources.personnel.supply=3"], write=False)
    assert o.exit_code == 2
    assert any("need at least 7 FTE" in w and "supply allows 6 FTE" in w for w in o.warnings), o.warnings
    text = "\n".join(o.diagnosis.lines)
    assert "personnel supply" in text and "coverage of villages" in text, text


def test_integer_needs_highs(cov, invoke, tmp_path):
    r = invoke("solve", cov, "--integer", "--solver", "clarabel", "--out", tmp_path / "out")
    assert r.exit_code == 1 and "solver.integer" in r.output, r.output


def test_recheck_from_coverage_csv(cov, tmp_path):
    import pandas as pd

    import recheck

    o = solve_scenario(cov, out=tmp_path / "out")
    t = pd.read_csv(tmp_path / "out" / "coverage.csv", encoding="utf-8-sig")
    alloc = pd.read_csv(tmp_path / "out" / "allocation.csv", encoding="utf-8-sig")
    assert t["capex_10k_yuan"].sum() == pytest.approx(350, abs=1e-6)  # 3.5 x 100万元
    assert recheck.coverage_violations(o.loaded.scenario, t) == []
    assert recheck.violations(o.loaded.scenario, alloc, coverage=t) == []
    short = t.assign(built_so_far=t["built_so_far"] * 0.9)
    assert recheck.coverage_violations(o.loaded.scenario, short)  # the recheck is not vacuous
    dear = t.assign(capex_10k_yuan=t["capex_10k_yuan"] * 10)
    assert any("budget" in f for f in recheck.violations(o.loaded.scenario, alloc, coverage=dear))


def test_a_full_target_says_what_its_last_point_costs(cov):
    """At 100% there is no 101% to raise it to: the sentence prices the last point (0.1 facility, 100 people)."""
    o = solve_scenario(cov, ["targets.coverage.types.elderly.villages={2027: 1.0}", "resources.personnel.supply=10"],
                       write=False)
    row = o.results.constraints[o.results.constraints["family"] == "coverage"].iloc[0]
    assert "last percentage point of its 100% target in 2027 leaves another 100 people" in row["meaning"], row["meaning"]
    assert "101%" not in " ".join(o.results.constraints["meaning"])


def test_explain_says_a_mip_has_no_shadow_prices(cov, invoke):
    r = invoke("explain", cov, "--set", "solver.integer=true")
    assert r.exit_code == 0 and "has no shadow prices" in r.output and "room to spare" not in r.output, r.output


def test_the_terminal_shows_the_new_targets(cov, invoke, tmp_path):
    r = invoke("solve", cov, "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    assert "elderly facilities: share of villages (all regions)" in r.output and "lowest share of a service's need met" in r.output
