"""Renewal of old space (issue 17.5), solved by hand.

Region A: 100,000 residents, 100,000 m2 of space (10, in 10k m2), all of it old. Care: 1,000 yuan a person, a
need of 1.0 (100m yuan) a year. Budget 1.0 a year, 2026-2027. Renewal: half the old space by 2027 at 1,000
yuan/m2: 50,000 m2, 0.5 (100m yuan). Every person short counts once (unserved), no tie-breaker: the 2.0 of the
two years less 0.5 for renewal leaves 1.5 for care; 0.5 short = 50,000 people: objective 5.0 (10k people).
One point more of renewal is 1,000 m2 more, 0.01 (100m yuan) less for care: 1,000 people."""
from __future__ import annotations

import pandas as pd
import pytest

from optimizer.run import solve_scenario

import recheck

REN = """
name: ren
years: [2026, 2027]
regions:
  - {id: A, name: 甲, area: rural, population: 10, base_space: 10}
categories:
  - {id: care, name: 养老, standard: {fiscal: 1000}}
resources:
  fiscal: {budget: 1.0}
objective: {kind: unserved, cost_weight: 0}
targets:
  renewal: {min: {2027: 0.5}, capex: 1000}
"""


@pytest.fixture
def ren(tmp_path):
    path = tmp_path / "ren.yaml"
    path.write_text(REN, encoding="utf-8")
    return path


def _table(out):
    return pd.read_csv(out / "renewal.csv", encoding="utf-8-sig")


def test_renewal_by_hand(ren, tmp_path):
    o = solve_scenario(ren, out=tmp_path / "out")
    assert o.exit_code == 0
    assert o.solution.objective == pytest.approx(5.0, abs=1e-9)
    t = _table(tmp_path / "out")
    assert t["renewed_m2"].sum() == pytest.approx(50_000, abs=1e-6)
    assert t["cost_10k_yuan"].sum() == pytest.approx(5_000, abs=1e-6)  # 0.5 (100m yuan) = 5,000 (10k yuan)
    assert t["old_m2"].iloc[0] == pytest.approx(100_000)
    k = o.results.kpis
    outlay = k[k["kpi"] == "fiscal_outlay"]["value"].to_numpy()
    assert outlay == pytest.approx([10_000, 10_000], abs=1e-6)  # the budget pays renewal beside care: all of it
    share = k[k["kpi"] == "renewal_share"].set_index("year")["value"]
    assert share[2027] == pytest.approx(0.5, abs=1e-9)
    assert recheck.renewal_violations(o.loaded.scenario, t) == []


def test_renewal_shadow_price_is_the_finite_difference(ren):
    o = solve_scenario(ren, write=False)
    row = o.results.constraints[o.results.constraints["family"] == "renewal"].iloc[0]
    assert "1,000 people" in row["meaning"], row["meaning"]
    more = solve_scenario(ren, ["targets.renewal.min={2027: 0.51}"], write=False)
    assert (more.solution.objective - o.solution.objective) * 1e4 == pytest.approx(1_000, rel=1e-6)


def test_old_share_by_area(ren):
    """A is rural: with {urban: 0.4, rural: 0.6} its old space is 60,000 m2; half is 30,000 m2, 0.3."""
    o = solve_scenario(ren, ["targets.renewal.old_share={urban: 0.4, rural: 0.6}"], write=False)
    assert o.solution.objective == pytest.approx(3.0, abs=1e-9)


def test_renewal_no_budget_is_diagnosed(ren):
    """Renewing all of it (1.0 (100m yuan)) by 2026 with a budget of 1.0 leaves nothing... still feasible;
    with a budget of 0.5 it is not: the diagnosis lowers the renewal to 50% or raises the budget."""
    o = solve_scenario(ren, ["targets.renewal.min={2026: 1.0}", "resources.fiscal.budget=0.5"], write=False)
    assert o.exit_code == 2
    text = "\n".join(o.diagnosis.lines)
    assert "renewal of old space" in text and "50.00%" in text, text


def test_pool_counting_construction_pays_renewal(ren):
    """A pool of 1.8 over both years that counts construction leaves 1.3 for care; one that does not, 1.8."""
    pool = "targets.budget_pools={pools: {p: {years: '2026:2027', max: 1.8, includes: [%s]}}}"
    with_ = solve_scenario(ren, [pool % "construction"], write=False)
    without = solve_scenario(ren, [pool % ""], write=False)
    assert with_.solution.objective == pytest.approx((2.0 - 1.3) * 10, abs=1e-9)
    assert without.solution.objective == pytest.approx((2.0 - 1.5) * 10, abs=1e-9)  # the yearly budgets bind


def test_renewal_mutation_would_be_caught(ren, tmp_path):
    """The recheck finds a renewal short of its floor (a table with half of it removed)."""
    o = solve_scenario(ren, out=tmp_path / "out")
    t = _table(tmp_path / "out")
    t["renewed_m2"] /= 2
    t["renewed_so_far_m2"] /= 2
    assert recheck.renewal_violations(o.loaded.scenario, t)
