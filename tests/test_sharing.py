"""Facility sharing: textbook optima, networkx agreement, limits respected, never worse than no sharing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.errors import InputError
from optimizer.preprocess.load import load_scenario
from optimizer.run import solve_scenario
from optimizer.share import solve_sharing

from conftest import SCENARIOS

BASE = {
    "years": [2026],
    "regions": [{"id": "R", "population": 100, "base_spending_pc": 500}],
    "categories": [{"id": "space", "standard": {"fiscal": 100, "facility": 0.5}}],
}


def _scenario(tmp_path, supply: dict, demand: dict, cost: dict, limit=1000.0, extra=None):
    raw = {**BASE, "sharing": {
        "max_travel_minutes": limit,
        "providers": [{"id": p, "region": "R", "node": p, "capacity": f"{v} m2"} for p, v in supply.items()],
        "communities": [{"id": q, "region": "R", "node": q, "population": "1000 people", "need": f"{v} m2"} for q, v in demand.items()],
        "travel_times": [{"provider": p, "community": q, "minutes": c} for (p, q), c in cost.items()],
        **(extra or {})}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_scenario(path).scenario


def test_beer_distribution_as_sharing(tmp_path):
    """PuLP's transportation case study: published optimum 8600."""
    costs = {"A": [2, 4, 5, 2, 1], "B": [3, 1, 3, 2, 3]}
    demand = dict(zip("12345", [500, 900, 1800, 200, 700]))
    s = _scenario(tmp_path, {"A": 1000, "B": 4000}, demand,
                  {(w, b): costs[w][i] for w in "AB" for i, b in enumerate("12345")})
    r = solve_sharing(s)
    assert r.shared_m2 == pytest.approx(4100) and r.travel_m2_minutes == pytest.approx(8600)
    assert r.agree


def test_taha_transportation(tmp_path):
    """Taha, Operations Research, the SunRay transportation example: optimum 435."""
    c = [[10, 2, 20, 11], [12, 7, 9, 20], [4, 14, 16, 18]]
    s = _scenario(tmp_path, {"S1": 15, "S2": 25, "S3": 10}, {"D1": 5, "D2": 15, "D3": 15, "D4": 15},
                  {(f"S{i + 1}", f"D{j + 1}"): c[i][j] for i in range(3) for j in range(4)})
    r = solve_sharing(s)
    assert r.shared_m2 == pytest.approx(50) and r.travel_m2_minutes == pytest.approx(435) and r.agree


def test_travel_limit_cuts_pairs(tmp_path):
    s = _scenario(tmp_path, {"A": 10}, {"1": 10, "2": 10}, {("A", "1"): 10, ("A", "2"): 20}, limit=15)
    r = solve_sharing(s)
    assert r.pairs == 1 and set(r.flows["community"]) == {"1"}


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(2, 8), st.integers(0, 10_000), st.floats(3, 20))
def test_random_networks_lp_equals_networkx(n_prov, n_comm, seed, limit):
    rng = np.random.default_rng(seed)
    import tempfile
    from pathlib import Path

    nodes = [f"n{i}" for i in range(12)]
    roads = [{"from": nodes[i], "to": nodes[j], "minutes": float(rng.uniform(1, 8))}
             for i in range(12) for j in range(i + 1, 12) if rng.random() < 0.3]
    roads += [{"from": nodes[i], "to": nodes[i + 1], "minutes": float(rng.uniform(1, 8))} for i in range(11)]
    raw = {**BASE, "sharing": {
        "max_travel_minutes": limit,
        "providers": [{"id": f"P{i}", "region": "R", "node": str(rng.choice(nodes)), "capacity": f"{int(rng.integers(0, 500))} m2"}
                      for i in range(n_prov)],
        "communities": [{"id": f"Q{j}", "region": "R", "node": str(rng.choice(nodes)), "population": "100 people",
                         "need": f"{int(rng.integers(0, 400))} m2"} for j in range(n_comm)],
        "roads": roads}}
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.yaml"
        path.write_text(yaml.safe_dump(raw), encoding="utf-8")
        r = solve_sharing(load_scenario(path).scenario)
    assert r.agree, (r.shared_m2, r.nx_shared_m2, r.travel_m2_minutes, r.nx_travel_m2_minutes)


def test_city_flows_respect_limits(tmp_path):
    o = solve_scenario(SCENARIOS / "city-sharing.yaml", out=tmp_path / "c")
    assert o.exit_code == 0, o
    flows = pd.read_csv(tmp_path / "c" / "flows.csv", encoding="utf-8-sig")
    prov = pd.read_csv(tmp_path / "c" / "providers.csv", encoding="utf-8-sig")
    comm = pd.read_csv(tmp_path / "c" / "communities.csv", encoding="utf-8-sig")
    assert len(flows) > 0 and flows["travel_minutes"].max() <= 15
    assert (prov["shared_m2"] <= prov["capacity_m2"] * (1 + 1e-7) + 1e-6).all()  # the last stage is an interior point
    assert (comm["shared_m2"] <= comm["need_m2"] * (1 + 1e-9) + 1e-6).all()
    kpis = pd.read_csv(tmp_path / "c" / "kpis.csv", encoding="utf-8-sig")
    avoided = kpis[(kpis["kpi"] == "m2_building_avoided_by_sharing") & (kpis["year"] == 2030)]["value"].iloc[0]
    assert avoided > 10_000


def test_city_needs_sharing(tmp_path):
    assert solve_scenario(SCENARIOS / "city-sharing.yaml", ["sharing.enabled=false"], write=False).exit_code == 2


@pytest.mark.parametrize("overrides", [["targets.facility_standard.enabled=false"],
                                       ["targets.facility_standard.enabled=false", "resources.fiscal.budget=3"]])
def test_sharing_never_leaves_more_unserved(overrides):
    with_sharing = solve_scenario(SCENARIOS / "city-sharing.yaml", overrides + ["objective.cost_weight=0", "sharing.travel_weight=0"], write=False)
    without = solve_scenario(SCENARIOS / "city-sharing.yaml", overrides + ["objective.cost_weight=0", "sharing.enabled=false"], write=False)
    assert with_sharing.exit_code == 0 and without.exit_code == 0
    assert with_sharing.solution.objective <= without.solution.objective * (1 + 1e-9)


@pytest.mark.parametrize("edit,fragment", [
    (("node: n1_12", "node: nowhere"), "expected a node of the road graph"),
    (("S4,school", "S9,school"), "expected a region id"),
    (("1437 m2", "-5 m2"), "greater than or equal to 0"),
])
def test_bad_sharing_tables(tmp_path, edit, fragment):
    import shutil

    for f in ("city_providers.csv", "city_communities.csv", "city_roads.csv", "city_regions.csv"):
        shutil.copy(SCENARIOS / "data" / f, tmp_path / f)
    text = (SCENARIOS / "city-sharing.yaml").read_text(encoding="utf-8").replace("data/", "")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    prov = (tmp_path / "city_providers.csv").read_text(encoding="utf-8")
    old, new = edit
    old = old.replace("node: ", "")
    new = new.replace("node: ", "")
    assert old in prov
    (tmp_path / "city_providers.csv").write_text(prov.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(tmp_path / "s.yaml")
    msg = str(e.value)
    assert fragment in msg and "city_providers.csv:3" in msg and "sharing.providers[SCH01]" in msg
