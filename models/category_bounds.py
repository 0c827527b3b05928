"""Category bounds: floors and caps on each year's new allocation of a resource
to a category, all regions together (mandatory non-livelihood spending, say)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.backend.lp import INF
from optimizer.models.common import Context, grid
from optimizer.models.explained import Explained, people, scope_names, years_of
from optimizer.models.registry import Findings, family
from optimizer.preprocess.data import K_FISCAL
from optimizer.units import PEOPLE, fmt_money_yuan


@dataclass(frozen=True)
class BoundsInfo:
    """What the explanation needs beside the row: each row's resource."""

    k: np.ndarray


def _unit(u) -> str:
    """One internal unit, in words: the step a bound's shadow price is for."""
    return {"money": "100m yuan", "staff": "100 FTE", "space": "10k m2"}[u.kind]


def explain(f, d) -> Explained:
    k = f.block.info.k
    years = years_of(f, d)
    change = f.dual * PEOPLE  # people unserved per +1 unit of the binding bound
    meaning = []
    for sc, kk, y, ch, b in zip(scope_names(f, d), k, years, change, f.binding):
        unit = _unit(d.resources[kk])
        if b and ch > 0.5:
            meaning.append(f"raising the {y} floor on {sc} by {unit} would leave another {people(ch)} unserved")
        elif b and ch < -0.5:
            meaning.append(f"raising the {y} cap on {sc} by {unit} would serve another {people(-ch)}")
        else:
            meaning.append(f"{sc}: {y} allocation within its bounds")
    return Explained(scope_names(f, d), f.slack * np.array([d.resources[kk].to_input for kk in k]),
                     [d.resources[kk].input_unit + " from the nearer bound" for kk in k], change,
                     "people unserved per +1 unit of the bound", np.where(f.binding, np.abs(change), 0.0), meaning,
                     "loosening every binding category floor or cap in {year} by one unit (a floor lowered, a cap raised; "
                     "100m yuan, 100 FTE or 10k m2) would serve another {people}",
                     summary_zh="{year}年起约束作用的服务类别下限降低、上限提高各一个单位（1亿元、100人或1万平方米），将再服务{people}")


def _check(d, scenario) -> Findings:
    """The floors of all categories together within each year's supply."""
    out = Findings()
    floors = np.nan_to_num(d.bound_min, nan=0.0).sum(axis=0)  # (K,T)
    for k, u in enumerate(d.resources):
        what, unit, conv = u.supply_words, u.base_unit, u.internal
        for j in np.nonzero(floors[k] > d.supply[k] * (1 + 1e-9))[0]:
            have, need = d.supply[k, j] * conv, floors[k, j] * conv
            if k == K_FISCAL:
                out.proofs.append((d.years[j], f"{{years}} {what} {fmt_money_yuan(have)} is below the {fmt_money_yuan(need)} "
                                               "the category floors need"))
            else:
                out.proofs.append((d.years[j], f"{{years}} {what} {have:,.0f} {unit} is below the {need:,.0f} {unit} "
                                               "the category floors need"))
    return out


@family("category_bounds", explain=explain, check=_check)
def category_bounds(ctx: Context) -> None:
    d = ctx.data
    has = np.isfinite(d.bound_min) | np.isfinite(d.bound_max)  # (C,K,T)
    c, k, t = np.nonzero(has)
    if not len(c):
        return
    n = len(c)
    row, r = grid(n, d.R)
    added = ctx.added(row, r, c[row], k[row], t[row], n=n)  # all regions' new allocation to the category
    lower = np.where(np.isfinite(d.bound_min[c, k, t]), d.bound_min[c, k, t], -INF)
    upper = np.where(np.isfinite(d.bound_max[c, k, t]), d.bound_max[c, k, t], INF)
    ctx.rows("category_bounds", added.within(lower, upper), labels={"resource": k, "category": c, "year": t},
             info=BoundsInfo(k))
