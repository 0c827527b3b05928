"""Families build in one documented order whatever Python imported first: the same scenario gives the
same allocation, byte for byte, after different import orders (47 of west's rows moved before)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, SCENARIOS

SOLVE = """
import importlib, sys
for name in sys.argv[3:]:
    importlib.import_module(name)
from optimizer.run import solve_scenario
solve_scenario(sys.argv[1], out=sys.argv[2])
"""


def test_import_order_does_not_change_the_answer(tmp_path):
    orders = {"validate-first": ["optimizer.preprocess.feasibility"],
              "reversed": ["optimizer.models." + name for name in (
        "urban_rural_gap", "supply", "special_groups_share", "shortfall", "personnel_density", "livelihood_share",
        "facility_standard", "custom", "category_bounds", "regional_gap", "allocation")]}
    for name, modules in orders.items():
        r = subprocess.run([sys.executable, "-c", SOLVE, str(SCENARIOS / "west.yaml"), str(tmp_path / name), *modules],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
    for f in ("allocation.csv", "constraints.csv"):
        assert (tmp_path / "validate-first" / f).read_bytes() == (tmp_path / "reversed" / f).read_bytes(), f


def test_build_order_is_documented_and_complete():
    from optimizer.models.registry import BUILD_ORDER, FAMILIES, in_build_order, load_all

    load_all()
    assert set(BUILD_ORDER) <= set(FAMILIES), "a listed family that does not exist"
    assert [f.name for f in in_build_order()][:len(BUILD_ORDER)] == list(BUILD_ORDER)
