"""Tables from xlsx, the min-cost objective, the workbook users hand on."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.preprocess.load import load_scenario
from optimizer.run import solve_scenario

from conftest import TESTS

TINY = (TESTS / "scenarios" / "tiny.yaml").read_text(encoding="utf-8")


def test_regions_from_xlsx_with_cell_errors_located(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "regions"
    ws.append(["id", "name", "population", "base_spending_pc"])
    ws.append(["A", "甲区", 100, 900])
    ws.append(["B", "乙区", 200, 400])
    wb.save(tmp_path / "regions.xlsx")
    text = TINY.split("regions:")[0] + "regions: {file: regions.xlsx, sheet: regions}\ncategories:" + TINY.split("categories:")[1]
    text = text.replace("regional_gap: {cap: 1.5, line: co_construction}", "regional_gap: {cap: 1.5, over: region, line: co_construction}")
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    s = load_scenario(p).scenario
    assert [r.name for r in s.regions] == ["甲区", "乙区"] and s.regions[1].population == {0: 200.0}
    ws["C3"] = "many"
    wb.save(tmp_path / "regions.xlsx")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert "regions.xlsx:3 (column 'population')" in str(e.value) and "many" in str(e.value)


def test_min_cost_meets_every_need(tmp_path):
    o = solve_scenario(TESTS / "scenarios" / "tiny.yaml",
                       ["objective.kind=min_cost", "resources.fiscal.budget=null", "resources.personnel.supply=null",
                        "resources.facility.supply=null"], out=tmp_path / "mc")
    assert o.exit_code == 0
    alloc = pd.read_csv(tmp_path / "mc" / "allocation.csv", encoding="utf-8-sig")
    assert alloc["unmet"].max() < 1e-6
    assert o.solution.objective > 0  # it costs something to meet every need


def test_workbook_has_summary_first_and_units(tmp_path):
    solve_scenario(TESTS / "scenarios" / "tiny.yaml", out=tmp_path / "w")
    wb = openpyxl.load_workbook(tmp_path / "w" / "results.xlsx")
    assert wb.sheetnames == ["brief", "money by province", "money by service", "targets", "summary", "allocation",
                             "kpis", "constraints"]
    headers = [c.value for c in wb["allocation"][1]]
    assert "people unserved (people)" in headers and "unit" in headers
    assert wb["allocation"].freeze_panes == "A2"
    assert any("甲区" == c.value for c in wb["allocation"]["B"])


def test_targets_not_met_are_highlighted_and_long_tables_cut(tmp_path, monkeypatch):
    from optimizer.postprocess import excel

    kpis = pd.DataFrame({"year": [2030, 2030], "kpi": ["a", "b"], "value": [1.0, 2.0], "met": [True, False]})
    monkeypatch.setattr(excel, "EXCEL_ROWS", 1)
    excel.write_xlsx(tmp_path / "x.xlsx", [("scenario", "t")], {"kpis": kpis})
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    monkeypatch.undo()
    summary = [c.value for c in wb["summary"]["B"]]
    assert any("first 1 of 2 rows" in str(v) for v in summary)
    excel.write_xlsx(tmp_path / "y.xlsx", [("scenario", "t")], {"kpis": kpis})
    ws = openpyxl.load_workbook(tmp_path / "y.xlsx")["kpis"]
    assert ws["C3"].fill.fgColor.rgb.endswith("F8D0D0") and not ws["C2"].fill.fgColor.rgb.endswith("F8D0D0")
    assert ws["C3"].number_format == "#,##0.00"


def test_big_tables_summed_up_in_the_workbook(tmp_path, monkeypatch):
    from optimizer.postprocess import excel

    monkeypatch.setattr(excel, "FULL_ROWS", 10)
    solve_scenario(TESTS / "scenarios" / "tiny.yaml", out=tmp_path / "w")
    wb = openpyxl.load_workbook(tmp_path / "w" / "results.xlsx")
    assert "allocation by region" in wb.sheetnames and "allocation by category" in wb.sheetnames
    assert "allocation" not in wb.sheetnames and "binding constraints" in wb.sheetnames
    notes = " ".join(str(c.value) for c in wb["summary"]["B"])
    assert "every row is in allocation.csv" in notes
    full = pd.read_csv(tmp_path / "w" / "allocation.csv", encoding="utf-8-sig")
    by_region = pd.DataFrame(wb["allocation by region"].values)
    by_region.columns = by_region.iloc[0]
    sheet = by_region.iloc[1:]
    for unit, part in full.groupby("unit"):  # money in the run's unit (the budget's: 100m yuan), the rest as in the CSV
        shown = sheet[sheet["unit"] == ("100m yuan" if unit == "10k yuan" else unit)]
        factor = 1e4 if unit == "10k yuan" else 1.0
        assert abs(shown["allocated (in the row's unit)"].astype(float).sum() * factor - part["allocated"].sum()) \
            <= 1e-6 * part["allocated"].abs().sum(), unit
