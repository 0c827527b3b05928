"""opt generate counties: reproducible, consistent with NBS provincial totals, loadable."""
from __future__ import annotations

import csv

import pytest

from optimizer.generate import PROVINCE_GROUPS, _province_population, bundled_population
from optimizer.preprocess.load import load_scenario


def _rows(path):
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines))


@pytest.mark.parametrize("n", [31, 120])
def test_counties_add_up_to_provinces(invoke, tmp_path, n):
    out = tmp_path / "c.yaml"
    r = invoke("generate", "counties", "--regions", n, "--years", "2024:2030", "--seed", 7, "--out", out)
    assert r.exit_code == 0, r.output
    regions = _rows(tmp_path / "c_regions.csv")
    pops = _rows(tmp_path / "c_population.csv")
    assert len(regions) == n == len(pops)
    nbs = _province_population(bundled_population())
    total = {}
    for reg, pop in zip(regions, pops):
        province = reg["name"].rsplit("-", 1)[0]
        total[province] = total.get(province, 0.0) + float(pop["2024"])
    assert set(total) == set(PROVINCE_GROUPS)
    for p, v in total.items():
        assert v == pytest.approx(nbs[p], abs=0.01 * len(regions))
    s = load_scenario(out).scenario
    assert len(s.regions) == n and s.years == list(range(2024, 2031))
    assert {r.area for r in s.regions} == {"urban", "rural"}


def test_same_seed_same_files(invoke, tmp_path):
    for d in ("a", "b"):
        assert invoke("generate", "counties", "--regions", 60, "--seed", 3, "--out", tmp_path / d / "c.yaml").exit_code == 0
    for f in ("c.yaml", "c_regions.csv", "c_population.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_generated_scenario_solves(tmp_path):
    from optimizer.cli import app  # noqa: F401  (generate through the library function instead)
    from optimizer.generate import generate_counties
    from optimizer.run import solve_scenario

    path = generate_counties(40, (2024, 2030), 1, tmp_path / "g.yaml", bundled_population())
    o = solve_scenario(path, write=False)
    assert o.exit_code == 0, o


def test_too_few_regions_is_bad_input(invoke, tmp_path):
    r = invoke("generate", "counties", "--regions", 5, "--out", tmp_path / "x.yaml")
    assert r.exit_code == 1 and "--regions: expected 31 (one per province) to 100,000" in r.output
