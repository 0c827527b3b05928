"""The least change in one LP (issue 20.1, 20.3): knobs that move only bounds get their least shift from one
elastic LP, exact where a bisection stops on a step; knobs that change the matrix are bisected to a step
relative to their own value, and say it; each suggestion is re-solved as printed and 1% short; the cheapest
combination under the user's weights is one LP too. Hand-solved, so a sign, a factor or a looser stop fails."""
from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from test_diagnosis_together import TWO_CONFLICTS

from optimizer.backend.lp import LinearModel
from optimizer.backend.solve import solve
from optimizer.diagnose import combination
from optimizer.exact import direction, elastic, moved
from optimizer.preprocess.load import load_scenario
from optimizer.run import solve_scenario

from conftest import SCENARIOS


def _lp(row_lower, row_upper, col_upper) -> LinearModel:
    """x1 + x2 within [row_lower, row_upper], 0 <= x_j <= col_upper_j."""
    return LinearModel(A=sp.csr_matrix(np.array([[1.0, 1.0]])), row_lower=np.array([row_lower]),
                       row_upper=np.array([row_upper]), col_lower=np.zeros(2), col_upper=np.array(col_upper, float),
                       cost=np.zeros(2), var_blocks={}, row_blocks=[])


def test_a_column_bound_that_moves_by_hand():
    """Need x1 + x2 >= 10 with x1 <= 3 + d, x2 <= 4: the least d is 3, to the solver's tolerance."""
    g = direction(lambda d: _lp(10.0, np.inf, [3.0 + d, 4.0]), hi=20.0)
    assert g is not None and g.col_upper.tolist() == [1.0, 0.0] and not g.row_lower.any()
    sol = solve(elastic(_lp(10.0, np.inf, [3.0, 4.0]), [g], [1.0]))
    assert sol.x[-1] == pytest.approx(3.0, abs=1e-9)


def test_a_two_sided_row_whose_sides_move_apart_by_hand():
    """7 + 0.5 d <= x1 + x2 <= 5 + d with x <= 3 each: the upper side must reach 7 + 0.5 d (d >= 4) and the
    columns hold at most 6: 7 + 0.5 d <= 6 never, so infeasible; with x <= 10 each, d = 4 exactly."""
    def build(cap):
        return lambda d: _lp(7.0 + 0.5 * d, 5.0 + d, [cap, cap])

    g = direction(build(10.0), hi=10.0)
    assert g is not None and g.row_lower.tolist() == [0.5] and g.row_upper.tolist() == [1.0]
    sol = solve(elastic(build(10.0)(0.0), [g], [1.0]))
    assert sol.x[-1] == pytest.approx(4.0, abs=1e-9)
    assert solve(elastic(build(3.0)(0.0), [direction(build(3.0), hi=10.0)], [1.0])).status.value == "infeasible"
    assert moved(build(10.0)(0.0), [g], [4.0]).row_upper.tolist() == [9.0]


def test_a_knob_that_changes_the_matrix_or_bends_has_no_direction():
    def matrix(d):
        m = _lp(10.0, np.inf, [5.0, 5.0])
        return LinearModel(**{**m.__dict__, "A": sp.csr_matrix(np.array([[1.0, 1.0 + d]]))})

    assert direction(matrix, hi=2.0) is None
    assert direction(lambda d: _lp(10.0 - min(d, 1.0), np.inf, [5.0, 5.0]), hi=4.0) is None  # clamped part way
    assert direction(lambda d: _lp(10.0, np.inf, [5.0, 5.0]), hi=4.0) is None  # moves nothing


@pytest.fixture(scope="module")
def short_west(tmp_path_factory):
    out = tmp_path_factory.mktemp("exact") / "west"
    o = solve_scenario(SCENARIOS / "west.yaml", ["resources.fiscal.budget=2000"], out=out)
    assert o.diagnosis is not None
    return o, out


