"""results.xlsx's detailed sheets (allocation, KPIs, constraints) and summary rows in the run's language.

The CSV files keep ids and English units (programs read them back); under --lang zh the workbook's copy
says the same in Chinese: resources, units, families and scopes in the plan's words, and each constraint's
meaning said again from its row's own numbers (the families' English sentences stay in constraints.csv)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from optimizer.postprocess.view import MONEY_UNITS, View

# unit words, longest first where one holds another ("10k m2" before "m2")
UNIT_ZH = (("percentage points", "个百分点"), ("percentage point", "个百分点"), ("workers per 10k people", "人/万人"),
           ("FTE per 10k people", "人/万人"), ("per 10k", "人/万人"), ("m2 per person", "平方米/人"), ("m2/person", "平方米/人"),
           ("yuan/person", "元/人"), ("100m yuan", "亿元"), ("10k yuan", "万元"), ("10k m2", "万平方米"),
           ("person-services", "人次"), ("facilities", "处设施"), ("FTE", "人"), ("m2", "平方米"), ("people", "人"),
           ("yuan", "元"), ("index", "指数"), ("share", "比例"), ("x", "倍"))
# a slack's or shadow price's phrase around its unit, in the order tried
PHRASES = ((r"^people unserved per \+(\d[\d.]*)x of the cap$", r"上限每放宽\1倍少未达标准人数"),
           (r"^people unserved per \+(\d[\d.]*) unit of the bound$", r"界限每移动\1个单位少未达标准人数"),
           (r"^people unserved per unit the constraint is loosened$", "约束每放宽一个单位少未达标准人数"),
           (r"^people unserved per \+(\d[\d.]*) (.+)$", r"目标每提高\1\2多未达标准人数"),
           (r"^people unserved per \+(.+)$", r"每增加\1少未达标准人数"),
           (r"^people served per point of share lowered$", "占比每降低1个百分点多服务人数"),
           (r"^people served per (.+) more$", r"每增加\1多服务人数"),
           (r"^(.+) below the cap$", r"\1（距上限）"), (r"^(.+) above the least share$", r"\1（高于最低占比）"),
           (r"^(.+) above the target$", r"\1（高于目标）"), (r"^(.+) above the floor$", r"\1（高于下限）"),
           (r"^(.+) from the nearer bound$", r"\1（距较近的界限）"), (r"^(.+) from the band's edge$", r"\1（距区间边界）"))
FLAGS = ("binding", "met")


def unit_zh(text: str) -> str:
    """A unit, or a slack's or shadow price's phrase, in Chinese: unit words replaced, known phrases
    reworded; a unit a scenario declared itself (its own words) stays as written."""
    for pattern, repl in PHRASES:
        if re.match(pattern, text):
            text = re.sub(pattern, repl, text)
            break
    for en, zh in UNIT_ZH:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(en)}(?![A-Za-z0-9])", zh, text)
    return text


def _meaning(row, view: View) -> str:
    """A constraint's row said in Chinese from its own numbers (year, scope, family, target, slack, price)."""
    family = view.t(f"family:{row.family}", str(row.family))
    parts = [f"{row.year}年{view.scope(str(row.scope))}：{family}"]
    if pd.notna(row.target):  # a share's target as a percent beside its slack in points
        points = "percentage point" in str(row.slack_unit)
        parts.append(f"目标值{row.target * 100:,.4g}%" if points else f"目标值{row.target:,.4g}")
    slack = 0.0 if abs(row.slack) < 1e-6 else row.slack  # a solver's 1e-14 is no slack
    parts.append(f"余量{slack:,.4g}{unit_zh(str(row.slack_unit))}")
    if row.binding:
        price = abs(float(row.shadow_price))
        parts.append("起约束作用" + (f"，{unit_zh(str(row.shadow_unit))}约{price:,.0f}" if price >= 0.5 else ""))
    else:
        parts.append("未起约束作用")
    return "，".join(parts)


def _flag(b, view: View):
    if isinstance(b, (bool, np.bool_)) or b in ("True", "False"):
        return view.t("yes") if b in (True, "True") else view.t("no")
    return b


MONEY_COLUMNS = ("value", "target", "allocated", "baseline", "shared", "level", "need", "unmet")


