"""Ratio caps on per-capita spending between units (regions, groups, areas):
max_u pcs[u,t] <= cap[t] * min_u pcs[u,t], where
pcs[u,t] = (baseline spending + new fiscal allocation of the unit) / population.

Linear with a floor m[u,t] <= pcs[u,t] and pcs[u,t] <= cap[t] * m[u,t]. Every unit
gets its own copy of the floor, chained m[u] = m[u+1], so no variable sits in
every unit's row (a dense column slows the simplex). Rows are written in money
(100m yuan): spend[u,t] >= m[u,t] * pop[u,t] / 1e4, so new money has
coefficient 1 whatever the unit's size."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.common import Context, grid
from models.explained import Explained, people, years_of
from optimizer.preprocess.data import K_FISCAL
from optimizer.preprocess.schedule import evaluate
from optimizer.units import INTERNAL, PEOPLE


@dataclass(frozen=True)
class CapInfo:
    """Per cap row: the cap, the floor variable's column, money per yuan/person of the unit, its display name."""

    cap: np.ndarray
    m: np.ndarray
    scale: np.ndarray
    units: np.ndarray


def explain(f, d) -> Explained:
    info = f.block.info
    cap, scale = info.cap, info.scale
    m = f.x[info.m]
    spend_new = cap * scale * m - f.activity
    pcs = np.divide(spend_new + f.lower, scale, out=np.zeros_like(scale), where=scale > 0)
    years = years_of(f, d)
    effect = 0.1 * np.maximum(f.dual, 0) * scale * m * PEOPLE  # people served by loosening the cap 0.1x
    name = f.block.family.replace("_", " ")
    meaning = [
        f"{u} sets the top of the band at {p:,.0f} yuan/person ({c:.2f}x the floor {mm:,.0f}); "
        f"loosening the {name} cap to {c + 0.1:.2f}x in {y} would serve another {people(e)}"
        if b and e > 0.5 else f"{u} at the top of the band ({p:,.0f} yuan/person in {y}), but loosening the cap would serve no one"
        if b else f"{u} at {p:,.0f} yuan/person in {y}, within the cap {c:.2f}x of {mm:,.0f}"
        for u, p, c, mm, e, b, y in zip(info.units, pcs, cap, m, effect, f.binding, years)]
    return Explained([str(u) for u in info.units], f.slack, "100m yuan below the cap", -effect,
                     "people unserved per +0.1x of the cap", np.where(f.binding, effect, 0.0), meaning,
                     f"loosening the {name} cap by 0.1x in {{year}} would serve another {{people}}", target=cap)


def ratio_cap(ctx: Context, name: str, unit_of_region: np.ndarray, unit_names: list[str], cap_schedule,
              display: list[str] | None = None) -> None:
    d, b = ctx.data, ctx.builder
    cap = evaluate(cap_schedule, d.years)
    years = np.nonzero(np.isfinite(cap))[0]
    U = len(unit_names)
    if not len(years) or U < 2:
        return
    member = unit_of_region >= 0
    pop_u = np.zeros((U, d.T))
    np.add.at(pop_u, unit_of_region[member], d.pop[member])
    base_money = np.zeros((U, d.T))  # 100m yuan
    np.add.at(base_money, unit_of_region[member], d.base_level[member, :, K_FISCAL, :].sum(axis=1))
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
             info=CapInfo(cap[t], m, scale[uu, t], np.array(display or unit_names, dtype=object)[uu]))
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
