"""Budget pools (docs/model.md, budget_pools; issue 16) on a scenario small enough to solve by hand: the optimum,
the allocation, the pool's rows in constraints.csv with their shadow prices and sentences, its KPI rows, the
three solvers, the diagnosis knob and the pre-solve proofs. The golden LP file is tests/golden/budget_pools.lp
(tests/test_golden_lp.py); the recheck from the output files is tests/recheck.py (tests/test_properties.py).

The hand-solved plan (BP below): 2 regions of 100k people each (population 10, in 10k), one category whose
fiscal standard is 1,000 yuan/person; no personnel or space standard, so only money is short.

    need per region and year            1,000 yuan x 100k = 1.0 (100m yuan)
    baseline   A 500 yuan/person: 0.5   B 200 yuan/person: 0.2
    shortfall  A 0.5 a year (1.5 over 2026-2028)   B 0.8 a year (2.4 over 2026-2028)

The objective counts people short of the standard weighted by priority (A 1, B 2), in 10k people:
100m yuan not given to A leaves 1e8 / 1,000 = 100k people = 10 short; to B, 20 (weighted). So money goes
to B first (20 per 100m yuan: "200,000 people"), then to A (10: "100,000 people"). cost_weight 0: the
objective is people alone, exactly. Units in the output files: allocation and outlay in 10k yuan (1 = 100m
yuan / 10,000), people in persons; constraints.csv's pool rows in 100m yuan.
"""
from __future__ import annotations

import json
import math
import re
import shutil

import pytest
from outputs import read_table as _csv
from outputs import solve_cli as _solve

from optimizer.backend.status import Status
from optimizer.run import solve_scenario

BP = """\
name: bp
years: [2026, 2027, 2028]
phases:
  near: {years: "2026:2026", name: 近期}
  mid: {years: "2027:2028", name: 中期}
regions:
  - {id: A, name: 甲, group: east, area: urban, population: 10, base_spending_pc: 500, priority: 1}
  - {id: B, name: 乙, group: west, area: rural, population: 10, base_spending_pc: 200, priority: 2}
categories:
  - {id: care, livelihood: true, standard: {fiscal: 1000}}
objective: {kind: unserved, cost_weight: 0}
targets:
  budget_pools:
    pools:
      all: {name: 2026-2028年累计投入, years: "2026:2028", max: 3.0}
"""
LABEL = "2026-2028年累计投入"
HAS_CBC = shutil.which("cbc") is not None or hasattr(__import__("pulp"), "PULP_CBC_CMD")


@pytest.fixture
def bp(tmp_path):
    path = tmp_path / "bp.yaml"
    path.write_text(BP, encoding="utf-8")
    return path






def _objective(out):
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["objective"]


def _money(out, region, year=None):
    """New money to a region (10k yuan), in one year or over all years."""
    a = _csv(out, "allocation")
    a = a[(a["region"] == region) & (a["resource"] == "fiscal")]
    if year is not None:
        a = a[a["year"] == year]
    return float(a["allocated"].sum())


def _row(out, name):
    c = _csv(out, "constraints")
    rows = c[c["name"] == name]
    assert len(rows) == 1, (name, sorted(c["name"]))
    return rows.iloc[0]


def _kpi(out, kpi, scope):
    k = _csv(out, "kpis")
    k = k[(k["kpi"] == kpi) & (k["scope"] == scope)].set_index("year")
    assert len(k), (kpi, scope, sorted(set(_csv(out, "kpis")["kpi"])))
    return k


# ---- the ceiling ---------------------------------------------------------------------------------------------

