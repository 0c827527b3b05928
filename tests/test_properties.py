"""Property tests over random small scenarios (hypothesis)."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.backend.solve import solve
from optimizer.backend.status import Status
from optimizer.models.build import build_model
from optimizer.postprocess.results import allocation_table, arrays, people_unserved
from optimizer.preprocess.assembled import scenario_model
from optimizer.preprocess.data import build_data

import recheck


@st.composite
def scenarios(draw):
    R = draw(st.integers(2, 4))
    C = draw(st.integers(2, 3))
    T = draw(st.integers(1, 3))
    years = list(range(2026, 2026 + T))
    regions = [{
        "id": f"r{i}", "group": f"g{i % 2}", "area": ("urban", "rural")[i % 2],
        "population": draw(st.floats(5, 200)), "base_spending_pc": draw(st.floats(100, 1000)),
        "special_group_share": draw(st.floats(0, 0.5)), "base_workers": draw(st.floats(0, 500)),
        "base_space": draw(st.floats(0, 50)), "priority": draw(st.floats(0.5, 2)),
        "spending": {"public_service": draw(st.one_of(st.floats(1000, 12000),
                                                      st.fixed_dictionaries({years[0]: st.floats(1000, 12000)})))},
    } for i in range(R)]
    categories = [{
        "id": f"c{j}", "livelihood": j != C - 1 or draw(st.booleans()),
        "special_group_fraction": draw(st.one_of(st.none(), st.floats(0, 1))),
        "standard": {"fiscal": draw(st.floats(50, 500)), "personnel": draw(st.sampled_from([0.0, 2.0, 5.0])),
                     "facility": draw(st.sampled_from([0.0, 0.1, 0.3]))},
        "weight": draw(st.floats(0.5, 2)),
    } for j in range(C)]
    budget = draw(st.floats(0.1, 20))
    targets = {}
    if draw(st.booleans()):
        targets["regional_gap"] = {"cap": draw(st.floats(1.05, 2.5)), "over": draw(st.sampled_from(["region", "group"])),
                                   "line": draw(st.sampled_from(["co_construction", "public_service"]))}
    if draw(st.booleans()):
        targets["urban_rural_gap"] = {"cap": draw(st.floats(1.05, 2.5)),
                                      "line": draw(st.sampled_from(["co_construction", "public_service"]))}
    if draw(st.booleans()):  # a pool over all years: a floor, a ceiling, how money moves, a tilt to group g1
        lo = budget * T * draw(st.floats(0, 0.9))  # within the yearly budgets, so that most pools are feasible
        targets["budget_pools"] = {"pools": {"p": {
            "years": f"{years[0]}:{years[-1]}", "min": lo, "max": lo + budget * T * draw(st.floats(0, 0.5)),
            "move": draw(st.sampled_from(["free", "none", 0.3])),
            "includes": draw(st.sampled_from([[], ["salaries", "construction"]])),
            "tilt": [{"group": "g1", "min_share": draw(st.floats(0, 0.95))}]}}}
    if draw(st.booleans()):
        targets["livelihood_share"] = {"min": draw(st.floats(0.3, 0.9)), "scope": draw(st.sampled_from(["total", "region"]))}
    if draw(st.booleans()):
        targets["special_groups_share"] = {"min": draw(st.floats(0.05, 0.4)), "resources": ["fiscal"]}
    if draw(st.booleans()):
        targets["personnel_density"] = {"min": {years[-1]: draw(st.floats(1, 10))}}
    if draw(st.booleans()):
        targets["facility_standard"] = {"min": {years[-1]: draw(st.floats(0.1, 0.6))}}
    if draw(st.booleans()):  # the special groups' need met (the plan's 90%), low enough to be often feasible
        targets["need_met"] = {"floors": {"f": {"categories": draw(st.sampled_from(["all", "special"])),
                                                "min": draw(st.floats(0.05, 0.6)),
                                                "per": draw(st.sampled_from(["total", "region", "category"]))}}}
    if draw(st.booleans()):  # renewal of old space, some of it or all, at a cost or none
        targets["renewal"] = {"min": {years[-1]: draw(st.floats(0, 1))}, "capex": draw(st.sampled_from([0, 800])),
                              "old_share": draw(st.sampled_from([1.0, {"urban": 0.4, "rural": 0.6}]))}
    if draw(st.booleans()):  # facility coverage: each region's villages, some with one today; a share by the last year
        for reg in regions:
            reg["villages"] = float(draw(st.integers(0, 30)))
            reg["facilities"] = {"care_home": {"villages": float(draw(st.integers(0, int(reg["villages"]))))}}
        targets["coverage"] = {"types": {"care_home": {"capex": draw(st.sampled_from([0.0, 0.02])),
                                                       "staff": draw(st.sampled_from([0.0, 2.0])),
                                                       "villages": {years[-1]: draw(st.floats(0, 1))}}}}
    objective = draw(st.sampled_from([{"kind": "unserved"}, {"kind": "fair"},
                                      {"kind": "fair", "fair": {"breakpoints": [0.3], "slopes": [1, 5]}},
                                      {"kind": "fair", "fair": {"form": "quadratic", "curvature": 10}}]))
    return {
        "years": years, "regions": regions, "categories": categories, "targets": targets,
        "spending_lines": {"public_service": {"growth": draw(st.sampled_from([0.0, 0.05]))}},
        "resources": {"fiscal": {"budget": budget},
                      "personnel": {"supply": draw(st.floats(0, 2000)), "salary": draw(st.sampled_from([0.0, 8.0])),
                                    "attrition": draw(st.sampled_from([0.0, 0.1, {"urban": 0.05, "rural": 0.3}]))},
                      "facility": {"supply": draw(st.floats(0, 30))}},
        "objective": {**objective, "cost_weight": 0.0},
    }


def _solve(raw):
    s = scenario_model().model_validate(raw)
    data = build_data(s)
    model, ctx = build_model(data, s)
    return s, data, ctx, solve(model)


PROP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROP
@given(scenarios())
def test_any_solution_meets_every_enabled_target(raw):
    s, data, ctx, sol = _solve(raw)
    if sol.status is not Status.OPTIMAL:
        assert sol.status is Status.INFEASIBLE
        return
    from optimizer.models.coverage import coverage_tables
    from optimizer.models.renewal import renewal_tables

    a = arrays(ctx, sol.x)
    table = allocation_table(data, a)
    renewal = renewal_tables(data, a, s).get("renewal")  # renewal.csv and coverage.csv as the solve writes them
    coverage = coverage_tables(data, a, s).get("coverage")
    assert recheck.violations(s, table, renewal, coverage) == []
    if renewal is not None:
        assert recheck.renewal_violations(s, renewal) == []
    if coverage is not None:
        assert recheck.coverage_violations(s, coverage) == []


@PROP
@given(scenarios(), st.floats(1.1, 3.0))
def test_more_budget_never_leaves_more_unserved(raw, factor):
    _, _, _, sol = _solve(raw)
    raw2 = {**raw, "resources": {**raw["resources"], "fiscal": {"budget": raw["resources"]["fiscal"]["budget"] * factor}}}
    _, _, _, sol2 = _solve(raw2)
    if sol.status is Status.OPTIMAL:
        assert sol2.status is Status.OPTIMAL
        assert sol2.objective <= sol.objective * (1 + 1e-7) + 1e-7


@PROP
@given(scenarios())
def test_reported_objective_equals_tables(raw):
    """The weighted people unserved recomputed from the allocation equals the solver's objective."""
    s, data, ctx, sol = _solve(raw)
    if sol.status is not Status.OPTIMAL:
        return
    a = arrays(ctx, sol.x)
    weighted = people_unserved(data, a) / 1e4 * data.priority[:, None, None, None] * data.weight[None, :, None, None]
    assert np.isclose(_penalty(s, a.unmet, data.need, weighted).sum(), sol.objective, rtol=1e-6, atol=1e-6)


