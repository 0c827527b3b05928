"""Year schedules: {2026: 0.15, 2030: 0.25} interpolates linearly between
milestones, holds after the last, and is not enforced before the first (NaN).
Data (population, budgets) may instead hold the first value backwards."""
from __future__ import annotations

import numpy as np

from optimizer.preprocess.schema import CONSTANT


def evaluate(schedule: dict[int, float] | None, years: np.ndarray, hold_before: bool = False) -> np.ndarray:
    years = np.asarray(years, dtype=float)
    if not schedule:
        return np.full(years.shape, np.nan)
    if CONSTANT in schedule:
        return np.full(years.shape, float(schedule[CONSTANT]))
    ks = np.array(sorted(schedule), dtype=float)
    vs = np.array([schedule[int(k)] for k in ks], dtype=float)
    out = np.interp(years, ks, vs)
    if not hold_before:
        out[years < ks[0]] = np.nan
    return out
