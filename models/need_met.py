"""Need-met floors: the share of need met, over a set of (region, category, resource), is at least f[t]
("特殊群體服務需求滿足率提升至90%"). For a floor with weights w[r,c,t] (1, or for `categories: special` the
special-group fraction sigma[r,c,t], so that the floor is on special groups' need) and need N:

    sum_{(r,c,k) in S} w u[r,c,k,t] <= (1 - f[t]) sum_{(r,c,k) in S} w N[r,c,k,t]

where u is the unmet need (every band of it, under the fair objective). `per: total` writes one row a year
over the whole set; `per: region` one per region; `per: category` one per category. The objective
minimises u, so u is the need not met (need less level, at least 0) and the row holds the share as the
KPI table computes it from the allocation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BeforeValidator, Field

from optimizer.models.budget_pools import Selects, members
from optimizer.models.common import Context, ratio
from optimizer.models.explained import Explained, people, scope_names, years_of
from optimizer.models.registry import Knob, KpiRow, KpiTarget, family, target_of
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import Resource, Sched, Target
from optimizer.units import PEOPLE

AT = ("targets", "need_met", "floors")


def _categories(v):
    """'all', 'special' or category ids (at least one): checked here, so that the message names the key alone."""
    if v in ("all", "special") or (isinstance(v, list) and v and all(isinstance(c, str) for c in v)):
        return v
    raise ValueError(f"expected 'all', 'special' or a list of at least one category id, found {v!r}")


class Floor(Selects):
    """A least share of need met, over the categories, resources and regions it names (all by default)."""

    name: str | None = Field(None, description="what the floor is called in tables (default: its id)")
    min: Sched("share", ge=0, le=1)  # type: ignore[valid-type]
    categories: Annotated[Literal["all", "special"] | list[str], BeforeValidator(_categories)] = Field(
        "all", description="category ids; 'special': every category, weighted by its special-group fraction")
    resources: list[Resource] | None = Field(None, min_length=1,  # type: ignore[valid-type]
                                             description="default: every resource a category has a standard for")
    per: Literal["total", "region", "category"] = Field("total", description="one floor over the set, or one per "
                                                                             "region or per category of it")


class NeedMetTarget(Target):
    floors: dict[str, Floor] = Field(default_factory=dict)


def _floors(s) -> dict[str, Floor]:
    t = target_of(s.targets.need_met)
    return t.floors if t is not None else {}


def _validate(s) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    cats, ids = {c.id for c in s.categories}, {r.id for r in s.regions}
    groups, areas = {r.group for r in s.regions if r.group}, {r.area for r in s.regions if r.area}
    for fid, f in _floors(s).items():
        at = AT + (fid,)
        if isinstance(f.categories, list):
            bad = [c for c in f.categories if c not in cats]
            if bad:
                out.append((at + ("categories",), f"expected 'all', 'special' or category ids ({', '.join(sorted(cats))}), "
                                                  f"found '{bad[0]}'"))
        chosen = [k for k in ("group", "area", "regions") if getattr(f, k) is not None]
        if len(chosen) > 1:
            out.append((at, f"expected at most one of group, area and regions, found {' and '.join(chosen)}"))
        for key, have in (("group", groups), ("regions", ids)):
            bad = [g for g in getattr(f, key) or [] if g not in have]
            if bad:
                out.append((at + (key,), f"expected a {key.rstrip('s')} of the regions ({', '.join(sorted(have)[:8]) or 'none given'}), "
                                         f"found '{bad[0]}'"))
        if f.area is not None and f.area not in areas:
            out.append((at + ("area",), f"expected an area of the regions ({', '.join(sorted(areas)) or 'none given'}), "
                                        f"found '{f.area}'"))
    return out


def _knobs(s) -> list[Knob]:
    return [Knob("need_met", AT + (fid, "min"), -1, 0.0, 1e-4, "share", f"need-met floor {f.name or fid}")
            for fid, f in _floors(s).items()]


def _weights(d, f: Floor) -> np.ndarray:
    """(R,C,K,T) each cell's weight in the floor: 0 outside it."""
    w = np.broadcast_to(d.sigma[:, :, None, :] if f.categories == "special" else 1.0, (d.R, d.C, d.K, d.T)).copy()
    if isinstance(f.categories, list):
        w[:, ~np.isin(np.array(d.cat_ids, dtype=object), f.categories)] = 0.0
    if f.resources is not None:
        w[:, :, ~np.isin(np.array(d.res_ids, dtype=object), f.resources)] = 0.0
    if f.group is not None or f.area is not None or f.regions is not None:
        w[~members(d, f)] = 0.0
    return w * d.has_std[None, :, :, None]


