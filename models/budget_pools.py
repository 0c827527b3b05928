"""Budget pools: money over a span of years, as the plan counts it ("2024-2030年累計投入不低于5萬億元,
重點向中西部和農村地區傾斜"). For each pool p with years Y_p and yearly outlay o[p,t] (new money, and where
the pool says so the salaries and construction the yearly budget also pays):

    min_p <= sum_{t in Y_p} o[p,t] <= max_p                                   (the pool)
    min_p / n <= o[p,t] <= max_p / n              for t in Y_p, move: none     (no money moves between years)
    (1 - b) avg_p <= o[p,t] <= (1 + b) avg_p      for t in Y_p, move: b        (a band around the span's average)
    sum_{t in Y_p} o_S[p,t] >= share_S * sum_{t in Y_p} o[p,t]                  (each tilt: regions S)

where n = |Y_p|, avg_p = sum_t o[p,t] / n and o_S is the outlay of the regions in S. The yearly ceiling
(resources.fiscal.budget) still holds each year beside the pools."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from optimizer.backend.lp import INF
from optimizer.models.common import Context, grid, solved_outlay
from optimizer.models.explained import Explained, people
from optimizer.models.registry import Findings, Knob, KpiRow, KpiTarget, family, target_of
from optimizer.preprocess.schema import Q, Strict, Target, _years
from optimizer.units import INPUT_AMOUNT, INTERNAL, OUTPUT_SCALE, OUTPUT_UNIT, fmt_money_yuan, parse_quantity

_TO_INTERNAL = INPUT_AMOUNT["fiscal"] / INTERNAL["fiscal"]  # the pool's amounts (100m yuan) in model units


def _move(v):
    """free, none, or a band: a share of the average year (0.2 or '20%')."""
    if v in ("free", "none"):
        return v
    try:
        band = parse_quantity(v, "share")
    except (TypeError, ValueError):
        band = None
    if band is None or isinstance(v, bool) or not 0 <= band <= 1:
        raise ValueError(f"expected free, none, or a band between 0 and 1 such as 0.2 or '20%', found {v!r}")
    return band


def _span(v, info: ValidationInfo):
    """'2024:2030', a list of years, or a phase id (its years)."""
    if isinstance(v, str) and ":" not in v:
        phases = (info.context or {}).get("phases") or {}
        if v not in phases:
            known = ", ".join(phases) if phases else "none declared under 'phases:'"
            raise ValueError(f"expected 'FIRST:LAST' years or a phase id (phases: {known}), found '{v}'")
        first, last = phases[v]
        return list(range(first, last + 1))
    return _years(v)


class Selects(Strict):
    """Regions chosen by group (one name or a list), by area, or listed: a pool's tilt, a need-met floor."""

    group: list[str] | None = Field(None, min_length=1, description="groups of regions (central, west, ...)")
    area: Literal["urban", "rural"] | None = None
    regions: list[str] | None = Field(None, min_length=1, description="region ids")

    @model_validator(mode="before")
    @classmethod
    def _one_group(cls, v):
        if isinstance(v, dict) and isinstance(v.get("group"), str):
            v = {**v, "group": [v["group"]]}
        return v


class Tilt(Selects):
    """A least share of the pool's money for a set of regions: by group, by area, or listed."""

    min_share: Q("share", ge=0, le=1)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _one_selector(self):
        given = [k for k in ("group", "area", "regions") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"expected exactly one of group, area or regions, found {', '.join(given) or 'none'}")
        return self

    def words(self) -> str:
        if self.group is not None:
            return "+".join(self.group)
        return self.area or ", ".join(self.regions or [])


