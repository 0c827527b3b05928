"""Phases (docs/model.md, "Schedules by phase"; issue 16): a target keyed by phases is a step reached by each
phase's last year, a yearly amount keyed by phases is the amount in each year of the phase; which years are
enforced and at which value, in the LP rows and in kpis.csv, and in the answer; the diagnosis keeps the step;
and the errors: an unknown phase, phases and years mixed, overlapping phases, a year no phase covers."""
from __future__ import annotations

import math
import re

import pytest
from outputs import read_table as _csv
from outputs import solve_cli as _solve

import lpfile

PH = """\
name: ph
years: "2024:2030"
phases:
  near: {years: "2024:2026", name: 近期}
  mid: {years: "2027:2030", name: 中期}
  far: {years: "2031:2035", name: 远期}
regions:
  - {id: A, name: 甲, population: 10, base_spending_pc: 500, special_group_share: 0.2}
  - {id: B, name: 乙, population: 10, base_spending_pc: 200, special_group_share: 0.3}
categories:
  - {id: care, livelihood: true, special_group_fraction: 0.9, standard: {fiscal: 1000}}
  - {id: arts, livelihood: false, special_group_fraction: 0.0, weight: 3, standard: {fiscal: 1000}}
resources:
  fiscal: {budget: {near: 0.1, mid: 0.2}}
objective: {cost_weight: 0}
targets:
  special_groups_share: {min: {near: 0.15, mid: 0.25}, resources: [fiscal]}
"""
# By hand. The budget by phase is a yearly amount over each phase's years: 0.1 (100m yuan) in 2024-2026, 0.2 in
# 2027-2030. Shortfalls are far above it (arts: A 1,000 - 250 = 750, B 900 yuan/person x 100k = 0.75, 0.9),
# so the budget is spent in full every year. Arts is worth 3x care (weight 3): money goes to arts but for what
# the special-groups share forces to care (0.9 of care money serves special groups, none of arts):
# 0.9 care >= s x (care + arts), care = s / 0.9 x budget.
# The share by phase is a step reached by each phase's end: nothing in 2024-2025, near's 0.15 from 2026 (near's
# last year) until mid's last year, 2030, when mid's 0.25 applies; 'far' ends after the horizon and adds nothing.
YEARS = list(range(2024, 2031))
SHARE = [math.nan, math.nan, 0.15, 0.15, 0.15, 0.15, 0.25]
BUDGET = [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2]
CARE = [0.0 if math.isnan(s) else s / 0.9 * b for s, b in zip(SHARE, BUDGET)]  # 100m yuan


@pytest.fixture
def ph(tmp_path):
    path = tmp_path / "ph.yaml"
    path.write_text(PH, encoding="utf-8")
    return path






def _kpi(out, kpi):
    k = _csv(out, "kpis")
    return k[k["kpi"] == kpi].sort_values("year").set_index("year")


def test_target_by_phase_is_a_step(invoke, ph, tmp_path):
    lp = tmp_path / "ph.lp"
    code, out, _ = _solve(invoke, ph, lp=lp)
    assert code == 0
    # the rows: special_groups_share.fiscal.<year> for 2026-2030 only, sum (sigma - s) x >= 0 with s the step
    _, rows, _ = lpfile.read(lp.read_text())
    have = sorted(n for n in rows if n.startswith("special_groups_share."))
    assert have == [f"special_groups_share.fiscal.{y}" for y in range(2026, 2031)]
    for y, s in zip(YEARS, SHARE):
        if math.isnan(s):
            continue
        terms, sense, rhs = rows[f"special_groups_share.fiscal.{y}"]
        terms = dict(terms)
        assert sense == ">=" and rhs == 0
        assert terms[f"x.fiscal.arts.A.{y}"] == pytest.approx(-s) and terms[f"x.fiscal.care.B.{y}"] == pytest.approx(0.9 - s)
    # kpis.csv: the target column is the step, empty before near's end
    k = _kpi(out, "special_group_share_fiscal")
    assert list(k.index) == YEARS
    assert k["target"].tolist() == pytest.approx(SHARE, nan_ok=True)
    # the answer: care gets exactly what the share forces, the rest goes to arts
    a = _csv(out, "allocation")
    money = a[a["resource"] == "fiscal"].groupby(["category", "year"])["allocated"].sum()
    assert [money["care", y] for y in YEARS] == pytest.approx([c * 1e4 for c in CARE], abs=1e-4)
    assert [money["care", y] + money["arts", y] for y in YEARS] == pytest.approx([b * 1e4 for b in BUDGET], abs=1e-4)
    assert list(k["value"].iloc[2:]) == pytest.approx(SHARE[2:], abs=1e-9)  # the share binds from 2026


