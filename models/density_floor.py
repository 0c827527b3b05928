"""Density floors on stocks: baseline + everything added up to year t
>= rate[t] x population[r,t], for every region."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.models.common import Context, grid
from optimizer.models.explained import Explained, people, scope_names, years_of
from optimizer.models.registry import Findings
from optimizer.preprocess.schedule import evaluate
from optimizer.units import PEOPLE, per_capita_factor


def _step(u) -> tuple[float, str, str, float]:
    """(step of the target, its unit, what the slack is measured in, slack factor from internal units)."""
    if u.kind == "staff":
        unit = "workers per 10k people" if u.name == "personnel" else u.standard_unit
        return 1.0, unit, "FTE above the target", u.internal / u.input_amount
    return 0.01, "m2 per person", "10k m2 above the target", u.internal / u.input_amount


_UNIT_ZH = {"workers per 10k people": "人/万人", "m2 per person": "平方米/人"}
_TARGET_ZH = {"facility_standard": "人均社区服务用房面积目标", "personnel_density": "每万人持证社工数目标"}
_TARGET_EN = {"facility_standard": "community space target", "personnel_density": "social-worker density target"}


@dataclass(frozen=True)
class DensityInfo:
    k: int  # the stock: a staff or space type
    rate: np.ndarray  # per row: the target
    pop: np.ndarray  # per row: the region's population that year, 10k


def explain(f, d) -> Explained:
    info = f.block.info
    k = info.k
    step, unit, slack_unit, sf = _step(d.resources[k])
    per = info.pop * per_capita_factor(d.resources[k])  # internal units per 1.0 of the rate
    actual = info.rate + np.divide(f.slack, per, out=np.zeros_like(per), where=per > 0)
    effect = step * np.maximum(f.dual, 0) * per * PEOPLE
    years = years_of(f, d)
    meaning = [
        f"raising the target from {r:g} to {r + step:g} {unit} in {sc} in {y} would leave another {people(e)} unserved"
        if b and e > 0.5 else f"{sc} at {a:,.2f} {unit} in {y} against {r:g}"
        for r, a, e, b, sc, y in zip(info.rate, actual, effect, f.binding, scope_names(f, d), years)]
    return Explained(scope_names(f, d), f.slack * sf, slack_unit, effect / step,
                     f"people unserved per +1 {unit}", np.where(f.binding, effect, 0.0), meaning,
                     f"raising the {_TARGET_EN.get(f.block.family, d.resources[k].shown + ' density target')} by {step:g} "
                     f"{unit} in every region in {{year}} would leave another {{people}} unserved",
                     target=info.rate,
                     summary_zh=f"{{year}}年各地区{_TARGET_ZH.get(f.block.family, '目标')}提高{step:g}"
                                f"{_UNIT_ZH.get(unit, unit)}，将再有{{people}}未获服务")


def stock_check(d, k: int, schedule, what: str, unit: str, credit: np.ndarray | None = None) -> tuple[Findings, np.ndarray]:
    """The least stock every region must add for the target (summed over regions, internal units, (T,)),
    against what the supply allows up to each year; and that stock. Proofs say it in `unit` (base units). The
    baseline is today's stock less what is lost by then; with a loss the least stock to add is larger than this
    (what is added is lost too), so the proofs still hold. `credit` (R,): the most each region can be credited
    a year from elsewhere (shared space, models.sharing.credit_bound), counted as the LP counts it."""
    out = Findings()
    conv = d.resources[k].internal
    rate = evaluate(schedule, d.years)
    need = rate[None, :] * d.pop * per_capita_factor(d.resources[k]) - d.base_by_year(k)
    if credit is not None:
        need = need - credit[:, None]
    need = np.where(np.isfinite(need), np.maximum(need, 0), 0).sum(axis=0)
    can = np.cumsum(np.where(np.isfinite(d.supply[k]), d.supply[k], np.inf))
    if not d.active[:, k].any() and need.max() > 0:
        out.proofs.append((None, f"the {what} target needs {need.max() * conv:,.0f} {unit} more, but no category has a "
                                 f"{d.res_ids[k]} standard to add them under"))
        return out, need
    for j in np.nonzero(need > can * (1 + 1e-9))[0]:
        shared = "" if credit is None else f" (beyond the {credit.sum() * conv:,.0f} {unit} sharing can lend at most)"
        out.proofs.append((d.years[j], f"by {{years}} the {what} target needs at least {need[j] * conv:,.0f} {unit} added{shared}, "
                              f"but supply allows {can[j] * conv:,.0f} {unit} up to then"))
    return out, need


def density_floor(ctx: Context, name: str, k: int, schedule) -> None:
    d = ctx.data
    base = d.base_by_year(k)
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
    need = rate[t] * d.pop[rr, t] * per_capita_factor(d.resources[k])
    ctx.rows(name, added >= need - base[rr, t], labels={"region": rr, "year": t}, info=DensityInfo(k, rate[t], d.pop[rr, t]))
