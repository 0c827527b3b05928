"""The diagnosis of an infeasible plan in Chinese (--lang zh): the same findings as optimizer.diagnose's English
lines, from the same numbers, with the plan's words for its targets and money in 亿元 (as its --set lines)."""
from __future__ import annotations

from optimizer.diagnose import CONSTANT, Combination, Diagnosis, Relaxation, Together, _number, _runs, _years_later
from optimizer.postprocess.detail import unit_zh

# a knob's words, by its key (the plan's terms where it has them); a knob not listed is said by its family
KNOB_ZH = {
    "targets.regional_gap.cap": "区域间公共服务支出差距上限",
    "targets.urban_rural_gap.cap": "城乡基本公共服务支出差距上限",
    "targets.livelihood_share.min": "民生支出占比下限",
    "targets.special_groups_share.min": "特殊群体服务资源配置占比下限",
    "targets.personnel_density.min": "每万人持证社工数目标",
    "targets.facility_standard.min": "人均社区服务用房面积目标",
    "targets.renewal.min": "老旧设施更新改造比例目标",
    "resources.fiscal.budget": "财政预算",
    "resources.personnel.supply": "人员供给",
    "resources.facility.supply": "用房建设能力",
}
FAMILY_ZH = {"coverage": "养老服务设施覆盖率目标", "need_met": "服务需求满足率下限", "budget_pools": "资金池",
             "density": "人员与用房密度目标", "custom": "自定义约束", "category_bounds": "服务类别配置上下限"}


def knob_zh(r: Relaxation) -> str:
    k = r.knob
    key = ".".join(str(p) for p in k.path)
    words = KNOB_ZH.get(key) or (_pool_zh(k.what) if k.family == "budget_pools" else
                                 f"{FAMILY_ZH.get(k.family, k.family)}（{k.what}）")
    return words + ("的时间节点" if k.delay else "")


def _pool_zh(what: str) -> str:
    """A budget pool's knob ('ceiling of 2024-2030年累计投入', 'least share of ... for central+west')."""
    for en, zh in (("ceiling of ", "上限"), ("floor of ", "下限"), ("yearly band of ", "年度区间")):
        if what.startswith(en):
            return f"资金池“{what[len(en):]}”{zh}"
    if what.startswith("least share of ") and " for " in what:
        pool, _, group = what[len("least share of "):].rpartition(" for ")
        return f"资金池“{pool}”投向{group.replace('central+west', '中西部')}的最低占比"
    return f"资金池（{what}）"


def amount_zh(v: float, unit: str, change: bool = False, up: bool | None = None) -> str:
    """The amount optimizer.diagnose shows (the same number, _number), with its unit in Chinese; a change of a
    share in percentage points (2.05个百分点), a share itself as a percent."""
    n = _number(v, unit, up)
    if unit == "share":
        return n + ("个百分点" if change else "%")
    if unit == "x":
        return n + "倍"
    if unit == "100m yuan":
        return n + "亿元/年"
    if unit == "100m yuan in all":
        return n + "亿元（合计）"
    return n + unit_zh(unit)


def _how_zh(r: Relaxation) -> str:
    if r.shift is None or r.knob.delay:
        return ""
    how = ("精确：一次线性规划求得" if r.exact else
           f"二分法，精确到{amount_zh(r.step, r.knob.unit, True)}" if r.step is not None else "")
    checked = {"checked: feasible as printed, infeasible 1% short": "已验证：按所示值可行，少1%则不可行"}.get(r.checked)
    if checked is None and r.checked.startswith("checked: the LP's point"):
        checked = "已验证：线性规划的解满足按所示值设定的方案，更少则由其最优性证明不可行"
    return "；".join(x for x in (how, checked or r.checked) if x)


def sentence_zh(r: Relaxation) -> str:
    k, what = r.knob, knob_zh(r)
    if r.shift is None:
        if r.undecided:
            return f"单独放宽{what}能否使方案可行：未能判定（{r.undecided}）"
        if k.delay:
            return f"{what}即使推迟到规划期最后一年，也不能单独使方案可行"
        return f"单独放宽{what}不能使方案可行"
    assert r.schedule is not None
    if k.delay:
        when = "，".join(f"{span}年：{amount_zh(v, k.unit)}" for span, v in _runs(r.schedule))
        return f"{what}须推迟{_years_later(r.shift)}年（{when}）"
    verb = "提高" if k.sign > 0 else "降低"
    up = k.sign > 0
    shown = (f"至{amount_zh(r.schedule[CONSTANT], k.unit, up=up)}" if CONSTANT in r.schedule else
             "，".join(f"{span}年：{amount_zh(v, k.unit, up=up)}" for span, v in _runs(r.schedule)))
    if r.at_least is not None:
        return (f"{what}{verb}{amount_zh(r.shift, k.unit, True, True)}（{shown}）可使方案可行；最小调整量在"
                f"{amount_zh(r.at_least, k.unit, True)}与此之间，未再细分：{r.undecided}")
    how = f"；{_how_zh(r)}" if _how_zh(r) else ""
    return f"{what}须{verb}{amount_zh(r.shift, k.unit, True, True)}（{shown}{how}）"


def together_zh(t: Together) -> list[str]:
    keeps = "全部目标不变" if t.keeps == "every target" else "资源不变"
    if t.feasible is None:
        return [f"{keeps}：未能判定（{t.undecided}）"]
    if not t.feasible:
        return [f"{keeps}：即使同时放宽全部{'资源' if t.keeps == 'every target' else '目标'}也不够"]
    sets = " ".join(r.set_option for r in t.relaxations if r.schedule is not None)
    return [f"{keeps}，同时：{'；并且'.join(sentence_zh(r) for r in t.relaxations)}   （{sets}）"]


def lines_zh(d: Diagnosis) -> list[str]:
    ok = [r for r in d.relaxations if r.shift is not None]
    out = [sentence_zh(r) + f"   （{r.set_option}）" for r in ok]
    if ok:
        out[0] = "以下任一项可使方案可行：" + out[0]
    elif any(r.undecided for r in d.relaxations):
        out.append("未找到可单独使方案可行的目标或供给；部分未能判定")
    else:
        out.append("没有任何单一目标或供给可单独放宽使方案可行：多项目标共同冲突")
    for t in d.together:
        out += together_zh(t)
    out += [sentence_zh(r) for r in d.relaxations if r.shift is None]
    if d.iis:
        shown = ", ".join(d.iis[:12]) + (" ..." if len(d.iis) > 12 else "")
        out.append(f"不可约不可行约束集（{len(d.iis)}行）：{shown}")
    return out


def combination_zh(c: Combination) -> list[str]:
    said = "，".join(f"{k} ×{w:g}" for k, w in c.weights.items())
    if c.feasible is None:
        return [f"最低代价组合（{said}）：未能判定（{c.why}）"]
    if not c.feasible:
        within = "（各下限至多调整到其最低年份达到下限为止；单独调整一项时二分法可调整更多）" if c.why else ""
        return [f"最低代价组合（{said}）：同时调整这些也不能使方案可行{within}"]
    changed = [r for r in c.relaxations if r.shift]
    sets = " ".join(r.set_option for r in changed)
    return [f"最低代价组合（{said}；精确：一次线性规划求得；{'已验证：按所示值可行' if 'feasible as printed' in c.checked else c.checked}）："
            f"{'；'.join(sentence_zh(r) for r in changed) or '无需调整'}   （{sets}）"]


__all__ = ["combination_zh", "lines_zh", "sentence_zh"]