def test_ceiling_binds(invoke, bp):
    """Ceiling 3.0 (100m yuan) over 2026-2028, no yearly budget. B takes its whole shortfall, 0.8 a year
    (2.4), A the rest, 0.6. Unmet: A 1.5 - 0.6 = 0.9 -> objective 0.9 x 10 = 9.0 (90,000 people), B none.
    100m yuan more would go to A: 10 -> 100,000 people per 100m yuan."""
    code, out, _ = _solve(invoke, bp)
    assert code == 0
    assert _objective(out) == pytest.approx(9.0, abs=1e-7)
    for y in (2026, 2027, 2028):
        assert _money(out, "B", y) == pytest.approx(8000, abs=1e-4)  # 0.8 x 10,000 (10k yuan), each year
    assert _money(out, "A") == pytest.approx(6000, abs=1e-4)  # the rest, in some years (any split is optimal)
    row = _row(out, "budget_pools.total.all.2028")
    assert row["family"] == "budget_pools" and row["year"] == 2028 and row["scope"] == LABEL
    assert row["binding"] and row["slack"] == pytest.approx(0, abs=1e-9) and row["target"] == 3
    assert row["shadow_price"] == pytest.approx(100_000, rel=1e-6)
    assert row["shadow_unit"] == "people served per 100m yuan more"
    assert row["meaning"] == (f"{LABEL} is spent up to its ceiling (300.0 million yuan): 100m yuan more would serve "
                              "another 100,000 people")
    k = _kpi(out, "budget_pool_outlay", f"{LABEL} (ceiling)")
    assert k.loc[2028, "value"] == pytest.approx(30_000, abs=1e-3) and k.loc[2028, "unit"] == "10k yuan"
    assert k.loc[2028, "target"] == pytest.approx(30_000) and bool(k.loc[2028, "met"])
    assert k.loc[[2026, 2027], "target"].isna().all(), "the pool's target stands at its last year only"
    assert k.loc[2026, "value"] <= k.loc[2027, "value"] <= k.loc[2028, "value"]  # a running total
    assert "floor" not in " ".join(_csv(out, "kpis")["scope"].astype(str)), "no floor given: no floor row"


def test_ceiling_shadow_price_is_the_finite_difference(invoke, bp):
    """The sentence's 100,000 people per 100m yuan, checked by moving the ceiling by 0.1: objective 9.0 -> 8.0."""
    code, out, _ = _solve(invoke, bp, "targets.budget_pools.pools.all.max=3.1")
    assert code == 0 and _objective(out) == pytest.approx(9.0 - 1.0, abs=1e-7)


# ---- the floor -----------------------------------------------------------------------------------------------

def test_floor_binds(invoke, bp):
    """A second pool over the phase 'near' (2026 alone) with a floor of 2.0, inside the 3.0 ceiling.
    2026 must spend 2.0 though only 1.3 serves anyone there (A 0.5 + B 0.8): everyone is served in 2026 and
    0.7 is forced. 2027-2028 keep 3.0 - 2.0 = 1.0, all to B (20 a unit against A's 10; B could take 1.6):
    unmet A 0.5 + 0.5 = 1.0 -> 10; B 1.6 - 1.0 = 0.6 -> 12; objective 22.0.
    100m yuan less floor, or more ceiling, would go to B in 2027-2028: 20 -> 200,000 people."""
    code, out, _ = _solve(invoke, bp, "targets.budget_pools.pools.early={years: near, min: 2.0}")
    assert code == 0
    assert _objective(out) == pytest.approx(22.0, abs=1e-7)
    a = _csv(out, "allocation")
    assert a[a["year"] == 2026]["unmet"].abs().max() == pytest.approx(0, abs=1e-6)
    assert _money(out, "A", 2026) + _money(out, "B", 2026) == pytest.approx(20_000, abs=1e-3)
    assert _money(out, "A", 2027) == pytest.approx(0, abs=1e-4) and _money(out, "A", 2028) == pytest.approx(0, abs=1e-4)
    assert _money(out, "B", 2027) + _money(out, "B", 2028) == pytest.approx(10_000, abs=1e-3)
    floor = _row(out, "budget_pools.total.early.2026")
    assert floor["binding"] and floor["target"] == 2 and floor["scope"] == "early (2026-2026)"
    assert floor["shadow_price"] == pytest.approx(-200_000, rel=1e-6)  # more floor serves fewer
    assert floor["meaning"] == ("early (2026-2026) spends its floor (200.0 million yuan) only because it must: 100m "
                                "yuan less would serve another 200,000 people")
    assert _row(out, "budget_pools.total.all.2028")["shadow_price"] == pytest.approx(200_000, rel=1e-6)
    k = _kpi(out, "budget_pool_outlay", "early (2026-2026) (floor)")
    assert k.loc[2026, "value"] == pytest.approx(20_000, abs=1e-3) and k.loc[2026, "target"] == pytest.approx(20_000)
    assert k.loc[[2027, 2028], "value"].isna().all(), "outside the pool's years: no value"