def _in_money_unit(df: pd.DataFrame, view: View) -> pd.DataFrame:
    """Rows whose unit is 10k yuan (kpis.csv's, allocation.csv's) in the view's money unit, with its name; a
    constraint's slack in 100m yuan likewise: the workbook in the one unit the run was asked for."""
    out = df.copy()
    for col in ("unit", "slack_unit"):  # categorical columns (allocation.csv's) take new words as text
        if col in out.columns and isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
    if "unit" in out.columns:
        rows = (out["unit"] == "10k yuan").to_numpy()
        if rows.any():
            for col in (c for c in MONEY_COLUMNS if c in out.columns and pd.api.types.is_numeric_dtype(out[c])):
                out.loc[rows, col] = view.money_from_10k(out.loc[rows, col].to_numpy(dtype=float))
            out.loc[rows, "unit"] = MONEY_UNITS[view.money_unit][1]  # its English name (zh: translated after)
    if "slack_unit" in out.columns and pd.api.types.is_numeric_dtype(out["slack"]):
        rows = out["slack_unit"].astype(str).str.startswith("100m yuan").to_numpy()
        if rows.any():
            out.loc[rows, "slack"] = view.money_from_10k(out.loc[rows, "slack"].to_numpy(dtype=float) * 1e4)
            out.loc[rows, "slack_unit"] = out.loc[rows, "slack_unit"].astype(str).str.replace(
                "100m yuan", MONEY_UNITS[view.money_unit][1], regex=False)
    return out


def detail_sheet(df: pd.DataFrame, view: View) -> pd.DataFrame:
    """One detailed table as the workbook shows it: money in the view's unit; in Chinese under zh."""
    if df.empty:
        return df
    out = _in_money_unit(df, view)
    if view.lang != "zh":
        return out
    if "meaning" in out.columns and {"family", "slack", "slack_unit", "binding"} <= set(out.columns):
        out["meaning"] = [_meaning(r, view) for r in out.itertuples(index=False)]
    for col in ("unit", "slack_unit", "shadow_unit"):
        if col in out.columns:
            out[col] = out[col].astype(str).map({u: unit_zh(u) for u in out[col].astype(str).unique()})
    if "resource" in out.columns:
        out["resource"] = out["resource"].astype(str).map(lambda r: view.t(f"resource:{r}", r))
    if "scope" in out.columns:
        out["scope"] = out["scope"].astype(str).map({s: view.scope(s) for s in out["scope"].astype(str).unique()})
    if "family" in out.columns:
        out["family"] = out["family"].astype(str).map(lambda f: view.t(f"family:{f}", f))
    if "status" in out.columns:  # a run's status (compare's status sheet)
        out["status"] = out["status"].astype(str).map(lambda v: view.t(v, v))
    for col in FLAGS:
        if col in out.columns:  # True/False, and '' where a KPI has no target
            out[col] = out[col].map(lambda b: _flag(b, view))
    return out


def summary_rows(name: str, status: str, people: float, objective: float, objective_unit: str,
                 binding: list[dict], warnings: list[str], view: View) -> list[tuple[str, object]]:
    """The summary sheet's rows: the run, its objective in its unit, the binding targets (their sentences in
    this language), then the warnings."""
    if view.lang != "zh":
        rows: list[tuple[str, object]] = [("scenario", name), ("status", status), ("person-services unserved (person-services)", people),
                                          (f"objective ({objective_unit})", objective)]
        rows += [(f"binding: {b['family']} {b['year']}", b["sentence"]) for b in binding[:30]]
        return rows + [("warning", w) for w in warnings]
    rows = [(view.t("scenario"), name), (view.t("status"), view.t(status, status)),
            (f"{view.t('people_unserved_total')}（人次）", people),
            (f"{view.t('objective')}（{objective_unit_zh(objective_unit)}）", objective)]
    rows += [(f"{b['year']}年{view.t('family:' + str(b['family']), str(b['family']))}", view.sentence(b))
             for b in binding[:30]]
    return rows + [("提示", finding_zh(w)) for w in warnings]


OBJECTIVE_UNIT_ZH = {"weighted 10k people, counted at the fair penalty's slopes": "加权万人次，按公平目标各段斜率计",
                     "weighted 10k people": "加权万人次", "weighted 10k people (its second stage)": "加权万人次（第二阶段）",
                     "100m yuan": "亿元"}


def objective_unit_zh(unit: str) -> str:
    return OBJECTIVE_UNIT_ZH.get(unit, unit)


def prices_note(summary: dict, view: View) -> str:
    """What the binding targets' people mean under the run's objective (summary.json's shadow_prices_count),
    in this language; '' where there is nothing to say."""
    note = str(summary.get("shadow_prices_count") or "")
    if not note or view.lang != "zh":
        return note
    lo_hi = summary.get("shadow_prices_weights")
    if lo_hi:
        return f"公平目标下，以上人次按所在服务需求的未满足程度加权，每人计{lo_hi[0]:g}至{lo_hi[1]:g}次"
    return "目标为最低成本时所有需求均已满足：以上以“人次”表述的数字实为目标函数的单位，即亿元成本"


WHAT_ZH = {"social workers": "每万人持证社工数", "community space": "人均社区服务用房面积", "fiscal budget": "财政预算",
           "personnel supply": "人员供给", "build capacity": "用房建设能力"}
YEARS = r"(?P<years>\d{4}(?:[-, ]+\d{4})*)"


