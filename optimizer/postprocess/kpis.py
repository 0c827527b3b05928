"""KPIs per year, recomputed from the allocation, each beside its target."""
from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.models.common import ratio, solved_outlay
from optimizer.models.registry import EACH_REGION, in_build_order, load_all
from optimizer.preprocess.data import K_FISCAL, K_PERSONNEL, ModelData, units_of
from optimizer.units import INTERNAL, OUTPUT_SCALE, OUTPUT_UNIT, PEOPLE, per_capita_factor

TOL = 1e-6
# KPI scopes that summarise the whole plan (not one region or category): what summaries and sweeps show
AGGREGATE_SCOPES = ("regions", "groups", "areas", "all regions", "all categories and resources")


def gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Population-weighted Gini coefficient."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cw = np.cumsum(w * v)
    total = cw[-1]
    if total <= 0:
        return 0.0
    prev = np.concatenate([[0.0], cw[:-1]])
    return float(1.0 - np.sum(w * (prev + cw)) / (w.sum() * total))


def theil(values: np.ndarray, weights: np.ndarray) -> float:
    """Population-weighted Theil T index."""
    mu = np.average(values, weights=weights)
    if mu <= 0:
        return 0.0
    r = values / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float(np.average(terms, weights=weights))


def line_ratio_kpis(names) -> list[str]:
    """The max/min ratio KPIs of the spending lines among `names`: co-construction first, as line_kpis writes them."""
    found = {n for n in names if n.endswith("_max_min_ratio") and not n.endswith("_baseline_max_min_ratio")}
    return sorted(found, key=lambda n: (n != "co_construction_max_min_ratio", n))


def line_kpis(d: ModelData, alloc: np.ndarray, add) -> None:
    """For every spending line: per-capita spending of each region, group and area (baseline on the line plus
    new fiscal money, which adds to every line), its max/min ratio, the baseline's, and how much new money
    narrowed it; Gini and Theil between regions. Regions without a figure on a line are left out of it."""
    new = alloc[:, :, K_FISCAL, :].sum(axis=1)  # (R,T) 100m yuan
    per = INTERNAL["fiscal"] / PEOPLE  # 100m yuan per (yuan/person x 10k people)
    for line in ("co_construction", *[ln for ln in d.spending_pc if ln != "co_construction"]):
        base = d.line_money(line)
        has = np.all(np.isfinite(base), axis=1)
        if not has.any():
            continue
        base, pop, spend = base[has], d.pop[has], base[has] + new[has]
        names = np.array(d.region_names, dtype=object)[has]
        add(f"per_capita_{line}", list(names), spend / pop * per, "yuan/person")
        units = [("regions", np.arange(len(names)), list(names))]
        for scope, labels in (("groups", d.groups[has]), ("areas", d.areas[has])):
            if len({v for v in labels if v}) > 1:
                unit, unames = units_of(labels)
                units.append((scope, unit, unames))
        for scope, unit, unames in units:
            on = unit >= 0
            U = len(unames)
            sums = [np.zeros((U, d.T)) for _ in range(3)]
            for acc, val in zip(sums, (pop, base, spend)):
                np.add.at(acc, unit[on], val[on])
            pop_u, base_u, spend_u = sums
            pcs, pcs0 = spend_u / pop_u * per, base_u / pop_u * per
            if scope != "regions":
                add(f"per_capita_{line}", [f"{scope[:-1]} {u}" for u in unames], pcs, "yuan/person")
            # a unit at 0 yuan/person has no ratio to the others: blank (NaN), in kpis.csv as in results.xlsx
            gap, gap0 = ratio(pcs.max(axis=0), pcs.min(axis=0)), ratio(pcs0.max(axis=0), pcs0.min(axis=0))
            add(f"{line}_max_min_ratio", scope, gap, "x")
            add(f"{line}_baseline_max_min_ratio", scope, gap0, "x")
            add(f"{line}_ratio_narrowed", scope, gap0 - gap, "x")
        pcs = spend / pop * per
        add(f"{line}_gini", "regions", [gini(pcs[:, j], pop[:, j]) for j in range(d.T)], "index")
        add(f"{line}_theil", "regions", [theil(pcs[:, j], pop[:, j]) for j in range(d.T)], "index")


