"""Spending lines (docs/model.md, spending lines; issue 16): a gap capped on public-service spending with figures
that make it bind, the new money it needs by hand; growth after the last figure and a plain number for a base
year; the line KPIs; the urban-rural gap on a declared line; the default line refused where regions lack it;
and the golden LP of both caps on lines (tests/golden/gap_lines.lp, from tests/scenarios/lines/gap_lines.yaml:
regenerate with `python tests/test_spending_lines.py`, then read the diff)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from outputs import read_table as _csv
from outputs import solve_cli as _solve

import lpfile
from conftest import TESTS

GOLDEN_SCENARIO = TESTS / "scenarios" / "lines" / "gap_lines.yaml"
GOLDEN = TESTS / "golden" / "gap_lines.lp"


def lp_for(scenario: Path, path: Path) -> None:
    from optimizer.backend.pulp_backend import write_model_file
    from optimizer.models.build import build_model
    from optimizer.preprocess.data import build_data
    from optimizer.preprocess.load import load_scenario

    loaded = load_scenario(scenario)
    model, _ = build_model(build_data(loaded.scenario), loaded.scenario)
    write_model_file(model, path)


def test_lp_matches_golden(tmp_path):
    """Rows read by hand against docs/model.md (pop[A] = 10, pop[B] = 20; money in 100m yuan, e x pop / 10^4):
    regional_gap.cap.A.2026: 0.0015 m - x_A >= 12.6 (12,000 x 1.05 = 12,600 x 10 / 10^4), 2027: 13.23;
    regional_gap.cap.B.2026: 0.003 m - x_B >= 10.4 (5,200 x 20 / 10^4), 2027: 11.2 (5,600);
    the floors x - 0.001 m >= -12.6 ... (0.002 for B); urban_rural_gap in 2027 only, on education:
    0.0018 m - x_A >= 3 (3,000 x 10 / 10^4), 0.0036 m - x_B >= 2 (1,000 x 20 / 10^4)."""
    out = tmp_path / "gap_lines.lp"
    lp_for(GOLDEN_SCENARIO, out)
    got, want = lpfile.read(out.read_text()), lpfile.read(GOLDEN.read_text())
    assert not lpfile.diff(got, want), "\n".join(lpfile.diff(got, want))
    rows = want[1]
    assert any(n.startswith("regional_gap.cap.") for n in rows) and any(n.startswith("urban_rural_gap.cap.") for n in rows)
    assert not any(n.startswith("urban_rural_gap") and n.endswith("2026") for n in rows), "capped from 2027 only"


SL = """\
name: sl
years: [2026, 2027, 2028]
spending_lines:
  public_service: {name: 人均公共服务支出, base_year: 2025, growth: 0.05}
regions:
  - {id: A, name: 甲, group: east, area: urban, population: 10, base_spending_pc: 1000, spending: {public_service: 12000}}
  - {id: B, name: 乙, group: west, area: rural, population: 10, base_spending_pc: 1000, spending: {public_service: {2026: 5200, 2028: 6000}}}
categories:
  - {id: care, livelihood: true, standard: {fiscal: 1000}}
targets:
  regional_gap: {cap: 2.0}