# ---- how money moves between years ---------------------------------------------------------------------------

def test_move_none_spends_each_years_even_share(invoke, bp):
    """min 1.5, max 2.1, move: none: each year between 1.5/3 = 0.5 and 2.1/3 = 0.7. Every year wants 1.3,
    so each spends exactly 0.7, all to B (B's 0.8 is worth more): unmet A 1.5 -> 15; B 0.1 x 3 -> 6;
    objective 21.0. 100m yuan more on the pool (each year 1/3 more) serves B: 200,000 people."""
    code, out, _ = _solve(invoke, bp, 'targets.budget_pools.pools.all={years: "2026:2028", min: 1.5, max: 2.1, move: none}')
    assert code == 0
    assert _objective(out) == pytest.approx(21.0, abs=1e-7)
    for y in (2026, 2027, 2028):
        assert _money(out, "B", y) == pytest.approx(7000, abs=1e-4)
        assert _money(out, "A", y) == pytest.approx(0, abs=1e-4)
        row = _row(out, f"budget_pools.year.all.{y}")
        assert row["binding"] and row["target"] == pytest.approx(0.7)
    ceiling = _kpi(out, "budget_pool_outlay", "all (2026-2028) (ceiling)")
    assert list(ceiling["value"]) == pytest.approx([7000, 14000, 21000], abs=1e-3)  # a running total, unique here
    assert ceiling.loc[2028, "target"] == pytest.approx(21_000)
    assert _kpi(out, "budget_pool_outlay", "all (2026-2028) (floor)").loc[2028, "target"] == pytest.approx(15_000)
    # the pool's total row and its yearly rows share one price between them (which gets it is the solver's
    # choice): per 100m yuan of the pool, total + the yearly rows' at 1/3 each
    c = _csv(out, "constraints")
    pool = c[c["name"] == "budget_pools.total.all.2028"]["shadow_price"].sum()
    years = c[c["name"].str.startswith("budget_pools.year.all.")]["shadow_price"].sum()
    assert pool + years / 3 == pytest.approx(200_000, rel=1e-6)


def test_band_binds(invoke, bp):
    """move 0.2 (each year within +-20% of the average), ceiling 1.5, and B only 25k people in 2026
    (population {2026: 2.5, 2027: 10}): B's 2026 shortfall is 800 x 25k = 0.2, A's 0.5, and 0.8 a year later.
    Average year 0.5: each year in [0.4, 0.6]. 2026 spends the least, 0.4 (0.2 to B, 0.2 to A); 2027-2028 the
    other 1.1, all to B. Unmet: A 0.3 + 0.5 + 0.5 = 1.3 -> 13; B 1.6 - 1.1 = 0.5 -> 10; objective 23.0.
    The band's row 3 o[2026] - 0.8 sum o >= 0, relaxed by d: o[2026] falls by d/3, moved from A (10) to B
    (20): dual 10/3; a point of band moves the bound by 1% of the pool, 0.015: 10/3 x 0.015 x 1e4 = 500 people.
    The ceiling: 100m yuan more adds 0.8/3 to 2026 (A: 10 x 0.8/3) and the rest to B (20 x 2.2/3): 173,333."""
    code, out, _ = _solve(invoke, bp, 'targets.budget_pools.pools.all={years: "2026:2028", max: 1.5, move: 0.2}',
                          "regions.B.population={2026: 2.5, 2027: 10}")
    assert code == 0
    assert _objective(out) == pytest.approx(23.0, abs=1e-7)
    assert _money(out, "A", 2026) == pytest.approx(2000, abs=1e-4) and _money(out, "B", 2026) == pytest.approx(2000, abs=1e-4)
    assert _money(out, "A", 2027) + _money(out, "A", 2028) == pytest.approx(0, abs=1e-4)
    assert _money(out, "B", 2027) + _money(out, "B", 2028) == pytest.approx(11_000, abs=1e-3)
    for y in (2027, 2028):  # within the band
        assert 4000 - 1e-3 <= _money(out, "B", y) <= 6000 + 1e-3
    low = _row(out, "budget_pools.band_low.all.2026")
    assert low["binding"] and low["shadow_price"] == pytest.approx(500, rel=1e-6)
    assert low["meaning"] == ("all (2026-2028): 40.0 million yuan this year is the least the band around the average "
                              "year (50.0 million yuan) allows: widening the band by 1 point would serve another 500 people")
    assert _row(out, "budget_pools.total.all.2028")["shadow_price"] == pytest.approx(1e4 * (10 * 0.8 + 20 * 2.2) / 3, rel=1e-6)
    assert not _row(out, "budget_pools.band_high.all.2026")["binding"]


