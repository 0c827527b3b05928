"""Regional gap: per-capita public-service spending of the best-funded region
(or group of regions) at most cap x the worst (1.5x in the plan)."""
from __future__ import annotations

import numpy as np

from models.common import Context
from models.ratio_cap import explain, ratio_cap
from models.registry import family


def units_of(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Index of each region's unit (-1 where it has none) and the unit names."""
    names = sorted({v for v in values if v})
    index = {v: i for i, v in enumerate(names)}
    return np.array([index.get(v, -1) for v in values]), names


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
