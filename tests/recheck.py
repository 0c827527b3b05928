"""An independent check of a solution: every enabled target recomputed from
allocation.csv and the scenario alone (no code from optimizer.postprocess)."""
from __future__ import annotations

import numpy as np
import pandas as pd

TOL = 1e-6


def sched(s, years, hold_before=False):
    years = np.asarray(years, float)
    if not s:
        return np.full(len(years), np.nan)
    if 0 in s:
        return np.full(len(years), float(s[0]))
    ks = sorted(s)
    out = np.interp(years, ks, [s[k] for k in ks])
    if not hold_before:
        out[years < ks[0]] = np.nan
    return out


def _ok(lhs, rhs, sense, what, failures):
    scale = max(1.0, abs(rhs), abs(lhs))
    bad = lhs < rhs - TOL * scale if sense == ">=" else lhs > rhs + TOL * scale
    if bad:
        failures.append(f"{what}: {lhs:.10g} {sense} {rhs:.10g} fails")


def _cube(scenario, alloc: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Per resource, `column` summed into an array [region, category, year] in the scenario's order,
    so that each target below is a slice and a sum (a table lookup per term took >10 min at 2,850 regions)."""
    axes = ([r.id for r in scenario.regions], [c.id for c in scenario.categories], list(scenario.years))
    at = []
    for name, labels in zip(("region", "category", "year"), axes):
        i = pd.Index(labels).get_indexer(np.asarray(alloc[name], dtype=object if name != "year" else None))
        assert (i >= 0).all(), f"allocation.csv names a {name} the scenario does not have"
        at.append(i)
    out = {}
    for res in pd.unique(np.asarray(alloc["resource"], dtype=object)):
        rows = np.asarray(alloc["resource"] == res)
        cube = np.zeros(tuple(len(a) for a in axes))
        np.add.at(cube, tuple(i[rows] for i in at), np.asarray(alloc[column], float)[rows])
        out[res] = cube
    return out


def violations(scenario, alloc: pd.DataFrame, renewal: pd.DataFrame | None = None,
               coverage: pd.DataFrame | None = None) -> list[str]:
    """`renewal`, `coverage`: renewal.csv and coverage.csv where the scenario renews old space or builds
    facilities (the budget pays them, and pools that count construction and salaries; facility staff are
    hired from the personnel supply)."""
    s = scenario
    years = s.years
    fails: list[str] = []
    pop = {r.id: sched((s.population or {}).get(r.id) or r.population, years, True) for r in s.regions}
    a, lv = _cube(s, alloc, "allocated"), _cube(s, alloc, "level")
    region_at = {r.id: i for i, r in enumerate(s.regions)}
    cat_at = {c.id: k for k, c in enumerate(s.categories)}
    yrs = np.asarray(years)

    def amount(region=None, cats=None, res="fiscal", year=None, cumulative=False, level=False):
        src = lv if level else a
        if res not in src:
            return 0.0
        sel = src[res]
        if region is not None:
            sel = sel[region_at[region]]
        if cats is not None:
            sel = sel[..., [cat_at[c] for c in cats], :]
        return float(sel[..., (yrs <= year) if cumulative else (yrs == year)].sum())

    types = [rid for rid, _ in s.resources if rid != "fiscal"]  # every staff and space type
    kind = {rid: getattr(spec, "kind", "staff" if rid == "personnel" else "space") for rid, spec in s.resources
            if rid != "fiscal"}

    def leaving(r, res="personnel"):
        """The share of region r's stock of `res` lost each year (docs/model.md, attrition and depreciation)."""
        spec = getattr(s.resources, res)
        a = spec.attrition if kind[res] == "staff" else spec.depreciation
        own = r.attrition if isinstance(r.attrition, dict) else {"personnel": r.attrition}
        if own.get(res) is not None:
            return own[res]
        if isinstance(a, float | int):
            return float(a)
        return getattr(a, r.area) if r.area else max(a.urban, a.rural)

    def base_of(r, res):
        """Today's stock of `res` in region r, FTE or m2."""
        if res in ("personnel", "facility"):
            return r.base_workers if res == "personnel" else r.base_space * 1e4
        got = getattr(getattr(r, "base_stock", None), res, 0.0)
        return got * (1.0 if kind[res] == "staff" else 1e4)

    def hired_staff(rid, y, res="personnel", cats=None):
        """What was added to `res` in region rid up to year y still there at its end (FTE, m2), each year's additions
        decaying by (1 - a) a year."""
        rho = 1.0 - leaving(s.regions[region_at[rid]], res)
        return sum(amount(rid, cats, res=res, year=yy) * rho ** (y - yy) for yy in years if yy <= y)

    def staff(rid, y, res="personnel"):
        """Everything in rid at the end of y: today's stock less what is lost, and what was added and is still there."""
        r = s.regions[region_at[rid]]
        return base_of(r, res) * (1.0 - leaving(r, res)) ** (years.index(y) + 1) + hired_staff(rid, y, res)


    def paid(table, column, y, ids=None) -> float:
        """Yuan (or FTE) in year y from a works table's column (of the regions ids, else all)."""
        if table is None:
            return 0.0
        rows = table[(table["year"] == y) & (table["region"].isin(ids) if ids else True)]
        return float(rows[column].sum()) * (1e4 if column.endswith("10k_yuan") else 1.0)

    def renewing(y, ids=None) -> float:
        """Yuan paid in year y for construction-like work: renewal, facilities built."""
        return paid(renewal, "cost_10k_yuan", y, ids) + paid(coverage, "capex_10k_yuan", y, ids)

    sal = {res: (getattr(s.resources, res).salary or 0) * 1e4 for res in types if kind[res] == "staff"}  # yuan/FTE-year
    capex = {res: getattr(s.resources, res).capex or 0 for res in types if kind[res] == "space"}  # yuan per m2

    def salaries_and_building(y, ids) -> float:
        """Yuan in year y for the staff added and still there, of every type, and the space of every type built."""
        return sum(v * sum(hired_staff(rid, y, res) for rid in ids) for res, v in sal.items()) \
            + sum(v * sum(amount(rid, res=res, year=y) for rid in ids) for res, v in capex.items())

    every = [r.id for r in s.regions]
    budget = sched(s.resources.fiscal.budget, years, True)
    for j, y in enumerate(years):
        if np.isfinite(budget[j]):
            outlay = amount(res="fiscal", year=y) * 1e4 + salaries_and_building(y, every) + renewing(y) \
                + paid(coverage, "salaries_10k_yuan", y)
            _ok(outlay, budget[j] * 1e8, "<=", f"budget {y}", fails)
        for res in types:
            cap = sched(getattr(s.resources, res).supply, years, True)[j]
            if np.isfinite(cap):
                _ok(amount(res=res, year=y), cap * (1.0 if kind[res] == "staff" else 1e4), "<=", f"{res} supply {y}", fails)

    t = s.targets

    def line_pc(r, line, j):
        """A region's baseline on a spending line in year j, yuan/person (docs/model.md, spending lines)."""
        if line == "co_construction":
            return r.base_spending_pc
        decl = s.spending_lines.get(line)
        given = r.spending[line]
        if 0 in given:
            given = {(decl.base_year if decl and decl.base_year else years[0]): given[0]}
        last = max(given)
        if years[j] > last:
            return given[last] * (1 + (decl.growth if decl else 0.0)) ** (years[j] - last)
        return float(sched(given, [years[j]], True)[0])

    gaps = [(t.regional_gap, lambda r: r.group if t.regional_gap.over == "group" else r.id, "regional gap"),
            (getattr(t, "urban_rural_gap", None), lambda r: r.area, "urban-rural gap")]
    for target, unit_of, what in gaps:
        if not (target and target.enabled):
            continue
        cap = sched(target.cap, years)
        units = {}
        for r in s.regions:
            if unit_of(r):
                units.setdefault(unit_of(r), []).append(r)
        for j, y in enumerate(years):
            if not np.isfinite(cap[j]):
                continue
            pcs = []
            for members in units.values():
                money = sum(line_pc(r, target.line, j) * pop[r.id][j] * 1e4 + amount(r.id, year=y) * 1e4 for r in members)
                people = sum(pop[r.id][j] * 1e4 for r in members)
                pcs.append(money / people)
            _ok(max(pcs), cap[j] * min(pcs), "<=", f"{what} {y}", fails)

    pools = getattr(t, "budget_pools", None)
    for pid, p in (pools.pools.items() if pools and pools.enabled else ()):
        def spent(y, regions=None, p=p):
            """What the pool counts in year y, in 100m yuan as its limits are written (so that the check's absolute
            floor, TOL x 1, is 100 yuan, near the solver's own feasibility tolerance, not 1e-6 yuan): money, and
            salaries and construction where it says so."""
            ids = regions or [r.id for r in s.regions]
            out = sum(amount(rid, year=y) * 1e4 for rid in ids)
            if "salaries" in p.includes:
                out += sum(v * sum(hired_staff(rid, y, res) for rid in ids) for res, v in sal.items()) \
                    + paid(coverage, "salaries_10k_yuan", y, ids)
            if "construction" in p.includes:
                out += sum(v * sum(amount(rid, res=res, year=y) for rid in ids) for res, v in capex.items()) \
                    + renewing(y, ids)
            return out / 1e8

        yearly = {y: spent(y) for y in p.years}
        total, n = sum(yearly.values()), len(p.years)
        for lim, sense in ((p.min, ">="), (p.max, "<=")):
            if lim is not None:
                _ok(total, lim, sense, f"pool {pid}", fails)
                if p.move == "none":
                    for y, v in yearly.items():
                        _ok(v, lim / n, sense, f"pool {pid} {y} (no moving)", fails)
        if not isinstance(p.move, str):
            for y, v in yearly.items():
                _ok(v, (1 - p.move) * total / n, ">=", f"pool {pid} {y} band", fails)
                _ok(v, (1 + p.move) * total / n, "<=", f"pool {pid} {y} band", fails)
        for tl in p.tilt:
            ids = [r.id for r in s.regions if (tl.group is not None and r.group in tl.group)
                   or (tl.area is not None and r.area == tl.area) or (tl.regions is not None and r.id in tl.regions)]
            _ok(sum(spent(y, ids) for y in p.years), tl.min_share * total, ">=", f"pool {pid} tilt {ids[:3]}", fails)

    for name, target, weight in (("livelihood", t.livelihood_share, lambda r, c: float(c.livelihood)),
                                 ("special groups", t.special_groups_share,
                                  lambda r, c: sched(c.special_group_fraction, years, True)
                                  if c.special_group_fraction is not None else np.full(len(years), r.special_group_share))):
        if not (target and target.enabled):
            continue
        total = target.basis == "total"  # shares of levels (baseline included) rather than of new allocations
        share = sched(target.min, years)
        resources = getattr(target, "resources", ["fiscal"])
        w = np.array([[np.broadcast_to(weight(r, c), (len(years),)) for c in s.categories] for r in s.regions])  # (R,C,T)
        for res in resources:
            src = (lv if total else a).get(res, np.zeros(w.shape))
            for j, y in enumerate(years):
                if not np.isfinite(share[j]):
                    continue
                num, den = (w[..., j] * src[..., j]).sum(axis=1), src[..., j].sum(axis=1)  # per region
                if target.scope != "region":
                    num, den = [num.sum()], [den.sum()]
                for n_, d_ in zip(num, den):
                    _ok(float(n_), share[j] * float(d_), ">=", f"{name} share {res} {y}", fails)

    density = getattr(t, "density", None)
    floors = [(t.personnel_density, "personnel", 1e4), (t.facility_standard, "facility", 1.0)]
    floors += [(spec, res, getattr(s.resources, res).per if kind[res] == "staff" else 1.0)
               for res, spec in (density.types.items() if density and density.enabled else ())]
    for target, res, per in floors:  # per: a staff rate is FTE per this many people; space m2 per person
        if not (target and getattr(target, "enabled", True)):
            continue
        rate = sched(target.min, years)
        for r in s.regions:
            for j, y in enumerate(years):
                if np.isfinite(rate[j]):
                    need = rate[j] * pop[r.id][j] * 1e4 / per  # FTE or m2
                    _ok(staff(r.id, y, res), need, ">=", f"{res} density {r.id} {y}", fails)

    for c in s.categories:
        for res in ["fiscal", *types]:
            b = getattr(c.bounds, res)
            if b is None:
                continue
            unit = 1e4 if res == "fiscal" or kind[res] == "space" else 1.0
            for j, y in enumerate(years):
                got = amount(cats=[c.id], res=res, year=y)  # output units: 10k yuan, FTE, m2
                for lim, sense in ((b.min, ">="), (b.max, "<=")):
                    v = sched(lim, years)[j]  # input units: 100m yuan, FTE, 10k m2
                    if np.isfinite(v):
                        _ok(got, v * unit, sense, f"bound {c.id} {res} {y}", fails)

    need, short, shared = _cube(s, alloc, "need"), _cube(s, alloc, "unmet"), _cube(s, alloc, "shared")
    for res in types:  # space needs staff: what its staff cannot run is unmet (docs/model.md, staffing)
        st = getattr(getattr(s.resources, res), "staffing", None)
        if st is None or res not in need:
            continue
        runs = lv.get(st.staff, np.zeros(need[res].shape)) * 1000.0 / st.fte_per_1000_m2 + shared[res]  # m2
        for (i, jc, j) in zip(*np.nonzero(need[res] > 0)):
            _ok(short[res][i, jc, j], need[res][i, jc, j] - runs[i, jc, j], ">=",
                f"staffing {res} {s.regions[i].id} {s.categories[jc].id} {years[j]}", fails)

    nm = getattr(t, "need_met", None)  # need-met floors: the share of (weighted) need met, from the file's columns
    if nm is not None and nm.enabled:
        unit_of = {res: 1e4 if res == "fiscal" or kind[res] == "space" else 100.0 for res in ["fiscal", *types]}
        # the file's units in the LP's (100m yuan, 100 FTE, 10k m2)
        for fid, f in nm.floors.items():
            floor = sched(f.min, years)
            ids = [r.id for r in s.regions if (f.group is None or r.group in f.group) and (f.area is None or r.area == f.area)
                   and (f.regions is None or r.id in f.regions)]
            rw = np.array([r.id in ids for r in s.regions], float)
            w = np.array([[np.broadcast_to(1.0 if f.categories == "all" or (isinstance(f.categories, list) and c.id in f.categories)
                                           else 0.0 if isinstance(f.categories, list) else
                                           sched(c.special_group_fraction, years, True) if c.special_group_fraction is not None
                                           else r.special_group_share, (len(years),))
                           for c in s.categories] for r in s.regions]) * rw[:, None, None]  # (R,C,T)
            chosen = [res for res in f.resources or list(need) if res in need]  # one row over every resource
            wn, wu = sum(w * need[res] / unit_of[res] for res in chosen), sum(w * short[res] / unit_of[res] for res in chosen)
            axis = {"total": (0, 1), "region": (1,), "category": (0,)}[f.per]
            for j, y in enumerate(years):
                if np.isfinite(floor[j]):
                    for n_, u_ in zip(np.atleast_1d(wn[..., j].sum(axis=axis)), np.atleast_1d(wu[..., j].sum(axis=axis))):
                        _ok(float(u_), (1 - floor[j]) * float(n_), "<=", f"need met {fid} {y}", fails)
    return fails


def renewal_violations(scenario, table: pd.DataFrame) -> list[str]:
    """Renewal from renewal.csv and the scenario alone: by each target year, each region has renewed at least
    the share of its old space (its baseline space x old_share, by area), and never more than it."""
    t = getattr(scenario.targets, "renewal", None)
    fails: list[str] = []
    if t is None or not t.enabled:
        return fails
    years = list(scenario.years)
    floor = sched(t.min, years)
    o = t.old_share
    for r in scenario.regions:
        share = getattr(o, r.area) if r.area else max(o.urban, o.rural)
        old = share * r.base_space  # 10k m2, as the LP counts it (so that the check's absolute floor, TOL x 1, is
        # near the solver's own feasibility tolerance, not 1e-6 m2)
        mine = table[table["region"] == r.id].set_index("year")["renewed_m2"]
        done = 0.0
        for j, y in enumerate(years):
            done += float(mine.get(y, 0.0)) / 1e4
            if np.isfinite(floor[j]):
                _ok(done, floor[j] * old, ">=", f"renewal {r.id} {y}", fails)
        _ok(done, old, "<=", f"renewal {r.id} no more than is old", fails)
    return fails


def coverage_violations(scenario, table: pd.DataFrame) -> list[str]:
    """Coverage from coverage.csv and the scenario alone: by each target year, a region's places with a facility
    (today's and those built) are at least the share, never more than its places, and built facilities are
    never pulled down."""
    t = getattr(scenario.targets, "coverage", None)
    fails: list[str] = []
    if t is None or not t.enabled:
        return fails
    years = list(scenario.years)
    for fid, f in t.types.items():
        for place in ("communities", "villages"):
            goal = getattr(f, place)
            if goal is None:
                continue
            share = sched(goal, years)
            for r in scenario.regions:
                total = getattr(r, place) or 0.0
                have = getattr((r.facilities or {}).get(fid), place, 0.0) if r.facilities and fid in r.facilities else 0.0
                mine = table[(table["facility_type"] == fid) & (table["place"] == place) & (table["region"] == r.id)]
                built = mine.set_index("year")["built_so_far"]
                last = 0.0
                for j, y in enumerate(years):
                    b = float(built.get(y, 0.0))
                    _ok(b, last, ">=", f"coverage {fid} {place} {r.id} {y} not pulled down", fails)
                    last = b
                    if np.isfinite(share[j]):
                        _ok(have + b, share[j] * total, ">=", f"coverage {fid} {place} {r.id} {y}", fails)
                _ok(have + last, total, "<=", f"coverage {fid} {place} {r.id} no more than its places", fails)
    return fails