def test_budget_by_phase_is_the_amount_in_each_year(invoke, ph, tmp_path):
    lp = tmp_path / "ph.lp"
    code, out, _ = _solve(invoke, ph, lp=lp)
    assert code == 0
    _, rows, _ = lpfile.read(lp.read_text())
    assert [rows[f"supply.fiscal.{y}"][2] for y in YEARS] == pytest.approx(BUDGET)
    assert all(rows[f"supply.fiscal.{y}"][1] == "<=" for y in YEARS)
    k = _kpi(out, "fiscal_outlay")
    assert k["target"].tolist() == pytest.approx([b * 1e4 for b in BUDGET])
    assert k["value"].tolist() == pytest.approx([b * 1e4 for b in BUDGET], abs=1e-4)


def test_step_differs_from_the_ramp_of_year_milestones(invoke, ph):
    """{2026: 0.15, 2030: 0.25} by years is linear between: 0.175 in 2027; by phases it is 0.15 until 2030."""
    code, out, _ = _solve(invoke, ph, "targets.special_groups_share.min={2026: 0.15, 2030: 0.25}")
    assert code == 0
    assert _kpi(out, "special_group_share_fiscal")["target"].tolist() == pytest.approx(
        [math.nan, math.nan, 0.15, 0.175, 0.2, 0.225, 0.25], nan_ok=True)


@pytest.mark.parametrize("schedule,want", [
    ("{near: 0.15, mid: 0.25, far: 0.35}", SHARE),              # a phase ending after the horizon adds nothing
    ("{mid: 0.25}", [math.nan] * 6 + [0.25]),                   # nothing before the first given phase's end
    ("{mid: 0.25, near: 0.15}", SHARE),                          # the order written does not matter
    ("{near: 0.3}", [math.nan, math.nan] + [0.3] * 5),           # held after the last
])
def test_which_years_are_enforced(invoke, ph, schedule, want):
    code, out, _ = _solve(invoke, ph, f"targets.special_groups_share.min={schedule}")
    assert code == 0
    assert _kpi(out, "special_group_share_fiscal")["target"].tolist() == pytest.approx(want, nan_ok=True)


def test_category_bounds_by_phase(invoke, ph, tmp_path):
    """bounds are yearly amounts too: arts at most 0.05 in near's years and 0.12 in mid's."""
    lp = tmp_path / "b.lp"
    code, out, _ = _solve(invoke, ph, "categories.arts.bounds={fiscal: {max: {near: 0.05, mid: 0.12}}}", lp=lp)
    assert code == 0
    _, rows, _ = lpfile.read(lp.read_text())
    assert [rows[f"category_bounds.fiscal.arts.{y}"][2] for y in YEARS] == pytest.approx([0.05] * 3 + [0.12] * 4)
    a = _csv(out, "allocation")
    arts = a[(a["resource"] == "fiscal") & (a["category"] == "arts")].groupby("year")["allocated"].sum()
    assert list(arts) == pytest.approx([500] * 3 + [1200] * 4, abs=1e-4)  # below what the share would leave it


