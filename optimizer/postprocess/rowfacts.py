"""Facts about the rows of one family at the solution, for explanations.

Duals follow HiGHS: d(objective)/d(bound), so a binding >= row has dual >= 0
and a binding <= row dual <= 0 in our minimisation. The objective is in
(weighted) 10k people, so a dual times 1e4 is people per unit of the row.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.backend.lp import LinearModel, RowBlock
from optimizer.backend.status import Solution
from optimizer.units import PEOPLE

BIND_TOL = 1e-6


@dataclass
class RowFacts:
    block: RowBlock
    activity: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    dual: np.ndarray  # zeros where the solver gave none
    x: np.ndarray
    model: LinearModel

    @property
    def slack(self) -> np.ndarray:
        lo = np.where(np.isfinite(self.lower), self.activity - self.lower, np.inf)
        hi = np.where(np.isfinite(self.upper), self.upper - self.activity, np.inf)
        return np.minimum(lo, hi)

    @property
    def binding(self) -> np.ndarray:
        bound = np.where(np.isfinite(self.lower), np.abs(self.lower), np.abs(np.nan_to_num(self.upper, posinf=0)))
        return self.slack <= BIND_TOL * np.maximum(1.0, bound)

    @property
    def people_per_unit(self) -> np.ndarray:
        """|dual| in people per internal unit of the row's bound."""
        return np.abs(self.dual) * PEOPLE

    def terms_value(self, terms, base=None) -> np.ndarray:
        rows, cols, vals = terms
        out = np.bincount(rows, weights=vals * self.x[cols], minlength=self.block.n)
        return out if base is None else out + base


def row_facts(model: LinearModel, sol: Solution, block: RowBlock) -> RowFacts:
    sl = slice(block.start, block.start + block.n)
    act = sol.row_activity[sl] if sol.row_activity is not None else (model.A @ sol.x)[sl]
    dual = sol.row_dual[sl] if sol.row_dual is not None else np.zeros(block.n)
    return RowFacts(block, act, block.lower, block.upper, dual, sol.x, model)