class Pool(Strict):
    name: str | None = Field(None, description="display name, any language (2024-2030年累计投入)")
    years: Annotated[list[int], BeforeValidator(_span)] = Field(min_length=1, description="'2024:2030' or a phase id")
    min: Q("money", ge=0) | None = Field(None, description="100m yuan over the span, at least")  # type: ignore[valid-type]
    max: Q("money", ge=0) | None = Field(None, description="100m yuan over the span, at most")  # type: ignore[valid-type]
    includes: list[Literal["salaries", "construction"]] = Field(
        ["salaries", "construction"], description="what counts besides new money (as the yearly budget counts it)")
    move: Annotated[Any, BeforeValidator(_move)] = Field(
        "free", description="free; none (each year its even share of min and max); or a band b: each year within "
                            "+-b of the span's average")
    tilt: list[Tilt] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consecutive(self):
        if sorted(self.years) != list(range(min(self.years), max(self.years) + 1)):
            raise ValueError(f"expected consecutive years such as '{min(self.years)}:{max(self.years)}' (a pool is a "
                             f"span), found {self.years}")
        if self.min is None and self.max is None and not self.tilt:
            raise ValueError("expected a min, a max or a tilt (a pool with none of them limits nothing)")
        return self

    def label(self, pid: str) -> str:
        return self.name or f"{pid} ({self.years[0]}-{self.years[-1]})"


class BudgetPools(Target):
    pools: dict[Annotated[str, Field(pattern=r"^[^\W\d]\w*$")], Pool] = Field(min_length=1)


def _pools(scenario) -> dict[str, Pool]:
    t = target_of(getattr(scenario.targets, "budget_pools", None))
    return t.pools if t is not None else {}


def _validate(s) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    years, ids = set(s.years), {r.id for r in s.regions}
    groups, areas = {r.group for r in s.regions if r.group}, {r.area for r in s.regions if r.area}
    for pid, p in _pools(s).items():
        at = ("targets", "budget_pools", "pools", pid)
        outside = [y for y in p.years if y not in years]
        if outside:
            span = (f"within the horizon {min(years)}-{max(years)}" if len(years) == max(years) - min(years) + 1
                    else f"of the scenario ({', '.join(map(str, sorted(years)))})")
            out.append((at + ("years",), f"expected years {span}, found {outside[0]}"))
        if len(set(p.years)) != len(p.years):
            out.append((at + ("years",), f"expected distinct years, found {p.years}"))
        if p.min is not None and p.max is not None and p.min > p.max:
            out.append((at, f"expected min <= max, found min {p.min:g} > max {p.max:g} (100m yuan)"))
        for i, tl in enumerate(p.tilt):
            bad = ([g for g in tl.group if g not in groups] if tl.group is not None else
                   [tl.area] if tl.area is not None and tl.area not in areas else
                   [r for r in tl.regions or [] if r not in ids])
            if bad:
                kind = "group" if tl.group is not None else "area" if tl.area is not None else "regions"
                have = sorted(groups) if kind == "group" else sorted(areas) if kind == "area" else sorted(ids)[:8]
                out.append((at + ("tilt", i, kind), f"expected a {kind[:-1] if kind == 'regions' else kind} of the "
                                                    f"regions ({', '.join(have) or 'none given'}), found '{bad[0]}'"))
        sets = [_regions_of(s, tl) for tl in p.tilt]
        for i, j in ((a, b) for a in range(len(sets)) for b in range(a + 1, len(sets))):
            if not (sets[i] & sets[j]) and p.tilt[i].min_share + p.tilt[j].min_share > 1 + 1e-12:
                out.append((at + ("tilt", j, "min_share"), f"expected at most {1 - p.tilt[i].min_share:g} (tilt {i} asks "
                            f"{p.tilt[i].min_share:g} for other regions: together only a pool spending nothing meets "
                            f"both), found {p.tilt[j].min_share:g}"))
    return out


def _regions_of(s, tilt: Tilt) -> set[str]:
    """The ids of the regions a tilt is for, from the scenario."""
    return {r.id for r in s.regions if (tilt.group is not None and r.group in tilt.group)
            or (tilt.area is not None and r.area == tilt.area) or (tilt.regions is not None and r.id in tilt.regions)}


def members(d, tilt: Selects) -> np.ndarray:
    """Which regions a selection is for, (R,) bool."""
    if tilt.group is not None:
        return np.isin(d.groups, tilt.group)
    if tilt.area is not None:
        return d.areas == tilt.area
    return np.isin(np.array(d.region_ids, dtype=object), tilt.regions or [])


def _year_index(d, p: Pool) -> np.ndarray:
    index = {int(y): j for j, y in enumerate(d.years)}
    return np.array([index[y] for y in p.years])


