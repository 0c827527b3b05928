"""Personnel density: licensed social workers per 10,000 people at least the
target (15 in the plan by 2030) in every region: baseline plus all added so far."""
from __future__ import annotations

from optimizer.models.common import Context
from optimizer.models.density_floor import density_floor, explain, stock_check
from optimizer.models.registry import EACH_REGION, Findings, Knob, KpiTarget, family, target_of
from optimizer.preprocess.data import K_PERSONNEL
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import Sched, Target
from optimizer.units import INTERNAL, fmt_money_yuan


class DensityTarget(Target):
    min: Sched("fte_density", ge=0)  # type: ignore[valid-type]


def _knobs(scenario) -> list[Knob]:
    return [Knob("personnel_density", ("targets", "personnel_density", "min"), -1, 0.0, 1e-3, "per 10k",
                 "social-worker density target")]


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    t = target_of(scenario.targets.personnel_density)
    return [KpiTarget("social_workers_per_10k", EACH_REGION, evaluate(t.min, d.years), ">=")] if t else []


def _check(d, scenario) -> Findings:
    """Workers the target needs against the supply; their salaries, at the least, against the budget."""
    t = target_of(scenario.targets.personnel_density)
    if t is None:
        return Findings()
    out, need = stock_check(d, K_PERSONNEL, t.min, "social workers", "FTE")
    salaries = d.salary * need  # 100m yuan per year at the least
    out.outlay.append((salaries, lambda j: f"{fmt_money_yuan(salaries[j] * INTERNAL['fiscal'])} in salaries for the "
                                          "workers the density target needs"))
    return out


@family("personnel_density", target=DensityTarget, explain=explain, knobs=_knobs, kpi_targets=_kpi_targets, check=_check)
def personnel_density(ctx: Context) -> None:
    target = ctx.scenario.targets.personnel_density
    if target is None or not target.enabled:
        return
    density_floor(ctx, "personnel_density", K_PERSONNEL, target.min)
