"""Density floors on stocks: baseline + everything added up to year t
>= rate[t] x population[r,t], for every region."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.common import Context, grid
from models.explained import Explained, people, scope_names, years_of
from models.registry import Findings
from optimizer.preprocess.schedule import evaluate
from optimizer.units import INTERNAL, PEOPLE, RESOURCES, per_capita_factor

# (step of the target, its unit, what the slack is measured in, slack factor from internal units)
_STEP = {1: (1.0, "workers per 10k people", "FTE above the target", 100.0),
         2: (0.01, "m2 per person", "10k m2 above the target", 1.0)}


@dataclass(frozen=True)
class DensityInfo:
    k: int  # the stock: personnel or facility
    rate: np.ndarray  # per row: the target
    pop: np.ndarray  # per row: the region's population that year, 10k


def explain(f, d) -> Explained:
    info = f.block.info
    k = info.k
    step, unit, slack_unit, sf = _STEP[k]
    per = info.pop * per_capita_factor(k)  # internal units per 1.0 of the rate
    actual = info.rate + np.divide(f.slack, per, out=np.zeros_like(per), where=per > 0)
    effect = step * np.maximum(f.dual, 0) * per * PEOPLE
    years = years_of(f, d)
    meaning = [
        f"raising the target from {r:g} to {r + step:g} {unit} in {sc} in {y} would leave another {people(e)} unserved"
        if b and e > 0.5 else f"{sc} at {a:,.2f} {unit} in {y} against {r:g}"
        for r, a, e, b, sc, y in zip(info.rate, actual, effect, f.binding, scope_names(f, d), years)]
    return Explained(scope_names(f, d), f.slack * sf, slack_unit, effect / step,
                     f"people unserved per +1 {unit}", np.where(f.binding, effect, 0.0), meaning,
                     f"raising the target by {step:g} {unit} in every region in {{year}} would leave another {{people}} unserved",
                     target=info.rate)


def stock_check(d, k: int, schedule, base: np.ndarray, what: str, unit: str) -> tuple[Findings, np.ndarray]:
    """The least stock every region must add for the target (summed over regions, internal units, (T,)),
    against what the supply allows up to each year; and that stock. Proofs say it in `unit`. `base` (R,T) is
    the baseline stock by year (today's staff less those who have left); with attrition the least stock to add
    is larger than this (the added staff leave too), so the proofs still hold."""
    out = Findings()
    conv = INTERNAL[RESOURCES[k]]
    rate = evaluate(schedule, d.years)
    need = rate[None, :] * d.pop * per_capita_factor(k) - base
    need = np.where(np.isfinite(need), np.maximum(need, 0), 0).sum(axis=0)
    can = np.cumsum(np.where(np.isfinite(d.supply[k]), d.supply[k], np.inf))
    if not d.active[:, k].any() and need.max() > 0:
        out.proofs.append((None, f"the {what} target needs {need.max() * conv:,.0f} {unit} more, but no category has a "
                                 f"{RESOURCES[k]} standard to add them under"))
        return out, need
    for j in np.nonzero(need > can * (1 + 1e-9))[0]:
        out.proofs.append((d.years[j], f"by {{years}} the {what} target needs at least {need[j] * conv:,.0f} {unit} added, "
                              f"but supply allows {can[j] * conv:,.0f} {unit} up to then"))
    return out, need


def density_floor(ctx: Context, name: str, k: int, schedule, base: np.ndarray) -> None:
    d = ctx.data
    rate = evaluate(schedule, d.years)
    years = np.nonzero(np.isfinite(rate))[0]
    if not len(years):
        return
    rr, ty = grid(d.R, len(years))
    t = years[ty]
    n = len(rr)
    sr, sc, sy = grid(d.R, d.C, len(years))
    row = sr * len(years) + sy
    added = ctx.level(row, sr, sc, np.full(len(row), k), years[sy], n=n)  # all categories, everything added
    need = rate[t] * d.pop[rr, t] * per_capita_factor(k)
    ctx.rows(name, added >= need - base[rr, t], labels={"region": rr, "year": t}, info=DensityInfo(k, rate[t], d.pop[rr, t]))
