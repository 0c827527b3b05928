"""docs/extending.md's example family, run from the page itself."""
from __future__ import annotations

import re
import sys
import types

import pandas as pd
import pytest
import yaml

from optimizer.errors import InputError
from optimizer.models.registry import FAMILIES
from optimizer.preprocess.load import load_scenario
from optimizer.run import solve_scenario

from conftest import ROOT, TESTS


@pytest.fixture
def example_family():
    text = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "@family(" in block)
    module = types.ModuleType("optimizer.models.per_capita_floor")
    sys.modules["optimizer.models.per_capita_floor"] = module
    exec(compile(code, "docs/extending.md", "exec"), module.__dict__)  # the page's code, as a module in models/
    yield
    FAMILIES.pop("per_capita_floor", None)
    sys.modules.pop("optimizer.models.per_capita_floor", None)


def _scenario(tmp_path, params):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"extends": str(TESTS / "scenarios" / "tiny.yaml"), "name": "floor",
                                 "families": {"per_capita_floor": params}}), encoding="utf-8")
    return p


def test_example_family_switched_on_from_the_scenario(example_family, tmp_path):
    o = solve_scenario(_scenario(tmp_path, {"min": 780}), out=tmp_path / "r")
    assert o.exit_code == 0, o
    k = pd.read_csv(tmp_path / "r" / "kpis.csv", encoding="utf-8-sig")
    pcs = k[(k["kpi"] == "per_capita_co_construction") & k["scope"].isin(["甲区", "乙区"])]["value"]
    assert pcs.min() >= 780 - 1e-6
    cons = pd.read_csv(tmp_path / "r" / "constraints.csv", encoding="utf-8-sig")
    rows = cons[cons["family"] == "per_capita_floor"]
    assert len(rows) == 6 and rows["binding"].any()
    assert rows[rows["binding"]]["meaning"].str.contains("at the floor|raising the floor by 1 yuan/person").all()
    assert rows[~rows["binding"]]["meaning"].str.contains("above the floor").all()


def test_example_family_params_checked(example_family, tmp_path):
    with pytest.raises(InputError) as e:
        load_scenario(_scenario(tmp_path, {"mni": 850}))
    assert "families.per_capita_floor.mni" in str(e.value) and "did you mean 'min'" in str(e.value)


def test_unknown_family_named(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"extends": str(TESTS / "scenarios" / "tiny.yaml"), "families": {"per_capita_flor": {"min": 1}}}),
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert "expected a family with parameters" in str(e.value) and "looked in models/" in str(e.value)


def test_example_family_sets_a_kpi_target(example_family, tmp_path):
    solve_scenario(_scenario(tmp_path, {"min": 780}), out=tmp_path / "r")
    k = pd.read_csv(tmp_path / "r" / "kpis.csv", encoding="utf-8-sig")
    rows = k[(k["kpi"] == "per_capita_co_construction") & k["scope"].isin(["甲区", "乙区"])]
    assert len(rows) == 6 and (rows["target"] == 780).all() and rows["met"].astype(str).eq("True").all()
    own = k[k["kpi"] == "lowest_per_capita_spending"].set_index("year")  # a KPI of the family's own, with its target
    assert len(own) == 3 and (own["target"] == 780).all() and own["met"].astype(str).eq("True").all()
    assert own["value"].to_dict() == pytest.approx(rows.groupby("year")["value"].min().to_dict(), rel=1e-12)


def test_example_family_is_checked_before_the_solve_and_relaxed_by_the_diagnosis(example_family, tmp_path):
    """A floor the budget cannot pay for: the pre-solve check proves it in money, and the diagnosis
    finds the highest floor that can be met (789.06 yuan/person), which re-solves as feasible where 1%
    more does not. (When the check added the floor's money to the gap's, as if the same yuan could not
    serve both, it proved 700 infeasible and the diagnosis said 625.)"""
    from optimizer.backend.status import Status

    path = _scenario(tmp_path, {"min": 2000})
    o = solve_scenario(path, write=False)
    assert o.solution.status is Status.INFEASIBLE
    assert any("to lift every region to the per-capita floor" in w for w in o.warnings), o.warnings
    r = next(r for r in o.diagnosis.relaxations if r.knob.family == "per_capita_floor")
    assert r.shift is not None and r.set_text.startswith("families.per_capita_floor.min=")
    floor = float(r.set_text.partition("=")[2])
    assert 780 < floor < 800
    assert solve_scenario(path, [r.set_text], write=False).solution.status is Status.OPTIMAL
    assert solve_scenario(path, [f"families.per_capita_floor.min={floor * 1.01}"], write=False).solution.status \
        is Status.INFEASIBLE
