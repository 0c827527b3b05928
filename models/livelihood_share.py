"""Livelihood share: spending on livelihood categories is at least a share
(70% in the plan) of all fiscal spending."""
from __future__ import annotations

import numpy as np

from models.common import Context
from models.registry import family
from models.share_floor import explain, share_floor
from optimizer.preprocess.data import K_FISCAL


@family("livelihood_share", explain=explain)
def livelihood_share(ctx: Context) -> None:
    target = ctx.scenario.targets.livelihood_share
    if target is None or not target.enabled:
        return
    d = ctx.data
    weight = np.broadcast_to(d.livelihood.astype(float)[None, :], (d.R, d.C))
    share_floor(ctx, "livelihood_share", K_FISCAL, weight, target)