def test_band_shadow_price_is_the_finite_difference(invoke, bp):
    """Widening the band from 0.2 to 0.21 (1 point): o[2026] = 0.79 x 0.5 = 0.395, 0.005 moved from A to B,
    10 x 0.005 = 0.05 (10k people) = 500 people, as the sentence says."""
    sets = ["regions.B.population={2026: 2.5, 2027: 10}"]
    _, a, _ = _solve(invoke, bp, 'targets.budget_pools.pools.all={years: "2026:2028", max: 1.5, move: 0.2}', *sets)
    _, b, _ = _solve(invoke, bp, 'targets.budget_pools.pools.all={years: "2026:2028", max: 1.5, move: 0.21}', *sets)
    assert (_objective(a) - _objective(b)) * 1e4 == pytest.approx(500, rel=1e-6)


# ---- the tilt ------------------------------------------------------------------------------------------------

def test_tilt_binds(invoke, bp):
    """Ceiling 3.0 with at least 30% of it for group east (A). Free, A would get 0.6 (20%); tilted, exactly
    0.3 x 3.0 = 0.9, B 2.1. Unmet: A 1.5 - 0.9 = 0.6 -> 6; B 2.4 - 2.1 = 0.3 -> 6; objective 12.0.
    Lowering the least share by 1 point moves 0.01 x 3.0 = 0.03 from A (10) to B (20): 0.3 = 3,000 people.
    100m yuan more on the pool: 0.3 to A (3) and 0.7 to B (14): 170,000 people."""
    code, out, _ = _solve(invoke, bp, "targets.budget_pools.pools.all.tilt=[{group: east, min_share: 0.3}]")
    assert code == 0
    assert _objective(out) == pytest.approx(12.0, abs=1e-7)
    assert _money(out, "A") == pytest.approx(9000, abs=1e-3) and _money(out, "B") == pytest.approx(21_000, abs=1e-3)
    tilt = _row(out, "budget_pools.tilt.all.2028")
    assert tilt["binding"] and tilt["target"] == pytest.approx(0.3)
    assert tilt["shadow_price"] == pytest.approx(3000, rel=1e-6)
    assert tilt["meaning"] == (f"east get 30.0% of {LABEL} (least 30.0%): lowering the least share by 1 point would "
                               "serve another 3,000 people")
    assert _row(out, "budget_pools.total.all.2028")["shadow_price"] == pytest.approx(170_000, rel=1e-6)
    share = _kpi(out, "budget_pool_share", f"{LABEL}: east")
    assert share.loc[2028, "value"] == pytest.approx(0.3, abs=1e-9) and share.loc[2028, "target"] == pytest.approx(0.3)
    assert share.loc[2028, "unit"] == "share" and share.loc[[2026, 2027], "target"].isna().all()


def test_tilt_shadow_price_is_the_finite_difference(invoke, bp):
    _, out, _ = _solve(invoke, bp, "targets.budget_pools.pools.all.tilt=[{group: east, min_share: 0.29}]")
    assert (12.0 - _objective(out)) * 1e4 == pytest.approx(3000, rel=1e-6)