"""
# The line by hand (yuan/person): A's plain 12,000 is its 2025 figure (base_year), grown 5% a year after it:
# 12,600, 13,230, 13,891.5. B's figures are given for 2026 and 2028 (linear between): 5,200, 5,600, 6,000.
# Baseline ratio: 12,600 / 5,200 = 2.4231, 13,230 / 5,600 = 2.3625, 13,891.5 / 6,000 = 2.31525.
# Both regions' co-construction baseline (1,000) meets the standard (1,000): nobody is short, and money is spent
# only for the cap (cost_weight is left at its default, so no more than the cap needs). A gets none; B is
# lifted to half of A: 6,300 - 5,200 = 1,100, 6,615 - 5,600 = 1,015, 6,945.75 - 6,000 = 945.75 yuan/person,
# x 100k people = 1.1, 1.015, 0.94575 (100m yuan) = 11,000, 10,150, 9,457.5 (10k yuan).
A_PS = [12600, 13230, 13891.5]
B_PS = [5200, 5600, 6000]
NEW_B = [11000, 10150, 9457.5]


@pytest.fixture
def sl(tmp_path):
    path = tmp_path / "sl.yaml"
    path.write_text(SL, encoding="utf-8")
    return path






def _kpi(out, kpi, scope):
    k = _csv(out, "kpis")
    k = k[(k["kpi"] == kpi) & (k["scope"] == scope)].sort_values("year")
    assert len(k), (kpi, scope, sorted(set(_csv(out, "kpis")["kpi"])))
    return k


def _money(out, region):
    a = _csv(out, "allocation")
    return list(a[(a["region"] == region) & (a["resource"] == "fiscal")].sort_values("year")["allocated"])


def test_gap_on_public_service_needs_the_money_by_hand(invoke, sl):
    code, out, _ = _solve(invoke, sl)
    assert code == 0
    assert _money(out, "B") == pytest.approx(NEW_B, abs=1e-3)
    assert _money(out, "A") == pytest.approx([0, 0, 0], abs=1e-6)
    assert list(_kpi(out, "per_capita_public_service", "甲")["value"]) == pytest.approx(A_PS)
    assert list(_kpi(out, "per_capita_public_service", "乙")["value"]) == pytest.approx([a / 2 for a in A_PS])
    ratio = _kpi(out, "public_service_max_min_ratio", "regions")
    assert list(ratio["value"]) == pytest.approx([2.0] * 3, abs=1e-9)
    assert list(ratio["target"]) == pytest.approx([2.0] * 3) and ratio["met"].all()
    base = [a / b for a, b in zip(A_PS, B_PS)]  # 2.4231, 2.3625, 2.31525
    assert list(_kpi(out, "public_service_baseline_max_min_ratio", "regions")["value"]) == pytest.approx(base, abs=1e-9)
    assert list(_kpi(out, "public_service_ratio_narrowed", "regions")["value"]) == pytest.approx([b - 2 for b in base], abs=1e-9)
    assert _kpi(out, "public_service_baseline_max_min_ratio", "regions")["unit"].eq("x").all()
    # the co-construction line, beside it, uncapped: 1,000 each, B's plus the new money (1,100, 1,015, 945.75)
    co = [1000 + n * 1e4 / 1e5 for n in NEW_B]
    assert list(_kpi(out, "per_capita_co_construction", "乙")["value"]) == pytest.approx(co)
    assert list(_kpi(out, "co_construction_max_min_ratio", "regions")["value"]) == pytest.approx([c / 1000 for c in co])
    assert list(_kpi(out, "co_construction_baseline_max_min_ratio", "regions")["value"]) == pytest.approx([1, 1, 1])
    assert list(_kpi(out, "co_construction_ratio_narrowed", "regions")["value"]) == pytest.approx([1 - c / 1000 for c in co])
    assert _kpi(out, "co_construction_max_min_ratio", "regions")["target"].isna().all(), "the cap is on the other line"
    # the sentences name the line
    c = _csv(out, "constraints")
    b26 = c[c["name"] == "regional_gap.cap.B.2026"].iloc[0]
    assert b26["meaning"] == "乙 at 6,300 yuan/person of 人均公共服务支出 in 2026, within the cap 2.00x of the lowest, 6,300"
    assert c[c["name"] == "regional_gap.cap.A.2026"].iloc[0]["binding"]


def test_held_line_and_default_base_year(invoke, sl):
    """growth 0 and no base_year: A's 12,000 is held from the first year; B still 5,200, 5,600, 6,000.
    B needs 6,000 - 5,200 = 800, 6,000 - 5,600 = 400 and 0 yuan/person: 8,000, 4,000 and 0 (10k yuan)."""
    code, out, _ = _solve(invoke, sl, "spending_lines.public_service={name: 人均公共服务支出}")
    assert code == 0
    assert _money(out, "B") == pytest.approx([8000, 4000, 0], abs=1e-3)
    assert list(_kpi(out, "public_service_baseline_max_min_ratio", "regions")["value"]) == pytest.approx(
        [12000 / 5200, 12000 / 5600, 2.0], abs=1e-9)
    assert list(_kpi(out, "public_service_ratio_narrowed", "regions")["value"]) == pytest.approx(
        [12000 / 5200 - 2, 12000 / 5600 - 2, 0], abs=1e-9)


def test_growth_after_a_year_schedule(invoke, sl):
    """B given for 2026 alone with growth 5%: 5,200, 5,460, 5,733 (grown from its last figure, 2026);
    A's 12,600, 13,230, 13,891.5: both grow alike, so the ratio holds at 12,600 / 5,200 = 2.4231 and B needs
    half of A less its own each year: 1,100, 1,155, 1,212.75 yuan/person."""
    code, out, _ = _solve(invoke, sl, "regions.B.spending={public_service: {2026: 5200}}")
    assert code == 0
    b = [5200, 5460, 5733]
    assert list(_kpi(out, "public_service_baseline_max_min_ratio", "regions")["value"]) == pytest.approx(
        [a / x for a, x in zip(A_PS, b)], abs=1e-9)
    assert _money(out, "B") == pytest.approx([(a / 2 - x) * 10 for a, x in zip(A_PS, b)], abs=1e-3)


def test_gap_over_groups_on_the_line(invoke, sl):
    """over: group (east = A, west = B): the same money; the target stands beside the groups' ratio."""
    code, out, _ = _solve(invoke, sl, "targets.regional_gap.over=group")
    assert code == 0
    assert _money(out, "B") == pytest.approx(NEW_B, abs=1e-3)
    groups = _kpi(out, "public_service_max_min_ratio", "groups")
    assert list(groups["value"]) == pytest.approx([2.0] * 3, abs=1e-9) and list(groups["target"]) == pytest.approx([2.0] * 3)
    assert list(_kpi(out, "per_capita_public_service", "group west")["value"]) == pytest.approx([a / 2 for a in A_PS])


