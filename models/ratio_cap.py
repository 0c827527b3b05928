"""Ratio caps on per-capita spending between units (regions, groups, areas):
max_u pcs[u,t] <= cap[t] * min_u pcs[u,t], where
pcs[u,t] = (the unit's baseline on the capped spending line + its new fiscal allocation) / population.
The line is the plan's public-service spending unless the target names another.

Linear with a floor m[u,t] <= pcs[u,t] and pcs[u,t] <= cap[t] * m[u,t]. Every unit
gets its own copy of the floor, chained m[u] = m[u+1], so no variable sits in
every unit's row (a dense column slows the simplex). Rows are written in money
(100m yuan): spend[u,t] >= m[u,t] * pop[u,t] / 1e4, so new money has
coefficient 1 whatever the unit's size."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.models.common import Context, grid
from optimizer.models.explained import Explained, people, years_of
from optimizer.preprocess.data import K_FISCAL
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import BUILT_IN_LINES, CO_CONSTRUCTION
from optimizer.units import INTERNAL, PEOPLE


@dataclass(frozen=True)
class CapInfo:
    """Per cap row: the cap, the floor variable's column, money per yuan/person of the unit, its display name."""

    cap: np.ndarray
    m: np.ndarray
    scale: np.ndarray
    units: np.ndarray
    line: str = CO_CONSTRUCTION  # the spending line the cap is on


_ZH = {"regional_gap": "区域间公共服务支出差距", "urban_rural_gap": "城乡基本公共服务支出差距"}


def explain(f, d) -> Explained:
    info = f.block.info
    cap, scale = info.cap, info.scale
    m = f.x[info.m]
    spend_new = cap * scale * m - f.activity
    pcs = np.divide(spend_new + f.lower, scale, out=np.zeros_like(scale), where=scale > 0)
    years = years_of(f, d)
    # the row can hold with no slack while its floor variable sits below every unit (a degenerate vertex):
    # a unit is at the cap only if it is cap x the lowest unit's spending that year
    lowest = {y: pcs[years == y].min() for y in np.unique(years)}
    at_cap = f.binding & np.array([p >= c * lowest[y] * (1 - 1e-6) for p, c, y in zip(pcs, cap, years)], dtype=bool)
    effect = 0.1 * np.maximum(f.dual, 0) * scale * m * PEOPLE  # people served by loosening the cap 0.1x
    name = f.block.family.replace("_", " ")
    line = d.line_names.get(info.line, info.line)
    meaning = [
        f"{u} sets the top of the band at {p:,.0f} yuan/person of {line} ({c:.2f}x the floor {mm:,.0f}); "
        f"loosening the {name} cap to {c + 0.1:.2f}x in {y} would serve another {people(e)}"
        if b and e > 0.5 else f"{u} at the top of the band ({p:,.0f} yuan/person in {y}), but loosening the cap would serve no one"
        if b else f"{u} at {p:,.0f} yuan/person of {line} in {y}, within the cap {c:.2f}x of the lowest, {lowest[y]:,.0f}"
        for u, p, c, mm, e, b, y in zip(info.units, pcs, cap, m, effect, at_cap, years)]
    return Explained([str(u) for u in info.units], f.slack, "100m yuan below the cap", -effect + 0.0,  # never -0
                     "people unserved per +0.1x of the cap", np.where(at_cap, effect, 0.0), meaning,
                     f"loosening the {name} cap by 0.1x in {{year}} would serve another {{people}}", target=cap,
                     binding=at_cap, summary_zh=f"{{year}}年{_ZH.get(f.block.family, name)}上限放宽0.1倍，可再服务{{people}}")


