"""The expression layer the families write their rows in (models/rows.py)."""
from __future__ import annotations

import numpy as np
import pytest

from optimizer.models.rows import Lin


def _lin(n, row, col, coef):
    return Lin.of(n, (np.array(row), np.array(col), np.array(coef, dtype=float)))


def test_terms_keep_their_order_and_signs():
    a = _lin(2, [0, 1], [5, 6], [1.0, 2.0])
    b = _lin(2, [1], [7], [3.0])
    e = -a + b * 2 - _lin(2, [0], [8], [0.5])
    assert e.row.tolist() == [0, 1, 1, 0] and e.col.tolist() == [5, 6, 7, 8]
    assert e.coef.tolist() == [-1.0, -2.0, 6.0, -0.5]
    assert (a * np.array([10.0, 100.0])).coef.tolist() == [10.0, 200.0]  # one number per term


def test_comparisons_give_bounds_row_by_row():
    a = _lin(3, [0, 1, 2], [0, 1, 2], [1, 1, 1])
    ge, le = a >= np.array([1.0, 2.0, 3.0]), a <= 4
    assert ge.lower.tolist() == [1, 2, 3] and np.isinf(ge.upper).all() and ge.upper[0] > 0
    assert le.upper.tolist() == [4, 4, 4] and np.isneginf(le.lower).all()
    w = a.within(0, [5, 6, 7])
    assert w.lower.tolist() == [0, 0, 0] and w.upper.tolist() == [5, 6, 7]
    assert a.equals(0).lower.tolist() == a.equals(0).upper.tolist() == [0, 0, 0]


def test_expressions_of_different_rows_do_not_add():
    with pytest.raises(ValueError, match="2 and 3 rows"):
        _lin(2, [0], [0], [1]) + _lin(3, [0], [0], [1])
