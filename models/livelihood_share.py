"""Livelihood share: spending on livelihood categories is at least a share
(70% in the plan) of all fiscal spending."""
from __future__ import annotations

import numpy as np

from optimizer.models.common import Context
from optimizer.models.registry import EACH_REGION, Findings, Knob, KpiTarget, family, target_of
from optimizer.models.share_floor import ShareTarget, explain, share_floor
from optimizer.preprocess.data import K_FISCAL
from optimizer.preprocess.schedule import evaluate
from optimizer.units import INTERNAL, fmt_money_yuan


def _knobs(scenario) -> list[Knob]:
    return [Knob("livelihood_share", ("targets", "livelihood_share", "min"), -1, 0.0, 1e-4, "share", "livelihood share floor")]


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    t = target_of(scenario.targets.livelihood_share)
    if t is None:
        return []
    return [KpiTarget("livelihood_share_fiscal", "all regions" if t.scope == "total" else EACH_REGION,
                      evaluate(t.min, d.years), ">=", t.basis)]


def _check(d, scenario) -> Findings:
    """The non-livelihood categories' floors are at most (1 - share) of all money: the budget must hold
    floors / (1 - share)."""
    t = target_of(scenario.targets.livelihood_share)
    out = Findings()
    if t is None:
        return out
    yuan = INTERNAL["fiscal"]
    budget = d.supply[K_FISCAL]
    s = evaluate(t.min, d.years)
    nl_floor = np.nan_to_num(d.bound_min[~d.livelihood, K_FISCAL, :], nan=0.0).sum(axis=0)
    total_min = np.where(s < 1, nl_floor / np.maximum(1 - s, 1e-12), np.where(nl_floor > 0, np.inf, 0))
    for j in np.nonzero(np.isfinite(s) & np.isfinite(budget) & (total_min > budget * (1 + 1e-9)))[0]:
        out.proofs.append((d.years[j], f"{{years}}: the non-livelihood floors ({fmt_money_yuan(nl_floor[j] * yuan)}) and the "
                              f"{s[j]:.0%} livelihood share need a budget of at least {fmt_money_yuan(total_min[j] * yuan)}, "
                              f"found {fmt_money_yuan(budget[j] * yuan)}"))
    return out


@family("livelihood_share", target=ShareTarget, explain=explain, knobs=_knobs, kpi_targets=_kpi_targets, check=_check)
def livelihood_share(ctx: Context) -> None:
    target = ctx.scenario.targets.livelihood_share
    if target is None or not target.enabled:
        return
    d = ctx.data
    weight = np.broadcast_to(d.livelihood.astype(float)[None, :, None], (d.R, d.C, d.T))
    share_floor(ctx, "livelihood_share", K_FISCAL, weight, target)
