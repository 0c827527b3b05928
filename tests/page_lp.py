"""The LP written again from docs/model.md alone, by a reader who did not open optimizer/ or models/ (issue 21.4).

It covers what the bundled scenarios use: the fair and unserved objectives, money, social workers and space,
sub-populations, spending lines, phases, the gap caps (over regions and groups, urban-rural), the share floors,
the density and space floors, category bounds, budget pools with bands and tilts, renewal, coverage and
facility sharing. tests/test_model_page.py holds its objective equal to opt's: a change to the model that the
page does not say, or a page that says what the model does not do, fails there. Change this file from the page,
never from the code: that is the check.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp
import yaml

EPS = 1e-5  # objective.cost_weight's default (Objective)
TRAVEL_WEIGHT = 1e-5  # sharing.travel_weight's default (sharing)
FACTOR = {"fiscal": 1e-4, "personnel": 1e-2, "facility": 1.0}  # U_k: the standard in internal units per 10k people
RESOURCES = ("fiscal", "personnel", "facility")
MONEY = {"万元": 1e-4, "亿元": 1.0, "元": 1e-8, "yuan": 1e-8, "bn yuan": 10.0}  # to 100m yuan


def num(v, kind: str | None = None) -> float:
    """A number, or a string with its unit ('25%', '500 亿元')."""
    if isinstance(v, int | float):
        return float(v)
    m = re.match(r"^([-+0-9.eE]+)\s*(.*)$", str(v).strip())
    assert m, v
    x, unit = float(m.group(1)), m.group(2).strip()
    if unit == "%":
        return x / 100
    if kind == "money" and unit in MONEY:
        return x * MONEY[unit]
    return x


def read_csv(path: Path) -> list[dict]:
    text = "".join(ln for ln in open(path, encoding="utf-8-sig") if not ln.startswith("#"))
    return list(csv.DictReader(io.StringIO(text)))


def nest(row: dict) -> dict:
    """A table's column `a.b.c` is the region's key a.b.c."""
    out: dict = {}
    for key, v in row.items():
        parts, d = key.split("."), out
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return out


def load(path: Path, overrides=()) -> dict:
    y = yaml.safe_load(open(path, encoding="utf-8"))
    for key, val in overrides:
        parts, d = key.split("."), y
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = yaml.safe_load(val)
    return y


def years_of(spec) -> list[int]:
    if isinstance(spec, str) and ":" in spec:
        a, b = map(int, spec.split(":"))
        return list(range(a, b + 1))
    return [int(y) for y in spec]


def _points(v, kind=None) -> tuple[list[int], list[float]]:
    ks = sorted(int(k) for k in v)
    return ks, [num(v[k] if k in v else v[str(k)], kind) for k in ks]


def data_schedule(v, years) -> dict:
    """Data: linear between the years given, the first held before them, the last after."""
    if not isinstance(v, dict):
        return {t: num(v) for t in years}
    ks, vs = _points(v)
    return {t: float(np.interp(t, ks, vs)) for t in years}


class Schedules:
    def __init__(self, years: list[int], phases: dict[str, list[int]]):
        self.years, self.phases = years, phases

    def _by_phase(self, v) -> bool:
        return isinstance(v, dict) and all(str(k) in self.phases for k in v)

    def target(self, v) -> dict:
        """A target: linear between milestones, held after the last, None (not enforced) before the first; by
        phase a step from each phase's last year, the last phase held to the horizon's end."""
        if v is None:
            return {t: None for t in self.years}
        if not isinstance(v, dict):
            return {t: num(v) for t in self.years}
        if self._by_phase(v):
            out: dict = {t: None for t in self.years}
            keys = sorted(v, key=lambda k: self.phases[k][-1])
            for i, k in enumerate(keys):
                start = self.phases[k][-1]
                end = self.phases[keys[i + 1]][-1] - 1 if i + 1 < len(keys) else self.years[-1]
                for t in self.years:
                    if start <= t <= end:
                        out[t] = num(v[k])
            return out
        ks, vs = _points(v)
        return {t: (None if t < ks[0] else float(np.interp(t, ks, vs))) for t in self.years}

    def amount(self, v, kind=None) -> dict:
        """A yearly amount: a phase's value in each of its years; by year like data."""
        if not isinstance(v, dict):
            return {t: num(v, kind) for t in self.years}
        if self._by_phase(v):
            out = {t: num(x, kind) for k, x in v.items() for t in self.phases[k] if t in self.years}
            assert all(t in out for t in self.years)
            return out
        ks, vs = _points(v, kind)
        return {t: float(np.interp(t, ks, vs)) for t in self.years}


