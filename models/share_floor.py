"""Share floors: sum_c w[r,c] * level[r,c,k,t] >= s[t] * sum_c level[r,c,k,t],
over all regions (scope total) or per region. Written as
sum_c (w - s) * level >= 0 with the baseline moved to the right-hand side when
the basis is total spending rather than new allocations."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from optimizer.models.common import Context, grid
from optimizer.models.explained import Explained, people, scope_names, years_of
from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import Sched, Target
from optimizer.units import PEOPLE


class ShareTarget(Target):
    min: Sched("share", ge=0, le=1)  # type: ignore[valid-type]
    basis: Literal["new", "total"] = "new"
    scope: Literal["total", "region"] = "total"


LABEL = {"livelihood_share": "livelihood share", "special_groups_share": "special-group share"}


def _terms(e) -> tuple:
    """An expression's terms, for the explanation to evaluate at the solution (RowFacts.terms_value)."""
    return e.row, e.col, e.coef


_ZH = {"livelihood_share": "民生支出占比", "special_groups_share": "特殊群体服务资源配置占比"}
_RES_ZH = {0: "资金", 1: "人员", 2: "用房"}


@dataclass(frozen=True)
class ShareInfo:
    """What the explanation needs: the resource, each row's floor, and the amount the share is taken of
    (terms and baseline per row, to evaluate at the solution)."""

    k: int
    share: np.ndarray
    total_terms: tuple
    total_base: np.ndarray


def explain(f, d) -> Explained:
    info = f.block.info
    total = f.terms_value(info.total_terms, info.total_base)
    s = info.share
    years = years_of(f, d)
    res = {0: "fiscal money", 1: "personnel", 2: "space"}.get(info.k, d.resources[info.k].shown)
    label = f"{LABEL.get(f.block.family, f.block.family)} of {res}"
    effect = 0.01 * np.maximum(f.dual, 0) * total * PEOPLE  # people, for +1 percentage point
    actual = s + np.divide(f.slack, total, out=np.zeros_like(total), where=total > 0)
    meaning = [
        f"raising the {label} floor from {si:.0%} to {si + 0.01:.0%} in {y} would leave another {people(e)} unserved ({sc})"
        if b and e > 0.5 else f"{label} {a:.1%} against a floor of {si:.0%} in {y} ({sc})"
        for y, si, a, e, b, sc in zip(years, s, actual, effect, f.binding, scope_names(f, d))]
    return Explained(scope_names(f, d), actual * 100 - s * 100, "percentage points above the floor", effect,
                     "people unserved per +1 percentage point", np.where(f.binding, effect, 0.0), meaning,
                     f"raising the {label} floor by 1 percentage point in {{year}} would leave another {{people}} unserved",
                     target=s, summary_zh=f"{{year}}年{_ZH.get(f.block.family, label)}（{_RES_ZH.get(info.k, res)}）下限"
                                          f"提高1个百分点，将再有{{people}}未获服务")


def share_floor(ctx: Context, name: str, k: int, weight: np.ndarray, target) -> None:
    d = ctx.data
    s = evaluate(target.min, d.years)
    years = np.nonzero(np.isfinite(s))[0]
    if not len(years):
        return
    total = target.basis == "total"
    if target.scope == "total":
        row, r, c = grid(len(years), d.R, d.C)
        t = years[row]
        labels = {"resource": np.full(len(years), k), "year": years}
    else:
        tr, r, c = grid(len(years), d.R, d.C)
        t = years[tr]
        row = tr * d.R + r
        labels = {"resource": np.full(len(years) * d.R, k), "region": np.tile(np.arange(d.R), len(years)),
                  "year": np.repeat(years, d.R)}
    n = int(row.max()) + 1
    kk = np.full(len(row), k)
    coef = weight[r, c, t] - s[t]  # weight (R,C,T): by year
    amount = ctx.level if total else ctx.added  # of totals with what was there, or of new allocations
    base = d.base_level[r, c, k, t] if total else np.zeros(len(row))
    # sum (w - s) x amount >= 0, the baseline's part moved to the right
    ctx.rows(name, amount(row, r, c, kk, t, coef, n=n) >= -np.bincount(row, weights=coef * base, minlength=n),
             labels=labels, info=ShareInfo(k, s[labels["year"]], _terms(amount(row, r, c, kk, t, n=n)),
                                           np.bincount(row, weights=base, minlength=n)))
