"""The family spec: each family declares its checks, KPI targets and knobs where it is written, and
the machinery that reads them names no family."""
from __future__ import annotations

import re

import numpy as np
import pytest

from optimizer.models.registry import FAMILIES, Findings, family, load_all
from optimizer.preprocess.data import build_data
from optimizer.preprocess.feasibility import check
from optimizer.preprocess.load import load_scenario

from conftest import ROOT, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def _names() -> list[str]:
    load_all()
    return sorted(FAMILIES)


@pytest.mark.parametrize("module", ["optimizer/preprocess/feasibility.py", "optimizer/postprocess/kpis.py",
                                    "optimizer/diagnose.py", "optimizer/preprocess/schema.py",
                                    "optimizer/preprocess/checks.py", "optimizer/postprocess/report.py",
                                    "optimizer/postprocess/terminal.py", "optimizer/postprocess/results.py"])
def test_machinery_names_no_family(module):
    """The pre-solve check, the KPI table and the diagnosis read the families' declarations: none holds a
    family's name as a string, nor reads a target's parameters (`.targets.`) itself. (The KPI table's
    own names, such as livelihood_share_fiscal, are the KPIs', computed whether or not a target is set.)"""
    text = (ROOT / module).read_text(encoding="utf-8")
    # names that are also the scenario's own keys or KPI names: the KPI livelihood_share_<resource>, the
    # key resources.<resource>.supply
    kpi_names = {"livelihood_share"} if module.endswith("kpis.py") else {"supply"} if module.endswith("checks.py") else set()
    named = [n for n in _names() if re.search(rf"[\"']{n}[\"']", text) and n not in kpi_names]
    assert not named, f"{module} names {named}: declare it in the family's registration instead"
    assert ".targets." not in text, module


def test_targets_section_is_assembled_from_the_families():
    """targets: holds exactly the families that declare a target, in build order; a family registered
    later (a researcher's) is in the next scenario loaded, and --set reaches it."""
    from optimizer.preprocess.assembled import scenario_model
    from optimizer.preprocess.schema import Target

    load_all()
    declared = [n for n in _names() if FAMILIES[n].target is not None]
    assert sorted(scenario_model().model_fields["targets"].annotation.model_fields) == declared

    class Floor(Target):
        min: float = 0.0

    family("zz_floor", target=Floor)(lambda ctx: None)
    try:
        s = load_scenario(TINY, ["targets.zz_floor.min=3"]).scenario
        assert s.targets.zz_floor.min == 3.0 and s.targets.regional_gap.cap == {0: 1.5}
    finally:
        FAMILIES.pop("zz_floor")
    with pytest.raises(Exception, match="unknown key 'zz_floor'"):
        load_scenario(TINY, ["targets.zz_floor.min=3"])


def test_every_plan_target_family_declares_its_knobs_and_kpi_targets():
    s = load_scenario(TINY).scenario
    d = build_data(s)
    for name in ("regional_gap", "livelihood_share", "special_groups_share", "personnel_density", "facility_standard"):
        fam = FAMILIES[name]
        assert [k.family for k in fam.knobs_for(s)] == [name], name
        assert fam.kpi_targets is not None and fam.kpi_targets(d, s), name


@pytest.fixture
def two_needs():
    """Two families whose targets need 30 and 50 of new allocation, and one that needs 7 of outlay, every year."""
    made = []

    def register(name, **findings):
        def build(ctx):
            return None
        family(name, check=lambda d, s: Findings(**{k: [(np.full(d.T, v), lambda j, n=name: f"{n} words")]
                                                    for k, v in findings.items()}))(build)
        made.append(name)

    register("zz_need_a", allocation=30.0)
    register("zz_need_b", allocation=50.0)
    register("zz_outlay", outlay=7.0)
    yield
    for name in made:
        FAMILIES.pop(name)


@pytest.mark.parametrize("budget,proved", [(57.5, False), (56.9, True)])
def test_allocations_are_not_added_outlays_are(two_needs, budget, proved):
    """The same yuan may serve two targets' allocations: the largest (50) stands for both, and the outlay
    (7) adds to it: 57 needed. A check that summed the allocations (87) would prove a feasible plan
    infeasible; one that dropped the outlay would miss 56.9."""
    s = load_scenario(TINY, [f"resources.fiscal.budget={budget}", "targets.regional_gap.enabled=false",
                             "targets.personnel_density.enabled=false"]).scenario
    found = [f for f in check(build_data(s), s) if "needed at the least" in f]
    assert bool(found) is proved, found
    if proved:
        assert "5.7 bn yuan needed at the least: zz_need_b words and zz_outlay words" in found[0], found