@dataclass(frozen=True)
class PoolInfo:
    """One block's rows: their kind (total, year, band_low, band_high, tilt), the pool's words, its yearly
    outlay columns; a tilt's regions in words and least share."""

    kind: str
    pool: str
    o: np.ndarray
    what: str = ""
    share: float = 0.0


def explain(f, d) -> Explained:
    info: PoolInfo = f.block.info
    n = f.block.n
    gain = np.abs(f.dual) * 1e4  # people per 100m yuan of the row's bound (the objective is in 10k people)
    yuan = INTERNAL["fiscal"]
    total = float(f.x[info.o].sum())  # the pool's money at the solution, 100m yuan
    if info.kind == "tilt":
        per_point = gain * 0.01 * total  # one point of share moves the row's bound by 1% of the pool
        share = (f.activity + info.share * total) / total if total > 0 else np.full(n, np.nan)
        meaning = [f"{info.what} get {s:.1%} of {info.pool} (least {info.share:.1%}): lowering the least share by 1 point "
                   f"would serve another {people(g)}" if b and g > 0.5 else
                   f"{info.what} get {s:.1%} of {info.pool} (least {info.share:.1%})"
                   for s, g, b in zip(share, per_point, f.binding)]
        return Explained([info.pool] * n, f.slack, "100m yuan above the least share", per_point,
                         "people served per point of share lowered", np.where(f.binding, per_point, 0.0), meaning,
                         f"lowering the least share of {info.pool} by 1 point in {{year}} would serve another {{people}}",
                         target=np.full(n, info.share))
    if info.kind.startswith("band"):
        return _explain_band(f, info, gain, total)
    at_upper = np.isfinite(f.upper) & (f.upper - f.activity <= f.activity - f.lower)
    which = "ceiling" if info.kind == "total" else "limit for the year"
    meaning = []
    for act, g, b, up in zip(f.activity, gain, f.binding, at_upper):
        spent = fmt_money_yuan(act * yuan)
        if not b:
            meaning.append(f"{info.pool}: {spent} {'in all' if info.kind == 'total' else 'this year'}, within its limits")
        elif up:
            meaning.append(f"{info.pool} is spent up to its {which} ({spent}): 100m yuan more would serve another {people(g)}"
                           if g > 0.5 else f"{info.pool} is spent up to its {which} ({spent}), but more would serve no one")
        else:
            meaning.append(f"{info.pool} spends its floor ({spent}) only because it must: 100m yuan less would serve "
                           f"another {people(g)}" if g > 0.5 else f"{info.pool} spends its floor ({spent}); a lower floor "
                                                                 "would serve no one more")
    signed = gain * np.where(at_upper, 1.0, -1.0) + 0.0  # + : raising the bound serves more people (never -0)
    return Explained([info.pool] * n, f.slack, "100m yuan", signed, "people served per 100m yuan more",
                     np.where(f.binding & (gain > 0.5), gain, 0.0), meaning,
                     f"loosening {info.pool} ({info.kind.replace('_', ' ')}) by 100m yuan in {{year}} would serve "
                     "another {people}", target=np.where(at_upper, f.upper, f.lower))


def _explain_band(f, info: PoolInfo, gain: np.ndarray, total: float) -> Explained:
    """Rows n o[t] - (1 -+ b) sum o >=/<= 0: a point more of band moves each bound by 1% of the pool."""
    n = f.block.n
    yearly = f.x[info.o]  # the rows are the pool's years in order
    avg = total / n if n else 0.0
    per_point = gain * 0.01 * total
    side = "least" if info.kind == "band_low" else "most"
    yuan = INTERNAL["fiscal"]
    meaning = [f"{info.pool}: {fmt_money_yuan(v * yuan)} this year is the {side} the band around the average year "
               f"({fmt_money_yuan(avg * yuan)}) allows: widening the band by 1 point would serve another {people(g)}"
               if b and g > 0.5 else f"{info.pool}: {fmt_money_yuan(v * yuan)} this year, average year "
                                     f"{fmt_money_yuan(avg * yuan)}"
               for v, g, b in zip(yearly, per_point, f.binding)]
    return Explained([info.pool] * n, f.slack / n, "100m yuan from the band's edge", per_point,
                     "people served per point of band widened", np.where(f.binding, per_point, 0.0), meaning,
                     f"widening the yearly band of {info.pool} by 1 point in {{year}} would serve another {{people}}",
                     target=np.full(n, np.nan))