def test_budget_short_of_the_gap(invoke, sl):
    """A yearly budget of 1.0 against the 1.1 (2026) and 1.015 (2027) the cap needs: the pre-solve check proves it
    (exit 2 from validate), and the diagnosis's least budget is 1.1 (within the knob's 1e-3)."""
    r = invoke("validate", sl, "--set", "resources.fiscal.budget=1.0")
    assert r.exit_code == 2
    text = " ".join(r.output.split())
    assert "2026 fiscal budget 100.0 million yuan is below the 110.0 million yuan needed at the least" in text
    assert "2027 fiscal budget 100.0 million yuan is below the 101.5 million yuan needed at the least" in text
    assert "2028 fiscal budget" not in text  # 0.94575 < 1.0
    code, out, text = _solve(invoke, sl, "resources.fiscal.budget=1.0")
    assert code == 2
    m = re.search(r"--set resources\.fiscal\.budget=([0-9.]+)", " ".join(text.split()))
    assert m and 1.1 <= float(m.group(1)) <= 1.1 + 1e-3, text
    code, _, _ = _solve(invoke, sl, f"resources.fiscal.budget={m.group(1)}")
    assert code == 0
    code, _, _ = _solve(invoke, sl, "resources.fiscal.budget=1.099")
    assert code == 2