def test_the_least_supply_is_exact_not_a_bisection_step(short_west):
    """West with 2000 (100m yuan) a year: the personnel supply's least raise from the LP; the plan is feasible
    at the printed value and infeasible 0.01% below it (a bisection to 0.1% would overstate it more)."""
    o, _ = short_west
    r = next(r for r in o.diagnosis.relaxations if r.knob.path == ("resources", "personnel", "supply"))
    assert r.exact and r.checked == "checked: feasible as printed, infeasible 1% short"
    printed = float(r.set_text.split("=")[1])
    base = ["resources.fiscal.budget=2000"]
    assert solve_scenario(SCENARIOS / "west.yaml", base + [f"resources.personnel.supply={printed}"], write=False,
                          joint=False).solution.status.value == "optimal"
    below = printed - 1e-4 * r.shift
    assert solve_scenario(SCENARIOS / "west.yaml", base + [f"resources.personnel.supply={below}"], write=False,
                          joint=False).solution.status.value == "infeasible"


def test_every_bounds_knob_is_exact_and_a_ratio_is_bisected_to_its_own_step(short_west):
    o, out = short_west
    by = {".".join(map(str, r.knob.path)): r for r in o.diagnosis.relaxations if r.shift is not None}
    for key in ("targets.facility_standard.min", "targets.personnel_density.min", "resources.fiscal.budget",
                "resources.personnel.supply"):
        assert by[key].exact and "exact: one LP; checked: feasible as printed, infeasible 1% short" in by[key].sentence
    share = by["targets.livelihood_share.min"]
    assert not share.exact and share.step == pytest.approx(0.7e-3)  # 0.1% of the 70% floor, not a fixed step
    assert "bisection, exact to 0.07 percentage points" in share.sentence
    lines = json.loads((out / "summary.json").read_text(encoding="utf-8"))["diagnosis"]
    assert sum("exact: one LP" in line for line in lines) == 4


@pytest.mark.parametrize("density_weight, supply, density", [(5.0, 0.0, 6.0), (20.0, 60.0, 0.0)])
def test_the_cheapest_combination_by_hand(tmp_path, density_weight, supply, density):
    """100,000 residents: 10 per 10k is 100 FTE against 40 (supply + 10 x density cut >= 60) and 5 (10k m2)
    of space against a capacity of 2 (+3). A cut of the density target by 1 per 10k saves 10 FTE: at 5 a
    unit it is cheaper than 10 FTE at 1 each (cut 6); at 20 a unit, the supply is (raise 60)."""
    path = tmp_path / "two.yaml"
    path.write_text(TWO_CONFLICTS, encoding="utf-8")
    s = load_scenario(path).scenario
    c = combination(s, {"resources.personnel.supply": 1.0, "targets.personnel_density.min": density_weight,
                        "resources.facility.supply": 1.0}, {})
    got = {".".join(map(str, r.knob.path)): r.shift for r in c.relaxations}
    assert c.feasible and c.checked == "checked: feasible as printed"
    assert got["resources.personnel.supply"] == pytest.approx(supply, abs=1e-6)
    assert got["targets.personnel_density.min"] == pytest.approx(density, abs=1e-6)
    assert got["resources.facility.supply"] == pytest.approx(3.0, abs=1e-6)
    assert "--set resources.facility.supply=5" in c.lines[0]