def _knobs(scenario) -> list[Knob]:
    out = []
    for pid, p in _pools(scenario).items():
        at = ("targets", "budget_pools", "pools", pid)
        if p.max is not None:
            out.append(Knob("budget_pools", at + ("max",), +1, math.inf, 1e-3, "100m yuan in all", f"ceiling of {p.label(pid)}",
                            none_is_unlimited=True, resource=True))
        if p.min is not None and p.min > 0:
            out.append(Knob("budget_pools", at + ("min",), -1, 0.0, 1e-3, "100m yuan in all", f"floor of {p.label(pid)}"))
        if not isinstance(p.move, str) and p.move < 1:
            out.append(Knob("budget_pools", at + ("move",), +1, 1.0, 1e-4, "share", f"yearly band of {p.label(pid)}"))
        for i, tl in enumerate(p.tilt):
            if tl.min_share > 0:
                out.append(Knob("budget_pools", at + ("tilt", i, "min_share"), -1, 0.0, 1e-4, "share",
                                f"least share of {p.label(pid)} for {tl.words()}"))
    return out


def region_outlay(d, a, includes) -> np.ndarray:
    """(R,T) what the pool counts of each region's spending in each year, 100m yuan, from the solution's arrays."""
    return solved_outlay(d, a, salaries="salaries" in includes, construction="construction" in includes)


def _running(d, p: Pool, values: np.ndarray) -> np.ndarray:
    """(T,) running total of values (T,) over the pool's years, NaN outside them."""
    out = np.full(d.T, np.nan)
    j = np.sort(_year_index(d, p))
    out[j] = np.cumsum(values[j])
    return out


def _kpis(d, a, scenario) -> list[KpiRow]:
    rows = []
    to_out = INTERNAL["fiscal"] / OUTPUT_SCALE["fiscal"]
    for pid, p in _pools(scenario).items():
        spend = region_outlay(d, a, p.includes)
        total = _running(d, p, spend.sum(axis=0))
        for side in ("floor", "ceiling"):
            if getattr(p, "min" if side == "floor" else "max") is not None:
                rows.append(KpiRow("budget_pool_outlay", f"{p.label(pid)} ({side})", total * to_out, OUTPUT_UNIT["fiscal"]))
        for tl in p.tilt:
            part = _running(d, p, spend[members(d, tl)].sum(axis=0))
            rows.append(KpiRow("budget_pool_share", f"{p.label(pid)}: {tl.words()}",
                               np.divide(part, total, out=np.full(d.T, np.nan), where=total > 0), "share"))
    return rows


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    out = []
    to_out = INTERNAL["fiscal"] / OUTPUT_SCALE["fiscal"]
    for pid, p in _pools(scenario).items():
        last = np.full(d.T, np.nan)
        end = int(_year_index(d, p).max()) if all(y in set(d.years) for y in p.years) else None
        for side, value, sense in (("floor", p.min, ">="), ("ceiling", p.max, "<=")):
            if value is not None and end is not None:
                v = last.copy()
                v[end] = value * _TO_INTERNAL * to_out
                out.append(KpiTarget("budget_pool_outlay", f"{p.label(pid)} ({side})", v, sense))
        for tl in p.tilt:
            if end is not None:
                v = last.copy()
                v[end] = tl.min_share
                out.append(KpiTarget("budget_pool_share", f"{p.label(pid)}: {tl.words()}", v, ">="))
    return out