def line_problems(s, key: str, line: str, members: list[int] | None = None) -> list[tuple[tuple, str]]:
    """The capped line exists and every region the cap is between gives it (co_construction: every region does)."""
    known = set(BUILT_IN_LINES) | set(s.spending_lines)
    where = ("targets", key, "line")
    if line not in known:
        return [(where, f"expected a spending line ({', '.join(sorted(known))}), found '{line}'")]
    if line == CO_CONSTRUCTION:
        return []
    missing = [s.regions[i].id for i in (range(len(s.regions)) if members is None else members)
               if not (s.regions[i].spending and line in s.regions[i].spending)]
    if missing:
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        return [(where, f"expected every region's per-capita '{line}' figure (regions' spending: {{{line}: ...}}; the "
                        f"plan caps public-service spending), found none for {', '.join(missing[:8])}{more}; "
                        f"give the figures, or cap another line (line: {CO_CONSTRUCTION})")]
    return []


def unit_baseline(d, line: str, unit_of_region: np.ndarray, U: int) -> tuple[np.ndarray, np.ndarray]:
    """(U,T) population (10k) and baseline money on the line (100m yuan) of each unit."""
    member = unit_of_region >= 0
    pop_u = np.zeros((U, d.T))
    np.add.at(pop_u, unit_of_region[member], d.pop[member])
    base_money = np.zeros((U, d.T))
    np.add.at(base_money, unit_of_region[member], d.line_money(line)[member])
    return pop_u, base_money


def ratio_cap(ctx: Context, name: str, unit_of_region: np.ndarray, unit_names: list[str], cap_schedule,
              display: list[str] | None = None, line: str = CO_CONSTRUCTION) -> None:
    d, b = ctx.data, ctx.builder
    cap = evaluate(cap_schedule, d.years)
    years = np.nonzero(np.isfinite(cap))[0]
    U = len(unit_names)
    if not len(years) or U < 2:
        return
    member = unit_of_region >= 0
    pop_u, base_money = unit_baseline(d, line, unit_of_region, U)
    scale = pop_u / (INTERNAL["fiscal"] / PEOPLE)  # 10k people -> (100m yuan per yuan/person)

    uu, ty = grid(U, len(years))
    t = years[ty]
    m = b.add_vars(f"{name}_floor", {"unit": np.array(unit_names, dtype=object)[uu], "year": t})
    n = len(uu)
    row = np.arange(n)
    # spend terms: every member region's new fiscal money, all categories
    regions = np.nonzero(member)[0]
    sel_r, sel_c, sel_y = grid(len(regions), d.C, len(years))
    sel_r = regions[sel_r]
    sel_row = unit_of_region[sel_r] * len(years) + sel_y  # rows are unit-major, then year
    spend = ctx.added(sel_row, sel_r, sel_c, np.full(len(sel_r), K_FISCAL), t[sel_row], n=n)  # the unit's new money
    floor = ctx.var(row, m, scale[uu, t], n=n)  # the floor m in money: m x pop / 10^4

    unit_labels = np.array(unit_names, dtype=object)[uu]
    # base + spend >= m x pop, and base + spend <= cap x m x pop
    ctx.rows(f"{name}_floor", spend - floor >= -base_money[uu, t],
             labels={"kind": np.full(n, "floor"), "unit": unit_labels, "year": t}, policy=False)
    ctx.rows(name, -spend + floor * cap[t] >= base_money[uu, t], labels={"kind": np.full(n, "cap"), "unit": unit_labels, "year": t},
             info=CapInfo(cap[t], m, scale[uu, t], np.array(display or unit_names, dtype=object)[uu], line))
    # chain the floors of consecutive units within a year (floors are unit-major, then year)
    pairs_u = np.repeat(np.arange(U - 1), len(years))
    pairs_t = np.tile(np.arange(len(years)), U - 1)
    left = m[pairs_u * len(years) + pairs_t]
    right = m[(pairs_u + 1) * len(years) + pairs_t]
    nc = len(left)
    crow = np.arange(nc)
    ctx.rows(f"{name}_chain", (ctx.var(crow, left, n=nc) - ctx.var(crow, right, n=nc)).equals(0),
             labels={"kind": np.full(nc, "chain"), "unit": np.array(unit_names, dtype=object)[pairs_u],
                     "year": years[pairs_t]}, policy=False)