def test_a_combination_without_the_space_is_not_enough(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(TWO_CONFLICTS, encoding="utf-8")
    c = combination(load_scenario(path).scenario, {"resources.personnel.supply": 1.0}, {})
    assert c.feasible is False and "cannot make the plan feasible" in c.lines[0]


@pytest.mark.parametrize("combine, expected", [
    ("resources.fiscal.budget=-1", "a weight of at least 0"),
    ("resources.fiscal.budget", "KEY=WEIGHT"),
    ("no.such.knob=1", "a knob of this plan (targets.regional_gap.cap, "),
    ("targets.regional_gap.cap=1", "its change multiplies a variable of the plan"),
    ("resources.fiscal.budget=1 --combine resources.fiscal.budget=2", "each knob once"),
])
def test_bad_combinations_are_refused(invoke, combine, expected):
    r = invoke("explain", SCENARIOS / "west.yaml", "--set", "resources.fiscal.budget=2000",
               *[a for c in combine.split(" --combine ") for a in ("--combine", c)])
    assert r.exit_code == 1 and expected in " ".join(r.output.split()), r.output


def test_the_price_curve_is_the_independent_solves_on_one_model(invoke, tmp_path):
    """--curve on the density target moves bounds on one model (no rebuild); each point's objective is what an
    independent opt solve with that --set finds, to 1e-7; the regional cap's points are built (its matrix)."""
    r = invoke("explain", SCENARIOS / "west.yaml", "--curve", "targets.personnel_density.min", "--points", "5",
               "--out", tmp_path / "c")
    assert r.exit_code == 0, r.output
    assert "one model, bounds moved" in r.output
    table = __import__("pandas").read_csv(tmp_path / "c" / "curve.csv", encoding="utf-8-sig")
    assert table["value"].tolist() == [22.5, 18.75, 15.0, 11.25, 7.5]
    assert table["status"].tolist()[:2] == ["infeasible", "infeasible"]
    for value, objective in zip(table["value"][2:], table["objective"][2:]):
        alone = solve_scenario(SCENARIOS / "west.yaml", [f"targets.personnel_density.min={{2030: {value}}}"], write=False)
        assert objective == pytest.approx(alone.solution.objective, rel=1e-7)
    assert (tmp_path / "c" / "curve.png").read_bytes().startswith(b"\x89PNG")
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["curve"] == {"key": "targets.personnel_density.min", "points": 5, "parametric": True}
    r = invoke("explain", SCENARIOS / "west.yaml", "--curve", "targets.regional_gap.cap", "--points", "3",
               "--out", tmp_path / "g")
    assert r.exit_code == 0 and "each point built" in r.output


@pytest.mark.parametrize("args, expected", [
    (["--curve", "no.such"], "a target or supply this plan has (targets.regional_gap.cap, "),
    (["--curve", "resources.fiscal.budget", "--points", "2"], "--points: expected a whole number of at least 3"),
])
def test_bad_curves_are_refused(invoke, tmp_path, args, expected):
    r = invoke("explain", SCENARIOS / "west.yaml", *args, "--out", tmp_path / "c")
    assert r.exit_code == 1 and expected in " ".join(r.output.split()) and not (tmp_path / "c").exists(), r.output


def test_a_curve_never_replaces_a_users_folder(invoke, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    r = invoke("explain", SCENARIOS / "west.yaml", "--curve", "resources.fiscal.budget", "--out", tmp_path / "mine")
    assert r.exit_code != 0 and (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_every_solver_finds_the_same_least_change(tmp_path):
    """The elastic LP through PuLP (CBC) as through highspy and Clarabel: its rows and the shift column named,
    the same least supply."""
    path = tmp_path / "two.yaml"
    path.write_text(TWO_CONFLICTS, encoding="utf-8")
    s = load_scenario(path).scenario
    weights = {"resources.personnel.supply": 1.0, "resources.facility.supply": 1.0}
    for solver in ("highs", "cbc", "clarabel"):
        c = combination(s, weights, {"solver": solver})
        got = {".".join(map(str, r.knob.path)): r.shift for r in c.relaxations}
        assert got == pytest.approx({"resources.personnel.supply": 60.0, "resources.facility.supply": 3.0}, abs=1e-5), solver


def test_money_needed_against_when_a_milestone_is_reached(invoke, tmp_path):
    """West with 15 per 10k due in 2026 and staff to be had: the least yearly budget falls as the milestone moves
    later; each point is exact (the plan with that milestone year solves at the budget, 0.1% less does not)."""
    sets = ["--set", "targets.personnel_density.min={2026: 15}", "--set", "resources.personnel.supply=300000"]
    r = invoke("explain", SCENARIOS / "west.yaml", *sets, "--curve", "targets.personnel_density.min", "--money-needed",
               "--out", tmp_path / "m")
    assert r.exit_code == 0, r.output
    table = __import__("pandas").read_csv(tmp_path / "m" / "curve.csv", encoding="utf-8-sig")
    assert table["first_milestone"].tolist() == [2026, 2027, 2028, 2029, 2030]
    money = table["least_budget"].tolist()
    assert all(a > b for a, b in zip(money, money[1:])), money  # later is cheaper
    for year, least in ((2026, money[0]), (2028, money[2])):
        base = ["resources.personnel.supply=300000", f"targets.personnel_density.min={{{year}: 15}}"]
        ok = solve_scenario(SCENARIOS / "west.yaml", base + [f"resources.fiscal.budget={least * (1 + 1e-7)}"],
                            write=False, joint=False)
        short = solve_scenario(SCENARIOS / "west.yaml", base + [f"resources.fiscal.budget={least * (1 - 1e-3)}"],
                               write=False, joint=False)
        assert ok.solution.status.value == "optimal" and short.solution.status.value == "infeasible", year
    bad = invoke("explain", SCENARIOS / "west.yaml", "--curve", "targets.personnel_density.min", "--money-needed",
                 "--out", tmp_path / "x")  # due in the horizon's last year: nothing to move
    assert bad.exit_code == 1 and "milestone years before the horizon's last" in " ".join(bad.output.split())
    alone = invoke("explain", SCENARIOS / "west.yaml", "--money-needed")
    assert alone.exit_code == 1 and "--curve KEY beside it" in " ".join(alone.output.split())


def test_a_later_milestone_is_suggested_within_the_horizon(invoke, tmp_path):
    """{2026: 10, 2030: 20} two years later would be {2028: 10, 2032: 20}: past west's 2030, refused as a --set;
    the suggestion is the same targets within the horizon ({2028: 10, 2030: 15}), and it solves."""
    o = solve_scenario(SCENARIOS / "west.yaml", ["targets.personnel_density.min={2026: 10, 2030: 20}"], write=False)
    later = next(r for r in o.diagnosis.relaxations if r.knob.delay and r.shift is not None)
    assert later.set_text == "targets.personnel_density.min={2028: 10, 2030: 15}"
    # printed for a shell: pasted as printed, the braces and the space stay one argument (issue 21's new-user run)
    line = next(ln for ln in o.diagnosis.lines if "--set 'targets.personnel_density.min={2028: 10, 2030: 15}'" in ln)
    import shlex

    pasted = shlex.split(line[line.index("(--set") + 1:line.rindex(")")])
    assert pasted == ["--set", later.set_text]
    r = invoke("solve", SCENARIOS / "west.yaml", *pasted, "--out", tmp_path / "later")
    assert r.exit_code == 0, r.output


def test_changes_together_are_each_least_given_the_others_as_printed(invoke, tmp_path):
    """plan.yaml keeping the resources: the density target's change is the least with the cap as printed (its
    line 0.01% tighter, with the printed cap, is infeasible)."""
    o = solve_scenario(SCENARIOS / "plan.yaml", write=False)
    keep = next(t for t in o.diagnosis.together if t.keeps == "the resources")
    sets = {".".join(map(str, r.knob.path)): r for r in keep.relaxations}
    cap, density = sets["targets.regional_gap.cap"], sets["targets.personnel_density.min"]
    year, value = next(iter(density.printed.items()))
    ok = solve_scenario(SCENARIOS / "plan.yaml", [cap.set_text, density.set_text], write=False, joint=False)
    tighter = solve_scenario(SCENARIOS / "plan.yaml", [cap.set_text, f"targets.personnel_density.min={{{year}: {value * 1.0001}}}"],
                             write=False, joint=False)
    assert ok.solution.status.value == "optimal" and tighter.solution.status.value == "infeasible"


@pytest.mark.parametrize("weights", [{"resources.fiscal.budget": 1e-8},
                                     {"resources.fiscal.budget": 1e-6, "resources.personnel.supply": 1.0}])
def test_a_small_weight_still_gives_the_least_change(weights):
    """The weighted LP's tolerance may leave a cheap knob loose; each change is then taken down to the least
    given the others: the budget alone is 2,095.49 (100m yuan), as the single-knob line says."""
    s = load_scenario(SCENARIOS / "west.yaml", ["resources.fiscal.budget=2000"]).scenario
    c = combination(s, weights, {})
    lines = " ".join(c.lines)
    assert c.feasible and "--set resources.fiscal.budget=2095.49" in lines and "resources.personnel.supply=" not in lines


def test_what_a_line_says_stays_feasible(tmp_path):
    """The words round as the --set does, toward the feasible side (the least budget is 2,095.4816: "to 2,095.49",
    never 2,095.48, which is infeasible)."""
    o = solve_scenario(SCENARIOS / "west.yaml", ["resources.fiscal.budget=2000"], write=False)
    budget = next(r for r in o.diagnosis.relaxations if r.knob.path == ("resources", "fiscal", "budget"))
    assert "raised by 95.49 (100m yuan) a year (to 2,095.49 (100m yuan) a year;" in budget.sentence
    short = solve_scenario(SCENARIOS / "west.yaml", ["resources.fiscal.budget=2095.48"], write=False, joint=False)
    assert short.solution.status.value == "infeasible"