def test_tilt_to_an_area_and_to_listed_regions(invoke, bp):
    """The same tilt written as the urban area and as the region list [A]: the same answer, 12.0."""
    for tilt in ("[{area: urban, min_share: 0.3}]", "[{regions: [A], min_share: 0.3}]"):
        code, out, _ = _solve(invoke, bp, f"targets.budget_pools.pools.all.tilt={tilt}")
        assert code == 0 and _objective(out) == pytest.approx(12.0, abs=1e-7), tilt
        assert _money(out, "A") == pytest.approx(9000, abs=1e-3)


# ---- what the pool counts ------------------------------------------------------------------------------------

INC = """\
name: inc
years: [2026, 2027, 2028]
regions:
  - {id: A, name: 甲, group: east, population: 10, base_spending_pc: 500, priority: 1, base_workers: 0, base_space: 0}
  - {id: B, name: 乙, group: west, population: 10, base_spending_pc: 200, priority: 2, base_workers: 0, base_space: 0}
categories:
  - {id: care, livelihood: true, standard: {fiscal: 1000, personnel: 10, facility: 0.1}}
resources:
  personnel: {salary: 8}     # 10k yuan per FTE a year
  facility: {capex: 1000}    # yuan per m2
objective: {kind: unserved, cost_weight: 0}
targets:
  personnel_density: {min: {2026: 10}}
  facility_standard: {min: {2026: 0.1}}
  budget_pools:
    pools:
      all: {years: "2026:2028", max: 3.0}
"""


@pytest.mark.parametrize("includes,money,objective", [
    # salaries: 10 per 10k x 10 = 100 FTE a region from 2026, 200 x 80,000 yuan = 0.16 a year, 0.48 in all;
    # construction: 0.1 m2 x 100k = 10,000 m2 a region in 2026, 20,000 x 1,000 yuan = 0.2 once.
    # Money left on the 3.0 ceiling goes to B first (2.4 at most), then A; unmet A (x10) + B (x20):
    ("[salaries, construction]", 3.0 - 0.48 - 0.2, (1.5 - 0.0) * 10 + (2.4 - 2.32) * 20),  # 2.32: 16.6
    ("[salaries]", 3.0 - 0.48, (1.5 - 0.12) * 10),                                          # 2.52: 13.8
    ("[construction]", 3.0 - 0.2, (1.5 - 0.4) * 10),                                        # 2.8: 11.0
    ("[]", 3.0, (1.5 - 0.6) * 10),                                                           # 3.0: 9.0
], ids=["default", "salaries", "construction", "none"])
def test_includes(invoke, tmp_path, includes, money, objective):
    path = tmp_path / "inc.yaml"
    path.write_text(INC, encoding="utf-8")
    sets = [f"targets.budget_pools.pools.all.includes={includes}"] if includes != "[salaries, construction]" else []
    code, out, _ = _solve(invoke, path, *sets)  # the default, both, is given by leaving includes out
    assert code == 0
    assert _objective(out) == pytest.approx(objective, abs=1e-7)
    assert _money(out, "A") + _money(out, "B") == pytest.approx(money * 1e4, abs=1e-3)
    a = _csv(out, "allocation")
    added = a[(a["resource"] == "personnel")].groupby("region")["allocated"].sum()
    assert list(added) == pytest.approx([100, 100], abs=1e-3)  # the density target's workers, no more
    k = _kpi(out, "budget_pool_outlay", "all (2026-2028) (ceiling)")
    assert k.loc[2028, "value"] == pytest.approx(30_000, abs=1e-3)
    if includes == "[salaries, construction]":  # 2026's outlay: B's money + salaries 0.16 + construction 0.2;
        # B's 2.32 could fall in any years (0.8 at most in each): one answer spreads it in proportion to need,
        # 0.7733 a year (optimizer.unique), where the simplex's vertex gave 2026 all its 0.8
        assert k.loc[2026, "value"] == pytest.approx((2.32 / 3 + 0.36) * 1e4, abs=1e-2)


