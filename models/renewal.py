"""Renewal of old space ("2024-2026年完成全國50%老舊小區適老化改造"; "全國40%的城市社區公共服務設施存在安全隱患,
農村地區這一比例高達60%"). Of each region's baseline space b_s[r] a share o[r] is old (`old_share`: one figure,
or by area; a region without an area takes the larger), and by year t at least f[t] of it has been renewed:

    sum_{tau <= t} w[r,tau] >= f[t] * o[r] * b_s[r]      (renewal.<region>.<year>, for each target year)
    sum_{tau <= T} w[r,tau] <= o[r] * b_s[r]             (renewal_room.<region>: no more than is old)

with w[r,t] >= 0 the space renewed in year t (10k m2). Renewal costs `capex` (yuan per m2 renewed), which the
yearly budget pays, and budget pools that count construction, as they pay for space built (Layout.works); the
cost also enters the objective's tie-breaker, so nothing is renewed early or twice for nothing. Renewed space
does not add to the level of service (it was there and counted already) and does not draw on the build
capacity (ours: a retrofit is not new construction)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field

from optimizer.models.common import Context, Works, ratio
from optimizer.models.explained import Explained, people, scope_names, years_of
from optimizer.models.objective import TOKEN_COST
from optimizer.models.registry import Knob, KpiRow, KpiTarget, family, target_of
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import AreaValues, Q, Sched, Target
from optimizer.units import INTERNAL, OUTPUT_SCALE, OUTPUT_UNIT, PEOPLE, parse_quantity

M2 = INTERNAL["facility"]  # m2 per internal unit of space


Share = Q("share", ge=0, le=1)


class OldByArea(AreaValues):
    urban: Share  # type: ignore[valid-type]
    rural: Share  # type: ignore[valid-type]


def _spread(v):
    """One share for every area: {urban: v, rural: v} (checked here, so that its error names old_share)."""
    if isinstance(v, dict):
        return v
    try:
        x = parse_quantity(v, "share")
    except (TypeError, ValueError):
        x = None
    if x is None or isinstance(v, bool) or not 0 <= x <= 1:
        raise ValueError(f"expected a share between 0 and 1 (0.4 or '40%'), or {{urban: .., rural: ..}}, found {v!r}")
    return {"urban": x, "rural": x}


class RenewalTarget(Target):
    min: Sched("share", ge=0, le=1) = Field(  # type: ignore[valid-type]
        description="share of the old space renewed by each year (reached by it, held after)")
    old_share: Annotated[OldByArea, BeforeValidator(_spread)] = Field(
        default_factory=lambda: OldByArea(urban=1.0, rural=1.0),
        description="share of the baseline space that is old: one figure, or {urban: 0.4, rural: 0.6}")
    capex: Q("money_per_area", ge=0) = Field(0.0, description="yuan per m2 renewed, paid by the fiscal budget")  # type: ignore[valid-type]


def old_space(d, s, t: RenewalTarget) -> np.ndarray:
    """(R,) the old space of each region, internal units (10k m2)."""
    return np.array([t.old_share.of(r.area) for r in s.regions]) * d.base_space


def _target(s) -> RenewalTarget | None:
    return target_of(getattr(s.targets, "renewal", None))


def _capex(t: RenewalTarget) -> float:
    """100m yuan per 10k m2 renewed."""
    return t.capex * M2 / INTERNAL["fiscal"]


def _knobs(s) -> list[Knob]:
    return [Knob("renewal", ("targets", "renewal", "min"), -1, 0.0, 1e-4, "share", "renewal of old space")]


def _kpi_targets(d, s) -> list[KpiTarget]:
    t = _target(s)
    return [] if t is None else [KpiTarget("renewal_share", "all regions", evaluate(t.min, d.years), ">=")]


def _kpis(d, a, s) -> list[KpiRow]:
    t = _target(s)
    if t is None or "renewal" not in a.works:
        return []
    w = a.works["renewal"]
    old = old_space(d, s, t)
    done = np.cumsum(w, axis=1)
    share = ratio(done.sum(axis=0), old.sum())
    return [KpiRow("renewal_done", "all regions", done.sum(axis=0) * M2, "m2"),
            KpiRow("renewal_share", "all regions", share, "share"),
            KpiRow("renewal_outlay", "all regions", (w * _capex(t)).sum(axis=0) * INTERNAL["fiscal"] / OUTPUT_SCALE["fiscal"],
                   OUTPUT_UNIT["fiscal"])]


def renewal_tables(d, a, s) -> dict[str, pd.DataFrame]:
    """renewal.csv: per region and year, the space renewed, its running total, the old space and the cost."""
    t = _target(s)
    if t is None or "renewal" not in a.works:
        return {}
    w = a.works["renewal"]
    old = old_space(d, s, t)
    r, y = np.meshgrid(np.arange(d.R), np.arange(d.T), indexing="ij")
    return {"renewal": pd.DataFrame({"region": np.array(d.region_ids, dtype=object)[r.ravel()],
                         "region_name": np.array(d.region_names, dtype=object)[r.ravel()],
                         "year": d.years[y.ravel()], "renewed_m2": (w * M2).ravel(),
                         "renewed_so_far_m2": (np.cumsum(w, axis=1) * M2).ravel(),
                         "old_m2": np.repeat(old * M2, d.T),
                         "cost_10k_yuan": (w * _capex(t) * INTERNAL["fiscal"] / OUTPUT_SCALE["fiscal"]).ravel()})}


@dataclass(frozen=True)
class RenewalInfo:
    floor: np.ndarray  # per row: the share
    old: np.ndarray  # per row: the region's old space, internal units


def explain(f, d) -> Explained:
    info = f.block.info
    years = years_of(f, d)
    scopes = scope_names(f, d)
    per = info.old  # internal units per 1.0 of the share
    actual = info.floor + np.divide(f.slack, per, out=np.zeros_like(per), where=per > 0)
    effect = 0.01 * np.maximum(f.dual, 0) * per * PEOPLE  # people, for +1 percentage point
    meaning = [(f"the last percentage point of renewing all the old space by {y} leaves another {people(e)} unserved "
                f"({sc})" if fl >= 1 - 1e-9 else
                f"renewing {fl + 0.01:.0%} of the old space instead of {fl:.0%} by {y} would leave another {people(e)} "
                f"unserved ({sc})") if b and e > 0.5 else f"{a:.1%} of the old space renewed by {y} against {fl:.0%} ({sc})"
               for fl, a, e, b, y, sc in zip(info.floor, actual, effect, f.binding, years, scopes)]
    return Explained(scopes, (actual - info.floor) * 100, "percentage points above the floor", effect,
                     "people unserved per +1 percentage point", np.where(f.binding, effect, 0.0), meaning,
                     "renewing 1 percentage point more of the old space by {year} would leave another {people} unserved",
                     target=info.floor, summary_zh="到{year}年老旧设施更新比例提高1个百分点，将再有{people}未获服务")


@family("renewal", target=RenewalTarget, explain=explain, knobs=_knobs, kpis=_kpis, kpi_targets=_kpi_targets,
        tables=renewal_tables)
def renewal(ctx: Context) -> None:
    """sum_{tau<=t} w[r,tau] >= f[t] o[r] b_s[r]; sum_tau w[r,tau] <= o[r] b_s[r] (the module's docstring)."""
    t = _target(ctx.scenario)
    if t is None:
        return
    d, b = ctx.data, ctx.builder
    scenario: Any = ctx.scenario
    r, y = (a.ravel() for a in np.meshgrid(np.arange(d.R), np.arange(d.T), indexing="ij"))
    cols = np.full((d.R, d.T), -1, dtype=np.int64)
    cols[r, y] = b.add_vars("renew", {"region": r, "year": y})
    capex = _capex(t)
    b.add_cost(cols.ravel(), scenario.objective.cost_weight * (capex if capex > 0 else TOKEN_COST))  # as space built
    ctx.layout.works["renewal"] = Works(cols, capex)
    old = old_space(d, ctx.scenario, t)
    ctx.rows("renewal_room", ctx.var(r, cols[r, y], n=d.R) <= old, labels={"region": np.arange(d.R)}, policy=False)
    f = evaluate(t.min, d.years)
    years = np.nonzero(np.isfinite(f))[0]
    if not len(years):
        return
    rr, ty = (a.ravel() for a in np.meshgrid(np.arange(d.R), np.arange(len(years)), indexing="ij"))
    row = rr * len(years) + ty
    n = d.R * len(years)
    tau = np.arange(d.T)
    # each row sums the region's renewal up to its year
    pr, pt = np.repeat(row, d.T), np.tile(tau, n)
    keep = pt <= np.repeat(years[ty], d.T)
    done = ctx.var(pr[keep], cols[np.repeat(rr, d.T)[keep], pt[keep]], n=n)
    ctx.rows("renewal", done >= f[years[ty]] * old[rr], labels={"region": rr, "year": years[ty]},
             info=RenewalInfo(f[years[ty]], old[rr]))
