"""Cheap necessary conditions, checked before any solve and said in numbers.

Each check is a lower bound on what the targets need against what the
scenario supplies. Passing them does not prove the plan feasible; failing one
proves it infeasible.
"""
from __future__ import annotations

import numpy as np

from optimizer.preprocess.data import K_FACILITY, K_FISCAL, K_PERSONNEL, ModelData, units_of
from optimizer.preprocess.schedule import evaluate
from optimizer.units import INTERNAL, PEOPLE, fmt_money_yuan, per_capita_factor

YUAN = INTERNAL["fiscal"]  # internal money unit in yuan


def _stock_need(d: ModelData, k: int, rate: np.ndarray, base: np.ndarray) -> np.ndarray:
    """(T,) least total addition by year t for every region to reach rate[t]."""
    need = rate[None, :] * d.pop * per_capita_factor(k) - base[:, None]
    return np.where(np.isfinite(need), np.maximum(need, 0), 0).sum(axis=0)


def check(d: ModelData, scenario) -> list[str]:
    out: list[tuple] = []  # (year or None, text with {years})
    t_ = scenario.targets
    years = d.years
    budget = d.supply[K_FISCAL]

    floors = np.nan_to_num(d.bound_min, nan=0.0).sum(axis=0)  # (K,T)
    for k, (what, unit, conv) in enumerate((("fiscal budget", "yuan", YUAN), ("personnel supply", "FTE", INTERNAL["personnel"]),
                                            ("build capacity", "m2", INTERNAL["facility"]))):
        bad = floors[k] > d.supply[k] * (1 + 1e-9)
        for j in np.nonzero(bad)[0]:
            have, need = d.supply[k, j] * conv, floors[k, j] * conv
            if k == K_FISCAL:
                out.append((years[j], f"{{years}} {what} {fmt_money_yuan(have)} is below the {fmt_money_yuan(need)} the category floors need"))
            else:
                out.append((years[j], f"{{years}} {what} {have:,.0f} {unit} is below the {need:,.0f} {unit} the category floors need"))

    required_workers = np.zeros(d.T)
    for k, target, base, what, unit, conv in (
            (K_PERSONNEL, t_.personnel_density, d.base_workers, "social workers", "FTE", INTERNAL["personnel"]),
            (K_FACILITY, t_.facility_standard, d.base_space, "community space", "m2", INTERNAL["facility"])):
        if target is None or not target.enabled:
            continue
        rate = evaluate(target.min, years)
        need = _stock_need(d, k, rate, base)
        if k == K_PERSONNEL:
            required_workers = need
        can = np.cumsum(np.where(np.isfinite(d.supply[k]), d.supply[k], np.inf))
        if not d.active[:, k].any() and need.max() > 0:
            out.append((None, f"the {what} target needs {need.max() * conv:,.0f} {unit} more, but no category has a "
                              f"{'personnel' if k == K_PERSONNEL else 'facility'} standard to add them under"))
            continue
        for j in np.nonzero(need > can * (1 + 1e-9))[0]:
            out.append((years[j], f"by {{years}} the {what} target needs at least {need[j] * conv:,.0f} {unit} added, "
                                  f"but supply allows {can[j] * conv:,.0f} {unit} up to then"))

    salaries = d.salary * required_workers  # 100m yuan per year at the least
    gap = t_.regional_gap
    gap_money = np.zeros(d.T)
    cap = np.full(d.T, np.nan)
    if gap is not None and gap.enabled:
        cap = evaluate(gap.cap, years)
        unit_of = units_of(d.groups)[0] if gap.over == "group" else np.arange(d.R)
        U = unit_of.max() + 1
        pop_u = np.zeros((U, d.T))
        base_u = np.zeros((U, d.T))
        np.add.at(pop_u, unit_of, d.pop)
        np.add.at(base_u, unit_of, d.base_level[:, :, K_FISCAL, :].sum(axis=1))
        pcs = base_u / pop_u * (YUAN / PEOPLE)
        floor = pcs.max(axis=0) / cap
        gap_money = np.where(np.isfinite(cap), (np.maximum(floor[None, :] - pcs, 0) * pop_u).sum(axis=0) / (YUAN / PEOPLE), 0)
    for j in range(d.T):
        need = gap_money[j] + salaries[j]
        if np.isfinite(budget[j]) and need > budget[j] * (1 + 1e-9):
            parts = []
            if gap_money[j] > 0:
                parts.append(f"{fmt_money_yuan(gap_money[j] * YUAN)} to lift the worst-funded up to the {cap[j]:.2f}x cap")
            if salaries[j] > 0:
                parts.append(f"{fmt_money_yuan(salaries[j] * YUAN)} in salaries for the workers the density target needs")
            out.append((years[j], f"{{years}} fiscal budget {fmt_money_yuan(budget[j] * YUAN)} is below the "
                                  f"{fmt_money_yuan(need * YUAN)} needed at the least: " + " and ".join(parts)))

    ls = t_.livelihood_share
    if ls is not None and ls.enabled:
        s = evaluate(ls.min, years)
        nl_floor = np.nan_to_num(d.bound_min[~d.livelihood, K_FISCAL, :], nan=0.0).sum(axis=0)
        total_min = np.where(s < 1, nl_floor / np.maximum(1 - s, 1e-12), np.where(nl_floor > 0, np.inf, 0))
        for j in np.nonzero(np.isfinite(s) & np.isfinite(budget) & (total_min > budget * (1 + 1e-9)))[0]:
            out.append((years[j], f"{{years}}: the non-livelihood floors ({fmt_money_yuan(nl_floor[j] * YUAN)}) and the "
                                  f"{s[j]:.0%} livelihood share need a budget of at least {fmt_money_yuan(total_min[j] * YUAN)}, "
                                  f"found {fmt_money_yuan(budget[j] * YUAN)}"))
    return _merge_years(out)


def _span(years: list[int]) -> str:
    """2024, 2025, 2026, 2028 -> '2024-2026, 2028'."""
    parts, start = [], None
    for i, y in enumerate(years):
        if start is None:
            start = y
        if i + 1 == len(years) or years[i + 1] != y + 1:
            parts.append(str(start) if start == y else f"{start}-{y}")
            start = None
    return ", ".join(parts)


def _merge_years(found: list[tuple]) -> list[str]:
    """One line per distinct finding, its years joined: the same shortfall every year is said once."""
    by_text: dict[str, list] = {}
    for year, text in found:
        by_text.setdefault(text, []).append(year)
    return [text.replace("{years}", _span([int(y) for y in ys if y is not None])) for text, ys in by_text.items()]
