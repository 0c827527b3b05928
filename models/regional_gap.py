"""Regional gap: per-capita public-service spending of the best-funded region
(or group of regions) at most cap x the worst (1.5x in the plan)."""
from __future__ import annotations

import numpy as np

from models.common import Context
from models.ratio_cap import explain, ratio_cap
from models.registry import family
from optimizer.preprocess.data import units_of


@family("regional_gap", explain=explain)
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
    ratio_cap(ctx, "regional_gap", unit, names, target.cap, display)
