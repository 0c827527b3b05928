"""Cheap necessary conditions, checked before any solve and said in numbers.

Each family declares its own (models.registry: Family.check): proofs, and the least fiscal money
its targets need, which are added up here against the budget. Each is a lower bound on what the
targets need against what the scenario supplies. Passing them does not prove the plan feasible;
failing one proves it infeasible.
"""
from __future__ import annotations

import numpy as np

from optimizer.models.registry import in_build_order, load_all
from optimizer.preprocess.data import K_FISCAL, ModelData
from optimizer.units import INTERNAL, fmt_money_yuan


def check(d: ModelData, scenario) -> list[str]:
    """Every family's proofs, then the budget against the least money the families' targets need
    together (each proof is said once, its years joined)."""
    load_all()
    found: list[tuple] = []  # (year or None, text with {years})
    allocation: list = []
    outlay: list = []
    for fam in in_build_order():
        if fam.check is not None:
            f = fam.check(d, scenario)
            found += f.proofs
            allocation += f.allocation
            outlay += f.outlay
    yuan = INTERNAL["fiscal"]
    budget = d.supply[K_FISCAL]
    for j in range(d.T):
        largest = max(allocation, key=lambda a: a[0][j], default=None)  # one allocation may serve several targets
        parts = [(m[j], words) for m, words in ([largest] if largest is not None else []) + outlay]
        need = sum(amount for amount, _ in parts)
        if np.isfinite(budget[j]) and need > budget[j] * (1 + 1e-9):
            parts = [words(j) for amount, words in parts if amount > 0]
            found.append((d.years[j], f"{{years}} fiscal budget {fmt_money_yuan(budget[j] * yuan)} is below the "
                                      f"{fmt_money_yuan(need * yuan)} needed at the least: " + " and ".join(parts)))
    return _merge_years(found)


def _span(years: list[int]) -> str:
    """2024, 2025, 2026, 2028 -> '2024-2026, 2028'."""
    parts, start = [], None
    for i, y in enumerate(years):
        if start is None:
            start = y
        if i + 1 == len(years) or years[i + 1] != y + 1:
            parts.append(str(start) if start == y else f"{start}-{y}")
            start = None
    return ", ".join(parts)


def _merge_years(found: list[tuple]) -> list[str]:
    """One line per distinct finding, its years joined: the same shortfall every year is said once."""
    by_text: dict[str, list] = {}
    for year, text in found:
        by_text.setdefault(text, []).append(year)
    return [text.replace("{years}", _span([int(y) for y in ys if y is not None])) for text, ys in by_text.items()]
