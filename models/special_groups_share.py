"""Special groups' share: of each listed resource, the part serving special
groups (elderly, disabled, low-income, migrant children) is at least a share
of the whole: sum_c sigma[r,c] x[r,c,k,t] >= s[t] * sum_c x[r,c,k,t].
sigma is the category's special-group fraction, else the region's special-group
population share."""
from __future__ import annotations

from models.common import Context
from models.registry import family
from models.share_floor import explain, share_floor
from optimizer.units import RESOURCES


@family("special_groups_share", explain=explain)
def special_groups_share(ctx: Context) -> None:
    target = ctx.scenario.targets.special_groups_share
    if target is None or not target.enabled:
        return
    for res in target.resources:
        share_floor(ctx, "special_groups_share", RESOURCES.index(res), ctx.data.sigma, target)
