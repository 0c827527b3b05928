"""Urban-rural gap: per-capita spending of urban regions taken together at most
cap x that of rural regions (1.8x in the plan), and the other way round."""
from __future__ import annotations

from models.common import Context
from models.ratio_cap import explain, ratio_cap
from models.registry import family
from optimizer.preprocess.data import units_of


@family("urban_rural_gap", explain=explain)
def urban_rural_gap(ctx: Context) -> None:
    target = ctx.scenario.targets.urban_rural_gap
    if target is None or not target.enabled:
        return
    unit, names = units_of(ctx.data.areas)
    ratio_cap(ctx, "urban_rural_gap", unit, names, target.cap)
