"""Staff who leave (issue 17.3): a yearly attrition rate, by area or region; losses are replaced from the same
supply and budget."""
from __future__ import annotations

import pandas as pd
import pytest
from outputs import read_table, solve_cli

from optimizer.preprocess.load import load_scenario

import recheck

ATTR = """
name: attr
years: "2026:2028"
regions:
  - {id: A, population: 10, base_workers: 100}
categories:
  - {id: c, standard: {personnel: 10}}
resources:
  personnel: {supply: 20, attrition: 0.1, salary: 1}
  fiscal: {budget: 1}
targets:
  personnel_density: {min: 10}
"""


@pytest.fixture
def attr(tmp_path):
    path = tmp_path / "attr.yaml"
    path.write_text(ATTR, encoding="utf-8")
    return path


def test_losses_are_replaced(invoke, attr):
    """100,000 residents, 10 per 10k = 100 FTE, 100 today, 10% leave a year. Today's staff: 90, 81, 72.9 at the
    end of 2026-2028; hires of 10 a year (0.9 and 0.81 of them still there) keep 100: 90 + 10; 81 + 9 + 10;
    72.9 + 8.1 + 9 + 10. Hired 10, lost 10, net 0 each year."""
    code, out, text = solve_cli(invoke, attr)
    assert code == 0, text
    a = read_table(out, "allocation").set_index("year")
    assert list(a["allocated"]) == pytest.approx([10, 10, 10])
    assert list(a["baseline"]) == pytest.approx([90, 81, 72.9])
    assert list(a["level"]) == pytest.approx([100, 100, 100])
    k = read_table(out, "kpis")
    for kpi, want in (("staff_hired", 10), ("staff_lost", 10), ("staff_net_change", 0)):
        assert list(k[k["kpi"] == kpi]["value"]) == pytest.approx([want] * 3, abs=1e-6), kpi
    s = load_scenario(attr).scenario
    assert recheck.violations(s, a.reset_index()) == []


def test_losses_above_supply_are_diagnosed(invoke, attr):
    """At 30% a year 30 leave, the supply of 20 cannot replace them: 30 FTE a year is the least supply; at 20 the
    most the density can be is 7.81 per 10k in 2028 (100 x 0.343 + 20 x (0.49 + 0.7 + 1) = 78.1 FTE)."""
    code, out, text = solve_cli(invoke, attr, "resources.personnel.attrition=0.3")
    assert code == 2, text
    d = read_table(out, "diagnosis")
    d = d[d["change"] == "value"].set_index("parameter")
    assert d.loc["resources.personnel.supply", "least_change"] == pytest.approx(10, rel=2e-3)
    assert d.loc["targets.personnel_density.min", "least_change"] == pytest.approx(10 - 7.81, abs=2e-3)


def test_attrition_by_area_and_region(invoke, attr):
    """By area: the rural region loses 30%, the urban 5%; a region's own rate wins over its area's."""
    code, out, _ = solve_cli(invoke, attr, "resources.personnel={supply: 50, attrition: {urban: 0.05, rural: 0.3}}",
                             "regions.0.area=rural")
    assert code == 0
    assert list(read_table(out, "allocation").set_index("year")["baseline"]) == pytest.approx([70, 49, 34.3])
    code, out, _ = solve_cli(invoke, attr, "resources.personnel={supply: 50, attrition: {urban: 0.05, rural: 0.3}}",
                             "regions.0.area=rural", "regions.0.attrition=0.5")
    assert code == 0
    assert list(read_table(out, "allocation").set_index("year")["baseline"]) == pytest.approx([50, 25, 12.5])


@pytest.mark.parametrize("override", ["resources.personnel.attrition=1", "resources.personnel.attrition=-0.1",
                                      "regions.0.attrition=1.5"])
def test_attrition_outside_0_1_is_refused(invoke, attr, override):
    code, out, text = solve_cli(invoke, attr, override)
    assert code == 1 and "attrition" in text and not out.exists(), text


def test_no_attrition_keeps_staff(invoke, attr):
    code, out, _ = solve_cli(invoke, attr, "resources.personnel.attrition=0")
    assert code == 0
    a = read_table(out, "allocation")
    assert isinstance(a, pd.DataFrame) and list(a["allocated"]) == pytest.approx([0, 0, 0])
