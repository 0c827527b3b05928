"""--lang zh past the headline (issue 19.3): results.xlsx's detailed sheets, the summary sheet, the report's
later sections and the terminal's objective line say in Chinese what the English says, from the same numbers."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.postprocess.detail import PHRASES, detail_sheet, unit_zh
from optimizer.postprocess.view import View

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LETTERS = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def west_zh(tmp_path_factory):
    from typer.testing import CliRunner

    from optimizer.cli import app

    out = tmp_path_factory.mktemp("zh") / "west"
    r = CliRunner().invoke(app, ["solve", str(SCENARIOS / "west.yaml"), "--out", str(out), "--report", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    return out, r.output


@pytest.mark.parametrize("phrase", [
    "100m yuan", "100m yuan above the least share", "100m yuan below the cap", "100m yuan from the nearer bound",
    "10k m2", "10k m2 above the target", "FTE", "FTE above the target", "percentage points above the floor",
    "percentage points above the target", "people served per 100m yuan more", "people served per point of share lowered",
    "people unserved per +0.1x of the cap", "people unserved per +1 m2 per person", "people unserved per +1 percentage point",
    "people unserved per +1 unit of the bound", "people unserved per +1 workers per 10k people", "people unserved per +100m yuan",
    "people unserved per +10k m2", "people unserved per +FTE", "10k yuan", "FTE per 10k people", "facilities", "index", "m2",
    "m2/person", "people", "person-services", "share", "x", "yuan/person", "100m yuan from the band's edge",
    "people unserved per unit the constraint is loosened"])
def test_every_unit_phrase_of_the_families_has_chinese_words(phrase):
    """Every slack, price and KPI unit the bundled scenarios' families write (constraints.csv, kpis.csv)."""
    assert not LETTERS.search(unit_zh(phrase)), unit_zh(phrase)


def test_units_keep_their_size_in_chinese():
    """A unit word is never another unit's (10k m2 is not m2, 100m yuan is not yuan)."""
    assert unit_zh("10k m2") == "万平方米" and unit_zh("m2") == "平方米"
    assert unit_zh("100m yuan") == "亿元" and unit_zh("10k yuan") == "万元" and unit_zh("yuan/person") == "元/人"
    assert unit_zh("people unserved per +10k m2") == "每增加万平方米少未达标准人数"
    assert unit_zh("household visits") == "household visits"  # a scenario's own unit stays its own
    assert len(PHRASES) == len({p for p, _ in PHRASES})


def test_a_constraint_row_said_in_chinese_from_its_numbers():
    row = pd.DataFrame([{"family": "personnel_density", "name": "personnel_density.A.2030", "year": 2030, "scope": "all regions",
                         "target": 15.0, "slack": -3e-14, "slack_unit": "FTE above the target", "binding": True,
                         "shadow_price": 5980.4, "shadow_unit": "people unserved per +1 workers per 10k people",
                         "meaning": "..."}])
    out = detail_sheet(row, View("zh")).iloc[0]
    assert out["meaning"] == ("2030年全部地区：每万人持证社工数，目标值15，余量0人（高于目标），起约束作用，"
                              "目标每提高1人/万人多未达标准人数约5,980")
    assert out["binding"] == "是" and out["family"] == "每万人持证社工数" and out["slack"] == -3e-14  # numbers kept
    assert detail_sheet(row, View("en")).equals(row)


