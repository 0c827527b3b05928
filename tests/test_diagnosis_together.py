"""When no target or supply relaxes the plan alone (two conflicts at once, as in scenarios/plan.yaml): the
changes that work together, keeping every target (resources raised), and keeping the resources (targets
relaxed), each least given the others, verified by solving with the printed --set."""
from __future__ import annotations

import json

import pandas as pd
import pytest

TWO_CONFLICTS = """
name: two
years: [2026]
regions:
  - {id: A, population: 10}
categories:
  - {id: c, standard: {personnel: 10, facility: 0.5}}
resources:
  personnel: {supply: 40}
  facility: {supply: 2}
targets:
  personnel_density: {min: 10}
  facility_standard: {min: 0.5}
"""


@pytest.fixture
def two(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(TWO_CONFLICTS, encoding="utf-8")
    return path


def test_changes_that_work_only_together(invoke, two, tmp_path):
    """100,000 residents: 10 per 10k is 100 FTE against a supply of 40; 0.5 m2 each is 5 (10k m2) against a
    build capacity of 2. Keeping the targets: supply +60 (to 100) and capacity +3 (to 5). Keeping the
    resources: the density target down by 6 (to 4 per 10k) and the space target down by 0.3 (to 0.2 m2)."""
    out = tmp_path / "out"
    r = invoke("solve", two, "--out", out)
    assert r.exit_code == 2, r.output
    lines = json.loads((out / "summary.json").read_text(encoding="utf-8"))["diagnosis"]
    assert lines[0].startswith("no single target or supply can be relaxed alone")
    keep_targets = next(t for t in lines if t.startswith("keeping every target, together"))
    keep_resources = next(t for t in lines if t.startswith("keeping the resources, together"))
    assert "personnel supply must be raised by 60" in keep_targets and "build capacity must be raised by 3" in keep_targets
    assert "social-worker density target must be lowered by 6" in keep_resources
    assert "community space target must be lowered by 0.3" in keep_resources
    table = pd.read_csv(out / "diagnosis.csv", encoding="utf-8-sig")
    together = table[table["together"].notna() & (table["together"] != "")]
    got = dict(zip(together["parameter"], together["least_change"]))
    assert got["resources.personnel.supply"] == pytest.approx(60, rel=2e-3)
    assert got["resources.facility.supply"] == pytest.approx(3, rel=2e-3)
    assert got["targets.personnel_density.min"] == pytest.approx(6, abs=2e-3)
    assert got["targets.facility_standard.min"] == pytest.approx(0.3, abs=2e-4)
    for kind in ("keeping every target", "keeping the resources"):  # the printed --set lines solve it
        sets = [a for s in together[together["together"] == kind]["set"] for a in ("--set", s)]
        assert invoke("solve", two, *sets, "--out", tmp_path / kind.replace(" ", "_")).exit_code == 0


def test_sweeps_leave_the_combined_search_out(two):
    """A sweep's point shows two lines of its diagnosis: the search for combinations (many solves) is not run."""
    from optimizer.run import solve_scenario

    o = solve_scenario(two, write=False, joint=False)
    assert o.exit_code == 2 and o.diagnosis.together == []


LATE = """
name: late
years: "2026:2032"
regions:
  - {id: A, population: 10}
categories:
  - {id: c, standard: {personnel: 10}}
resources:
  personnel: {supply: 20}
targets:
  personnel_density: {min: {2028: 8, 2030: 10}}
"""


def test_how_late_a_milestone(invoke, tmp_path):
    """100,000 residents, 20 workers a year from 2026: 60 by 2028 (8 per 10k needs 80), 100 by 2030 (10 per 10k
    needs 100). One year later each milestone holds: 80 by 2029, 120 by 2031 against 100; the plan's own
    2028 is one year short, so no delay of less than a year would do."""
    path = tmp_path / "late.yaml"
    path.write_text(LATE, encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("solve", path, "--out", out).exit_code == 2
    table = pd.read_csv(out / "diagnosis.csv", encoding="utf-8-sig")
    late = table[table["finding"].str.contains("milestones", na=False)].iloc[0]
    assert late["relaxes_alone"] and late["least_change"] == 1 and late["unit"] == "years"
    assert late["finding"] == ("the social-worker density target's milestones must come 1 year later "
                               "(2029: 8 per 10k, 2031: 10 per 10k)")
    assert late["set"] == "targets.personnel_density.min={2029: 8, 2031: 10}"
    assert invoke("solve", path, "--set", late["set"], "--out", tmp_path / "ok").exit_code == 0
    supply = table[table["parameter"] == "resources.personnel.supply"].iloc[0]
    assert supply["least_change"] == pytest.approx(20 / 3, rel=2e-3)  # 80 by 2028 in 3 years: 26.67 a year
