"""Supply: each year's new allocation of a resource stays within what is available.

The fiscal budget also pays, where the scenario gives unit costs, the salaries
of every worker added so far and the construction of every m2 built that year."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.models.common import Context, grid
from optimizer.models.explained import Explained, people, years_of
from optimizer.models.registry import Knob, KpiTarget, family
from optimizer.preprocess.data import K_FISCAL, K_PERSONNEL, declared_units
from optimizer.units import INTERNAL, OUTPUT_SCALE, PEOPLE


@dataclass(frozen=True)
class SupplyInfo:
    k: int  # the resource the rows limit


def _what(d, k: int) -> tuple[str, str, float]:
    """What the rows of resource k limit, the unit its sentences speak of, and that unit in internal units."""
    u = d.resources[k]
    return ("budget" if k == K_FISCAL else u.supply_words), u.input_unit, 1.0 / u.to_input


_WHAT_ZH = {"budget": "财政预算", "personnel supply": "可招聘人员", "build capacity": "建设能力"}
_UNIT_ZH = {"100m yuan": "亿元", "FTE": "人", "10k m2": "万平方米"}


def explain(f, d) -> Explained:
    k = f.block.info.k
    what, unit, per = _what(d, k)
    u = d.resources[k]
    years = years_of(f, d)
    gain = -f.dual * PEOPLE * per  # people served per `unit` more supply
    slack = f.slack * u.internal / u.input_amount
    meaning = [
        f"1 more {unit} of {y} {what} would serve another {people(g)}" if b and g > 0.5
        else f"{sl:,.1f} {unit} of the {y} {what} left unused" if not b
        else f"the {y} {what} is used up, but more would serve no one"
        for y, g, b, sl in zip(years, gain, f.binding, slack)]
    return Explained(["all regions"] * f.block.n, slack, unit, -gain, f"people unserved per +{unit}",
                     np.where(f.binding, gain, 0.0), meaning,
                     f"1 more {unit} of {what} in {{year}} would serve another {{people}}",
                     target=f.upper * u.internal / u.input_amount,
                     summary_zh=f"{{year}}年{_WHAT_ZH.get(what, what)}每增加1{_UNIT_ZH.get(unit, unit)}，可再服务{{people}}")


def _rows_for(ctx: Context, k: int, t_rows: np.ndarray):
    """Index arrays summing resource k over all regions and categories, one row per year in t_rows."""
    d = ctx.data
    row, r, c = grid(len(t_rows), d.R, d.C)
    t = t_rows[row]
    kk = np.full(len(row), k)
    return row, r, c, kk, t


def _knobs(scenario) -> list[Knob]:
    out = [Knob("supply", ("resources", "fiscal", "budget"), +1, math.inf, 1e-3, "100m yuan", "fiscal budget", True, resource=True),
           Knob("supply", ("resources", "personnel", "supply"), +1, math.inf, 1e-3, "FTE", "personnel supply", True, resource=True),
           Knob("supply", ("resources", "facility", "supply"), +1, math.inf, 1e-3, "10k m2", "build capacity", True, resource=True)]
    for u in declared_units(scenario)[len(out):]:
        out.append(Knob("supply", ("resources", u.name, "supply"), +1, math.inf, 1e-3, u.input_unit, u.supply_words,
                        True, resource=True))
    return out


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    """The fiscal outlay (money, salaries, construction) within the budget, in the outlay's unit."""
    budget = d.supply[K_FISCAL] * INTERNAL["fiscal"] / OUTPUT_SCALE["fiscal"]
    return [KpiTarget("fiscal_outlay", "all regions", np.where(np.isfinite(budget), budget, np.nan), "<=")]


@family("supply", explain=explain, knobs=_knobs, kpi_targets=_kpi_targets)
def supply(ctx: Context) -> None:
    d = ctx.data
    for k in range(d.K):
        t_rows = np.nonzero(np.isfinite(d.supply[k]))[0]
        if not len(t_rows):
            continue
        row, r, c, kk, t = _rows_for(ctx, k, t_rows)
        n = len(t_rows)
        # all regions and categories, this year; money also pays salaries and construction
        outlay = ctx.outlay(row, r, c, t, n=n) if k == K_FISCAL else ctx.added(row, r, c, kk, t, n=n)
        if k == K_PERSONNEL:  # staff that families' works need (facilities built) are hired from the same supply
            for w in ctx.layout.works.values():
                if w.staff > 0:
                    wr, wrow = grid(d.R, n)
                    outlay = outlay + w.done(ctx, wrow, wr, t_rows[wrow], w.staff, n=n)
        ctx.rows("supply", outlay <= d.supply[k, t_rows], labels={"resource": np.full(n, k), "year": t_rows},
                 info=SupplyInfo(k))