def test_the_workbooks_detailed_sheets_are_chinese(west_zh):
    out, _ = west_zh
    wb = openpyxl.load_workbook(out / "results.xlsx")
    alloc = list(wb["配置明细"].iter_rows(values_only=True))
    heads = alloc[0]
    for col, allowed in (("资源", {"资金", "人员", "用房"}), ("单位", {"亿元", "人", "平方米"})):  # money in the run's unit
        assert {r[heads.index(col)] for r in alloc[1:]} == allowed
    csv = pd.read_csv(out / "allocation.csv", encoding="utf-8-sig")
    money = [r[heads.index("新增配置（单位见“单位”列）")] for r in alloc[1:] if r[heads.index("单位")] == "亿元"]
    assert sum(money) * 1e4 == pytest.approx(csv.loc[csv["unit"] == "10k yuan", "allocated"].sum(), rel=1e-9)  # the CSV: 10 digits
    kpis = {(r[0], r[1]): r for r in list(wb["指标"].iter_rows(values_only=True))[1:] if r[1] == "fiscal_outlay"}
    assert kpis[(2030, "fiscal_outlay")][4] == pytest.approx(3000.0) and kpis[(2030, "fiscal_outlay")][5] == "亿元"
    cons = pd.DataFrame(list(wb["约束"].iter_rows(values_only=True))[1:], columns=[c.value for c in wb["约束"][1]])
    for col in ("约束类别", "余量单位", "影子价格单位", "含义", "是否起约束作用"):
        assert not any(LETTERS.search(str(v)) for v in cons[col]), (col, cons[col].head())
    binding = cons[cons["是否起约束作用"] == "是"]
    assert len(binding) and all("起约束作用" in m for m in binding["含义"])
    csv = pd.read_csv(out / "constraints.csv")  # the CSV keeps the families' English for programs
    assert int(csv["binding"].sum()) == len(binding) and csv["meaning"].str.contains("[A-Za-z]{3}").all()
    kpis = list(wb["指标"].iter_rows(values_only=True))
    names = {r[2] for r in kpis[1:]}
    assert not any("_" in str(n) for n in names), [n for n in names if "_" in str(n)]
    summary = dict(list(wb["摘要"].iter_rows(values_only=True))[1:])
    assert summary["求解状态"] == "最优" and summary["目标函数值（加权万人次，按公平目标各段斜率计）"] == pytest.approx(1_120_687.8907, abs=1e-3)
    assert any(k.startswith("2030年") and "民生支出占比" in k for k in summary)


def test_the_reports_later_sections_are_chinese(west_zh):
    out, terminal = west_zh
    page = (out / "report.html").read_text(encoding="utf-8")
    page = re.sub(r"src='data:[^']*'", "", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page, flags=re.S))
    sections = page[page.index("方案目标达成情况"):page.index("运行记录")]
    text = re.sub(r"<[^>]+>", " ", sections)
    assert not re.search(r"[A-Za-z]{3,}", text.replace("objective: unserved", "")), re.findall(r"[A-Za-z]{3,}.{0,40}", text)[:5]
    rows = re.findall(r"<tr[^>]*><td>([^<]*)</td><td>(\d{4})</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>"
                      r"<td>([^<]*)</td></tr>", sections)
    assert rows[0][0] == "区域间公共服务支出差距"  # the plan's order (the families'), not the alphabet
    money = [r for r in rows if r[0] == "财政支出"]
    assert money and all(r[2:6] == ("3,000.00", "3,000.00", "3,000.00", "亿元") for r in money)  # not 30,000,000 万元
    share = next(r for r in rows if r[0] == "民生支出占比" and r[1] == "2030")
    assert share[4] == "70.0%" and share[6] == "是"
    assert "目标函数值：1,120,687.8907（加权万人次，按公平目标各段斜率计）" in terminal.replace("\n", "")


def test_an_infeasible_plan_is_said_in_chinese(invoke, tmp_path):
    """The diagnosis under --lang zh: the plan's words for each target, money in 亿元 as its --set is written,
    a share's change in points; summary.json keeps both languages, the report shows the Chinese."""
    out = tmp_path / "short"
    r = invoke("solve", SCENARIOS / "west.yaml", "--set", "resources.fiscal.budget=2000", "--lang", "zh", "--report",
               "--out", out)
    text = " ".join(r.output.split()).replace(" ", "")
    assert r.exit_code == 2 and "方案目标无法同时达成。" in text, r.output
    # rounded toward the feasible side, as the --set line is (the least budget is 2,095.4816)
    assert "财政预算须提高95.49亿元/年（至2,095.49亿元/年；精确：一次线性规划求得；已验证：按所示值可行，少1%则不可行）" in text
    assert "民生支出占比下限须降低2.06个百分点（至67.94%；二分法，精确到0.07个百分点）" in text
    assert "单独放宽区域间公共服务支出差距上限不能使方案可行" in text
    import json

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["diagnosis"]) == len(summary["diagnosis_zh"]) and "must be lowered" in summary["diagnosis"][0]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "方案目标无法同时达成" in page and "财政预算须提高95.49亿元/年" in page


