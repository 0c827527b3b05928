"""Custom constraints: honoured by the solution, named in tables and the diagnosis, rejected with the position marked."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from optimizer.errors import InputError
from optimizer.preprocess.load import load_scenario
from optimizer.run import solve_scenario

import lpfile
from conftest import SCENARIOS, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"
CUSTOM = [
    {"name": "b_care_money", "expr": "sum(alloc[resource=fiscal, category=care, region=B]) >= target * sum(alloc[resource=fiscal, category=care])",
     "target": {2026: 0.6, 2028: 0.9}},
    {"name": "no_cut", "for": "region", "expr": "pcs[year=t] >= pcs[year=t-1]"},
    {"name": "rural_density", "expr": "level[resource=personnel, area=rural] / pop[area=rural] "
                                      ">= 1.0 * level[resource=personnel, area=urban] / pop[area=urban]"},
]


def _write(tmp_path, custom, base=TINY):
    p = tmp_path / "c.yaml"
    p.write_text(yaml.safe_dump({"extends": str(base), "name": "c", "custom": custom}, allow_unicode=True), encoding="utf-8")
    return p


def test_solution_honours_custom_constraints(tmp_path):
    o = solve_scenario(_write(tmp_path, CUSTOM), out=tmp_path / "r")
    assert o.exit_code == 0, o
    a = pd.read_csv(tmp_path / "r" / "allocation.csv", encoding="utf-8-sig")
    f = a[(a["resource"] == "fiscal") & (a["category"] == "care")]
    by = f.pivot_table(index="year", columns="region", values="allocated", aggfunc="sum")
    share = by["B"] / (by["A"] + by["B"])
    assert share[2026] >= 0.6 - 1e-6 and share[2027] >= 0.75 - 1e-6 and share[2028] >= 0.9 - 1e-6
    k = pd.read_csv(tmp_path / "r" / "kpis.csv", encoding="utf-8-sig")
    pcs = k[k["kpi"] == "per_capita_co_construction"].pivot_table(index="year", columns="scope", values="value")
    assert (pcs.diff().dropna() >= -1e-6).all().all()
    lv = a[a["resource"] == "personnel"].groupby(["year", "region"])["level"].sum().unstack()
    pop = {"A": 100.0, "B": pd.Series({2026: 200.0, 2027: 210.0, 2028: 220.0})}
    assert ((lv["B"] / pop["B"]) >= (lv["A"] / pop["A"]) - 1e-6).all()
    cons = pd.read_csv(tmp_path / "r" / "constraints.csv", encoding="utf-8-sig")
    names = set(cons[cons["family"] == "custom"]["name"])
    assert "custom.no_cut.A.2027" in names and "custom.b_care_money.all.2026" in names
    assert "custom.no_cut.A.2026" not in names  # no year before the first


def test_binding_custom_costs_people_and_is_explained(tmp_path):
    rule = [{"name": "little_culture", "expr": "spend[category=culture] <= 0.1 * spend[category=care]"}]
    free = solve_scenario(TINY, ["objective.cost_weight=0"], write=False).solution.objective
    tied = solve_scenario(_write(tmp_path, rule), ["objective.cost_weight=0"], write=False)
    assert tied.solution.objective > free
    cons = tied.results.constraints
    row = cons[cons["name"] == "custom.little_culture.all.2026"].iloc[0]
    assert row["binding"] and "loosening 'little_culture' by 1 100m yuan in 2026 would serve another" in row["meaning"]
    assert any(b["family"] == "custom" for b in tied.results.binding)


def test_diagnosis_names_custom_constraint(tmp_path):
    impossible = [{"name": "too_much", "expr": "spend[region=B] >= 50"}]
    o = solve_scenario(_write(tmp_path, impossible), write=False)
    assert o.exit_code == 2
    assert "custom" in o.diagnosis.involved
    r = next(r for r in o.diagnosis.relaxations if r.knob.family == "custom")
    assert "too_much" in r.sentence and r.shift > 0
    fixed = solve_scenario(_write(tmp_path, impossible), [r.set_text], write=False)
    assert fixed.exit_code == 0


@pytest.mark.parametrize("expr,fragment,col", [
    ("alloc[resource=fiscal] * alloc[resource=fiscal] >= 1", "not linear", 23),
    ("alloc[regoin=A] >= 1", "unknown filter 'regoin'", 6),
    ("alloc[resource=fiscal, region=Z] >= 1", "unknown region 'Z'", 0),
    ("alloc >= 1", "units differ", 0),
    ("alloc[resource=fiscal] >= pop", "mismatched units", 0),
    ("spend / spend[region=A] >= spend / pop", "may only be compared with a number", 6),
    ("spend / spend[region=A] >= spend / spend[region=B]", "both sides is not linear", 33),
    ("alloc[resource=fiscal] >= ", "expected a number", 26),
    ("alloc[resource=fiscal] > 1", "unexpected character", 23),
    ("pcs[year=2040] >= 1", "not modelled", 0),
])
def test_bad_expressions_marked(tmp_path, expr, fragment, col):
    with pytest.raises(InputError) as e:
        load_scenario(_write(tmp_path, [{"name": "x", "expr": expr}]))
    msg = str(e.value)
    assert fragment in msg and "custom[x].expr" in msg
    lines = msg.splitlines()
    caret = next(ln for ln in lines if ln.strip() == "^" or ln.rstrip().endswith("^"))
    text_line = lines[lines.index(caret) - 1]
    assert caret.index("^") - (len(text_line) - len(text_line.lstrip())) == col


def test_write_lp_has_readable_custom_rows(invoke, tmp_path):
    r = invoke("solve", _write(tmp_path, CUSTOM), "--out", tmp_path / "o", "--write-lp", tmp_path / "m.lp")
    assert r.exit_code == 0, r.output
    _, rows, _ = lpfile.read((tmp_path / "m.lp").read_text())
    assert "custom.no_cut.B.2028" in rows and "regional_gap.cap.A.2026" in rows
    assert any(name.startswith("x.fiscal.care.A.2026") for name in (t for t, _ in rows["shortfall.fiscal.care.A.2026"][0]))
    r = invoke("solve", _write(tmp_path, CUSTOM), "--out", tmp_path / "o2", "--write-lp", tmp_path / "m.mps")
    assert r.exit_code == 0 and "ROWS" in (tmp_path / "m.mps").read_text()


def test_custom_on_national_groups(tmp_path):
    west = [{"name": "west_elderly", "expr": "sum(alloc[resource=fiscal, category=elderly_care, group=west]) "
                                             ">= 0.4 * sum(alloc[resource=fiscal, category=elderly_care])"}]
    o = solve_scenario(_write(tmp_path, west, SCENARIOS / "national.yaml"), out=tmp_path / "n")
    assert o.exit_code == 0
    a = pd.read_csv(tmp_path / "n" / "allocation.csv", encoding="utf-8-sig")
    groups = {r.id: r.group for r in load_scenario(SCENARIOS / "national.yaml").scenario.regions}
    e = a[(a["resource"] == "fiscal") & (a["category"] == "elderly_care")].copy()
    e["group"] = e["region"].map(groups)
    per_year = e.groupby(["year", "group"])["allocated"].sum().unstack().fillna(0)
    tot = per_year.sum(axis=1)
    assert ((per_year["west"] >= 0.4 * tot - 1e-3) | (tot == 0)).all()
