"""allocation.csv keeps a row for every (region, category, resource, year) that has a variable, added to or
not: a stock built in one year is still there the next, and the recheck reads its level from the file."""
from __future__ import annotations

import pandas as pd
from outputs import read_table, solve_cli

BOUNDED = """
name: bounded
years: "2026:2028"
regions:
  - {id: A, population: 10}
categories:
  - {id: care, standard: {fiscal: 100}}
  - {id: arts, standard: {fiscal: 50}, bounds: {personnel: {min: {2026: 30, 2027: 0}}}}
resources:
  fiscal: {budget: 1}
"""


def test_a_bounded_stock_keeps_its_rows(invoke, tmp_path):
    """arts has no personnel standard, only a floor of 30 FTE added in 2026 (none later): 30 FTE from 2026 on,
    with rows for 2027 and 2028 where nothing is added."""
    path = tmp_path / "bounded.yaml"
    path.write_text(BOUNDED, encoding="utf-8")
    code, out, text = solve_cli(invoke, path)
    assert code == 0, text
    a = read_table(out, "allocation")
    staff = a[(a["category"] == "arts") & (a["resource"] == "personnel")].set_index("year")
    assert list(staff.index) == [2026, 2027, 2028]
    assert list(staff["allocated"]) == [30.0, 0.0, 0.0]
    assert list(staff["level"]) == [30.0, 30.0, 30.0]
    assert isinstance(a, pd.DataFrame) and len(a) == 3 * 3  # care fiscal, arts fiscal, arts personnel x 3 years