class LP:
    def __init__(self):
        self.index: dict = {}
        self.lb: list = []
        self.ub: list = []
        self.c: list = []
        self.ri: list = []
        self.ci: list = []
        self.v: list = []
        self.rlo: list = []
        self.rhi: list = []

    def col(self, name, cost=0.0, lb=0.0, ub=np.inf) -> None:
        assert name not in self.index, name
        self.index[name] = len(self.c)
        self.c.append(cost)
        self.lb.append(lb)
        self.ub.append(ub)

    def row(self, terms, lo=-np.inf, hi=np.inf) -> None:
        i, agg = len(self.rlo), {}
        for name, v in terms:
            j = self.index[name]
            agg[j] = agg.get(j, 0.0) + v
        for j, v in agg.items():
            self.ri.append(i)
            self.ci.append(j)
            self.v.append(v)
        self.rlo.append(lo)
        self.rhi.append(hi)

    def solve(self, tol=1e-10) -> tuple[str, float]:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("primal_feasibility_tolerance", tol)
        h.setOptionValue("dual_feasibility_tolerance", tol)
        n, m, inf = len(self.c), len(self.rlo), highspy.kHighsInf
        a = sp.csc_matrix((self.v, (self.ri, self.ci)), shape=(m, n))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.array(self.c)
        lp.col_lower_ = np.array(self.lb)
        lp.col_upper_ = np.where(np.isinf(self.ub), inf, self.ub)
        lp.row_lower_ = np.where(np.isinf(self.rlo), -inf, self.rlo)
        lp.row_upper_ = np.where(np.isinf(self.rhi), inf, self.rhi)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
        h.passModel(lp)
        h.run()
        return h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value


