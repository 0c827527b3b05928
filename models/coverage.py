"""Facility coverage ("養老服務設施覆蓋所有城市社區和90%以上行政村"; "城市社區綜合服務設施覆蓋率要達到100%,農村地區達到90%
以上"): for each facility type f and place kind p (urban communities, villages), by year t at least a share
g[f,p,t] of a region's places have one:

    e[r,f,p] + n[r,f,p,t] >= g[f,p,t] * P[r,p]        (coverage.<type>.<place>.<region>.<year>, target years)
    e[r,f,p] + n[r,f,p,T] <= P[r,p]                    (coverage_room.<type>.<place>.<region>: one a place)
    n[r,f,p,t] - n[r,f,p,t-1] >= 0                     (coverage_order: facilities are not pulled down)

with P the region's communities or villages, e those with one today (regions[].facilities) and n[r,f,p,t]
the facilities built up to t (a running total). A facility costs `capex` (money, paid by the yearly budget
and by pools that count construction in the year it is built) and needs `staff` (FTE, hired from the
personnel supply in that year, paid a salary every year after, as Layout.works says). Counts are fractional
(the LP relaxation) unless the solve asks for whole ones (`opt solve --integer`: a MIP, HiGHS, its gap
reported). The facilities' space is not added to the categories' space (ours: a coverage target counts
places served, the space standards count m2)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from optimizer.models.common import Context, Works, ratio
from optimizer.models.explained import Explained, people, years_of
from optimizer.models.objective import TOKEN_COST
from optimizer.models.registry import Findings, Knob, KpiRow, KpiTarget, family, target_of
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import Q, Sched, Strict, Target
from optimizer.units import INPUT_AMOUNT, INTERNAL, OUTPUT_SCALE, PEOPLE

PLACES = ("communities", "villages")
AT = ("targets", "coverage", "types")


class FacilityType(Strict):
    name: str | None = Field(None, description="display name, any language (养老服务设施)")
    capex: Q("money", ge=0) = Field(0.0, description="cost of one facility, 100m yuan (or with a unit: '200 万元')")  # type: ignore[valid-type]
    staff: Q("fte", ge=0) = Field(0.0, description="staff one facility needs, FTE")  # type: ignore[valid-type]
    communities: Sched("share", ge=0, le=1) | None = Field(  # type: ignore[valid-type]
        None, description="share of urban communities with one, by year (reached by it, held after)")
    villages: Sched("share", ge=0, le=1) | None = Field(None, description="share of villages with one, by year")  # type: ignore[valid-type]


class CoverageTarget(Target):
    types: dict[str, FacilityType] = Field(default_factory=dict)


def _types(s) -> dict[str, FacilityType]:
    t = target_of(getattr(s.targets, "coverage", None))
    return t.types if t is not None else {}


def counts(s, ftype: str, place: str) -> tuple[np.ndarray, np.ndarray]:
    """(R,) the region's places of a kind, and those with a facility of the type today."""
    total = np.array([getattr(r, place) or 0.0 for r in s.regions], dtype=float)
    have = np.array([getattr((r.facilities or {}).get(ftype), place, 0.0) if r.facilities and ftype in r.facilities
                     else 0.0 for r in s.regions], dtype=float)
    return total, have


def _validate(s) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    types = _types(s)
    if types:  # a region's facilities of a type no target names would be dropped without a word
        for i, r in enumerate(s.regions):
            for ftype in r.facilities or {}:
                if ftype not in types:
                    out.append((("regions", i, "facilities", ftype), f"expected a facility type of targets.coverage.types "
                                                                     f"({', '.join(types)}), found '{ftype}'"))
    for fid, f in types.items():
        if f.communities is None and f.villages is None:
            out.append((AT + (fid,), "expected a share of communities or of villages (or both), found neither: the type "
                                     "has no target"))
        for place in PLACES:
            if getattr(f, place) is not None and not any(getattr(r, place) for r in s.regions):
                out.append((AT + (fid, place), f"expected regions that give their {place} (a column '{place}' or "
                                               f"regions[].{place}), found none: the target has nothing to count"))
    return out


def _knobs(s) -> list[Knob]:
    return [Knob("coverage", AT + (fid, place), -1, 0.0, 1e-4, "share", f"coverage of {place} by '{f.name or fid}'")
            for fid, f in _types(s).items() for place in PLACES if getattr(f, place) is not None]


