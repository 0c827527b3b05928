"""How an answer is shown: its language (--lang zh|en) and money unit (--money-unit 亿元|万元|元), chosen
once per run and used by every output a person reads (terminal, headline and money tables, xlsx).

The files a program reads back (allocation.csv, kpis.csv, constraints.csv: the recheck, `--near`, compare)
keep their own fixed units and ids; what is chosen here is for people. The words are one table, TERMS, with
the plan's own terms where it has them (the plan is written in traditional characters; the table gives the
simplified forms a finance bureau on the mainland uses, the plan's words quoted beside)."""
from __future__ import annotations

import locale
import os
from dataclasses import dataclass

import numpy as np

from optimizer.units import DIMENSIONS

LANGS = ("zh", "en")
# the money units offered (--money-unit), their size in yuan, and their English names
MONEY_UNITS = {"亿元": (1e8, "100m yuan"), "万元": (1e4, "10k yuan"), "元": (1.0, "yuan")}

TERMS: dict[str, tuple[str, str]] = {  # key: (English, Chinese)
    # the plan's targets, in its words
    "livelihood_share_fiscal": ("livelihood share of money", "民生支出占比"),  # "民生支出占比提升至70%以上"
    # "特殊群體服務資源配置占比提升至25%": one share per resource
    "special_group_share_fiscal": ("special-group share of money", "特殊群体服务资源配置占比（资金）"),
    "special_group_share_personnel": ("special-group share of personnel", "特殊群体服务资源配置占比（人员）"),
    "special_group_share_facility": ("special-group share of space", "特殊群体服务资源配置占比（用房）"),
    # "專業社工持證人員數量達到每萬人15名"
    "social_workers_per_10k": ("licensed social workers per 10k people", "每万人持证社工数"),
    # "按人均0.5平方米標準配建社區服務用房"
    "community_space_per_person": ("community space per person", "人均社区服务用房面积"),
    # "區域間公共服務支出差距縮小至1.5倍以內" (public service), "城鄉基本公共服務支出差距縮小至1.8倍以內"
    "public_service_max_min_ratio": ("public-service spending per person, highest region over lowest",
                                     "区域间公共服务支出差距"),
    "co_construction_max_min_ratio": ("co-construction spending per person, highest region over lowest",
                                      "区域间共建共融财政支出差距"),  # "人均共建共融財政支出"
    "public_service_gini": ("public-service spending per person, Gini", "人均公共服务支出基尼系数"),
    "public_service_theil": ("public-service spending per person, Theil", "人均公共服务支出泰尔指数"),
    "per_capita_public_service": ("public-service spending per person", "人均公共服务支出"),
    "per_capita_co_construction": ("co-construction spending per person", "人均共建共融财政支出"),
    "need_met_share": ("share of a service's need met", "服务需求满足率"),
    "renewal_done": ("old space renewed", "老旧设施更新改造面积"),
    "renewal_outlay": ("money spent on renewal", "老旧设施更新改造投入"),
    "m2_building_avoided_by_sharing": ("space not built thanks to sharing", "因共享少建的服务用房面积"),
    "budget_pool_outlay": ("money spent from a budget pool", "资金池累计投入"),
    "budget_pool_share": ("a budget pool's share to a group", "资金池投向占比"),
    "renewal_share": ("share of the old space renewed", "老旧设施更新改造比例"),
    # "養老服務設施覆蓋所有城市社區和90%以上行政村"
    "coverage_elderly_care_communities": ("elderly-care facilities: share of urban communities", "养老服务设施社区覆盖率"),
    "coverage_elderly_care_villages": ("elderly-care facilities: share of villages", "养老服务设施行政村覆盖率"),
    "scope:groups": ("across groups of regions", "各区域组间"),
    "scope:all regions": ("all regions", "全部地区"),
    "resource:fiscal": ("money", "资金"),
    "resource:personnel": ("staff", "人员"),
    "resource:facility": ("space", "用房"),
    "scope:regions": ("across regions", "各地区间"),
    "scope:lowest category and resource, all regions": ("lowest service and resource, all regions",
                                                        "最低的服务类别与资源，全部地区"),
    "scope:all categories and resources": ("all services and resources", "全部服务类别与资源"),
    "people_unserved": ("people without a standard (one category and resource)", "未达标准人数（单项）"),
    "people_unserved_total": ("person-services unserved", "未满足服务人次"),
    "fiscal_outlay": ("fiscal outlay", "财政支出"),
    "need_met_lowest": ("lowest share of a service's need met", "服务需求满足率（最低）"),
    # the families, as the binding targets are grouped (the plan's words where it has them)
    "family:facility_standard": ("community space standard", "人均社区服务用房面积标准"),
    "family:livelihood_share": ("livelihood share", "民生支出占比"),
    "family:personnel_density": ("licensed social workers per 10k people", "每万人持证社工数"),
    "family:special_groups_share": ("special-group share", "特殊群体服务资源配置占比"),
    "family:regional_gap": ("regional gap", "区域间公共服务支出差距"),
    "family:urban_rural_gap": ("urban-rural gap", "城乡基本公共服务支出差距"),
    "family:category_bounds": ("bounds on a service's allocation", "服务类别配置上下限"),
    "family:supply": ("supply: budget, staff and construction capacity", "供给能力：预算、人员与建设能力"),
    "family:budget_pools": ("budget pools", "资金池"),
    "family:coverage": ("elderly-care facility coverage", "养老服务设施覆盖"),
    "family:renewal": ("renewal of old space", "老旧设施更新改造"),
    "family:need_met": ("share of need met", "需求满足率"),
    "family:density": ("staff and space per person", "人员与用房密度"),
    "family:staffing": ("space needs staff", "用房配备人员"),
    "family:custom": ("custom rules", "自定义规则"),
    # headline
    "status": ("status", "求解状态"),
    "optimal": ("optimal", "最优"),
    "infeasible": ("infeasible: the targets cannot all be met", "不可行：目标无法同时达成"),
    "time_limit": ("stopped at the time limit", "达到时间上限"),
    "targets_not_met": ("targets not met", "未达成目标"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "share_with_standard": ("share of people with the standard", "标准覆盖率"),
    "people_without": ("people without the standard", "未达标准人数"),
    "category": ("service", "服务类别"),
    "kpi": ("indicator", "指标"),
    "scope": ("scope", "范围"),
    "people_for": ("people the standard is for", "服务对象人口（按标准测算）"),
    "not_applicable": ("n/a", "不适用"),
    "region": ("province", "地区"),
    "year": ("year", "年份"),
    "total": ("total", "合计"),
    "money_by_region": ("plan money by province and year", "分地区分年度资金"),
    "money_by_category": ("plan money by service and year", "分类别分年度资金"),
    "money_by_year": ("plan money by year, each scenario", "各方案分年度资金"),
    "money_total": ("plan money in all", "资金合计"),
    "money_note": ("new money, salaries of staff added and construction of space built",
                   "新增资金、新增人员工资与新建用房投资"),
    "services_title": ("coverage of each service's standard", "各类服务标准覆盖情况"),
    "services_note": ("people without a service's standard: in each province the largest shortfall among its "
                      "money, staff and space, in people; coverage: the rest of the people the standard is for",
                      "未达标准人数：各地区资金、人员、用房三项缺口中折合人数最多的一项；覆盖率：其余人口占该服务对象人口的比例"),
    "target": ("target", "目标值"),
    "value": ("value", "实际值"),
    "met": ("met", "是否达成"),
    "gap": ("gap", "差距"),
    "unit": ("unit", "单位"),
    "objective_note": ("the objective counts person-services: a person short of one service's standard in one "
                       "resource for one year is one; it is the LP's measure, not a count of people",
                       "目标函数以“人次”计：一人一年在一类服务的一项资源上未达标准计为1人次；为模型度量，并非人数"),
    "brief": ("brief", "简报"),
    "sheet:money": ("money by province", "分地区资金"),
    "sheet:money_by_category": ("money by service", "分类别资金"),
    "sheet:targets": ("targets", "目标达成"),
    "none": ("none", "无"),
    # results.xlsx's detailed sheets in Chinese (the CSV files keep their column names)
    "sheet:summary": ("summary", "摘要"),
    "sheet:status": ("status", "求解状态"),
    "sheet:money by year": ("money by year", "分年度资金"),
    "sheet:need_met": ("need_met", "需求满足率"),
    "sheet:inputs": ("inputs", "输入差异"),
    "sheet:changes": ("changes", "计划调整"),
    "col:scenario": ("scenario", "方案"),
    "col:status": ("status", "求解状态"),
    "col:key": ("key", "键"),
    "sheet:allocation": ("allocation", "配置明细"),
    "sheet:kpis": ("kpis", "指标"),
    "sheet:constraints": ("constraints", "约束"),
    "col:item": ("item", "项目"),
    "col:value_col": ("value", "内容"),
    "col:region": ("region", "地区代码"),
    "col:region_name": ("region name", "地区"),
    "col:category": ("category", "类别代码"),
    "col:category_name": ("category name", "服务类别"),
    "col:resource": ("resource", "资源"),
    "col:year": ("year", "年份"),
    "col:unit": ("unit", "单位"),
    "col:allocated": ("allocated", "新增配置（单位见“单位”列）"),
    "col:baseline": ("baseline", "基数（单位见“单位”列）"),
    "col:shared": ("shared", "共享（单位见“单位”列）"),
    "col:level": ("level", "配置水平（单位见“单位”列）"),
    "col:need": ("need", "需求（单位见“单位”列）"),
    "col:unmet": ("unmet", "缺口（单位见“单位”列）"),
    "col:people_unserved": ("people unserved", "未达标准人数（人）"),
    "col:need_met_share": ("share of need met", "需求满足率"),
    "col:kpi": ("kpi", "指标代码"),
    "col:kpi_name": ("kpi name", "指标"),
    "col:name": ("name", "约束行名"),
    "col:scope": ("scope", "范围"),
    "col:value": ("value", "实际值（单位见“单位”列）"),
    "col:target": ("target", "目标值（单位见“单位”列）"),
    "col:met": ("met", "是否达成"),
    "col:family": ("family", "约束类别"),
    "col:slack": ("slack", "余量（单位见“余量单位”列）"),
    "col:slack_unit": ("slack unit", "余量单位"),
    "col:binding": ("binding", "是否起约束作用"),
    "col:shadow_price": ("shadow price", "影子价格（单位见“影子价格单位”列）"),
    "col:shadow_unit": ("shadow price unit", "影子价格单位"),
    "col:meaning": ("meaning", "含义"),
    "scenario": ("scenario", "方案"),
    "most_costly": ("the binding targets that cost the most", "起约束作用且代价最高的目标"),
    "every_target_met": ("every target met", "全部目标达成"),
    "binding_title": ("binding targets, by what they cost", "起约束作用的目标（按代价排序）"),
    "written_to": ("results written to", "结果已写入"),
    "run_line": ("{name}: {status}  solver {solver}, build {build:.2f}s, solve {solve:.2f}s",
                 "{name}：{status}  求解器 {solver}，建模 {build:.2f} 秒，求解 {solve:.2f} 秒"),
    "met_counts": ("{missed:,} of {judged:,} target checks (every year and region) not met",
                   "{judged:,}项目标检查（各年、各地区）中{missed:,}项未达成"),
    "cell_note": ("share with the standard / people without it, M = million", "覆盖率 / 未达标准人数（万人）"),
    "objective": ("objective", "目标函数值"),
    # units
    "unit:share": ("%", "%"),
    "unit:people": ("people", "人"),
    "unit:x": ("x", "倍"),
    "unit:m2/person": ("m2 per person", "平方米/人"),
    "unit:FTE per 10k people": ("per 10k people", "人/万人"),
    "unit:person-services": ("person-services", "人次"),
    "unit:FTE": ("FTE", "人"),
    "unit:m2": ("m2", "平方米"),
}


# KPI ids made from a spending line, a facility type or a subpopulation: (suffix, English, Chinese) around
# the line's words; (prefix, English, Chinese) around the rest of the id
LINE_KPIS = (("_baseline_max_min_ratio", "{line}, highest region over lowest, before new money", "{line}区域差距（新增资金前）"),
             ("_ratio_narrowed", "{line}: regional gap narrowed by new money", "{line}区域差距缩小幅度"),
             ("_max_min_ratio", "{line}, highest region over lowest", "{line}区域差距"),
             ("_gini", "{line}, Gini", "{line}基尼系数"), ("_theil", "{line}, Theil", "{line}泰尔指数"))
OTHER_KPIS = (("facilities_built_", "{rest} facilities built", "新建{rest}设施数"),
              ("people_with_space_within_", "people with space within {rest}", "{rest}内可达服务用房的人口"),
              ("subpopulation_", "residents: {rest}", "人口：{rest}"))
PLACES = {"communities": ("urban communities", "城市社区"), "villages": ("villages", "行政村")}


def choose_lang(asked: str | None, scenario_language: str | None = None) -> str:
    """--lang, else the scenario's `language:`, else the locale (zh for a Chinese one), else en."""
    if asked:
        return asked
    if scenario_language:
        return scenario_language
    loc = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    if not loc:
        try:
            loc = locale.getlocale()[0] or ""
        except ValueError:
            loc = ""
    return "zh" if loc.lower().startswith("zh") else "en"


def money_unit_written(raw: dict) -> str:
    """The money unit the scenario's budget is written in: the unit of its first amount written with one,
    else 亿元 (a bare number of a budget or pool is in 100m yuan)."""
    fiscal = ((raw.get("resources") or {}).get("fiscal") or {}) if isinstance(raw.get("resources"), dict) else {}
    budget = fiscal.get("budget") if isinstance(fiscal, dict) else None
    values = list(budget.values()) if isinstance(budget, dict) else [budget]
    for v in values:
        if isinstance(v, str):
            unit = v.strip().lstrip("0123456789.,_+-eE ").strip().lower()
            yuan = DIMENSIONS["money"][1].get(unit)
            for name, (size, _) in MONEY_UNITS.items():
                if yuan == size:
                    return name
    return "亿元"


@dataclass(frozen=True)
class View:
    lang: str = "en"
    money_unit: str = "亿元"

    def t(self, key: str, default: str | None = None) -> str:
        """The word for key in this language (the key itself, or default, where the table has none)."""
        words = TERMS.get(key)
        if words is None:
            return default if default is not None else key
        return words[1] if self.lang == "zh" else words[0]

    def kpi_name(self, kpi: str) -> str:
        """A KPI id in this language: the plan's term where the table has one, else said from the id's parts
        (a spending line's gap before new money, a facility type's count, ...), else the id in words."""
        if kpi in TERMS:
            return self.t(kpi)
        zh = self.lang == "zh"
        for end, en, cn in LINE_KPIS:
            if kpi.endswith(end):
                line = kpi.removesuffix(end)
                words = self.t(f"per_capita_{line}", f"{line.replace('_', ' ')} spending per person")
                return (cn if zh else en).format(line=words)
        for place, (pen, pzh) in PLACES.items():  # a declared facility type's coverage (the plan's: in TERMS)
            if kpi.startswith("coverage_") and kpi.endswith("_" + place):
                fid = kpi.removeprefix("coverage_").removesuffix("_" + place)
                return f"{fid}设施{pzh}覆盖率" if zh else f"{fid.replace('_', ' ')} facilities: share of {pen}"
        for start, en, cn in OTHER_KPIS:
            if kpi.startswith(start):
                rest = kpi.removeprefix(start)
                if start == "subpopulation_" and rest.endswith("_share"):
                    return (f"人口占比：{rest.removesuffix('_share')}" if zh else f"residents' share: {rest.removesuffix('_share')}")
                for place, (pen, pzh) in PLACES.items():
                    if rest.endswith("_" + place):
                        rest = f"{rest.removesuffix('_' + place)}" + (f"（{pzh}）" if zh else f" ({pen})")
                rest = rest.replace("_minutes", "分钟" if zh else " minutes")
                return (cn if zh else en).format(rest=rest if zh else rest.replace("_", " "))
        return kpi.replace("_", " ")

    @property
    def money_label(self) -> str:
        return self.money_unit if self.lang == "zh" else MONEY_UNITS[self.money_unit][1]

    def money_from_10k(self, v):
        """Amounts in 10k yuan (the tables' unit: a number or an array) in this view's unit."""
        return v * (1e4 / MONEY_UNITS[self.money_unit][0])

    def people_cell(self, n: float) -> str:
        """A count of people for a table cell whose title gives the unit: 万人 (6,941.1), or 69.4M."""
        n = 0.0 if not np.isfinite(n) or abs(n) < 0.5 else n
        if self.lang == "zh":
            return f"{n / 1e4:,.1f}"
        return f"{n / 1e6:,.1f}M" if abs(n) >= 1e6 else f"{n:,.0f}"

    def money(self, v10k: float) -> str:
        """An amount given in 10k yuan, in this view's unit, with it."""
        v = self.money_from_10k(v10k)
        v = 0.0 if abs(v) < 5e-3 else v
        return f"{v:,.2f} {self.money_label}" if self.money_unit == "亿元" else f"{v:,.0f} {self.money_label}"

    def sentence(self, b: dict) -> str:
        """A binding target's summary in this language: the family's own Chinese where it has one, else said
        from its family, year and effect."""
        if self.lang != "zh":
            return str(b["sentence"])
        if b.get("sentence_zh"):
            return str(b["sentence_zh"])
        from optimizer.units import people_zh

        fam = self.t(f"family:{b.get('family', '')}", str(b.get("family", "")))
        return f"{b.get('year', '')}年{fam}起约束作用：放宽一个单位可再服务{people_zh(float(b.get('people', 0.0)))}"

    @property
    def colon(self) -> str:
        return "：" if self.lang == "zh" else ": "

    def paren(self, text: str) -> str:
        """A unit or note in brackets: full-width in Chinese."""
        return f"（{text}）" if self.lang == "zh" else f" ({text})"

    @property
    def money_digits(self) -> int:
        """Places money is shown to in this unit: 0.01 亿元 or 万元, whole 元."""
        return 0 if self.money_unit == "元" else 2

    def money_rounded(self, frame):
        """Money rounded to its unit (as whole numbers in 元: no 1.9e+10 in a CSV)."""
        if self.money_digits == 0:
            return frame.round(0).astype("int64") + 0
        return frame.round(self.money_digits) + 0.0

    def scope(self, scope: str) -> str:
        """A KPI's scope in this language: its words where the table has them, resource ids in words."""
        if f"scope:{scope}" in TERMS:
            return self.t(f"scope:{scope}")
        if self.lang == "zh":  # a pool's floor or ceiling, a tilt's group (budget_pools' scopes)
            for en, zh in ((" (floor)", "（下限）"), (" (ceiling)", "（上限）"), (": central+west", "：中西部")):
                if scope.endswith(en):
                    return scope[: -len(en)] + zh
        head, sep, tail = scope.rpartition(" / ")
        return f"{head}{sep}{self.t('resource:' + tail, tail)}" if sep else scope

    def unit(self, unit: str) -> str:
        if unit == "10k yuan":
            return self.money_label
        return self.t(f"unit:{unit}", unit)