def build(y: dict, folder: Path, objective: str | None = None) -> LP:  # noqa: C901 (one page, one function)
    years = years_of(y["years"])
    t0, n_years = years[0], len(years)
    phases = {k: years_of(v["years"]) for k, v in (y.get("phases") or {}).items()}
    sched = Schedules(years, phases)
    kind = objective or (y.get("objective") or {}).get("kind", "fair")

    table_pop = {}
    if y.get("population"):
        for row in read_csv(folder / y["population"]["file"]):
            table_pop[row["region"]] = {int(k): float(v) for k, v in row.items() if k != "region" and v != ""}
    given = y["regions"]
    rows = [nest(r) for r in read_csv(folder / given["file"])] if isinstance(given, dict) else given
    subs = y.get("subpopulations") or {}
    lines = dict(y.get("spending_lines") or {})
    regions = []
    for r in rows:
        rid = r["id"]
        pop = data_schedule(table_pop[rid] if rid in table_pop else r["population"], years)
        sub = {g: data_schedule((r.get("subpopulation_share") or {}).get(g) or gd["share"], years) for g, gd in subs.items()}
        line = {"co_construction": {t: num(r["base_spending_pc"]) for t in years}}
        for name, ld in lines.items():
            fig = (r.get("spending") or {}).get(name)
            if fig in (None, ""):
                continue
            figs = fig if isinstance(fig, dict) else {int(ld.get("base_year", t0)): fig}
            ks, vs = _points(figs)
            growth = float(ld.get("growth", 0) or 0)
            line[name] = {t: float(np.interp(t, ks, vs)) if t <= ks[-1] else vs[-1] * (1 + growth) ** (t - ks[-1]) for t in years}

        def figure(key, default=None, r=r):
            return num(r[key]) if r.get(key) not in (None, "") else default
        regions.append(dict(id=rid, group=r.get("group") or None, area=r.get("area") or None, pop=pop,
                            b_pc=num(r["base_spending_pc"]), b_w=figure("base_workers", 0.0), b_s=figure("base_space", 0.0),
                            sgs=figure("special_group_share", 0.0), p=figure("priority", 1.0), sub=sub, line=line,
                            communities=figure("communities"), villages=figure("villages"), facilities=r.get("facilities") or {}))
    by_id = {r["id"]: r for r in regions}
    cats = []
    for c in y["categories"]:
        cats.append(dict(id=c["id"], std={k: data_schedule(v, years) for k, v in (c.get("standard") or {}).items()},
                         liv=c.get("livelihood", True), w=float(c.get("weight", 1)), serves=c.get("serves"),
                         sgf=data_schedule(c["special_group_fraction"], years) if "special_group_fraction" in c else None,
                         bounds=c.get("bounds") or {}))
    cat = {c["id"]: c for c in cats}
    res = y.get("resources") or {}
    salary = num(res.get("personnel", {}).get("salary", 0) or 0) * 1e4 * 100 / 1e8  # 100m yuan per 100 FTE a year
    capex = num(res.get("facility", {}).get("capex", 0) or 0) * 1e4 / 1e8  # 100m yuan per 10k m2

    def supply(key, kind_=None):
        v = res.get(key, {}).get("budget" if key == "fiscal" else "supply")
        return None if v is None else sched.amount(v, kind_)
    budget, staff_supply, space_supply = supply("fiscal", "money"), supply("personnel"), supply("facility")

    need = {}
    for r in regions:
        for c in cats:
            for k in RESOURCES:
                if k in c["std"]:
                    for t in years:
                        served = r["sub"][c["serves"]][t] * r["pop"][t] if c["serves"] else r["pop"][t]
                        need[r["id"], c["id"], k, t] = served * c["std"][k][t] * FACTOR[k]
    base = {}  # split by the first year's need
    for r in regions:
        for k in RESOURCES:
            first = {c["id"]: need.get((r["id"], c["id"], k, t0), 0.0) for c in cats}
            total = sum(first.values())
            for c in cats:
                share = first[c["id"]] / total if total else 0.0
                for t in years:
                    amount = {"fiscal": r["b_pc"] * r["pop"][t] / 1e4, "personnel": r["b_w"] / 100, "facility": r["b_s"]}[k]
                    base[r["id"], c["id"], k, t] = share * amount

    lp = LP()
    cells = set()
    for r in regions:
        for c in cats:
            for k in RESOURCES:
                if k in c["std"] or c["bounds"].get(k):
                    cells.add((r["id"], c["id"], k))
                    for ti, t in enumerate(years):
                        weight = 1.0 if kind == "min_cost" else EPS
                        if k == "fiscal":
                            unit_cost = 1.0
                        elif k == "personnel":
                            unit_cost = salary or 0.01  # cost[t] - cost[t+1] on running totals: salary a year
                        else:
                            unit_cost = (capex or 0.01) if ti == n_years - 1 else 0.0  # capex on the last column only
                        lp.col(("s", r["id"], c["id"], k, t), weight * unit_cost)

    def added(rid, cid, k, t):
        ti = years.index(t)
        out = [(("s", rid, cid, k, t), 1.0)]
        if k != "fiscal" and ti > 0:
            out.append((("s", rid, cid, k, years[ti - 1]), -1.0))
        return out

    def level(rid, cid, k, t):
        return [(("s", rid, cid, k, t), 1.0)]

    shared_terms: dict = {}
    sharing = y.get("sharing")
    if sharing:
        import networkx as nx
        providers = read_csv(folder / sharing["providers"]["file"])
        communities = read_csv(folder / sharing["communities"]["file"])
        graph = nx.Graph()
        for e in read_csv(folder / sharing["roads"]["file"]):
            graph.add_edge(e["from"], e["to"], weight=float(e["minutes"]))
        limit = float(sharing["max_travel_minutes"])
        travel_weight = float(sharing.get("travel_weight", TRAVEL_WEIGHT))
        per_person = sum(c["std"]["facility"][t0] for c in cats if "facility" in c["std"])
        at_node: dict = {}
        for q in communities:
            at_node.setdefault(q["node"], []).append(q)
        pairs = []
        for p in providers:
            for node, minutes in nx.single_source_dijkstra_path_length(graph, p["node"], cutoff=limit, weight="weight").items():
                pairs.extend((p, q, minutes) for q in at_node.get(node, []))
        spaced = [c for c in cats if "facility" in c["std"]]
        for t in years:
            for p, q, minutes in pairs:
                lp.col(("y", p["id"], q["id"], t), EPS * num(p["cost"]) * 1e4 / 1e8 + travel_weight * minutes)
            for p in providers:
                lp.row([(("y", p["id"], q["id"], t), 1.0) for pp, q, _ in pairs if pp is p], hi=num(p["capacity"]) / 1e4)
            for q in communities:
                flows = [(("y", p["id"], q["id"], t), 1.0) for p, qq, _ in pairs if qq is q]
                if flows:
                    lp.row(flows, hi=num(q["population"]) / 1e4 * per_person)
            for r in regions:
                for c in spaced:
                    lp.col(("shared", r["id"], c["id"], t))
                    shared_terms[r["id"], c["id"], t] = [(("shared", r["id"], c["id"], t), 1.0)]
                inflow = [(("y", p["id"], q["id"], t), -1.0) for p, q, _ in pairs if q["region"] == r["id"]]
                lp.row([(("shared", r["id"], c["id"], t), 1.0) for c in spaced] + inflow, hi=0)

    fair = (y.get("objective") or {}).get("fair") or {}
    breaks, slopes = fair.get("breakpoints", [0.2, 0.4, 0.6, 0.8]), fair.get("slopes", [1, 2, 4, 8, 16])
    if kind != "fair":
        breaks, slopes = [], [1]
    edges, bands = [0.0, *breaks, 1.0], len(slopes)
    for (rid, cid, k, t), n in need.items():
        c = cat[cid]
        ppu = c["w"] * by_id[rid]["p"] / (c["std"][k][t] * FACTOR[k]) if c["std"][k][t] > 0 else 0.0
        for j in range(bands):
            if kind == "min_cost":
                lp.col(("u", j, rid, cid, k, t), 0.0, ub=0.0)
            else:
                lp.col(("u", j, rid, cid, k, t), ppu * slopes[j], ub=(edges[j + 1] - edges[j]) * n if j < bands - 1 else np.inf)
        credit = shared_terms.get((rid, cid, t), []) if k == "facility" else []
        lp.row([(("u", j, rid, cid, k, t), 1.0) for j in range(bands)] + level(rid, cid, k, t) + credit, lo=n - base[rid, cid, k, t])
    for rid, cid, k in cells:  # stock_order
        if k != "fiscal":
            for t in years[1:]:
                lp.row(added(rid, cid, k, t), lo=0)

    targets = y.get("targets") or {}

    def on(name):
        return targets.get(name) is not None and targets[name].get("enabled", True)

    def money_terms(rids, t):
        return [term for (rid, cid, k) in cells if k == "fiscal" and rid in rids for term in added(rid, cid, k, t)]

    def salary_terms(rids, t):
        return [(n_, v * salary) for (rid, cid, k) in cells if k == "personnel" and rid in rids for n_, v in level(rid, cid, k, t)]

    def build_terms(rids, t):
        return [(n_, v * capex) for (rid, cid, k) in cells if k == "facility" and rid in rids for n_, v in added(rid, cid, k, t)]
    works: dict = {}  # (region, year) -> construction terms of renewal and coverage
    works_salaries: dict = {}  # (region, year) -> salaries of coverage facilities' staff
    works_staff: dict = {}  # year -> coverage staff hired, in 100 FTE

    if on("renewal"):
        g = targets["renewal"]
        floor, old_share, cost = sched.target(g.get("min")), g.get("old_share", 1), num(g.get("capex", 0)) * 1e4 / 1e8
        for r in regions:
            if isinstance(old_share, dict):
                old = num(old_share[r["area"]]) if r["area"] else max(num(v) for v in old_share.values())
            else:
                old = num(old_share)
            for t in years:
                lp.col(("ren", r["id"], t), EPS * (cost or 0.01))
                if cost:
                    works.setdefault((r["id"], t), []).append((("ren", r["id"], t), cost))
            for ti, t in enumerate(years):
                if floor[t] is not None:
                    lp.row([(("ren", r["id"], tt), 1.0) for tt in years[:ti + 1]], lo=floor[t] * old * r["b_s"])
            lp.row([(("ren", r["id"], tt), 1.0) for tt in years], hi=old * r["b_s"])
    if on("coverage"):
        for fid, fd in targets["coverage"]["types"].items():
            cost, staff = num(fd.get("capex", 0), "money"), num(fd.get("staff", 0))
            for place in ("communities", "villages"):
                if place not in fd:
                    continue
                share = sched.target(fd[place])
                for r in regions:
                    places = r[place]
                    today = num(((r["facilities"] or {}).get(fid) or {}).get(place, 0) or 0)
                    for ti, t in enumerate(years):
                        lp.col(("n", r["id"], fid, place, t), EPS * (cost or 0.01) if ti == n_years - 1 else 0.0)
                    for ti, t in enumerate(years):
                        col = ("n", r["id"], fid, place, t)
                        if share[t] is not None:
                            lp.row([(col, 1.0)], lo=share[t] * places - today)
                        step = [(col, 1.0)] + ([(("n", r["id"], fid, place, years[ti - 1]), -1.0)] if ti > 0 else [])
                        if ti > 0:
                            lp.row(step, lo=0)
                        if cost:
                            works.setdefault((r["id"], t), []).extend((n_, v * cost) for n_, v in step)
                        if staff:
                            works_staff.setdefault(t, []).extend((n_, v * staff / 100) for n_, v in step)
                            if salary:
                                works_salaries.setdefault((r["id"], t), []).append((col, salary * staff / 100))
                    lp.row([(("n", r["id"], fid, place, years[-1]), 1.0)], hi=places - today)

    def outlay(rids, t, salaries=True, construction=True):
        terms = money_terms(rids, t)
        if salaries:
            terms += salary_terms(rids, t) + [x for rid in rids for x in works_salaries.get((rid, t), [])]
        if construction:
            terms += build_terms(rids, t) + [x for rid in rids for x in works.get((rid, t), [])]
        return terms
    everyone = [r["id"] for r in regions]
    for t in years:  # supply
        if budget is not None:
            lp.row(outlay(everyone, t), hi=budget[t])
        if staff_supply is not None:
            hired = [x for (rid, cid, k) in cells if k == "personnel" for x in added(rid, cid, k, t)]
            lp.row(hired + works_staff.get(t, []), hi=staff_supply[t] / 100)
        if space_supply is not None:
            lp.row([x for (rid, cid, k) in cells if k == "facility" for x in added(rid, cid, k, t)], hi=space_supply[t])

    if on("budget_pools"):
        for pid, pool in targets["budget_pools"]["pools"].items():
            span = [t for t in (phases[pool["years"]] if pool["years"] in phases else years_of(pool["years"])) if t in years]
            n_v = len(span)
            includes = pool.get("includes", ["salaries", "construction"])
            sal, con = "salaries" in includes, "construction" in includes
            for t in span:
                lp.col(("o", pid, t))
                lp.row([(("o", pid, t), 1.0)] + [(a, -v) for a, v in outlay(everyone, t, sal, con)], lo=0, hi=0)
            lo = num(pool["min"], "money") if pool.get("min") is not None else -np.inf
            hi = num(pool["max"], "money") if pool.get("max") is not None else np.inf
            lp.row([(("o", pid, t), 1.0) for t in span], lo=lo, hi=hi)
            move = pool.get("move", "free")
            if move == "none":
                for t in span:
                    lp.row([(("o", pid, t), 1.0)], lo=lo / n_v, hi=hi / n_v)
            elif move != "free":
                mu = num(move)
                for t in span:
                    lp.row([(("o", pid, t), n_v)] + [(("o", pid, tt), -(1 - mu)) for tt in span], lo=0)
                    lp.row([(("o", pid, t), n_v)] + [(("o", pid, tt), -(1 + mu)) for tt in span], hi=0)
            tilts = pool.get("tilt") or []
            for tilt in [tilts] if isinstance(tilts, dict) else tilts:
                if "group" in tilt:
                    chosen = [r["id"] for r in regions if r["group"] in tilt["group"]]
                elif "area" in tilt:
                    chosen = [r["id"] for r in regions if r["area"] == tilt["area"]]
                else:
                    chosen = list(tilt["regions"])
                terms = []
                for t in span:
                    terms += outlay(chosen, t, sal, con) + [(("o", pid, t), -num(tilt["min_share"]))]
                lp.row(terms, lo=0)

    def gap(name, units):
        g = targets[name]
        line, cap = g.get("line", "public_service"), sched.target(g.get("cap"))
        for t in years:
            if cap[t] is None:
                continue
            for qid, _ in units:
                lp.col(("m", name, qid, t))
            for qi, (qid, rids) in enumerate(units):
                pop_q = sum(by_id[x]["pop"][t] for x in rids)
                baseline = sum(by_id[x]["line"][line][t] * by_id[x]["pop"][t] / 1e4 for x in rids)
                money = money_terms(set(rids), t)
                lp.row(money + [(("m", name, qid, t), -pop_q / 1e4)], lo=-baseline)
                lp.row(money + [(("m", name, qid, t), -cap[t] * pop_q / 1e4)], hi=-baseline)
                if qi + 1 < len(units):
                    lp.row([(("m", name, qid, t), 1.0), (("m", name, units[qi + 1][0], t), -1.0)], lo=0, hi=0)
    if on("regional_gap"):
        if targets["regional_gap"].get("over", "region") == "group":
            groups = list(dict.fromkeys(r["group"] for r in regions))
            gap("regional_gap", [(g, [r["id"] for r in regions if r["group"] == g]) for g in groups])
        else:
            gap("regional_gap", [(r["id"], [r["id"]]) for r in regions])
    if on("urban_rural_gap"):
        gap("urban_rural_gap", [(a, [r["id"] for r in regions if r["area"] == a]) for a in ("urban", "rural")])

    if on("livelihood_share"):
        g = targets["livelihood_share"]
        assert g.get("basis", "new") == "new" and g.get("scope", "total") == "total"
        theta = sched.target(g.get("min"))
        for t in years:
            if theta[t] is not None:
                lp.row([(("s", rid, cid, "fiscal", t), (1.0 if cat[cid]["liv"] else 0.0) - theta[t])
                        for (rid, cid, k) in cells if k == "fiscal"], lo=0)
    if on("special_groups_share"):
        g = targets["special_groups_share"]
        theta = sched.target(g.get("min"))
        for k in g.get("resources", ["fiscal"]):
            for t in years:
                if theta[t] is None:
                    continue
                terms = []
                for rid, cid, kk in cells:
                    if kk == k:
                        sigma = cat[cid]["sgf"][t] if cat[cid]["sgf"] is not None else by_id[rid]["sgs"]
                        terms += [(n_, v * (sigma - theta[t])) for n_, v in added(rid, cid, k, t)]
                lp.row(terms, lo=0)
    if on("personnel_density"):
        delta = sched.target(targets["personnel_density"].get("min"))
        for t in years:
            if delta[t] is not None:
                for r in regions:
                    staff = [(("s", r["id"], c["id"], "personnel", t), 1.0) for c in cats if (r["id"], c["id"], "personnel") in cells]
                    lp.row(staff, lo=delta[t] * r["pop"][t] / 100 - r["b_w"] / 100)
    if on("facility_standard"):
        alpha = sched.target(targets["facility_standard"].get("min"))
        for t in years:
            if alpha[t] is not None:
                for r in regions:
                    space = [(("s", r["id"], c["id"], "facility", t), 1.0) for c in cats if (r["id"], c["id"], "facility") in cells]
                    space += [x for c in cats for x in shared_terms.get((r["id"], c["id"], t), [])]
                    lp.row(space, lo=alpha[t] * r["pop"][t] - r["b_s"])
    for c in cats:  # category_bounds
        for k, b in c["bounds"].items():
            if not b:
                continue
            unit = {"fiscal": 1, "personnel": 100, "facility": 1}[k]
            kind_ = "money" if k == "fiscal" else None
            lo = sched.amount(b["min"], kind_) if b.get("min") is not None else None
            hi = sched.amount(b["max"], kind_) if b.get("max") is not None else None
            for t in years:
                lp.row([x for r in regions for x in added(r["id"], c["id"], k, t)],
                       lo=lo[t] / unit if lo else -np.inf, hi=hi[t] / unit if hi else np.inf)
    return lp


def solve(path: Path, overrides=(), objective: str | None = None) -> tuple[str, float]:
    """(HiGHS's model status, the objective) of the scenario at `path`, as the page says to build it."""
    return build(load(path, overrides), path.parent, objective).solve()
