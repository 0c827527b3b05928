"""Bad input: every problem found at once, with file, line, key path, expected and found."""
from __future__ import annotations

import pytest

from optimizer.errors import InputError
from optimizer.preprocess.load import load_scenario

from conftest import TESTS

TINY = (TESTS / "scenarios" / "tiny.yaml").read_text(encoding="utf-8")


def _problems(tmp_path, text: str, name: str = "s.yaml", overrides=None) -> list[str]:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(p, overrides)
    return [str(x) for x in e.value.problems]


def test_tiny_loads():
    s = load_scenario(TESTS / "scenarios" / "tiny.yaml").scenario
    assert [r.id for r in s.regions] == ["A", "B"] and s.resources.fiscal.budget == {0: 10.0}


@pytest.mark.parametrize("edit,fragments", [
    (("base_spending_pc: 400", "base_spending_pc: -3"), ["s.yaml:6", "regions[B].base_spending_pc", "greater than or equal to 0"]),
    (("special_group_share: 0.3", "special_group_share: 1.3"), ["s.yaml:6", "special_group_share", "1.3"]),
    (("cap: 1.5", "cap: 0.9"), ["targets.regional_gap.cap", "greater than or equal to 1"]),
    (("budget: 10}", "budget: .nan}"), ["resources.fiscal.budget", "finite"]),
    (("budget: 10}", "budget: 12 m2}"), ["inconsistent units", "12 m2"]),
    (("budget: 10}", "budget: 500 亿元}"), None),
    (("years: [2026, 2027, 2028]", "years: [2026, 2028, 2027]"), ["years[2]", "increasing"]),
    (("{2028: 15}", "{2031: 15}"), ["2031", "horizon 2026-2028"]),
    (("min: 0.7", "mni: 0.7"), ["unknown key 'mni'", "did you mean 'min'"]),
    (("  - {id: B,", "  - {id: A,"), ["expected unique ids", "'A'"]),
    (("livelihood: false", "livelihood: maybe"), ["categories[culture].livelihood", "maybe"]),
])
def test_bad_values_are_located(tmp_path, edit, fragments):
    old, new = edit
    assert old in TINY
    text = TINY.replace(old, new, 1)
    if fragments is None:  # a valid edit: units in a string are converted
        p = tmp_path / "ok.yaml"
        p.write_text(text, encoding="utf-8")
        assert load_scenario(p).scenario.resources.fiscal.budget == {0: 500.0}
        return
    msgs = "\n".join(_problems(tmp_path, text))
    for f in fragments:
        assert f in msgs, msgs


def test_all_problems_reported_together(tmp_path):
    text = TINY.replace("base_spending_pc: 400", "base_spending_pc: x").replace("min: 0.7", "min: 7").replace("budget: 10}", "budgt: 10}")
    assert len(_problems(tmp_path, text)) == 3


def test_yaml_syntax_error_has_line(tmp_path):
    msgs = _problems(tmp_path, "name: x\nyears: [2026\nregions: []\n")
    assert "YAML syntax error" in msgs[0] and "s.yaml:" in msgs[0]


def test_duplicate_key(tmp_path):
    msgs = _problems(tmp_path, TINY.replace("name: tiny", "name: tiny\nname: again"))
    assert "duplicate key 'name'" in msgs[0] and "line 2" in msgs[0]


def test_object_tags_refused(tmp_path):
    msgs = _problems(tmp_path, TINY.replace("name: tiny", "name: !!python/object/apply:os.system ['echo hi']"))
    assert "tag" in msgs[0]


def test_alias_bomb_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh"))
    msgs = _problems(tmp_path, bomb)
    assert "expands to more than" in msgs[0]


def test_extends_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(tmp_path / "a.yaml")
    assert "cycle" in str(e.value)


def test_extends_merges_and_overrides(tmp_path):
    (tmp_path / "base.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nname: child\ntargets: {regional_gap: {cap: 1.7}}\n", encoding="utf-8")
    s = load_scenario(tmp_path / "child.yaml").scenario
    assert s.name == "child" and s.targets.regional_gap.cap == {0: 1.7} and s.targets.livelihood_share.min == {0: 0.7}


def test_table_cell_errors_name_row_and_column(tmp_path):
    (tmp_path / "regions.csv").write_text(
        "id,name,population,base_spending_pc\nA,甲,100,900\nB,乙,abc,400\nC,丙,50,\n", encoding="utf-8")
    text = TINY.split("regions:")[0] + "regions: {file: regions.csv}\ncategories:" + TINY.split("categories:")[1]
    msgs = "\n".join(_problems(tmp_path, text))
    assert "regions.csv:3 (column 'population')" in msgs and "regions[B].population" in msgs and "abc" in msgs


def test_missing_table_file(tmp_path):
    text = TINY.split("regions:")[0] + "regions: {file: nowhere.csv}\ncategories:" + TINY.split("categories:")[1]
    msgs = _problems(tmp_path, text)
    assert "nowhere.csv" in msgs[0] and "no file" in msgs[0]


def test_population_table_unknown_region(tmp_path):
    (tmp_path / "pop.csv").write_text("region,2026\nA,100\nZ,5\n", encoding="utf-8")
    msgs = "\n".join(_problems(tmp_path, TINY + "population: {file: pop.csv}\n"))
    assert "population.Z" in msgs and "expected a region id" in msgs


@pytest.mark.parametrize("override,fragment", [
    ("targets.regional_gap.cpa=1.6", "did you mean 'cap'"),
    ("regions.Q.priority=2", "no item 'Q'"),
    ("resources.fiscal.budget.2027=5", "single value"),
    ("targets.regional_gap.cap=0.5", "greater than or equal to 1"),
    ("novalue", "expected KEY.PATH=VALUE"),
])
def test_bad_overrides(tmp_path, override, fragment):
    msgs = "\n".join(_problems(tmp_path, TINY, overrides=[override]))
    assert fragment in msgs and "--set" in msgs


def test_override_by_id_and_year(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(TINY, encoding="utf-8")
    loaded = load_scenario(p, ["regions.B.priority=2", "targets.personnel_density.min.2027=12"])
    s = loaded.scenario
    assert s.regions[1].priority == 2 and s.targets.personnel_density.min == {2027: 12, 2028: 15}
    assert [o.path for o in loaded.overrides] == ["regions.B.priority", "targets.personnel_density.min.2027"]


def test_a_milestone_of_the_other_kind_is_said_at_the_set():
    """west's density target is {mid: 15}: a year set on it was refused at west.yaml's line as 'found both'
    (and so was docs/api.md's own example); now at the --set, naming the phases and the form that works."""
    from conftest import SCENARIOS

    with pytest.raises(InputError) as e:
        load_scenario(SCENARIOS / "west.yaml", ["targets.personnel_density.min.2030=12"])
    said = str(e.value)
    assert "--set: targets.personnel_density.min.2030=12: 'targets.personnel_density.min' is keyed by phase ids (mid)" in said
    assert "--set targets.personnel_density.min.mid=..." in said and "west.yaml" not in said
    with pytest.raises(InputError, match=r"keyed by years \(2030\), not phase ids"):
        load_scenario(SCENARIOS / "west.yaml", ["targets.facility_standard.min.mid=0.4"])
    s = load_scenario(SCENARIOS / "west.yaml", ["targets.personnel_density.min.mid=12"]).scenario
    assert s.targets.personnel_density.min == {2030: 12}  # the phase, read as its last year