def _check(d, s) -> Findings:
    """A target needing more staff than the supply allows up to its year is impossible in numbers."""
    out = Findings()
    supply = np.cumsum(np.where(np.isfinite(d.supply[1]), d.supply[1], np.inf))  # internal units, up to each year
    need = np.zeros(d.T)
    for fid, f in _types(s).items():
        staff = _staff(f)
        for place in PLACES:
            g = evaluate(getattr(f, place), d.years) if getattr(f, place) is not None else np.full(d.T, np.nan)
            total, have = counts(s, fid, place)
            short = np.nan_to_num(np.fmax.accumulate(np.nan_to_num(g, nan=0.0))[None, :] * total[:, None] - have[:, None])
            need += np.maximum(short, 0).sum(axis=0) * staff
    for j in np.nonzero(need > supply * (1 + 1e-9))[0]:
        out.proofs.append((int(d.years[j]), f"by {{years}} the coverage targets need at least {need[j] * 100:,.0f} FTE "
                                            f"of facility staff hired, but supply allows {supply[j] * 100:,.0f} FTE"))
    return out


def _staff(f: FacilityType) -> float:
    """Internal staff units (100 FTE) one facility needs."""
    return (f.staff or 0.0) / INTERNAL["personnel"]


def _capex(f: FacilityType) -> float:
    """100m yuan per facility."""
    return f.capex * INPUT_AMOUNT["fiscal"] / INTERNAL["fiscal"]


def _kpi_targets(d, s) -> list[KpiTarget]:
    return [KpiTarget(f"coverage_{fid}_{place}", "all regions", evaluate(getattr(f, place), d.years), ">=")
            for fid, f in _types(s).items() for place in PLACES if getattr(f, place) is not None]


def _solved(a, s):
    """Each (type id, type, place) the solve built for, with its places, those with one today and the
    facilities built up to each year (R,T)."""
    for fid, f in _types(s).items():
        for place in PLACES:
            key = f"coverage:{fid}:{place}"
            if key in a.works:
                yield (fid, f, place, *counts(s, fid, place), a.works[key])


def _kpis(d, a, s) -> list[KpiRow]:
    rows = []
    for fid, _f, place, total, have, built in _solved(a, s):
        share, mine = ratio((have[:, None] + built).sum(axis=0), total.sum()), ratio(have[:, None] + built, total[:, None])
        rows += [KpiRow(f"coverage_{fid}_{place}", "all regions", share, "share"),
                 KpiRow(f"coverage_{fid}_{place}", list(d.region_names), mine, "share"),
                 KpiRow(f"facilities_built_{fid}_{place}", "all regions", built.sum(axis=0), "facilities")]
    return rows


def coverage_tables(d, a, s) -> dict:
    """coverage.csv: per facility type, place kind, region and year: places, those with one today, built so far,
    the share covered, and what the budget pays that year (construction, salaries) and the staff hired."""
    frames = []
    to_out = INTERNAL["fiscal"] / OUTPUT_SCALE["fiscal"]  # 10k yuan per internal money unit
    for fid, f, place, total, have, built in _solved(a, s):
        added = np.diff(built, axis=1, prepend=0.0)
        r, y = (v.ravel() for v in np.meshgrid(np.arange(d.R), np.arange(d.T), indexing="ij"))
        share = ratio(have[r] + built[r, y], total[r])
        frames.append(pd.DataFrame({
            "facility_type": fid, "facility_name": f.name or fid, "place": place,
            "region": np.array(d.region_ids, dtype=object)[r], "region_name": np.array(d.region_names, dtype=object)[r],
            "year": d.years[y], "places": total[r], "existing": have[r], "built_so_far": built[r, y],
            "share_covered": share, "capex_10k_yuan": added[r, y] * _capex(f) * to_out,
            "salaries_10k_yuan": built[r, y] * _staff(f) * d.salary * to_out,
            "staff_hired_fte": added[r, y] * (f.staff or 0.0)}))
    return {"coverage": pd.concat(frames, ignore_index=True)} if frames else {}