def kpi_table(d: ModelData, a, scenario) -> pd.DataFrame:
    """The KPIs; each family declares the targets it sets on them (models.registry: Family.kpi_targets)."""
    cols: dict[str, list] = {c: [] for c in ("year", "kpi", "scope", "value", "unit", "target", "met")}
    years = d.years
    load_all()
    declared = {(t.kpi, t.scope): t for fam in in_build_order() if fam.kpi_targets for t in fam.kpi_targets(d, scenario)}

    def add(kpi, scope, values, unit):
        """One KPI by year, for one scope, or for the regions (values: regions x years) in one go
        (2,850 counties x 12 years x 3 KPIs a row at a time took 0.3 s), beside the target a family
        declares on it, if any."""
        scopes = [scope] if isinstance(scope, str) else list(scope)
        declared_target = declared.get((kpi, scope if isinstance(scope, str) else EACH_REGION))
        target, sense = (declared_target.values, declared_target.sense) if declared_target else (None, None)
        v = np.asarray(values, dtype=float).reshape(len(scopes), len(years))
        tg = np.broadcast_to(np.full(len(years), np.nan) if target is None else np.asarray(target, dtype=float), v.shape)
        slack = TOL * np.maximum(1, np.abs(tg))
        with np.errstate(invalid="ignore"):
            ok = (v >= tg - slack) if sense == ">=" else (v <= tg + slack)
        ok |= ~np.isfinite(v)  # a share of nothing is vacuously met, as in the LP row
        cols["year"] += [int(y) for y in years] * len(scopes)
        cols["kpi"] += [kpi] * v.size
        cols["scope"] += [s for s in scopes for _ in years]
        cols["value"] += v.ravel().tolist()
        cols["unit"] += [unit] * v.size
        cols["target"] += tg.ravel().tolist()
        cols["met"] += [m if has else "" for m, has in zip(ok.ravel().tolist(), np.isfinite(tg).ravel().tolist())]

    line_kpis(d, a.alloc, add)

    _shares(d, a, declared, add)

    stock_kpis(d, a, add)

    for sid, people in d.subpops.items():  # the groups categories serve: ageing moves need with them
        add(f"subpopulation_{sid}", "all regions", people.sum(axis=0) * PEOPLE, "people")
        add(f"subpopulation_{sid}_share", "all regions", people.sum(axis=0) / d.pop.sum(axis=0), "share")
    pu = a.unmet * d.inv_std[None] * PEOPLE  # (R,C,K,T) people short of a standard (of those served)
    for j in range(d.C):
        for k in range(d.K):
            if d.has_std[j, k]:
                add("people_unserved", f"{d.cat_names[j]} / {d.res_ids[k]}", pu[:, j, k].sum(axis=0), "people")
    need_met_kpis(d, a, add)
    # a person short of two resources of one category counts twice: person-services, as in the objective
    add("people_unserved_total", "all categories and resources", pu.sum(axis=(0, 1, 2)), "person-services")

    cost = unit_cost_outlay(d, a)
    add("fiscal_outlay", "all regions", cost * INTERNAL["fiscal"] / OUTPUT_SCALE["fiscal"], OUTPUT_UNIT["fiscal"])
    for fam in in_build_order():  # KPIs of a family's own, after these (a researcher's measure)
        for row in fam.kpis(d, a, scenario) if fam.kpis else ():
            add(row.kpi, row.scope if isinstance(row.scope, str) else list(row.scope), row.values, row.unit)
    return pd.DataFrame(cols)


def need_met(d: ModelData, a, over: tuple[int, ...]) -> np.ndarray:
    """The share of need met, summed over the axes `over` of (R,C,K,T) (NaN where there is no need)."""
    need = np.where(d.has_std[None, :, :, None], a.need, 0.0).sum(axis=over)
    unmet = np.where(d.has_std[None, :, :, None], a.unmet, 0.0).sum(axis=over)
    return 1.0 - ratio(unmet, need)


