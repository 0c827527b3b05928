"""Personnel density: licensed social workers per 10,000 people at least the
target (15 in the plan by 2030) in every region: baseline plus all added so far."""
from __future__ import annotations

from models.common import Context
from models.density_floor import density_floor, explain
from models.registry import family
from optimizer.preprocess.data import K_PERSONNEL


@family("personnel_density", explain=explain)
def personnel_density(ctx: Context) -> None:
    target = ctx.scenario.targets.personnel_density
    if target is None or not target.enabled:
        return
    density_floor(ctx, "personnel_density", K_PERSONNEL, target.min, ctx.data.base_workers)
