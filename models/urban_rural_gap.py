"""Urban-rural gap: per-capita spending of urban regions taken together at most
cap x that of rural regions (1.8x in the plan), and the other way round."""
from __future__ import annotations

from pydantic import Field

from optimizer.models.common import Context
from optimizer.models.ratio_cap import explain, line_problems, ratio_cap
from optimizer.models.registry import Knob, KpiTarget, family, target_of
from optimizer.preprocess.data import units_of
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import PUBLIC_SERVICE, Sched, Target


class UrbanRuralTarget(Target):
    cap: Sched("ratio", ge=1)  # type: ignore[valid-type]
    line: str = Field(PUBLIC_SERVICE, description="the spending line capped (the plan: public-service spending)")


def _validate(s) -> list[tuple[tuple, str]]:
    if target_of(s.targets.urban_rural_gap) is None:
        return []
    areas = {r.area for r in s.regions if r.area}
    if areas != {"urban", "rural"}:
        return [(("targets", "urban_rural_gap"),
                 f"expected both urban and rural regions ('area' on regions), found {sorted(areas) or 'no areas'}")]
    t = s.targets.urban_rural_gap
    return line_problems(s, "urban_rural_gap", t.line, [i for i, r in enumerate(s.regions) if r.area])


def _knobs(scenario) -> list[Knob]:
    return [Knob("urban_rural_gap", ("targets", "urban_rural_gap", "cap"), +1, 1e3, 1e-3, "x", "urban-rural gap cap")]


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    t = target_of(scenario.targets.urban_rural_gap)
    return [KpiTarget(f"{t.line}_max_min_ratio", "areas", evaluate(t.cap, d.years), "<=")] if t else []


@family("urban_rural_gap", target=UrbanRuralTarget, validate=_validate, explain=explain, knobs=_knobs,
        kpi_targets=_kpi_targets)
def urban_rural_gap(ctx: Context) -> None:
    target = ctx.scenario.targets.urban_rural_gap
    if target is None or not target.enabled:
        return
    unit, names = units_of(ctx.data.areas)
    ratio_cap(ctx, "urban_rural_gap", unit, names, target.cap, line=target.line)
