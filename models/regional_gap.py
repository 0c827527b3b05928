"""Regional gap: per-capita public-service spending of the best-funded region
(or group of regions) at most cap x the worst (1.5x in the plan)."""
from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from optimizer.models.common import Context
from optimizer.models.ratio_cap import explain, line_problems, ratio_cap, unit_baseline
from optimizer.models.registry import Findings, Knob, KpiTarget, family, target_of
from optimizer.preprocess.data import units_of
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import PUBLIC_SERVICE, Sched, Target
from optimizer.units import INTERNAL, PEOPLE, fmt_money_yuan


class GapTarget(Target):
    cap: Sched("ratio", ge=1)  # type: ignore[valid-type]
    over: Literal["region", "group"] = "region"
    line: str = Field(PUBLIC_SERVICE, description="the spending line capped (the plan: public-service spending)")


def _validate(s) -> list[tuple[tuple, str]]:
    """What the schema alone cannot say: the units the cap is between exist."""
    t = target_of(s.targets.regional_gap)
    if t is None:
        return []
    if t.over == "group":
        missing = [r.id for r in s.regions if not r.group]
        if missing:
            return [(("targets", "regional_gap", "over"), "expected every region to have a 'group' when the gap is over "
                                                        f"groups, found none for {', '.join(missing[:8])}")]
        if len({r.group for r in s.regions}) < 2:
            return [(("targets", "regional_gap", "over"), "expected at least two groups for a gap between groups, found one")]
    elif len(s.regions) < 2:
        return [(("targets", "regional_gap"), "expected at least two regions for a regional gap, found one")]
    return line_problems(s, "regional_gap", t.line)


def _knobs(scenario) -> list[Knob]:
    return [Knob("regional_gap", ("targets", "regional_gap", "cap"), +1, 1e3, 1e-3, "x", "regional gap cap")]


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    t = target_of(scenario.targets.regional_gap)
    if t is None:
        return []
    return [KpiTarget(f"{t.line}_max_min_ratio", "regions" if t.over == "region" else "groups",
                      evaluate(t.cap, d.years), "<=")]


def _check(d, scenario) -> Findings:
    """The least new money that lifts every unit up to the best-funded's spending over the cap
    (the baseline alone; new money can only raise the top too)."""
    t = target_of(scenario.targets.regional_gap)
    if t is None:
        return Findings()
    yuan = INTERNAL["fiscal"]
    cap = evaluate(t.cap, d.years)
    unit_of = units_of(d.groups)[0] if t.over == "group" else np.arange(d.R)
    pop_u, base_u = unit_baseline(d, t.line, unit_of, unit_of.max() + 1)
    pcs = base_u / pop_u * (yuan / PEOPLE)
    floor = pcs.max(axis=0) / cap
    money = np.where(np.isfinite(cap), (np.maximum(floor[None, :] - pcs, 0) * pop_u).sum(axis=0) / (yuan / PEOPLE), 0)
    return Findings(allocation=[(money, lambda j: f"{fmt_money_yuan(money[j] * yuan)} to lift the worst-funded up to the "
                                             f"{cap[j]:.2f}x cap")])


@family("regional_gap", target=GapTarget, validate=_validate, explain=explain, knobs=_knobs, kpi_targets=_kpi_targets,
        check=_check)
def regional_gap(ctx: Context) -> None:
    target = ctx.scenario.targets.regional_gap
    if target is None or not target.enabled:
        return
    d = ctx.data
    if target.over == "group":
        unit, names = units_of(d.groups)
        display = names
    else:
        unit, names, display = np.arange(d.R), list(d.region_ids), list(d.region_names)
    ratio_cap(ctx, "regional_gap", unit, names, target.cap, display, target.line)
