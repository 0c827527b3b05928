"""Linear rows written as expressions, so that a family reads like its line in docs/model.md:

    staff = ctx.level(row, r, c, k, t, n=n)                 # baseline-free level of the stock, per row
    ctx.rows("personnel_density", staff >= need - base, labels=..., info=...)

A Lin is one linear expression per row, for n rows: its terms (row, column, coefficient); constants
live on the right-hand side. Lins add and subtract (the rows must agree), scale by a number or by one
number per term, and compare (>=, <=, or .within(lo, hi)) with a number or one number per row, which
gives Rows for Context.rows. The terms keep the order they were written in, so the matrix, and the LP
file, are what the index arithmetic they replace made.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INF = np.inf


@dataclass(frozen=True, eq=False)
class Lin:
    n: int  # rows
    row: np.ndarray
    col: np.ndarray
    coef: np.ndarray

    @classmethod
    def of(cls, n: int, terms: tuple) -> Lin:
        """From (row, column, coefficient) arrays."""
        row, col, coef = (np.asarray(a) for a in terms)
        return cls(n, row, col, np.asarray(coef, dtype=float))

    def __add__(self, other: Lin) -> Lin:
        if other.n != self.n:
            raise ValueError(f"adding expressions of {self.n} and {other.n} rows")
        return Lin(self.n, np.concatenate([self.row, other.row]), np.concatenate([self.col, other.col]),
                   np.concatenate([self.coef, other.coef]))

    def __neg__(self) -> Lin:
        return Lin(self.n, self.row, self.col, -self.coef)

    def __sub__(self, other: Lin) -> Lin:
        return self + (-other)

    def __mul__(self, k) -> Lin:
        """Times a number, or one number per term."""
        return Lin(self.n, self.row, self.col, self.coef * k)

    __rmul__ = __mul__

    def _side(self, value) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=float), (self.n,)).copy()

    def __ge__(self, rhs) -> Rows:  # type: ignore[override]
        return Rows(self, self._side(rhs), np.full(self.n, INF))

    def __le__(self, rhs) -> Rows:  # type: ignore[override]
        return Rows(self, np.full(self.n, -INF), self._side(rhs))

    def equals(self, rhs) -> Rows:
        return Rows(self, self._side(rhs), self._side(rhs))

    def within(self, lower, upper) -> Rows:
        return Rows(self, self._side(lower), self._side(upper))


@dataclass(frozen=True)
class Rows:
    """lower <= expression <= upper, row by row."""

    expr: Lin
    lower: np.ndarray
    upper: np.ndarray
