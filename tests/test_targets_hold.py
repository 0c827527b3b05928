"""Solutions honour every enabled target, rechecked from allocation.csv alone;
tightening a target or cutting the budget never serves more people."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from optimizer.preprocess.load import load_scenario
from optimizer.run import solve_scenario

import recheck
from conftest import SCENARIOS, TESTS

FAMILY_SCENARIOS = sorted(p for p in (TESTS / "scenarios" / "families").glob("*.yaml") if p.stem != "base")


def _solve(path, tmp_path, *overrides):
    out = tmp_path / "r"
    o = solve_scenario(path, list(overrides), out=out)
    return o, out


@pytest.mark.parametrize("path", [SCENARIOS / "west.yaml", SCENARIOS / "national.yaml", TESTS / "scenarios" / "tiny.yaml",
                                  *FAMILY_SCENARIOS], ids=lambda p: p.stem)
def test_every_enabled_target_holds(path, tmp_path):
    o, out = _solve(path, tmp_path)
    assert o.exit_code == 0, o
    alloc = pd.read_csv(out / "allocation.csv", encoding="utf-8-sig")
    loaded = load_scenario(path)
    renewal, coverage = (pd.read_csv(out / f"{n}.csv", encoding="utf-8-sig") if (out / f"{n}.csv").exists() else None
                         for n in ("renewal", "coverage"))
    assert recheck.violations(loaded.scenario, alloc, renewal, coverage) == []
    if renewal is not None:
        assert recheck.renewal_violations(loaded.scenario, renewal) == []
    if coverage is not None:
        assert recheck.coverage_violations(loaded.scenario, coverage) == []
    kpis = pd.read_csv(out / "kpis.csv", encoding="utf-8-sig")
    assert not (kpis["met"].astype(str) == "False").any(), kpis[kpis["met"].astype(str) == "False"]


def test_recheck_catches_a_violation(tmp_path):
    """The checker is not vacuous: move money so the regional gap breaks, and it says so."""
    o, out = _solve(SCENARIOS / "west.yaml", tmp_path)
    alloc = pd.read_csv(out / "allocation.csv", encoding="utf-8-sig")
    fiscal = alloc["resource"] == "fiscal"
    alloc.loc[fiscal & (alloc["region"] == "Tibet"), "allocated"] *= 20
    found = recheck.violations(load_scenario(SCENARIOS / "west.yaml").scenario, alloc)
    assert any("regional gap" in f for f in found) and any("budget" in f for f in found)


def _unserved(path, tmp_path, *overrides):
    o, out = _solve(path, tmp_path, *overrides, "objective.cost_weight=0")
    assert o.exit_code == 0, o
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["objective"]


@pytest.mark.parametrize("override", [
    "targets.regional_gap.cap=1.02",
    "resources.fiscal.budget=2400",
    "targets.special_groups_share.min=0.6",
    "targets.livelihood_share.min=0.8",
    "targets.personnel_density.min={2029: 13, 2030: 15}",  # west reaches 13 per 10k by 2029 at its supply, not 14
])
def test_tightening_never_serves_more(override, tmp_path):
    base = _unserved(SCENARIOS / "west.yaml", tmp_path)
    tight = _unserved(SCENARIOS / "west.yaml", tmp_path, override)
    assert tight >= base * (1 - 1e-9)
