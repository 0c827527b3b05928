"""Objectives solved in more than one stage, and the price of fairness.

maximin: first the highest z (the lowest share of need met, models/objective.py), then, with z held at
least that less the scenario's tolerance, the most people served. The answer, its duals and its row facts
are the second stage's.

The price of fairness: the same model (same money, staff, space and targets) solved for `unserved`, every
band of unmet need priced at slope 1 and the maximin floor let go; what that answer would serve more, and
how much lower its lowest share of need met would be."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from optimizer.backend.lp import LinearModel
from optimizer.backend.solve import AUTO_IPM_COLUMNS, solve
from optimizer.backend.status import Solution
from optimizer.models.common import Context
from optimizer.models.objective import objective_cost

FAIR_KINDS = ("fair", "maximin")


def wants_price(asked: bool | None, model: LinearModel) -> bool:
    """Whether to solve again for the price of fairness: as the scenario says, else where a second solve is
    cheap (below the size where `auto` turns to an interior point: at 2,850 counties it took 85 s more)."""
    return asked if asked is not None else model.A.shape[1] < AUTO_IPM_COLUMNS


def solve_objective(model: LinearModel, ctx: Context, run=solve, **opts) -> tuple[LinearModel, Solution]:
    """The scenario's objective solved, in stages where it has them; the model of the last stage beside it.
    `run` solves each stage (optimizer.backend.solve.solve unless told otherwise)."""
    scenario: Any = ctx.scenario
    obj = scenario.objective
    if obj.kind != "maximin":
        return model, run(model, **opts)
    col = ctx.layout.coverage
    first = run(replace(model, cost=objective_cost(ctx, "maximin_first")), **opts)
    if not first.has_point or not first.status.is_ok:
        return model, first
    z = first.x[col]
    lower = model.col_lower.copy()
    lower[col] = np.maximum(0.0, z - obj.maximin_tolerance)
    second_model = replace(model, col_lower=lower)
    second = run(second_model, **opts)
    return second_model, second.but(seconds=first.seconds + second.seconds,
                                    extra={**second.extra, "lowest_share_met": z.tolist()})


@dataclass(frozen=True)
class Price:
    """What fairness costs, against `unserved` with the same resources: people short (person-services, all
    years) and the lowest share of a category's need met (all regions; by year, the last year named)."""

    years: np.ndarray  # (T,) the horizon's years
    people_unserved: float  # this answer
    people_unserved_if_unserved: float
    lowest_share: np.ndarray  # (T,) this answer
    lowest_share_if_unserved: np.ndarray

    @property
    def people_more(self) -> float:
        return self.people_unserved - self.people_unserved_if_unserved

    def sentence(self) -> str:
        gap = np.nan_to_num(self.lowest_share - self.lowest_share_if_unserved, nan=0.0)
        j = int(np.argmax(gap))  # the year the two answers' lowest shares differ most
        if gap[j] <= 5e-4:
            lowest = "and the same lowest share of a category's need met"
        else:
            lowest = (f"but its lowest share of a category's need met would be {self.lowest_share_if_unserved[j]:.1%} "
                      f"instead of {self.lowest_share[j]:.1%} in {int(self.years[j])} (the year they differ most)")
        more = round(self.people_more)
        fewer = (f"leave {more:,} fewer person-services short" if more > 0 else
                 f"leave {-more:,} more person-services short" if more < 0 else "leave as many person-services short")
        if more <= 0 and gap[j] > 5e-4:
            lowest = lowest.replace("but its", "and its")
        return (f"price of fairness: with the same money, staff and space, counting every person short once "
                f"(objective 'unserved') would {fewer} over the years ({self.people_unserved_if_unserved:,.0f} "
                f"instead of {self.people_unserved:,.0f}), {lowest}")

    def sentence_zh(self) -> str:
        gap = np.nan_to_num(self.lowest_share - self.lowest_share_if_unserved, nan=0.0)
        j = int(np.argmax(gap))
        more = round(self.people_more)
        fewer = (f"少{more / 1e4:,.1f}万人次未达标准" if more > 0 else f"多{-more / 1e4:,.1f}万人次未达标准" if more < 0
                 else "未达标准人次相同")
        lowest = ("，最低服务需求满足率相同" if gap[j] <= 5e-4 else
                  f"，但{int(self.years[j])}年最低服务需求满足率将为{self.lowest_share_if_unserved[j]:.1%}"
                  f"（现为{self.lowest_share[j]:.1%}，为两者差距最大的一年）")
        return (f"公平的代价：资金、人员和用房不变，若每名未达标准者只计一次（即 objective: unserved），各年合计将{fewer}"
                f"（{self.people_unserved_if_unserved / 1e4:,.1f}万人次，现为{self.people_unserved / 1e4:,.1f}万人次）{lowest}")

    def as_dict(self, years) -> dict:
        def by_year(v):
            return {int(y): (None if np.isnan(x) else float(x)) for y, x in zip(years, v)}

        return {"people_unserved": self.people_unserved, "people_unserved_if_unserved": self.people_unserved_if_unserved,
                "people_fewer_short_if_unserved": self.people_more,
                "lowest_share_met_by_year": by_year(self.lowest_share),
                "lowest_share_met_if_unserved_by_year": by_year(self.lowest_share_if_unserved),
                "sentence": self.sentence(), "sentence_zh": self.sentence_zh()}


def price_of_fairness(model: LinearModel, ctx: Context, sol: Solution, **opts) -> Price | None:
    """None where the objective is not a fair one, or the comparison solve gives no answer."""
    from optimizer.postprocess.kpis import lowest_met
    from optimizer.postprocess.results import arrays, people_unserved

    scenario: Any = ctx.scenario
    kind = scenario.objective.kind
    if kind not in FAIR_KINDS or not sol.has_point or sol.x is None:
        return None
    cost = model.cost - objective_cost(ctx, "unserved" if kind == "maximin" else kind) + objective_cost(ctx, "unserved")
    lower = model.col_lower.copy()
    if ctx.layout.coverage is not None:
        lower[ctx.layout.coverage] = 0.0
    other = solve(replace(model, cost=cost, col_lower=lower, quad=None), **opts)
    if not other.has_point or other.x is None:
        return None
    d = ctx.data
    mine, theirs = arrays(ctx, sol.x), arrays(ctx, other.x)
    return Price(np.asarray(d.years), float(people_unserved(d, mine).sum()), float(people_unserved(d, theirs).sum()),
                 lowest_met(d, mine)[0], lowest_met(d, theirs)[0])
