"""Special groups' share: of each listed resource, the part serving special
groups (elderly, disabled, low-income, migrant children) is at least a share
of the whole: sum_c sigma[r,c] x[r,c,k,t] >= s[t] * sum_c x[r,c,k,t].
sigma is the category's special-group fraction, else the region's special-group
population share."""
from __future__ import annotations

from optimizer.models.common import Context
from optimizer.models.registry import EACH_REGION, Knob, KpiTarget, family, target_of
from optimizer.models.share_floor import ShareTarget, explain, share_floor
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import Resource


class SpecialShareTarget(ShareTarget):
    resources: list[Resource] = ["fiscal"]  # type: ignore[valid-type]


def _validate(s) -> list[tuple[tuple, str]]:
    t = target_of(s.targets.special_groups_share)
    if t is not None and (len(set(t.resources)) != len(t.resources) or not t.resources):
        return [(("targets", "special_groups_share", "resources"), f"expected distinct resources, found {t.resources}")]
    return []


def _knobs(scenario) -> list[Knob]:
    return [Knob("special_groups_share", ("targets", "special_groups_share", "min"), -1, 0.0, 1e-4, "share",
                 "special-group share floor")]


def _kpi_targets(d, scenario) -> list[KpiTarget]:
    t = target_of(scenario.targets.special_groups_share)
    if t is None:
        return []
    scope = "all regions" if t.scope == "total" else EACH_REGION
    return [KpiTarget(f"special_group_share_{res}", scope, evaluate(t.min, d.years), ">=", t.basis) for res in t.resources]


@family("special_groups_share", target=SpecialShareTarget, validate=_validate, explain=explain, knobs=_knobs,
        kpi_targets=_kpi_targets)
def special_groups_share(ctx: Context) -> None:
    target = ctx.scenario.targets.special_groups_share
    if target is None or not target.enabled:
        return
    for res in target.resources:
        share_floor(ctx, "special_groups_share", ctx.data.res_ids.index(res), ctx.data.sigma, target)