def _penalty(s, unmet, need, weighted):
    """The objective from the tables: weighted people short, each band of the unmet share at its slope."""
    if s.objective.kind != "fair":
        return weighted
    if s.objective.fair.form == "quadratic":  # a person short counts 1 + kappa x share on average share / 2
        share = np.divide(unmet, need, out=np.zeros_like(unmet), where=need > 0)
        return weighted * (1 + s.objective.fair.curvature * share / 2)
    edges = [0.0, *s.objective.fair.breakpoints, np.inf]
    share = np.divide(unmet, need, out=np.zeros_like(unmet), where=need > 0)
    per_share = np.divide(weighted, share, out=np.zeros_like(unmet), where=share > 0)  # weighted people per unit share
    inside = [np.clip(share - lo, 0, hi - lo) for lo, hi in zip(edges, edges[1:])]
    return per_share * sum(slope * part for slope, part in zip(s.objective.fair.slopes, inside))


@PROP
@given(scenarios())
def test_fair_never_gains_by_moving_money_to_the_best_covered(raw):
    """Under fair, the optimum cannot be bettered: moving a little money of one region and year from the best-
    covered category to the worst-covered one (or back) never lowers the recomputed penalty by more than the
    solver's tolerance (issue 22's property). With the targets off, only the budget binds money, and a move
    within a region and year keeps it."""
    raw = {**raw, "targets": {}, "objective": {"kind": "fair", "cost_weight": 0.0}}  # targets off: every move is allowed
    s, data, ctx, sol = _solve(raw)
    if sol.status is not Status.OPTIMAL:
        return
    from optimizer.models.objective import people_per_unit

    ppu = people_per_unit(ctx)[:, :, 0]  # fiscal money: (R,C,T) weighted 10k people per 100m yuan short
    a = arrays(ctx, sol.x)
    unmet, need = a.unmet[:, :, 0], a.need[:, :, 0]

    def penalty(u):
        return _penalty(s, u, need, u * ppu).sum()

    best = penalty(unmet)
    for r in range(data.R):
        for t in range(data.T):
            cov = np.where(need[r, :, t] > 0, 1 - unmet[r, :, t] / np.where(need[r, :, t] > 0, need[r, :, t], 1), np.nan)
            if np.isnan(cov).all() or np.nanmax(cov) - np.nanmin(cov) < 1e-9:
                continue
            lo, hi = int(np.nanargmin(cov)), int(np.nanargmax(cov))
            step = 1e-3 * need[r, :, t].max()
            for give, take in ((hi, lo), (lo, hi)):  # money taken from `give`'s allocation, added to `take`
                moved = min(step, a.alloc[r, give, 0, t])
                if moved <= 0:
                    continue
                u = unmet.copy()
                u[r, give, t] = min(need[r, give, t], u[r, give, t] + moved)
                u[r, take, t] = max(0.0, u[r, take, t] - moved)
                assert penalty(u) >= best - 1e-6 * max(1.0, best)