def test_tilt_counts_its_regions_salaries_and_construction(invoke, tmp_path):
    """INC with 30% of the pool for east (A). A's salaries (100 FTE x 80,000 yuan x 3 years = 0.24) and
    construction (10,000 m2 x 1,000 yuan = 0.1) count toward its share: its money must reach 0.9 - 0.34 = 0.56;
    B gets the rest of 2.32, 1.76. Unmet: A 1.5 - 0.56 = 0.94 -> 9.4; B 2.4 - 1.76 = 0.64 -> 12.8; 22.2.
    (Counting A's money alone it would be 24.6; without its construction, 23.2.)"""
    path = tmp_path / "inc.yaml"
    path.write_text(INC, encoding="utf-8")
    code, out, _ = _solve(invoke, path, "targets.budget_pools.pools.all.tilt=[{group: east, min_share: 0.3}]")
    assert code == 0
    assert _objective(out) == pytest.approx(9.4 + 12.8, abs=1e-7)
    assert _money(out, "A") == pytest.approx(5600, abs=1e-3) and _money(out, "B") == pytest.approx(17_600, abs=1e-3)
    share = _kpi(out, "budget_pool_share", "all (2026-2028): east")
    assert share.loc[2028, "value"] == pytest.approx(0.3, abs=1e-9)


# ---- three solvers -------------------------------------------------------------------------------------------

CASES = {
    "ceiling": ([], 9.0),
    "floor": (["targets.budget_pools.pools.early={years: near, min: 2.0}"], 22.0),
    "none": (['targets.budget_pools.pools.all={years: "2026:2028", min: 1.5, max: 2.1, move: none}'], 21.0),
    "band": (['targets.budget_pools.pools.all={years: "2026:2028", max: 1.5, move: 0.2}',
              "regions.B.population={2026: 2.5, 2027: 10}"], 23.0),
    "tilt": (["targets.budget_pools.pools.all.tilt=[{group: east, min_share: 0.3}]"], 12.0),
}


@pytest.mark.parametrize("solver", ["highs", "clarabel"] + (["cbc"] if HAS_CBC else []))
@pytest.mark.parametrize("case", sorted(CASES))
def test_solvers_agree(bp, solver, case):
    sets, want = CASES[case]
    o = solve_scenario(bp, list(sets), write=False, solver=solver)
    assert o.solution.status is Status.OPTIMAL, o
    assert o.solution.objective == pytest.approx(want, rel=1e-6, abs=1e-6)


# ---- when the pool makes the plan infeasible -----------------------------------------------------------------

DG = """\
name: dg
years: [2026, 2027, 2028]
regions:
  - {id: A, name: 甲, group: east, population: 10, base_spending_pc: 900}
  - {id: B, name: 乙, group: west, population: 10, base_spending_pc: 300}
categories:
  - {id: care, livelihood: true, standard: {fiscal: 600}}
targets:
  regional_gap: {cap: 1.5, line: co_construction}
  budget_pools:
    pools:
      all: {years: "2026:2028", max: 0.5}
"""
SET_MAX = re.compile(r"--set (targets\.budget_pools\.pools\.all\.max=([0-9.]+))")


def test_ceiling_is_the_least_change(invoke, tmp_path):
    """The gap cap 1.5 on co-construction spending: A (900 yuan/person, no need) sets the top; B (300) needs
    900 / 1.5 - 300 = 300 yuan/person x 100k = 0.3 a year, 0.9 over the pool's years, against a ceiling of 0.5.
    The least ceiling is 0.9 exactly (printed within the knob's tolerance, 1e-3, on the feasible side); with
    it the plan solves, with 1% less it does not. Raising the cap instead: the 0.5 spread evenly gives B
    300 + 500/3 yuan/person, so the least cap is 900 / (300 + 500/3) = 27/14 = 1.92857x."""
    path = tmp_path / "dg.yaml"
    path.write_text(DG, encoding="utf-8")
    code, out, text = _solve(invoke, path)
    assert code == 2
    text = " ".join(text.split())  # the terminal wraps long lines
    m = SET_MAX.search(text)
    assert m, text
    assert 0.9 <= float(m.group(2)) <= 0.9 + 1e-3, m.group(0)
    d = _csv(out, "diagnosis")
    row = d[d["parameter"] == "targets.budget_pools.pools.all.max"].iloc[0]
    assert row["family"] == "budget_pools" and bool(row["relaxes_alone"]) and row["unit"] == "100m yuan in all"
    assert row["least_change"] == pytest.approx(0.4, abs=1e-9) and row["set"] == m.group(1)  # one LP: exact
    assert ("must be raised by 0.40 (100m yuan) in all (to 0.90 (100m yuan) in all; exact: one LP; checked: feasible "
            "as printed, infeasible 1% short)") in row["finding"]
    gap = d[d["parameter"] == "targets.regional_gap.cap"].iloc[0]
    assert 0 <= float(gap["set"].partition("=")[2]) - 27 / 14 <= 1e-3
    assert "budget_pools.total.all.2028" in json.loads((out / "summary.json").read_text(encoding="utf-8"))["diagnosis"][-1]

    code, _, _ = _solve(invoke, path, m.group(1))
    assert code == 0
    code, _, _ = _solve(invoke, path, f"targets.budget_pools.pools.all.max={float(m.group(2)) * 0.99:.6f}")
    assert code == 2


