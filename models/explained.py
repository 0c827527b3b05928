"""The shape of a family's explanation of its rows, and helpers for writing one."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.units import fmt_people


@dataclass
class Explained:
    scope: list[str]  # who the row is about: a region, a group, 'all regions'
    slack: np.ndarray  # in slack_unit
    slack_unit: str | list[str]
    shadow_price: np.ndarray  # people per shadow_unit (signed: + serves more people when loosened)
    shadow_unit: str
    effect: np.ndarray  # people served by the step below (>= 0), 0 where not binding
    meaning: list[str]
    summary: str  # template with {year} and {people}: the step's effect summed over a year's rows
    target: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the target value per row, where one
    binding: np.ndarray | None = None  # where the family knows better than the row's slack (a cap's floor variable)
    summary_zh: str = ""  # the summary in Chinese ({year}, {people}); a view without one says it generically


def years_of(facts, data) -> np.ndarray:
    return data.years[facts.block.labels["year"]]


def scope_names(facts, data) -> list[str]:
    lab = facts.block.labels
    if "region" in lab:
        return [data.region_names[i] for i in lab["region"]]
    if "unit" in lab:
        return [str(u) for u in lab["unit"]]
    if "category" in lab:
        return [data.cat_names[i] for i in lab["category"]]
    return ["all regions"] * facts.block.n


def people(n: float) -> str:
    return fmt_people(n)