def money_zh(text: str) -> str:
    """Sentence money (fmt_money_yuan's '5.2 bn yuan', '480.0 million yuan', '12,000 yuan') in 亿元 or 元."""
    def one(m: re.Match) -> str:
        x, scale = float(m.group(1).replace(",", "")), m.group(2)
        return f"{x * 10:,.1f}亿元" if scale == "bn" else f"{x / 100:,.2f}亿元" if scale == "million" else f"{x:,.0f}元"
    return re.sub(r"(-?\d[\d,]*\.?\d*) (bn|million)? ?yuan", one, text)


FINDINGS_ZH = (  # the pre-solve check's proofs (the families' `check`), English -> Chinese
    (rf"^by {YEARS} the (?P<what>.+?) target needs at least (?P<n>[\d,]+) (?P<unit>.+?) added(?P<shared>.*?), but "
     r"supply allows (?P<m>[\d,]+) (?P=unit) up to then$",
     lambda g: f"到{g['years']}年，{WHAT_ZH.get(g['what'], g['what'])}目标至少需新增{g['n']}{unit_zh(g['unit'])}"
               f"{'（已计入共享用房）' if g['shared'] else ''}，但供给到那时只允许{g['m']}{unit_zh(g['unit'])}"),
    (rf"^by {YEARS} the coverage targets need at least (?P<n>[\d,]+) FTE of facility staff hired, but supply allows "
     r"(?P<m>[\d,]+) FTE$",
     lambda g: f"到{g['years']}年，养老服务设施覆盖目标至少需招聘设施人员{g['n']}人，但供给只允许{g['m']}人"),
    (rf"^{YEARS} (?P<what>.+?) (?P<have>-?\d[\d,.]* .+?) is below the (?P<need>.+?) the category floors need$",
     lambda g: f"{g['years']}年{WHAT_ZH.get(g['what'], g['what'])}{_amount_zh(g['have'])}低于服务类别下限所需的"
               f"{_amount_zh(g['need'])}"),
    (rf"^{YEARS}: the non-livelihood floors \((?P<a>[^)]*)\) and the (?P<s>\d+%) livelihood share need a budget of at "
     r"least (?P<b>.+?), found (?P<c>.+)$",
     lambda g: f"{g['years']}年：非民生类下限（{money_zh(g['a'])}）与{g['s']}的民生支出占比要求预算至少"
               f"{money_zh(g['b'])}，实际为{money_zh(g['c'])}"),
    (rf"^{YEARS} fiscal budget (?P<b>.+?) is below the (?P<n>.+?) needed at the least: (?P<parts>.+)$",
     lambda g: f"{g['years']}年财政预算{money_zh(g['b'])}低于至少所需的{money_zh(g['n'])}："
               + "与".join(_need_zh(p) for p in g["parts"].split(" and "))),
    (r"^the floor of (?P<p>.+?), (?P<a>.+?), is above the yearly budgets of its years together, (?P<b>.+)$",
     lambda g: f"资金池“{g['p']}”的下限{money_zh(g['a'])}高于其各年预算之和{money_zh(g['b'])}"),
    (r"^the ceiling of (?P<p>.+?), (?P<a>.+?), is below the (?P<b>.+?) the category floors need in its years$",
     lambda g: f"资金池“{g['p']}”的上限{money_zh(g['a'])}低于其年份内服务类别下限所需的{money_zh(g['b'])}"),
    (r"^the (?P<what>.+?) target needs (?P<n>[\d,]+) (?P<unit>.+?) more, but no category has a (?P<res>\w+) standard "
     r"to add them under$",
     lambda g: f"{WHAT_ZH.get(g['what'], g['what'])}目标还需{g['n']}{unit_zh(g['unit'])}，但没有任何服务类别设有"
               f"{g['res']}标准可供配置"),
)


def _amount_zh(text: str) -> str:
    """'20,000 FTE' -> '20,000人', '5.2 bn yuan' -> '52.0亿元': a number and its unit, no space between."""
    number, _, unit = money_zh(text).partition(" ")
    return number + unit_zh(unit) if unit else number


def _need_zh(part: str) -> str:
    for pattern, words in ((r"^(?P<m>.+?) in salaries for the workers the density target needs$", "社工密度目标所需新增人员工资{m}"),
                           (r"^(?P<m>.+?) to lift the worst-funded up to the (?P<cap>[\d.]+)x cap$", "将人均支出最低者提升至{cap}倍上限所需{m}")):
        m = re.match(pattern, part)
        if m:
            return words.format(m=money_zh(m.group("m")), **{k: v for k, v in m.groupdict().items() if k != "m"})
    return money_zh(part)


def finding_zh(text: str) -> str:
    """A pre-solve finding or warning in Chinese where its template is known; else as written."""
    for pattern, said in FINDINGS_ZH:
        m = re.match(pattern, text)
        if m:
            return said(m.groupdict())
    return text