def test_tilt_is_a_knob(invoke, tmp_path):
    """The same plan with a pool of 0.6 to 1.2 and 30% of it for east (A): A's money raises the top of the gap.
    With shares s (A) and 1 - s (B) of the ceiling T = 1.2, spread evenly: 900 + 1000 x 0.4 s <= 1.5 (300 +
    1000 x 0.4 (1 - s)), so s <= 0.15. The ceiling at s = 0.3: 900 + 100 T <= 1.5 (300 + 233.3 T): T >= 1.8.
    The floor alone cannot help (more money to B is what is needed, and the ceiling stops it)."""
    path = tmp_path / "dg.yaml"
    path.write_text(DG, encoding="utf-8")
    pool = 'targets.budget_pools.pools.all={years: "2026:2028", min: 0.6, max: 1.2, tilt: [{group: east, min_share: 0.3}]}'
    code, out, _ = _solve(invoke, path, pool)
    assert code == 2
    d = _csv(out, "diagnosis").set_index("parameter")
    tilt = d.loc["targets.budget_pools.pools.all.tilt.0.min_share"]
    assert bool(tilt["relaxes_alone"]) and 0.15 - 1e-4 <= float(tilt["set"].partition("=")[2]) <= 0.15
    assert tilt["least_change"] == pytest.approx(0.15, abs=1e-4)
    ceiling = d.loc["targets.budget_pools.pools.all.max"]
    assert 1.8 <= float(ceiling["set"].partition("=")[2]) <= 1.8 + 1e-3
    assert not bool(d.loc["targets.budget_pools.pools.all.min", "relaxes_alone"])
    code, _, _ = _solve(invoke, path, pool, tilt["set"])
    assert code == 0
    code, _, _ = _solve(invoke, path, pool, "targets.budget_pools.pools.all.tilt.0.min_share=0.1515")  # 1% more
    assert code == 2


def test_validate_proves_floor_above_yearly_budgets(invoke, bp):
    """Yearly budgets 1.0 x 3 = 3.0 against a floor of 3.5 over the same years: exit 2 before any solve."""
    r = invoke("validate", bp, "--set", "resources.fiscal.budget=1",
               "--set", 'targets.budget_pools.pools.all={years: "2026:2028", min: 3.5}')
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    assert ("the floor of all (2026-2028), 350.0 million yuan, is above the yearly budgets of its years together, "
            "300.0 million yuan") in text
    r = invoke("validate", bp, "--set", "resources.fiscal.budget=1.17",
               "--set", 'targets.budget_pools.pools.all={years: "2026:2028", min: 3.5}')
    assert r.exit_code == 0, r.output  # 3.51 >= 3.5: no proof


def test_validate_proves_ceiling_below_category_floors(invoke, bp):
    """The category's floor 1.2 a year needs 3.6 over 2026-2028, against the ceiling 3.0: exit 2."""
    r = invoke("validate", bp, "--set", "categories.care.bounds={fiscal: {min: 1.2}}")
    assert r.exit_code == 2, r.output
    assert (f"the ceiling of {LABEL}, 300.0 million yuan, is below the 360.0 million yuan the category floors need "
            "in its years") in " ".join(r.output.split())
    r = invoke("validate", bp, "--set", "categories.care.bounds={fiscal: {min: 1.0}}")
    assert r.exit_code == 0, r.output