UR = """\
name: ur
years: [2026, 2027]
spending_lines:
  education: {name: 人均教育支出}
regions:
  - {id: A, name: 甲, area: urban, population: 10, base_spending_pc: 1000, spending: {public_service: 6000, education: 3000}}
  - {id: B, name: 乙, area: rural, population: 10, base_spending_pc: 1000, spending: {public_service: 5000, education: 1000}}
  - {id: C, name: 丙, area: rural, population: 30, base_spending_pc: 1000, spending: {public_service: 5000, education: 2000}}
  - {id: D, name: 丁, population: 10, base_spending_pc: 1000, spending: {public_service: 100}}
categories:
  - {id: care, livelihood: true, standard: {fiscal: 1000}}
targets:
  urban_rural_gap: {cap: 1.5, line: education}
"""


def test_urban_rural_gap_on_a_declared_line(invoke, tmp_path):
    """Education: urban (A) 3,000; rural (B and C) (1,000 x 10 + 2,000 x 30) / 40 = 1,750, ratio 1.7143.
    Capped at 1.5, rural must reach 2,000: 250 yuan/person x 400k people = 1.0 (100m yuan) = 10,000 (10k yuan)
    a year, to B or C (either counts alike). D has no area (outside the cap) and no education figure (outside
    the line's KPIs). On public service the areas are 6,000 / 5,000 = 1.2x: capping that line would cost nothing."""
    path = tmp_path / "ur.yaml"
    path.write_text(UR, encoding="utf-8")
    code, out, _ = _solve(invoke, path)
    assert code == 0
    rural = [b + c for b, c in zip(_money(out, "B"), _money(out, "C"))]
    assert rural == pytest.approx([10_000, 10_000], abs=1e-3)
    assert _money(out, "A") + _money(out, "D") == pytest.approx([0] * 4, abs=1e-6)
    areas = _kpi(out, "education_max_min_ratio", "areas")
    assert list(areas["value"]) == pytest.approx([1.5, 1.5], abs=1e-9) and list(areas["target"]) == pytest.approx([1.5, 1.5])
    assert list(_kpi(out, "education_baseline_max_min_ratio", "areas")["value"]) == pytest.approx([3000 / 1750] * 2)
    assert list(_kpi(out, "education_ratio_narrowed", "areas")["value"]) == pytest.approx([3000 / 1750 - 1.5] * 2)
    assert list(_kpi(out, "per_capita_education", "area rural")["value"]) == pytest.approx([2000, 2000])
    assert _kpi(out, "public_service_max_min_ratio", "areas")["target"].isna().all()
    k = _csv(out, "kpis")
    assert set(k[k["kpi"] == "per_capita_education"]["scope"]) == {"甲", "乙", "丙", "area urban", "area rural"}
    assert "丁" in set(k[k["kpi"] == "per_capita_public_service"]["scope"])
    c = _csv(out, "constraints")
    assert set(c["family"]) == {"urban_rural_gap"} and set(c["scope"]) == {"urban", "rural"}


def test_default_line_is_refused_where_regions_lack_it(invoke, tmp_path):
    """urban_rural_gap without line: public_service, which D need not give (no area) but A, B, C must."""
    path = tmp_path / "ur.yaml"
    path.write_text(UR.replace(", line: education", "").replace("spending: {public_service: 5000, education: 2000}",
                                                                  "spending: {education: 2000}"), encoding="utf-8")
    out = tmp_path / "never"
    r = invoke("solve", path, "--out", out)
    assert r.exit_code == 1, r.output
    text = " ".join(r.output.split())
    assert re.search(r"ur\.yaml:\d+: targets\.urban_rural_gap\.line: expected every region's per-capita "
                     r"'public_service' figure .*found none for C; give the figures, or cap another line "
                     r"\(line: co_construction\)", text), text
    assert not out.exists()


if __name__ == "__main__":  # regenerate the golden file after an intended model change, then read the diff
    import sys

    sys.path.insert(0, str(TESTS.parent))
    lp_for(GOLDEN_SCENARIO, GOLDEN)
    print("wrote", GOLDEN)
