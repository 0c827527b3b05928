"""The headline a finance bureau reports (issue 19.1-19.4): people with and without each service's standard,
money by province and year in the chosen unit, every target met or not; in Chinese or English; the workbook's
brief first. Hand-solved numbers, so that a factor of ten, a sum for a max, or a unit mislabelled fails."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from optimizer.postprocess.view import View, money_unit_written
from optimizer.run import solve_scenario

TIE = """
name: tie
years: [2026]
regions:
  - {id: A, name: 甲区, population: 10}
  - {id: B, name: 乙区, population: 30}
categories:
  - {id: c, name: 养老服务, standard: {fiscal: 1000}}
resources:
  fiscal: {budget: BUDGET}
objective: {kind: unserved}
"""

TWO = """
name: two
years: [2026]
regions:
  - {id: A, name: 甲区, population: 10}
categories:
  - {id: c, name: 养老服务, standard: {fiscal: 1000, personnel: 10}}
resources:
  fiscal: {budget: 0.8}
  personnel: {supply: 50}
objective: {kind: unserved}
"""


def _write(tmp_path, text: str, budget="2"):
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("BUDGET", budget), encoding="utf-8")
    return path


def _csv(folder, name):
    return pd.read_csv(folder / name, encoding="utf-8-sig")


def test_people_and_money_of_a_tie_by_hand(tmp_path):
    """A needs 1 亿元 (100,000 people x 1,000 yuan), B 3; 2 亿元 to spend: each gets half its need (one answer),
    so 50% of 400,000 people have the standard and 200,000 do not; A 0.5 亿元, B 1.5 亿元."""
    o = solve_scenario(_write(tmp_path, TIE), out=tmp_path / "r")
    h = _csv(tmp_path / "r", "headline.csv")
    assert list(h.iloc[0]) == ["养老服务", 2026, 50.0, 200_000, 400_000]
    m = _csv(tmp_path / "r", "money_by_region.csv").set_index("province (100m yuan)")
    # within the one answer's pull of its other columns toward 0 (weight 1e-6: docs/model.md)
    assert m.loc["甲区", "2026"] == pytest.approx(0.5, rel=1e-5) and m.loc["乙区", "2026"] == pytest.approx(1.5, rel=1e-5)
    assert m.loc["total", "total"] == pytest.approx(2.0)
    s = o.results.summary
    head = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))["headline"]
    assert head["all_targets_met"] is True and head["money_10k_yuan_by_year"] == {"2026": pytest.approx(20_000)}
    assert head["services"][0]["people_without"] == pytest.approx(200_000)
    assert s["people_unserved"] == pytest.approx(200_000)  # one resource: person-services are people here


@pytest.mark.parametrize("unit, factor", [("万元", 1e4), ("元", 1e8), ("100m yuan", 1.0)])
def test_money_in_the_unit_asked(invoke, tmp_path, unit, factor):
    r = invoke("solve", _write(tmp_path, TIE), "--money-unit", unit, "--lang", "zh", "--out", tmp_path / "r")
    assert r.exit_code == 0, r.output
    shown = {"万元": "万元", "元": "元", "100m yuan": "亿元"}[unit]
    m = _csv(tmp_path / "r", "money_by_region.csv")
    assert m.columns[0] == f"地区（{shown}）"
    assert m.set_index(m.columns[0]).loc["乙区", "2026"] == pytest.approx(1.5 * factor, rel=1e-5)
    assert f"分地区分年度资金（{shown}" in r.output and "全部目标达成" in r.output


def test_people_without_a_service_are_the_largest_shortfall_not_the_sum(tmp_path):
    """One province of 100,000: money for 80,000 (0.8 亿元), staff for 50,000 (50 FTE at 10 per 10k): 50,000
    people are without the service (the staff's shortfall), not 70,000; 50.0% have it. Person-services count
    both shortfalls (70,000)."""
    o = solve_scenario(_write(tmp_path, TWO), out=tmp_path / "r", lang="en")
    h = _csv(tmp_path / "r", "headline.csv")
    assert list(h.iloc[0]) == ["养老服务", 2026, 50.0, 50_000, 100_000]
    assert o.results.summary["people_unserved"] == pytest.approx(70_000)


def test_chinese_words_are_the_plans(tmp_path):
    from conftest import SCENARIOS

    solve_scenario(SCENARIOS / "west.yaml", out=tmp_path / "w", lang="zh")
    t = _csv(tmp_path / "w", "targets.csv")
    assert list(t.columns) == ["年份", "指标", "范围", "实际值", "目标值", "单位", "是否达成", "差距"]
    assert {"民生支出占比", "区域间公共服务支出差距", "特殊群体服务资源配置占比（资金）"} <= set(t["指标"])
    share = t[t["指标"] == "民生支出占比"]
    assert set(share["单位"]) == {"%"} and share["目标值"].iloc[0] == pytest.approx(70.0)  # a percent, not 0.7
    wb = openpyxl.load_workbook(tmp_path / "w" / "results.xlsx")
    assert wb.sheetnames[:4] == ["简报", "分地区资金", "分类别资金", "目标达成"]
    brief = [[c for c in row if c is not None] for row in wb["简报"].iter_rows(values_only=True)]
    assert ["求解状态", "最优"] in brief and any(r and r[0] == "全部目标达成" and str(r[1]).startswith("是") for r in brief)
    money = wb["分地区资金"]
    assert money["A1"].value == "地区（亿元）" and money["A14"].value == "合计"
    assert money.cell(14, 9).value == pytest.approx(21_000)  # 3,000 亿元 a year for seven years
    assert wb.sheetnames[4:] == ["摘要", "配置明细", "指标", "约束"]
    kpis = wb["指标"]
    heads = [c.value for c in kpis[1]]
    assert heads[:3] == ["年份", "指标代码", "指标"]
    col = heads.index("实际值（单位见“单位”列）") + 1
    units = [c.value for c in kpis[chr(64 + heads.index("单位") + 1)]]
    row = units.index("比例") + 1  # a share, in Chinese: still a percent
    assert kpis.cell(row, col).number_format == "0.0%"
    assert kpis.cell(row, 3).value in ("民生支出占比", "特殊群体服务资源配置占比（资金）", "特殊群体服务资源配置占比（人员）")


def test_the_default_money_unit_is_the_budgets():
    assert money_unit_written({"resources": {"fiscal": {"budget": "20000 万元"}}}) == "万元"
    assert money_unit_written({"resources": {"fiscal": {"budget": {2026: "5e9 元"}}}}) == "元"
    assert money_unit_written({"resources": {"fiscal": {"budget": 3000}}}) == "亿元"
    assert money_unit_written({}) == "亿元"
    assert View("zh", "万元").money(12_345.0) == "12,345 万元" and View("en", "亿元").money(12_345.0) == "1.23 100m yuan"


@pytest.mark.parametrize("option, value, expected", [("--money-unit", "dollars", "one of 亿元, 万元, 元"),
                                                     ("--lang", "fr", "zh or en")])
def test_a_wrong_view_option_is_refused(invoke, tmp_path, option, value, expected):
    r = invoke("solve", _write(tmp_path, TIE), option, value, "--out", tmp_path / "r")
    assert r.exit_code == 1 and option in r.output and expected in r.output and not (tmp_path / "r").exists()


def test_the_scenarios_language_is_the_default(tmp_path):
    path = _write(tmp_path, TIE.replace("name: tie", "name: tie\nlanguage: zh"))
    solve_scenario(path, out=tmp_path / "zh")
    assert _csv(tmp_path / "zh", "headline.csv").columns[0] == "服务类别"
    solve_scenario(path, out=tmp_path / "en", lang="en")
    assert _csv(tmp_path / "en", "headline.csv").columns[0] == "service"


def test_money_in_yuan_is_whole_numbers_and_years_are_years(tmp_path):
    from conftest import SCENARIOS

    solve_scenario(SCENARIOS / "west.yaml", out=tmp_path / "w", lang="zh", money_unit="元")
    text = (tmp_path / "w" / "money_by_region.csv").read_text(encoding="utf-8-sig")
    assert "e+" not in text and ".0" not in text.split("\n")[1]  # 19204985566, not 1.920498557e+10
    assert "合计" in text and ",2100000000000\n" in text  # 3,000 亿元 x 7 years, in 元, to the yuan
    wb = openpyxl.load_workbook(tmp_path / "w" / "results.xlsx")
    ws = wb["目标达成"]
    assert ws["A1"].value == "年份" and ws["A2"].number_format == "0"  # 2030, not 2,030.00


def test_a_target_without_a_value_is_not_judged(tmp_path):
    """city-sharing's livelihood share has no money to share in (no livelihood spending line there): the row
    says n/a (不适用), not met, and is not counted among the checks."""
    from conftest import SCENARIOS

    o = solve_scenario(SCENARIOS / "city-sharing.yaml", out=tmp_path / "c", lang="zh")
    t = _csv(tmp_path / "c", "targets.csv")
    blank = t[t["实际值"].isna()]
    assert len(blank) and set(blank["是否达成"]) == {"不适用"} and blank["差距"].isna().all()
    from optimizer.postprocess.headline import all_met

    judged = all_met(o.results.kpis)[2]
    assert judged == int(t["实际值"].notna().sum())


def test_a_reader_that_stops_reading_keeps_the_runs_exit_code(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT, SCENARIOS

    cmd = (f"'{sys.executable}' -m optimizer solve '{SCENARIOS / 'west.yaml'}' --out '{tmp_path / 'w'}' | head -1; "
           "exit ${PIPESTATUS[0]}")
    r = subprocess.run(["bash", "-c", cmd], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "west: optimal" in r.stdout and (tmp_path / "w" / "headline.csv").exists()


def test_binding_targets_are_said_in_chinese(invoke, tmp_path):
    from conftest import SCENARIOS

    r = invoke("solve", SCENARIOS / "west.yaml", "--lang", "zh", "--out", tmp_path / "w")
    text = " ".join(r.output.split())
    assert r.exit_code == 0 and "west：最优" in text and "起约束作用的目标（按代价排序）" in text
    assert "2025年民生支出占比（资金）下限提高1个百分点，将再有约1,491.7万人次未获服务" in text
    assert "would leave another" not in text and "结果已写入" in text and "price of fairness" not in text
    assert "公平的代价：资金、人员和用房不变" in text and "但2028年最低服务需求满足率将为18.5%（现为40.0%" in text
    # a family without its own Chinese sentence is said from its family, year and effect
    v = View("zh")
    said = v.sentence({"family": "budget_pools", "year": 2030, "people": 123_456.0, "sentence": "english"})
    assert said == "2030年资金池起约束作用：放宽一个单位可再服务约12.3万人次"
    assert View("en").sentence({"family": "budget_pools", "sentence": "english"}) == "english"


def test_the_brief_is_one_page_of_grids(tmp_path):
    from conftest import SCENARIOS

    solve_scenario(SCENARIOS / "west.yaml", out=tmp_path / "w", lang="zh")
    ws = openpyxl.load_workbook(tmp_path / "w" / "results.xlsx")["简报"]
    rows = [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]
    assert ["资金合计", "21,000.00 亿元（2024-2030）"] in rows and ["方案", "西部12省 公共服务共建 2024-2030"] in rows
    grid = rows.index(["服务类别", "2026", "2027", "2028", "2029", "2030"])
    assert rows[grid + 1] == ["养老服务", 19.5, 20, 40, 40, 40]  # share with the standard, %, per milestone
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