def _scopes(d, f: Floor) -> tuple[np.ndarray, list[str]]:
    """(R,C) which row of the floor each (region, category) falls in, and the rows' names."""
    if f.per == "region":
        return np.repeat(np.arange(d.R)[:, None], d.C, axis=1), list(d.region_names)
    if f.per == "category":
        return np.repeat(np.arange(d.C)[None, :], d.R, axis=0), list(d.cat_names)
    chosen = (f"groups {', '.join(f.group)}" if f.group else f"{f.area} regions" if f.area else
              f"regions {', '.join(f.regions)}" if f.regions else "all regions")
    return np.zeros((d.R, d.C), int), [chosen]


def met_share(d, f: Floor, unmet: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The floor's scopes and, per scope and year, the share of (weighted) need met: 1 - w.unmet / w.need."""
    w = _weights(d, f)
    scope, names = _scopes(d, f)
    n = len(names)
    need = np.zeros((n, d.T))
    short = np.zeros((n, d.T))
    np.add.at(need, scope, (w * d.need).sum(axis=2))
    np.add.at(short, scope, (w * unmet).sum(axis=2))
    return names, 1.0 - ratio(short, need)


def _kpis(d, a, s) -> list[KpiRow]:
    out = []
    for fid, f in _floors(s).items():
        names, share = met_share(d, f, a.unmet)
        out.append(KpiRow(f"need_met_{fid}", names[0] if len(names) == 1 else names, share, "share"))
    return out


def _kpi_targets(d, s) -> list[KpiTarget]:
    from optimizer.models.registry import EACH_REGION

    return [KpiTarget(f"need_met_{fid}", _scopes(d, f)[1][0] if f.per == "total" else EACH_REGION,
                      evaluate(f.min, d.years), ">=") for fid, f in _floors(s).items()]


@dataclass(frozen=True)
class FloorInfo:
    name: str
    floor: np.ndarray  # per row
    need: np.ndarray  # per row: the weighted need, internal units


def explain(f, d) -> Explained:
    info = f.block.info
    years = years_of(f, d)
    scopes = scope_names(f, d)
    actual = info.floor + np.divide(f.slack, info.need, out=np.zeros_like(info.need), where=info.need > 0)
    effect = 0.01 * np.maximum(-f.dual, 0) * info.need * PEOPLE  # a <= row: raising the floor lowers its bound
    meaning = [(f"{info.name}: the last percentage point of its {fl:.0%} floor on need met in {y} leaves another "
                f"{people(e)} unserved ({sc})" if fl >= 1 - 1e-9 else
                f"raising the {info.name} floor on need met from {fl:.0%} to {fl + 0.01:.0%} in {y} would leave another "
                f"{people(e)} unserved ({sc})") if b and e > 0.5 else
               f"{info.name}: {a:.1%} of need met against a floor of {fl:.0%} in {y} ({sc})"
               for fl, a, e, b, y, sc in zip(info.floor, actual, effect, f.binding, years, scopes)]
    return Explained(scopes, (actual - info.floor) * 100, "percentage points above the floor", effect,
                     "people unserved per +1 percentage point", np.where(f.binding, effect, 0.0), meaning,
                     "raising the need-met floors by 1 percentage point in {year} would leave another {people} unserved",
                     target=info.floor, summary_zh="{year}年需求满足率下限提高1个百分点，将再有{people}未获服务")


@family("need_met", target=NeedMetTarget, validate=_validate, explain=explain, knobs=_knobs,
        kpi_targets=_kpi_targets, kpis=_kpis)
def need_met(ctx: Context) -> None:
    """sum w u <= (1 - f) sum w need, per floor, year and scope (see the module's docstring)."""
    d = ctx.data
    for fid, f in _floors(ctx.scenario).items():
        floor = evaluate(f.min, d.years)
        w = _weights(d, f)
        scope, names = _scopes(d, f)
        r, c, k, t = np.nonzero(w * np.isfinite(floor)[None, None, None, :] > 0)
        if not len(r):
            continue
        key = scope[r, c] * d.T + t  # one row per (scope, year) with terms
        rows, row = np.unique(key, return_inverse=True)
        n = len(rows)
        need = np.bincount(row, weights=w[r, c, k, t] * d.need[r, c, k, t], minlength=n)
        sc, yr = rows // d.T, rows % d.T
        labels = {"year": yr}
        if f.per == "region":
            labels["region"] = sc
        elif f.per == "category":
            labels["category"] = sc
        ctx.rows("need_met", ctx.unmet(row, r, c, k, t, w[r, c, k, t], n=n) <= (1 - floor[yr]) * need,
                 labels=labels, info=FloorInfo(f.name or fid, floor[yr], need))