def lowest_met(d: ModelData, a) -> tuple[np.ndarray, np.ndarray]:
    """(T,) the lowest share of a category's need met (over categories and resources, all regions summed),
    and the lowest over every region, category and resource."""
    def lowest(v: np.ndarray) -> np.ndarray:
        m = np.where(np.isnan(v), np.inf, v).min(axis=0)
        return np.where(np.isfinite(m), m, np.nan)

    return lowest(need_met(d, a, (0,)).reshape(-1, d.T)), lowest(need_met(d, a, ()).reshape(-1, d.T))


def need_met_kpis(d: ModelData, a, add) -> None:
    """Coverage: the share of each category's need met, all regions, and the lowest of them."""
    by_cat = need_met(d, a, (0,))  # (C,K,T)
    for j in range(d.C):
        for k in range(d.K):
            if d.has_std[j, k]:
                add("need_met_share", f"{d.cat_names[j]} / {d.res_ids[k]}", by_cat[j, k], "share")
    cat, cell = lowest_met(d, a)
    add("need_met_lowest", "lowest category and resource, all regions", cat, "share")
    add("need_met_lowest", "lowest region, category and resource", cell, "share")


def unit_cost_outlay(d: ModelData, a) -> np.ndarray:
    """(T,) fiscal outlay in 100m yuan, as the budget row counts it (models.common.solved_outlay)."""
    return solved_outlay(d, a).sum(axis=0)


def stock_kpis(d: ModelData, a, add) -> None:
    """Each staff type's density (social_workers_per_10k for personnel, <id>_per_<n> for a declared type) and each
    space type's m2 per person, by region; for a stock that is lost (attrition, depreciation) what is added, lost
    and the net change each year, all regions."""
    for k, u in enumerate(d.resources):
        if not u.stock:
            continue
        density = a.level[:, :, k, :].sum(axis=1) / (d.pop * per_capita_factor(u))
        add(u.density_kpi, d.region_names, density, u.standard_unit)
        if d.attrition is not None and (d.attrition[:, k] > 0).any():
            conv = u.internal / u.output_scale
            level = a.level[:, :, k, :].sum(axis=(0, 1))
            added = a.alloc[:, :, k, :].sum(axis=(0, 1))
            before = np.concatenate([[d.base_stock[:, k].sum()], level[:-1]])
            prefix = "staff" if k == K_PERSONNEL else u.name
            words = ("hired", "lost") if u.kind == "staff" else ("built", "worn_out")
            add(f"{prefix}_{words[0]}", "all regions", added * conv, u.output_unit)
            add(f"{prefix}_{words[1]}", "all regions", (before - (level - added)) * conv, u.output_unit)
            add(f"{prefix}_net_change", "all regions", (level - before) * conv, u.output_unit)
    for k_space, _, _ in d.staffing:  # space its staff cannot run (models.staffing): built, but serving no one
        u = d.resources[k_space]
        idle = np.maximum(a.level[:, :, k_space, :] - a.runs[:, :, k_space, :], 0.0).sum(axis=(0, 1))
        add(f"{u.name}_without_staff", "all regions", idle * u.internal / u.output_scale, u.output_unit)


def _shares(d: ModelData, a, declared: dict, add) -> None:
    """Livelihood and special-group shares, of money and of each resource a target is set on; per region
    too where a target is set on each region."""
    for kpi, weight in (("livelihood_share", np.broadcast_to(d.livelihood[None, :, None].astype(float), (d.R, d.C, d.T))),
                        ("special_group_share", d.sigma)):
        targeted = [k for k, res in enumerate(d.res_ids)
                    if (f"{kpi}_{res}", "all regions") in declared or (f"{kpi}_{res}", EACH_REGION) in declared]
        for k in targeted or [K_FISCAL]:
            name = f"{kpi}_{d.res_ids[k]}"
            tg = declared.get((name, "all regions")) or declared.get((name, EACH_REGION))
            amount = a.level[:, :, k, :] if tg is not None and tg.basis == "total" else a.alloc[:, :, k, :]
            num = (weight * amount).sum(axis=(0, 1))
            den = amount.sum(axis=(0, 1))
            add(name, "all regions", ratio(num, den), "share")
            if tg is not None and tg.scope == EACH_REGION:
                numr = (weight * amount).sum(axis=1)
                denr = amount.sum(axis=1)
                add(name, d.region_names, ratio(numr, denr), "share")