# ---- bugs found ----------------------------------------------------------------------------------------------

TWO_TILTS = "targets.budget_pools.pools.all.tilt=[{group: east, min_share: 0.3}, {area: rural, min_share: 0.5}]"


def test_two_tilts_solve_with_cbc(bp):
    """HiGHS (highspy) solves it: 12.0 (the rural tilt, 70% > 50%, is slack). CBC goes through PuLP."""
    assert solve_scenario(bp, [TWO_TILTS], write=False).solution.objective == pytest.approx(12.0, abs=1e-7)
    o = solve_scenario(bp, [TWO_TILTS], write=False, solver="cbc")
    assert o.solution.objective == pytest.approx(12.0, abs=1e-7)


def test_two_tilts_have_distinct_row_names(invoke, bp):
    code, out, _ = _solve(invoke, bp, TWO_TILTS)
    assert code == 0
    names = _csv(out, "constraints")["name"]
    assert names.is_unique, sorted(names[names.duplicated()])


def test_tilt_to_no_region_is_refused(invoke, bp):
    """A tilt to no region would force the pool to spend nothing (its row: 0 - share x sum o >= 0)."""
    code, out, text = _solve(invoke, bp, "targets.budget_pools.pools.all.tilt=[{group: [], min_share: 0.5}]")
    assert code == 1, text
    assert "targets.budget_pools.pools.all.tilt[0].group" in text and "at least 1 item" in text, text


def test_pool_over_a_phase_is_its_years(invoke, bp):
    """years: mid is 2027-2028: the pool's rows are for 2027 and 2028, its total row named by 2028."""
    code, out, _ = _solve(invoke, bp, "targets.budget_pools.pools.later={years: mid, max: 1.0, move: none}")
    assert code == 0
    names = set(_csv(out, "constraints")["name"])
    assert {"budget_pools.total.later.2028", "budget_pools.year.later.2027", "budget_pools.year.later.2028"} <= names
    assert "budget_pools.year.later.2026" not in names
    # 2026 is left to the 3.0 pool alone: B 0.8 and A 0.5; 2027-2028 0.5 each, to B; then the 3.0 pool's rest,
    # 3.0 - 1.3 - 1.0 = 0.7, cannot be spent in 2027-2028: unmet A 1.0 -> 10, B 0.3 x 2 -> 12: 22.0
    assert _objective(out) == pytest.approx(22.0, abs=1e-7)
    assert math.isclose(_money(out, "B", 2027), 5000, abs_tol=1e-4) and math.isclose(_money(out, "B", 2028), 5000, abs_tol=1e-4)


@pytest.mark.parametrize("override, message", [
    ("targets.budget_pools.pools.all.years=[2026, 2028]", "expected consecutive years such as '2026:2028' (a pool is a span)"),
    ("targets.budget_pools.pools.all={years: '2026:2028'}", "expected a min, a max or a tilt"),
    ("targets.budget_pools.pools.all.move=1.5", "expected free, none, or a band between 0 and 1"),
    ("targets.budget_pools.pools.all.tilt=[{group: [east], min_share: 0.7}, {group: [west], min_share: 0.6}]",
     "tilt[1].min_share: expected at most 0.3 (tilt 0 asks 0.7 for other regions"),
])
def test_pools_that_limit_nothing_or_cannot_hold_are_refused(invoke, bp, override, message):
    """A list of years with a gap (2027 would count against nothing), a pool with no limit, a band above 1, and
    two tilts on separate regions asking 130% (only spending nothing meets both): exit 1, nothing written."""
    code, out, text = _solve(invoke, bp, override)
    assert code == 1, text
    assert message in text.replace("\n", ""), text
    assert not out.exists()


def test_a_band_may_be_written_as_a_percent(invoke, bp):
    """'20%' is the band 0.2: the same rows and answer."""
    a = _solve(invoke, bp, "targets.budget_pools.pools.all.move=0.2")
    b = _solve(invoke, bp, "targets.budget_pools.pools.all.move=20%")
    assert a[0] == b[0] == 0 and _objective(a[1]) == _objective(b[1])