def _check(d, scenario) -> Findings:
    """A pool's floor above the yearly budgets of its years; its ceiling below the category floors of its years."""
    out = Findings()
    yuan = INTERNAL["fiscal"]
    floors = np.nan_to_num(d.bound_min[:, 0, :], nan=0.0).sum(axis=0)  # (T,) money the category floors need
    for pid, p in _pools(scenario).items():
        if not all(y in set(d.years) for y in p.years):
            continue
        j = _year_index(d, p)
        budgets = d.supply[0, j].sum()
        if p.min is not None and np.isfinite(budgets) and p.min * _TO_INTERNAL > budgets * (1 + 1e-9):
            out.proofs.append((None, f"the floor of {p.label(pid)}, {fmt_money_yuan(p.min * _TO_INTERNAL * yuan)}, is above "
                                     f"the yearly budgets of its years together, {fmt_money_yuan(budgets * yuan)}"))
        if p.max is not None and floors[j].sum() > p.max * _TO_INTERNAL * (1 + 1e-9):
            out.proofs.append((None, f"the ceiling of {p.label(pid)}, {fmt_money_yuan(p.max * _TO_INTERNAL * yuan)}, is below "
                                     f"the {fmt_money_yuan(floors[j].sum() * yuan)} the category floors need in its years"))
    return out


@family("budget_pools", target=BudgetPools, validate=_validate, explain=explain, knobs=_knobs, kpis=_kpis,
        kpi_targets=_kpi_targets, check=_check)
def budget_pools(ctx: Context) -> None:
    d = ctx.data
    for pid, p in _pools(ctx.scenario).items():
        j = _year_index(d, p)
        n = len(j)
        label = p.label(pid)
        o = ctx.builder.add_vars(f"budget_pools_outlay_{pid}", {"year": j})
        # o[t] = what the pool counts of year t's spending, all regions and categories
        row, r, c = grid(n, d.R, d.C)
        counted = ctx.outlay(row, r, c, j[row], n=n, salaries="salaries" in p.includes,
                             construction="construction" in p.includes)
        ctx.rows("budget_pools_outlay", (ctx.var(np.arange(n), o, n=n) - counted).equals(0),
                 labels={"unit": np.full(n, pid, dtype=object), "year": j}, policy=False)
        lo = p.min * _TO_INTERNAL if p.min is not None else -INF
        hi = p.max * _TO_INTERNAL if p.max is not None else INF
        end = np.array([j.max()])
        every = ctx.var(np.zeros(n, int), o, n=1)  # the pool's total
        if p.min is not None or p.max is not None:
            ctx.rows("budget_pools", every.within(lo, hi), labels={"kind": np.array(["total"], dtype=object),
                                                                  "unit": np.array([pid], dtype=object), "year": end},
                     info=PoolInfo("total", label, o))
        each = ctx.var(np.arange(n), o, n=n)
        if p.move == "none" and (p.min is not None or p.max is not None):
            ctx.rows("budget_pools", each.within(np.full(n, lo / n), np.full(n, hi / n)),
                     labels={"kind": np.full(n, "year", dtype=object), "unit": np.full(n, pid, dtype=object), "year": j},
                     info=PoolInfo("year", label, o))
        elif not isinstance(p.move, str):
            all_years = ctx.var(np.repeat(np.arange(n), n), np.tile(o, n), n=n)  # sum_t o[t] in every row
            ctx.rows("budget_pools", (each * n - all_years * (1 - p.move)) >= 0,
                     labels={"kind": np.full(n, "band_low", dtype=object), "unit": np.full(n, pid, dtype=object), "year": j},
                     info=PoolInfo("band_low", label, o))
            ctx.rows("budget_pools", (each * n - all_years * (1 + p.move)) <= 0,
                     labels={"kind": np.full(n, "band_high", dtype=object), "unit": np.full(n, pid, dtype=object), "year": j},
                     info=PoolInfo("band_high", label, o))
        for i, tl in enumerate(p.tilt):
            regions = np.nonzero(members(d, tl))[0]
            kind = "tilt" if len(p.tilt) == 1 else f"tilt{i + 1}"  # row names stay distinct with several tilts
            trow, tr, tc = grid(n, len(regions), d.C)
            theirs = ctx.outlay(np.zeros(len(trow), int), regions[tr], tc, j[trow], n=1,
                                salaries="salaries" in p.includes, construction="construction" in p.includes)
            ctx.rows("budget_pools", (theirs - every * tl.min_share) >= 0,
                     labels={"kind": np.array([kind], dtype=object), "unit": np.array([pid], dtype=object), "year": end},
                     info=PoolInfo("tilt", label, o, tl.words(), tl.min_share))