@PROP
@given(scenarios(), st.floats(0.5, 0.95))
def test_tightening_a_cap_never_serves_more(raw, factor):
    if "regional_gap" not in raw["targets"]:
        raw = {**raw, "targets": {**raw["targets"], "regional_gap": {"cap": 2.0, "line": "co_construction"}}}
    _, _, _, loose = _solve(raw)
    cap = raw["targets"]["regional_gap"]["cap"]
    tight_raw = {**raw, "targets": {**raw["targets"], "regional_gap": {**raw["targets"]["regional_gap"], "cap": max(1.0, cap * factor)}}}
    _, _, _, tight = _solve(tight_raw)
    if tight.status is Status.OPTIMAL:
        assert loose.status is Status.OPTIMAL
        assert tight.objective >= loose.objective * (1 - 1e-7) - 1e-7


@PROP
@given(scenarios(), st.one_of(st.just(0.0), st.floats(0.05, 0.9)), st.floats(0.05, 1.0), st.sampled_from(["free", "none", 0.0, 0.3]),
       st.floats(0, 0.95), st.booleans())
def test_budget_pools_hold(raw, floor, room, move, tilt, includes):
    """Pools alone (every other target off, so most draws are feasible): the recheck finds the pool's floor,
    ceiling, yearly moves and tilt held from the allocation alone."""
    T = len(raw["years"])
    budget = raw["resources"]["fiscal"]["budget"]
    pool = {"years": f"{raw['years'][0]}:{raw['years'][-1]}", "min": budget * T * floor,
            "max": budget * T * min(floor + room, 1.0), "move": move,
            "includes": ["salaries", "construction"] if includes else [],
            "tilt": [{"group": "g1", "min_share": tilt}]}
    # a budget that triples over the years, so that money wants to move between years and a band can bind
    fiscal = {"budget": {raw["years"][0]: budget, raw["years"][-1]: 3 * budget} if T > 1 else budget}
    raw = {**raw, "targets": {"budget_pools": {"pools": {"p": pool}}}, "resources": {**raw["resources"], "fiscal": fiscal}}
    s, data, ctx, sol = _solve(raw)
    if sol.status is not Status.OPTIMAL:
        assert sol.status is Status.INFEASIBLE
        return
    assert recheck.violations(s, allocation_table(data, arrays(ctx, sol.x))) == []
