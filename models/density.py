"""Density floors on the staff and space types a scenario declares (resources.<id>.kind): in every region,
today's stock still there plus everything added so far at least the target x the people it is counted over,

    base[r,k,t] + sum_c s[r,c,k,t] >= min_k[t] x pop[r,t] x per-capita factor of k     (density.<region>.<year>)

the same row as personnel_density and facility_standard (models.density_floor), one block per type. The
target is in the type's standard unit: FTE per its `per` people (health technicians per 1,000), m2 per person."""
from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from optimizer.models.common import Context
from optimizer.models.density_floor import density_floor, explain, stock_check
from optimizer.models.registry import EACH_REGION, Findings, Knob, KpiTarget, family, target_of
from optimizer.preprocess.data import declared_units
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import Sched, StockResource, Strict, Target
from optimizer.units import density_dimension, parse_quantity


class TypeDensity(Strict):
    min: Sched("number", ge=0) = Field(  # type: ignore[valid-type]
        description="the least density by year, in the type's standard unit (FTE per its `per` people; m2/person)")


def _in_own_units(v, info: ValidationInfo):
    """A floor written with a unit ('2.5 per 1,000 people', '0.1 m2/person') in the number of the type's unit;
    what does not read so is left to the schema to report."""
    kinds, per = (info.context or {}).get("resources") or {}, (info.context or {}).get("resource_per") or {}
    if not isinstance(v, dict):
        return v
    out = {}
    for rid, spec in v.items():
        kind = kinds.get(rid)
        if isinstance(spec, dict) and kind in ("staff", "space"):
            dim = density_dimension(per.get(rid, 1e4)) if kind == "staff" else "area_pc"
            spec = {**spec, "min": _convert(spec.get("min"), dim)}
        out[rid] = spec
    return out


def _convert(value, dim):
    def one(x):
        if not isinstance(x, str):
            return x
        try:
            return parse_quantity(x, dim)
        except ValueError:
            return x

    return {k: one(x) for k, x in value.items()} if isinstance(value, dict) else one(value)


class DensityTarget(Target):
    types: Annotated[dict[StockResource, TypeDensity], BeforeValidator(_in_own_units)] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="by staff or space type: {health_tech: {min: {2030: 2.5}}}")

    @model_validator(mode="after")
    def _some(self):
        if self.enabled and not self.types:
            raise ValueError("expected at least one staff or space type under types: ({health_tech: {min: 2.5}})")
        return self


def _types(scenario):
    t = target_of(scenario.targets.density)
    units = {u.name: (k, u) for k, u in enumerate(declared_units(scenario))}
    return [(rid, *units[rid], spec) for rid, spec in (t.types if t else {}).items()]


def _knobs(scenario) -> list[Knob]:
    return [Knob("density", ("targets", "density", "types", rid, "min"), -1, 0.0, 1e-3, u.standard_unit,
                 f"{u.shown} density target") for rid, _, u, _ in _types(scenario)]


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    return [KpiTarget(u.density_kpi, EACH_REGION, evaluate(spec.min, d.years), ">=")
            for _, _, u, spec in _types(scenario)]


def _check(d, scenario) -> Findings:
    out = Findings()
    for _, k, u, spec in _types(scenario):
        found, _ = stock_check(d, k, spec.min, u.shown, u.base_unit)
        out.proofs += found.proofs
    return out


@family("density", target=DensityTarget, explain=explain, knobs=_knobs, kpi_targets=_kpi_targets, check=_check)
def density(ctx: Context) -> None:
    for _, k, _, spec in _types(ctx.scenario):
        density_floor(ctx, "density", k, spec.min)
