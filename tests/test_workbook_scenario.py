"""A scenario as a workbook (issue 19.5): opt template writes it, opt solve and opt validate read it back, the
same answer as the YAML's to the byte, and a workbook's errors name their sheet and cell, all at once."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from optimizer.run import solve_scenario

from conftest import SCENARIOS


@pytest.mark.parametrize("name", ["west", "city-sharing", "national"])
def test_yaml_to_workbook_to_solve_gives_the_yamls_answer(invoke, tmp_path, name):
    r = invoke("template", SCENARIOS / f"{name}.yaml", "--out", tmp_path / "plan.xlsx")
    assert r.exit_code == 0, r.output
    solve_scenario(tmp_path / "plan.xlsx", out=tmp_path / "x")
    solve_scenario(SCENARIOS / f"{name}.yaml", out=tmp_path / "y")
    for f in ("allocation.csv", "kpis.csv", "constraints.csv", "headline.csv", "money_by_region.csv"):
        assert (tmp_path / "x" / f).read_bytes() == (tmp_path / "y" / f).read_bytes(), f


def test_the_plans_workbook_is_proved_short_as_its_yaml(invoke, tmp_path):
    invoke("template", SCENARIOS / "plan.yaml", "--out", tmp_path / "plan.xlsx")
    a = invoke("validate", SCENARIOS / "plan.yaml")
    b = invoke("validate", tmp_path / "plan.xlsx")
    assert a.exit_code == b.exit_code == 2
    assert a.output.split("\n", 1)[1] == b.output.split("\n", 1)[1]  # the same findings, word for word


def test_the_sheets_a_bureau_fills_in(invoke, tmp_path):
    invoke("template", SCENARIOS / "west.yaml", "--out", tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    assert wb.sheetnames == ["说明", "方案", "区域", "人口", "类别", "资源", "目标", "其他"]
    cats = wb["类别"]
    head = [c.value for c in cats[1]]
    assert head[:2] == ["id", "name"] and "standard.fiscal" in head
    row = [c.value for c in cats[2]]
    assert row[1] == "养老服务" and isinstance(row[head.index("standard.fiscal")], (int, float))
    res = {r[0].value: [c.value for c in r] for r in wb["资源"].iter_rows(min_row=2)}
    assert res["fiscal"][[c.value for c in wb["资源"][1]].index("budget")] == 3000  # 亿元 a year, as in west.yaml
    assert wb["区域"].freeze_panes == "B2" and wb.properties.creator == "opt template"


def test_a_workbooks_errors_name_sheet_and_cell_all_at_once(invoke, tmp_path):
    invoke("template", SCENARIOS / "west.yaml", "--out", tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    wb["人口"]["B2"] = "三千"
    wb["资源"]["B2"] = dt.datetime(2026, 1, 1)
    wb["区域"]["A3"] = None
    wb.create_sheet("Notes")
    wb.create_sheet("#我的备注")  # a sheet of the bureau's own: not read
    wb.save(tmp_path / "bad.xlsx")
    out = tmp_path / "r"
    r = invoke("solve", tmp_path / "bad.xlsx", "--out", out)
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "4 problems in the input" in text and "Traceback" not in text, r.output
    assert "bad.xlsx, 人口!B2: population.Innermongolia.2024: expected a number in 10k people" in text
    assert "found '三千'" in text
    assert "bad.xlsx, 资源!B2: budget: expected a number or text, found a date" in text
    assert "bad.xlsx, 区域!B3: regions[广西].id" in text
    assert "found a sheet 'Notes'" in text and "我的备注" not in text
    assert not out.exists()


def test_english_sheet_names_are_read_too(invoke, tmp_path):
    invoke("template", SCENARIOS / "west.yaml", "--out", tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    for zh, en in (("区域", "regions"), ("类别", "Categories"), ("资源", "resources"), ("目标", "targets")):
        wb[zh].title = en
    wb.save(tmp_path / "en.xlsx")
    r = invoke("validate", tmp_path / "en.xlsx")
    assert r.exit_code == 0 and "12 regions, 8 categories" in r.output, r.output


@pytest.mark.parametrize("target, expected", [("exists", "refusing to replace an existing file"),
                                              ("plan.csv", "a workbook file name ending .xlsx")])
def test_template_never_replaces_a_file(invoke, tmp_path, target, expected):
    out = tmp_path / ("plan.xlsx" if target == "exists" else target)
    if target == "exists":
        out.write_bytes(b"a bureau's own workbook")
    r = invoke("template", SCENARIOS / "west.yaml", "--out", out)
    assert r.exit_code == 1 and expected in " ".join(r.output.split()) and "Traceback" not in r.output
    if target == "exists":
        assert out.read_bytes() == b"a bureau's own workbook"
    else:
        assert not out.exists()


def test_a_changed_cell_changes_the_answer(invoke, tmp_path):
    """The workbook is read, not ignored: west's budget cut by 5% in the 资源 sheet, as text with a unit, cuts the
    money by 5%."""
    invoke("template", SCENARIOS / "west.yaml", "--out", tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    wb["资源"]["B2"] = "2850 亿元"
    wb.save(tmp_path / "cut.xlsx")
    o = solve_scenario(tmp_path / "cut.xlsx", write=False)
    assert o.results.headline["money"]["money_10k_yuan"].sum() == pytest.approx(7 * 2850 * 1e4, rel=1e-9)


def test_a_damaged_workbook_is_refused_not_read_differently(invoke, tmp_path):
    """What a new user's attack found read silently as another plan (exit 0): a formula whose result was never
    saved, merged cells, a column or key given twice, a value beside its own keys, a sheet shifted off A1, a
    stray value far from the table. Each now an error naming sheet and cell, all at once, nothing written."""
    invoke("template", SCENARIOS / "west.yaml", "--out", tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    wb["资源"]["B2"] = "=1000*3"  # openpyxl saves no result for it
    wb["区域"].merge_cells("D2:D4")
    wb["区域"].cell(1, wb["区域"].max_column + 1, "base_spending_pc")
    t = wb["目标"]
    t.append([t["A2"].value, t["B2"].value])  # the first target's key again
    t.append(["regional_gap.cap", 1.6])  # beside regional_gap.cap.<year> (or .mid) keys
    wb["方案"].insert_cols(1)
    wb["人口"]["Z5000"] = " "
    wb.save(tmp_path / "bad.xlsx")
    out = tmp_path / "r"
    r = invoke("solve", tmp_path / "bad.xlsx", "--out", out)
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "Traceback" not in text and not out.exists(), r.output
    assert "资源!B2: expected a value, found a formula (=1000*3) whose result was never saved" in text
    assert "区域!D2:D4: expected one value per cell, found merged cells" in text
    assert "expected each column once, found it again (first in column D)" in text
    assert "expected once, found given again (first at" in text  # the repeated target row
    assert "方案!A1: expected the header key | value in row 1" in text
    assert text.count("problems in the input") == 1


def test_texts_that_look_like_numbers_or_lists_read_back_as_text(invoke, tmp_path):
    """Region ids that are codes ('110000', '0110'), a title that starts with [ and a name with spaces around it
    come back as the same text (an apostrophe keeps them text in the cell)."""
    import yaml

    raw = yaml.safe_load((SCENARIOS / "../tests/scenarios/tiny.yaml").read_text(encoding="utf-8"))
    raw["title"] = "[草案] 两区规划"
    raw["regions"][0]["id"], raw["regions"][1]["id"] = "110000", "0110"
    raw["regions"][0]["name"] = " 甲区 "
    path = tmp_path / "codes.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert invoke("template", path, "--out", tmp_path / "c.xlsx").exit_code == 0
    a = solve_scenario(path, write=False)
    b = solve_scenario(tmp_path / "c.xlsx", write=False)
    assert b.loaded.scenario.title == "[草案] 两区规划"
    assert [r.id for r in b.loaded.scenario.regions] == [r.id for r in a.loaded.scenario.regions]
    assert b.loaded.scenario.regions[0].name == " 甲区 "
    assert b.results.allocation.equals(a.results.allocation)


def test_an_xls_file_is_told_to_be_saved_as_xlsx(invoke, tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old workbook")
    r = invoke("validate", tmp_path / "old.xls")
    assert r.exit_code == 1 and "found a .xls file: save it as .xlsx" in r.output


def test_a_cells_problem_and_a_cross_check_come_at_once(invoke, tmp_path):
    """A cell that is not a value (read) and a region id given twice (cross-checked after the schema): one
    message with both, not one round each."""
    invoke("template", SCENARIOS / "west.yaml", "--out", tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    wb.create_sheet("Notes")
    wb["区域"]["A3"] = wb["区域"]["A2"].value
    wb.save(tmp_path / "bad.xlsx")
    r = invoke("validate", tmp_path / "bad.xlsx")
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "3 problems in the input" in text, r.output
    assert "found a sheet 'Notes'" in text and "expected unique ids, found 'Innermongolia' 2 times" in text
    assert "人口!A3: population.Guangxi: expected a region id from 'regions'" in text  # the id's cell: its row is gone


def test_an_emptied_sheet_is_said_not_silently_read_as_none(invoke, tmp_path):
    invoke("template", SCENARIOS / "west.yaml", "--out", tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    wb["目标"].delete_rows(2, wb["目标"].max_row)
    wb.save(tmp_path / "no-targets.xlsx")
    r = invoke("solve", tmp_path / "no-targets.xlsx", "--out", tmp_path / "r")
    assert r.exit_code == 0 and "sheet 目标 holds no rows: the scenario has no targets" in " ".join(r.output.split())
    judged = (tmp_path / "r" / "targets.csv").read_text(encoding="utf-8-sig")
    assert "livelihood share" not in judged and "licensed social workers" not in judged
    r = invoke("solve", tmp_path / "w.xlsx", "--out", tmp_path / "full")
    assert r.exit_code == 0 and "holds no rows" not in r.output
    assert "licensed social workers" in (tmp_path / "full" / "targets.csv").read_text(encoding="utf-8-sig")