@dataclass(frozen=True)
class CoverageInfo:
    what: list[str]  # per row: the facility type's name and the place kind
    floor: np.ndarray  # per row: the share
    places: np.ndarray  # per row: the region's places


def explain(f, d) -> Explained:
    info = f.block.info
    years = years_of(f, d)
    scopes = [d.region_names[i] for i in f.block.labels["region"]]
    actual = info.floor + np.divide(f.slack, info.places, out=np.zeros_like(info.places), where=info.places > 0)
    effect = 0.01 * np.maximum(f.dual, 0) * info.places * PEOPLE  # people, for +1 percentage point
    meaning = [(f"{w}: the last percentage point of its {g:.0%} target in {y} leaves another {people(e)} unserved ({sc})"
                if g >= 1 - 1e-9 else  # no higher target to raise it to: what the last point costs
                f"raising {w} coverage from {g:.0%} to {g + 0.01:.0%} in {y} would leave another {people(e)} unserved ({sc})")
               if b and e > 0.5 else f"{w}: {a:.1%} covered in {y} against {g:.0%} ({sc})"
               for w, g, a, e, b, y, sc in zip(info.what, info.floor, actual, effect, f.binding, years, scopes)]
    return Explained(scopes, (actual - info.floor) * 100, "percentage points above the target", effect,
                     "people unserved per +1 percentage point", np.where(f.binding, effect, 0.0), meaning,
                     "raising every coverage target by 1 percentage point in {year} would leave another {people} unserved",
                     target=info.floor, summary_zh="{year}年各设施覆盖目标提高1个百分点，将再有{people}未获服务")


@family("coverage", target=CoverageTarget, validate=_validate, explain=explain, knobs=_knobs, check=_check,
        kpi_targets=_kpi_targets, kpis=_kpis, tables=coverage_tables)
def coverage(ctx: Context) -> None:
    """e + n[t] >= g[t] P; e + n[T] <= P; n[t] >= n[t-1] (the module's docstring)."""
    d, b = ctx.data, ctx.builder
    scenario: Any = ctx.scenario
    r, y = (a.ravel() for a in np.meshgrid(np.arange(d.R), np.arange(d.T), indexing="ij"))
    for fid, f in _types(scenario).items():
        for place in PLACES:
            goal = getattr(f, place)
            if goal is None:
                continue
            total, have = counts(scenario, fid, place)
            cols = np.full((d.R, d.T), -1, dtype=np.int64)
            cols[r, y] = b.add_vars(f"built_{fid}_{place}", {"region": r, "year": y}, integer=True)
            capex = _capex(f)
            tie = scenario.objective.cost_weight * (capex if capex > 0 else TOKEN_COST)
            b.add_cost(cols[:, -1], tie)  # a running total: its last year's value is what was built
            ctx.layout.works[f"coverage:{fid}:{place}"] = Works(cols, capex, stock=True, staff=_staff(f))
            name, label = f"{f.name or fid} / {place}", f"{fid}_{place}"

            def kind(m: int, label: str = label) -> np.ndarray:
                return np.full(m, label, dtype=object)

            ctx.rows("coverage_room", ctx.var(np.arange(d.R), cols[:, -1], n=d.R) <= np.maximum(total - have, 0),
                     labels={"kind": kind(d.R), "region": np.arange(d.R)}, policy=False)
            if d.T > 1:
                rr, tt = (a.ravel() for a in np.meshgrid(np.arange(d.R), np.arange(1, d.T), indexing="ij"))
                m = len(rr)
                ctx.rows("coverage_order", ctx.var(np.arange(m), cols[rr, tt], n=m) - ctx.var(np.arange(m), cols[rr, tt - 1], n=m)
                         >= 0, labels={"kind": kind(m), "region": rr, "year": tt}, policy=False)
            g = evaluate(goal, d.years)
            years = np.nonzero(np.isfinite(g))[0]
            rr, ty = (a.ravel() for a in np.meshgrid(np.arange(d.R), years, indexing="ij"))
            n = len(rr)
            if not n:
                continue
            ctx.rows("coverage", ctx.var(np.arange(n), cols[rr, ty], n=n) >= g[ty] * total[rr] - have[rr],
                     labels={"kind": kind(n), "region": rr, "year": ty}, info=CoverageInfo([name] * n, g[ty], total[rr]))
