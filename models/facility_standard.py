"""Facility standard: community service space per person at least the target
(0.5 m2 in the plan) in every region: baseline plus all built so far."""
from __future__ import annotations

from models.common import Context
from models.density_floor import density_floor, explain
from models.registry import family
from optimizer.preprocess.data import K_FACILITY


@family("facility_standard", explain=explain)
def facility_standard(ctx: Context) -> None:
    target = ctx.scenario.targets.facility_standard
    if target is None or not target.enabled:
        return
    density_floor(ctx, "facility_standard", K_FACILITY, target.min, ctx.data.base_space)
