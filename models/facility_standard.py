"""Facility standard: community service space per person at least the target
(0.5 m2 in the plan) in every region: baseline plus all built so far."""
from __future__ import annotations

from optimizer.models.common import Context
from optimizer.models.density_floor import density_floor, explain, stock_check
from optimizer.models.registry import EACH_REGION, Findings, Knob, KpiTarget, family, target_of
from optimizer.models.sharing import credit_bound
from optimizer.preprocess.data import K_FACILITY
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import Sched, Target


class FacilityTarget(Target):
    min: Sched("area_pc", ge=0)  # type: ignore[valid-type]


def _knobs(scenario) -> list[Knob]:
    return [Knob("facility_standard", ("targets", "facility_standard", "min"), -1, 0.0, 1e-4, "m2/person",
                 "community space target")]


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    t = target_of(scenario.targets.facility_standard)
    return [KpiTarget("community_space_per_person", EACH_REGION, evaluate(t.min, d.years), ">=")] if t else []


def _check(d, scenario) -> Findings:
    t = target_of(scenario.targets.facility_standard)
    if not t:
        return Findings()
    return stock_check(d, K_FACILITY, t.min, "community space", "m2", credit_bound(scenario, d))[0]


@family("facility_standard", target=FacilityTarget, explain=explain, knobs=_knobs, kpi_targets=_kpi_targets,
        check=_check)
def facility_standard(ctx: Context) -> None:
    target = ctx.scenario.targets.facility_standard
    if target is None or not target.enabled:
        return
    density_floor(ctx, "facility_standard", K_FACILITY, target.min)