def test_the_terminals_kpi_label_keeps_its_own_brackets(invoke, tmp_path):
    r = invoke("solve", SCENARIOS / "west.yaml", "--lang", "zh", "--out", tmp_path / "w")
    assert "未达标准人数（单项）（最多：社区综合服务 / 人员）" in r.output and "one category" not in r.output


@pytest.mark.parametrize("english, chinese", [
    ("by 2030, 2032-2035 the social workers target needs at least 1,409,420 FTE added, but supply allows 140,000 FTE up to then",
     "到2030, 2032-2035年，每万人持证社工数目标至少需新增1,409,420人，但供给到那时只允许140,000人"),
    ("by 2027 the coverage targets need at least 5,000 FTE of facility staff hired, but supply allows 3,000 FTE",
     "到2027年，养老服务设施覆盖目标至少需招聘设施人员5,000人，但供给只允许3,000人"),
    ("2026 fiscal budget 5.2 bn yuan is below the 6.0 bn yuan the category floors need",
     "2026年财政预算52.0亿元低于服务类别下限所需的60.0亿元"),
    ("2026-2027 personnel supply 20,000 FTE is below the 25,000 FTE the category floors need",
     "2026-2027年人员供给20,000人低于服务类别下限所需的25,000人"),
    ("2024-2030: the non-livelihood floors (45.0 bn yuan) and the 70% livelihood share need a budget of at least "
     "150.0 bn yuan, found 50.0 bn yuan", "2024-2030年：非民生类下限（450.0亿元）与70%的民生支出占比要求预算至少1,500.0亿元，实际为500.0亿元"),
    ("2028 fiscal budget 300.0 bn yuan is below the 310.5 bn yuan needed at the least: 200.0 bn yuan to lift the "
     "worst-funded up to the 1.50x cap and 110.5 bn yuan in salaries for the workers the density target needs",
     "2028年财政预算3,000.0亿元低于至少所需的3,105.0亿元：将人均支出最低者提升至1.50倍上限所需2,000.0亿元与社工密度目标所需新增人员工资1,105.0亿元"),
    ("the floor of 2024-2030年累计投入, 5,000.0 bn yuan, is above the yearly budgets of its years together, 2,100.0 bn yuan",
     "资金池“2024-2030年累计投入”的下限50,000.0亿元高于其各年预算之和21,000.0亿元"),
    ("the ceiling of all, 480.0 million yuan, is below the 1.2 bn yuan the category floors need in its years",
     "资金池“all”的上限4.80亿元低于其年份内服务类别下限所需的12.0亿元"),
    ("the community space target needs 1,200 10k m2 more, but no category has a facility standard to add them under",
     "人均社区服务用房面积目标还需1,200万平方米，但没有任何服务类别设有facility标准可供配置"),
])
def test_every_pre_solve_finding_is_said_in_chinese(english, chinese):
    """Each template the families' checks write (models/*: check=), with its money in 亿元 (1 bn yuan = 10亿元)."""
    from optimizer.postprocess.detail import finding_zh

    assert finding_zh(english) == chinese
    assert finding_zh("one answer among equally good ones: held") == "one answer among equally good ones: held"  # unknown: as written


def test_the_terminals_pre_solve_findings_are_chinese(invoke, tmp_path):
    r = invoke("solve", SCENARIOS / "plan.yaml", "--lang", "zh", "--out", tmp_path / "p")
    text = " ".join(r.output.split()).replace(" ", "")
    assert r.exit_code == 2 and "预检：到2030年，每万人持证社工数目标至少需新增1,409,420人，但供给到那时只允许140,000人" in text
    assert "check:" not in r.output and "supply allows" not in r.output
