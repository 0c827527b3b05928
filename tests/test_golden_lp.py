"""Each constraint family on a tiny scenario: the LP file matches the golden one
(read order-insensitively: PuLP 3 and 4 format numbers differently)."""
from __future__ import annotations

import pytest

import lpfile
from conftest import TESTS

FAMILIES = sorted(p.stem for p in (TESTS / "scenarios" / "families").glob("*.yaml") if p.stem != "base")


@pytest.mark.parametrize("family", FAMILIES)
def test_lp_matches_golden(family, tmp_path):
    from golden.make_golden import lp_for

    out = tmp_path / f"{family}.lp"
    lp_for(family, out)
    got = lpfile.read(out.read_text())
    want = lpfile.read((TESTS / "golden" / f"{family}.lp").read_text())
    assert not lpfile.diff(got, want), "\n".join(lpfile.diff(got, want))


@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in ("supply", "category_bounds", "objective_fair")])
def test_family_rows_present(family, tmp_path):
    """The golden file really contains the family's rows (a golden of nothing would pass)."""
    want = lpfile.read((TESTS / "golden" / f"{family}.lp").read_text())
    prefix = {"objective_maximin": "lowest_share_met"}.get(family, family)
    assert any(name.startswith(prefix) for name in want[1]), sorted(want[1])[:5]


def test_fair_golden_prices_its_second_band_three_times_the_first():
    """The fair golden really holds the bands: each u has a u_band1 beside it, priced at slope 3 against 1."""
    text = (TESTS / "golden" / "objective_fair.lp").read_text()
    assert "+ 20 u.fiscal.care.A.2026" in text and "+ 60 u_band1.fiscal.care.A.2026" in text
    assert "u.fiscal.care.A.2026 <= 0.25" in text  # band 0 ends at half of the 0.5 (100m yuan) need


def test_reader_reads_each_bound_alone():
    """PuLP writes bounds one to a line, indented, in an order that differs between versions."""
    a = lpfile.read("Minimize\nOBJ: x + y\nSubject To\nc1: x + y >= 1\nBounds\n x <= 1\n y <= 2\nEnd\n")
    b = lpfile.read("Minimize\nOBJ: x + y\nSubject To\nc1: x + y >= 1\nBounds\n y <= 2\n x <= 1\nEnd\n")
    c = lpfile.read("Minimize\nOBJ: x + y\nSubject To\nc1: x + y >= 1\nBounds\n y <= 2\n x <= 1.5\nEnd\n")
    assert not lpfile.diff(a, b)
    assert lpfile.diff(a, c)


def test_reader_sees_differences():
    a = lpfile.read("Minimize\nOBJ: x + 2 y\nSubject To\nc1: x + y >= 3\nEnd\n")
    b = lpfile.read("Minimize\nOBJ: 2 y + x\nSubject To\nc1: y + x >= 3\nEnd\n")
    c = lpfile.read("Minimize\nOBJ: x + 2 y\nSubject To\nc1: x + y >= 3.5\nEnd\n")
    assert not lpfile.diff(a, b)
    assert lpfile.diff(a, c)