def test_diagnosis_keeps_the_step(invoke, ph):
    """Arts must get 0.05 a year (a floor); mid's share 0.8 cannot be met in 2030: with care at most 0.2 - 0.05 =
    0.15, the share is at most 0.9 x 0.15 / 0.2 = 0.675, so the step is lowered by 0.125 (near's part to 0.025).
    The budget instead: 0.9 (T - 0.05) >= 0.8 T, T >= 0.45 in 2030, 0.25 more in every year."""
    sets = ["targets.special_groups_share.min={near: 0.15, mid: 0.8}", "categories.arts.bounds={fiscal: {min: 0.05}}"]
    code, out, text = _solve(invoke, ph, *sets)
    assert code == 2
    d = _csv(out, "diagnosis")
    d = d[d["change"] == "value"].set_index("parameter")  # the rows moving milestones later have the same keys
    share = d.loc["targets.special_groups_share.min"]
    assert share["least_change"] == pytest.approx(0.125, abs=1e-4)
    m = re.fullmatch(r"targets\.special_groups_share\.min=\{2026: ([0-9.]+), 2029: ([0-9.]+), 2030: ([0-9.]+)\}", share["set"])
    assert m, share["set"]
    assert float(m.group(1)) == float(m.group(2)) == pytest.approx(0.025, abs=1e-4)
    assert float(m.group(3)) == pytest.approx(0.675, abs=1e-4) and float(m.group(3)) <= 0.675
    budget = d.loc["resources.fiscal.budget"]
    assert budget["least_change"] == pytest.approx(0.25, abs=1e-3)
    m = re.fullmatch(r"resources\.fiscal\.budget=\{2024: ([0-9.]+), 2026: ([0-9.]+), 2027: ([0-9.]+)\}", budget["set"])
    assert m, budget["set"]
    assert [float(v) for v in m.groups()] == pytest.approx([0.35, 0.35, 0.45], abs=1e-3)
    # the printed changes restore feasibility (the schedule replaced as a whole: keys are not merged)
    assert _solve(invoke, ph, sets[1], share["set"])[0] == 0
    assert _solve(invoke, ph, *sets, budget["set"])[0] == 0
    assert _solve(invoke, ph, sets[1], "targets.special_groups_share.min={near: 0.15, mid: 0.682}")[0] == 2  # 1% above


def test_pool_over_a_phase_ending_after_the_horizon_is_refused(invoke, ph, tmp_path):
    """For a target a phase past the horizon adds nothing; a pool's money over it cannot be counted: exit 1."""
    r = invoke("validate", ph, "--set", "targets.budget_pools={pools: {p: {years: far, max: 1}}}")
    assert r.exit_code == 1
    assert "targets.budget_pools.pools.p.years: expected years within the horizon 2024-2030, found 2031" in " ".join(r.output.split())
    r = invoke("validate", ph, "--set", "targets.budget_pools={pools: {p: {years: mid, max: 1}}}")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("override,message", [
    ("targets.special_groups_share.min={near: 0.15, late: 0.25}",
     "targets.special_groups_share.min: expected a year or a phase id (phases: near, mid, far), found 'late'"),
    ("targets.special_groups_share.min={near: 0.15, 2030: 0.25}",
     "targets.special_groups_share.min: expected milestones keyed all by years or all by phase ids, found both"),
    ("phases.mid.years=2026:2030", "phases.mid.years: expected phases that do not overlap, found 2026 in both 'near' and 'mid'"),
    ("phases.near.years=[2024, 2026]", "phases.near: expected consecutive years such as '2024:2026', found [2024, 2026]"),
    ("resources.fiscal.budget={near: 0.1}",
     "resources.fiscal.budget: expected a value for every year of the horizon, found none for 2027 (phases given: near)"),
    ("targets.budget_pools={pools: {p: {years: late, max: 1}}}",
     "targets.budget_pools.pools.p.years: expected 'FIRST:LAST' years or a phase id (phases: near, mid, far), found 'late'"),
])
def test_phase_errors(invoke, ph, override, message, tmp_path):
    out = tmp_path / "never"
    r = invoke("solve", ph, "--out", out, "--set", override)
    assert r.exit_code == 1, r.output
    assert message in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output and not out.exists()


def test_phase_unknown_without_phases_declared(invoke, tmp_path):
    path = tmp_path / "nophases.yaml"
    path.write_text(PH.split("phases:")[0] + "regions:" + PH.split("regions:")[1].replace(
        "{near: 0.1, mid: 0.2}", "0.1"), encoding="utf-8")
    r = invoke("validate", path)
    assert r.exit_code == 1
    assert ("targets.special_groups_share.min: expected a year or a phase id (phases: none: declare them under "
            "'phases:'), found 'near'") in " ".join(r.output.split())
