"""Self-contained HTML reports (charts embedded as PNG data) for solve, compare and sweep folders.

Chinese names need a CJK font for the charts: the first installed one of
CJK_FONTS is used; without one the charts fall back to region and category ids
and the report says so.
"""
from __future__ import annotations

import base64
import html
import io
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import InputError, Problem, Where
from optimizer.postprocess.coverage import coverage
from optimizer.postprocess.detail import prices_note, unit_zh
from optimizer.postprocess.headline import all_met, money_wide
from optimizer.postprocess.kpis import AGGREGATE_SCOPES, line_ratio_kpis
from optimizer.postprocess.places import REPORT_MARK, atomic_file, is_our_report
from optimizer.postprocess.readback import MANIFEST_SHAPE, SOLVE_FILES, read_result_csv, read_result_json, read_solve_folder, require_files, writer_of
from optimizer.postprocess.view import MONEY_UNITS, View, choose_lang

log = logging.getLogger("opt")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Source Han Sans SC",
             "Droid Sans Fallback", "SimHei", "Microsoft YaHei", "PingFang SC")
def _plt():
    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # weight fallbacks are not news
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return matplotlib, plt


def cjk_font() -> str | None:
    """The name of an installed CJK font, or None. A font installed after matplotlib wrote its font cache is
    not in that cache (the README's apt-get install, after a first run): where none is found there, the
    system's font folders are read once more and the cache rewritten, so the next run finds it at once."""
    matplotlib, _ = _plt()
    from matplotlib import font_manager as fm

    def known() -> str | None:
        installed = {f.name for f in fm.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in installed), None)

    found = known()
    if found is None:
        listed = {f.fname for f in fm.fontManager.ttflist}
        added = 0
        for path in fm.findSystemFonts():
            if path not in listed:
                try:
                    fm.fontManager.addfont(path)
                    added += 1
                except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read: not a font for us
                    continue
        found = known()
        if added:
            cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{fm.FontManager.__version__}.json"
            try:
                fm.json_dump(fm.fontManager, cache)
            except OSError:  # a read-only cache folder: found again next run, a moment slower
                pass
    return found


class Charts:
    def __init__(self):
        self.matplotlib, self.plt = _plt()
        self.font = cjk_font()
        if self.font:
            self.matplotlib.rcParams["font.sans-serif"] = [self.font, "DejaVu Sans"]
            self.matplotlib.rcParams["axes.unicode_minus"] = False
        else:
            log.warning("no CJK font found (install fonts-wqy-zenhei or fonts-noto-cjk): charts use ids instead of Chinese names")

    def label(self, name: str, fallback: str) -> str:
        return name if self.font or name.isascii() else fallback

    def png(self, fig) -> str:
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=110)
        self.plt.close(fig)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _words(view: View | None):
    """en, zh -> the one of this view's language (English without a view: compare and sweep reports)."""
    return (lambda en, zh: zh) if view is not None and view.lang == "zh" else (lambda en, zh: en)


def _table(df: pd.DataFrame, max_rows: int = 60, bad: pd.Series | None = None, view: View | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for i, (_, r) in enumerate(df.head(max_rows).iterrows()):
        cls = ' class="bad"' if bad is not None and bool(bad.iloc[i]) else ""
        cells = "".join(f"<td>{html.escape(_cell(v, view))}</td>" for v in r)
        rows.append(f"<tr{cls}>{cells}</tr>")
    more = (f"<p class='note'>{_words(view)(f'{len(df) - max_rows:,} more rows in the CSV.', f'另有{len(df) - max_rows:,}行见CSV文件。')}</p>"
            if len(df) > max_rows else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _cell(v, view: View | None = None) -> str:
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            return ""
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"
    if isinstance(v, (bool, np.bool_)):
        return (view.t("yes") if v else view.t("no")) if view is not None and view.lang == "zh" else "yes" if v else "NO"
    return str(v)


PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">""" + REPORT_MARK + """<title>{title}</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:2em auto;max-width:1100px;color:#222}}
h1{{font-size:1.6em}}h2{{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}}
table{{border-collapse:collapse;font-size:.85em;margin:.5em 0}}td,th{{border:1px solid #ddd;padding:3px 7px;text-align:right}}
th{{background:#eef2f7}}td:first-child,th:first-child{{text-align:left}}tr.bad td{{background:#f8d7d7}}
.status{{font-size:1.2em;font-weight:bold}}.ok{{color:#1a7f37}}.not{{color:#b42318}}.note{{color:#666;font-size:.85em}}
img{{max-width:100%;border:1px solid #eee}}ul li{{margin:.2em 0}}</style></head><body>
{body}
</body></html>"""


def solve_report(folder: Path, lang: str | None = None, money_unit: str | None = None) -> str:
    f = read_solve_folder(folder, sharing=True)
    summary, manifest, scenario = f.summary, f.manifest, f.scenario or {}
    given = summary.get("headline")
    head: dict = given if isinstance(given, dict) else {}
    view = View(choose_lang(lang or head.get("lang"), scenario.get("language")),
                money_unit or head.get("money_unit") or "亿元")
    ch = Charts()
    title = scenario.get("title") or summary.get("scenario", folder.name)
    status = summary.get("status", "?")
    shown = view.t(status, status) if view.lang == "zh" else status
    parts = [f"<h1>{html.escape(str(title))}</h1>",
             f"<p class='status {'ok' if status == 'optimal' else 'not'}'>{html.escape(summary.get('scenario', '') + view.colon.rstrip())}"
             f"{' ' if view.lang != 'zh' else ''}{html.escape(shown)}</p>"]
    w = _words(view)
    if not ch.font:
        parts.append("<p class='note'>No CJK font was found when this report was made: charts show ids instead of Chinese names "
                     "(install fonts-wqy-zenhei or fonts-noto-cjk).</p>")
    if "diagnosis" in summary:
        parts.append(f"<h2>{w('The plan' + chr(39) + 's targets cannot all be met', '方案目标无法同时达成')}</h2><ul>" +
                     "".join(f"<li>{html.escape(line)}</li>" for line in
                             (summary.get("diagnosis_zh") or summary["diagnosis"] if view.lang == "zh" else summary["diagnosis"]))
                     + "</ul>")
    if f.kpis is not None and f.allocation is not None:
        kpis, alloc = f.kpis, f.allocation
        parts += _headline_section(f, view)
        parts.append(f"<p class='note'>{html.escape(view.t('people_unserved_total'))}: "
                     f"{summary.get('people_unserved', float('nan')):,.0f} — {html.escape(view.t('objective_note'))}</p>")
        solver = f"{summary.get('solver', '')}/{summary.get('method', '')}"
        seconds = float((manifest.get("timings_seconds") or {}).get("solve", 0.0))  # summary.json holds no timings
        parts.append("<p>" + html.escape(w(f"Solver {solver}, solve {seconds:.2f}s.",
                                           f"求解器 {solver}，求解 {seconds:.2f} 秒。")) + "</p>")
        parts += _targets_section(kpis, view)
        parts += _pcs_section(kpis, scenario, ch, view)
        order = region_order(scenario, kpis)
        parts += _allocation_section(alloc, ch, order, view)
        parts += _shares_section(kpis, ch, view)
        parts += _coverage_section(alloc, kpis, summary, view)
        parts += _unserved_section(alloc, ch, order, view)
        if summary.get("binding_targets"):
            if note := prices_note(summary, view):
                parts.append(f"<p class='note'>{html.escape(note)}{w('.', '。')}</p>")
            parts += _binding_section(summary["binding_targets"], view)
        if "providers" in f.tables and "flows" in f.tables:
            parts += _sharing_section(f.tables["providers"], f.tables["flows"], ch, view)
    parts.append(f"<h2>{w('Manifest', '运行记录')}</h2>" + _table(pd.DataFrame(
        [(w("scenario", "方案文件"), manifest.get("scenario")), (w("scenario sha256", "方案文件 sha256"), manifest.get("scenario_sha256")),
         (w("overrides", "参数覆盖"), "; ".join(o["set"] for o in manifest.get("overrides", [])) or w("none", "无")),
         (w("solver", "求解器"), json.dumps(manifest.get("solver"))), (w("status", "求解状态"), manifest.get("status"))]
        + [(k, v) for k, v in manifest.get("versions", {}).items()], columns=[w("item", "项目"), w("value", "内容")])))
    return PAGE.format(title=html.escape(str(title)), body="\n".join(parts))


def region_order(scenario: dict, kpis: pd.DataFrame) -> list[str]:
    """Region names in the one order every table and chart of a report uses: by group (as the scenario lists
    its regions' groups), then by per-capita spending in the last year (the capped line's, else the last line's),
    lowest first."""
    regions = scenario.get("regions") or []
    names = [r.get("name") or r["id"] for r in regions]
    groups: dict[str, int] = {}
    for r in regions:
        groups.setdefault(str(r.get("group") or ""), len(groups))
    ratios = line_ratio_kpis(kpis["kpi"].unique()) if len(kpis) else []
    spend: dict[str, float] = {}
    if ratios:
        line = ratios[-1].removesuffix("_max_min_ratio")
        pcs = kpis[kpis["kpi"] == f"per_capita_{line}"]
        if len(pcs):
            last = pcs[pcs["year"] == pcs["year"].max()]
            spend = dict(zip(last["scope"].astype(str), pd.to_numeric(last["value"], errors="coerce")))
    key = {n: (groups[str(r.get("group") or "")], spend.get(n, np.inf), i) for i, (n, r) in enumerate(zip(names, regions))}
    return sorted(names, key=lambda n: key[n])


def _headline_section(f, view: View) -> list[str]:
    """What a bureau reports first (optimizer.postprocess.headline), from the folder: every target met, each
    service's coverage at the milestones, the money by province and year in the view's unit."""
    head = f.summary.get("headline")
    if not isinstance(head, dict) or f.kpis is None:
        return []
    t = view.t
    met, missed, judged = all_met(f.kpis)
    verdict = f"<span class='{'ok' if met else 'not'}'>{t('yes') if met else t('no')}</span>"
    out = [f"<p class='status'>{html.escape(t('every_target_met') + view.colon)}{verdict}"
           f"{html.escape(view.paren(t('met_counts').format(missed=missed, judged=judged)))}</p>"]
    services = pd.DataFrame(head.get("services") or [])
    if len(services):
        alloc = f.allocation if f.allocation is not None else pd.DataFrame(columns=["category", "category_name"])
        first = alloc.drop_duplicates("category")
        names = dict(zip(first["category"].astype(str), first["category_name"].astype(str)))
        wide = services.assign(cell=[f"{s:.1%} / {view.people_cell(w)}" for s, w in
                                     zip(services["share_with_standard"], services["people_without"])])
        wide = wide.pivot_table(index="category", columns="year", values="cell", aggfunc="first", sort=False)
        wide.index = [names.get(c, c) for c in wide.index]
        wide.index.name = t("category")
        wide.columns = [str(c) for c in wide.columns]
        out += [f"<h2>{html.escape(t('services_title'))}{html.escape(view.paren(t('cell_note')))}</h2>",
                _table(wide.reset_index(), 100), f"<p class='note'>{html.escape(t('services_note'))}</p>"]
    money = f.tables.get("money")
    if money is not None and len(money):
        table = money_wide(money, "region_name", t("region"), view, region_order(f.scenario or {}, f.kpis))
        digits = view.money_digits
        for c in table.columns[1:]:
            table[c] = [f"{v:,.{digits}f}" for v in table[c]]
        out += [f"<h2>{html.escape(t('money_by_region'))}{html.escape(view.paren(view.money_label))}</h2>",
                _table(table, 200), f"<p class='note'>{html.escape(t('money_note'))}</p>"]
    return out


def _binding_section(binding: list[dict], view: View) -> list[str]:
    """Binding targets grouped by family: the costliest sentence of each, and the years the family binds."""
    if not binding:
        return []
    groups: dict[str, dict] = {}
    for b in binding:  # sorted by what they cost: the first of a family is its costliest
        g = groups.setdefault(str(b.get("family", "")), {"sentence": view.sentence(b), "years": set(), "n": 0})
        if b.get("year") is not None:
            g["years"].add(str(b["year"]))
        g["n"] += 1
    items = []
    for fam, g in groups.items():
        years = ", ".join(sorted(g["years"]))
        words = view.t(f"family:{fam}", fam.replace("_", " "))
        more = view.paren(f"{g['n']}项；{years}" if view.lang == "zh" else f"{g['n']} rows; {years}") if years else ""
        items.append(f"<li><b>{html.escape(words)}</b>{html.escape(more + view.colon)}{html.escape(g['sentence'])}</li>")
    title = "起约束作用的目标（按类别，各取代价最高的一项）" if view.lang == "zh" else \
        "Binding targets, by family (the costliest of each, and the years they bind)"
    return [f"<h2>{title}</h2><ul>" + "".join(items) + "</ul>"]


def _targets_section(kpis: pd.DataFrame, view: View) -> list[str]:
    """Each target at its milestones, in the order the KPIs come (the plan's families, not the alphabet): the
    lowest and highest value over its scopes, the target, met or not; shares as percents."""
    w = _words(view)
    t = kpis[kpis["target"].notna()].copy()
    if t.empty:
        return []
    t["met"] = t["met"].astype(str)
    agg = t.groupby(["kpi", "year"], sort=False).agg(
        unit=("unit", "first"), worst=("value", "min"), best=("value", "max"), target=("target", "first"),
        met=("met", lambda m: (m == "True").all())).reset_index()
    rank = {k: i for i, k in enumerate(dict.fromkeys(t["kpi"]))}
    agg = agg.sort_values(["kpi", "year"], key=lambda c: c.map(rank) if c.name == "kpi" else c, kind="stable")

    def shown(v, unit):  # money in the view's unit (kpis.csv holds 10k yuan)
        if not np.isfinite(v):
            return ""
        if unit == "10k yuan":
            return f"{view.money_from_10k(float(v)):,.{view.money_digits}f}"
        return f"{v:.1%}" if unit == "share" else _cell(float(v))

    table = pd.DataFrame({
        w("target", "指标"): [view.kpi_name(k) for k in agg["kpi"]], w("year", "年份"): agg["year"].astype(str),
        w("lowest value", "最低值"): [shown(v, u) for v, u in zip(agg["worst"], agg["unit"])],
        w("highest value", "最高值"): [shown(v, u) for v, u in zip(agg["best"], agg["unit"])],
        w("target value", "目标值"): [shown(v, u) for v, u in zip(agg["target"], agg["unit"])],
        w("unit", "单位"): ["%" if u == "share" else view.money_label if u == "10k yuan" else w(u, unit_zh(u))
                           for u in agg["unit"]],
        w("met", "是否达成"): [(view.t("yes") if m else view.t("no")) if view.lang == "zh" else "yes" if m else "NO"
                              for m in agg["met"]]})
    return [f"<h2>{w('The plan' + chr(39) + 's targets', '方案目标达成情况')}</h2>",
            _table(table, max_rows=200, bad=~agg["met"].reset_index(drop=True), view=view)]


def _pcs_section(kpis: pd.DataFrame, scenario: dict, ch: Charts, view: View) -> list[str]:
    """The line a cap is on (the one whose ratio has a target), else the last line given."""
    ratios = line_ratio_kpis(kpis["kpi"].unique())
    if not ratios:
        return []
    capped = [r for r in ratios if pd.to_numeric(kpis.loc[kpis["kpi"] == r, "target"], errors="coerce").notna().any()]
    ratio_kpi = (capped or ratios)[-1]
    line = ratio_kpi.removesuffix("_max_min_ratio")
    w = _words(view)
    words = view.t(f"per_capita_{line}", f"{line.replace('_', ' ')} spending per person")
    pcs = kpis[kpis["kpi"] == f"per_capita_{line}"]
    regions = pcs[~pcs["scope"].astype(str).str.match(r"^(group|area) ")]
    if regions.empty:
        return []
    last = int(regions["year"].max())
    rank = {n: i for i, n in enumerate(region_order(scenario, kpis))}  # the report's one order, top to bottom
    part = regions[regions["year"] == last]
    part = part.assign(rank=[rank.get(str(v), len(rank)) for v in part["scope"]]).sort_values("rank", ascending=False)
    ids = {r.get("name") or r["id"]: r["id"] for r in scenario.get("regions", [])}
    fig, ax = ch.plt.subplots(figsize=(10, max(3, 0.28 * len(part) + 1)))
    labels = [ch.label(str(s), ids.get(str(s), str(s))) for s in part["scope"]]
    ax.barh(labels, part["value"], color="#4c78a8")
    # the cap a family set on the regions' max/min ratio, as kpis.csv holds it beside the KPI
    ratio = kpis[(kpis["kpi"] == ratio_kpi) & (kpis["scope"] == "regions")
                 & (kpis["year"] == last)]
    cap = float(pd.to_numeric(ratio["target"], errors="coerce").iloc[0]) if len(ratio) else float("nan")
    if np.isfinite(cap):
        lo = float(part["value"].min())
        ax.axvspan(lo, lo * cap, color="#f2cf5b", alpha=0.25, label=w(f"cap band: min to {cap:.2f} x min", f"上限区间：最低值至其{cap:.2f}倍"))
        ax.legend(loc="lower right")
    ax.set_xlabel(w(f"{words}, {last} (yuan/person, baseline and new money)", f"{last}年{words}（元/人，基数与新增资金）"))
    table = part[["scope", "value"]].rename(columns={"scope": w("region", "地区"), "value": w(f"yuan/person in {last}", f"{last}年（元/人）")})
    title = w(f"{words} by region, {last}", f"分地区{words}（{last}年）")
    return [f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' src='{ch.png(fig)}'>",
            f"<details><summary>{w('the numbers', '数据')}</summary>" + _table(table.iloc[::-1], 400, view=view) + "</details>"]


def _ordered(pivot: pd.DataFrame, part: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """A chart's rows (region labels) in the report's one region order, the first at the top."""
    label = dict(zip(part["region_name"].astype(str), part["rl"]))
    wanted = [label[n] for n in order if n in label and label[n] in pivot.index]
    rows = wanted + [r for r in pivot.index if r not in wanted]
    return pivot.loc[rows[::-1]]  # barh and imshow draw the last row at the top


def _allocation_section(alloc: pd.DataFrame, ch: Charts, order: list[str] | None = None, view: View | None = None) -> list[str]:
    w = _words(view)
    out = [f"<h2>{w('Allocation by category and resource', '分类别分资源新增配置')}</h2>"]
    units = alloc.drop_duplicates("resource")  # every resource, in the axis order: money, staff and space types
    for res, unit in zip(units["resource"].astype(str), units["unit"].astype(str)):
        part = alloc[alloc["resource"] == res]
        if part.empty or part["allocated"].abs().sum() == 0:
            continue
        names = part["region_name"].astype(str)
        part = part.assign(rl=[ch.label(n, i) for n, i in zip(names, part["region"])],
                           cl=[ch.label(str(n), str(i)) for n, i in zip(part["category_name"], part["category"])])
        pivot = part.pivot_table(index="rl", columns="cl", values="allocated", aggfunc="sum").fillna(0)
        pivot = _ordered(pivot, part, order) if order else pivot.loc[pivot.sum(axis=1).sort_values().index]
        if unit == "10k yuan" and view is not None:  # money in the unit the run was asked for, as its tables
            pivot, unit = view.money_from_10k(pivot), MONEY_UNITS[view.money_unit][1]
        fig, ax = ch.plt.subplots(figsize=(10, max(3, 0.28 * len(pivot) + 1.5)))
        pivot.plot.barh(stacked=True, ax=ax, width=0.8, colormap="tab20")
        shown = view.t(f"resource:{res}", res) if view is not None else res
        ax.set_xlabel(w(f"{res}: new allocation, all years ({unit})",
                        f"{shown}：各年新增配置合计（{unit_zh(unit)}）"))
        ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the bars, not on them
        ax.set_ylabel("")
        ax.xaxis.set_major_formatter(ch.matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        out.append(f"<img alt='{res} allocation by region and category' src='{ch.png(fig)}'>")
    return out


def _shares_section(kpis: pd.DataFrame, ch: Charts, view: View) -> list[str]:
    k = kpis[kpis["kpi"].isin(["livelihood_share_fiscal", "special_group_share_fiscal", "special_group_share_personnel"])
             & (kpis["scope"] == "all regions")]
    if k.empty:
        return []
    fig, ax = ch.plt.subplots(figsize=(9, 4))
    for i, (name, part) in enumerate(k.groupby("kpi")):
        color = f"C{i}"
        label = view.kpi_name(str(name)) if ch.font or view.lang != "zh" else str(name)
        ax.plot(part["year"], part["value"], marker="o", color=color, label=label)
        if part["target"].notna().any():
            ax.plot(part["year"], part["target"], ls="--", color=color, label=f"{label}{view.colon}{view.t('target')}")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(ch.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    title = _words(view)("Livelihood and special-group shares over the years", "民生支出占比与特殊群体服务资源配置占比（各年）")
    return [f"<h2>{title}</h2><img alt='{title}' src='{ch.png(fig)}'>"]


def _heat(share: float) -> str:
    """A cell's background: red at 0% of need met through yellow to green at 100%."""
    if not np.isfinite(share):
        return ""
    s = min(max(share, 0.0), 1.0)
    r, g = (255, int(80 + 175 * s / 0.5)) if s < 0.5 else (int(255 - 175 * (s - 0.5) / 0.5), 220)
    return f' style="background:rgb({r},{g},120)"'


def _coverage_section(alloc: pd.DataFrame, kpis: pd.DataFrame, summary: dict, view: View) -> list[str]:
    """The share of need met, region x category, for the milestone years (the years targets fall in, and the
    last): the lowest over money, staff and space, each value printed."""
    if not {"need", "unmet"} <= set(alloc.columns):
        return []
    cov = coverage(alloc)
    if cov.empty:
        return []
    years = sorted(set(kpis.loc[kpis["target"].notna(), "year"]) | {int(cov["year"].max())})
    if len(years) > 4:
        years = years[:: max(1, len(years) // 3)][:3] + [years[-1]]
    w = _words(view)
    parts = [f"<h2>{w('Share of need met, by region and category', '分地区分类别服务需求满足率')}</h2>",
             "<p class='note'>" + w("For each region and service, the lowest share of its need met over money, staff and "
                                    "space (need: the people it serves times the standard).",
                                    "各地区各类服务在资金、人员、用房三项中最低的需求满足率（需求：服务对象人数乘以标准）。") + "</p>"]
    price = summary.get("price_of_fairness")
    if price:
        parts.append(f"<p>{html.escape(price.get('sentence_zh', price['sentence']) if view.lang == 'zh' else price['sentence'])}{w('.', '。')}</p>")
    regions = list(dict.fromkeys(cov["region_name"].astype(str)))
    cats = list(dict.fromkeys(cov["category_name"].astype(str)))
    for y in years:
        part = cov[cov["year"] == y]
        grid = part.pivot_table(index="region_name", columns="category_name", values="need_met_share",
                                aggfunc="min", observed=True)
        grid = grid.reindex(index=[r for r in regions if r in grid.index], columns=[c for c in cats if c in grid.columns])
        head = f"<th>{w('region', '地区')}</th>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in grid.columns)
        body = "".join("<tr><td>" + html.escape(str(r)) + "</td>" + "".join(
            f"<td{_heat(v)}>{'' if not np.isfinite(v) else f'{v:.0%}'}</td>" for v in row) + "</tr>"
            for r, row in zip(grid.index, grid.to_numpy(dtype=float)))
        parts.append(f"<h3>{y}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return parts


def _unserved_section(alloc: pd.DataFrame, ch: Charts, order: list[str] | None = None, view: View | None = None) -> list[str]:
    w = _words(view)
    part = alloc.assign(rl=[ch.label(str(n), str(i)) for n, i in zip(alloc["region_name"], alloc["region"])],
                        cl=[ch.label(str(n), str(i)) for n, i in zip(alloc["category_name"], alloc["category"])])
    pivot = part.pivot_table(index="rl", columns="cl", values="people_unserved", aggfunc="sum").fillna(0)
    if pivot.values.sum() <= 0:
        return [f"<h2>{w('People unserved', '未达标准人数')}</h2><p>{w('Every standard is met.', '各项标准均已达到。')}</p>"]
    if order:
        pivot = _ordered(pivot, part, order).iloc[::-1]  # imshow draws the first row at the top
    values = pivot.values / 1e4  # 10k person-services: a scale without matplotlib's "1e8" offset
    fig, ax = ch.plt.subplots(figsize=(10, max(3, 0.3 * len(pivot) + 1.5)))
    im = ax.imshow(values, aspect="auto", cmap="Reds")
    ax.set_xticks(range(len(pivot.columns)), pivot.columns, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(pivot.index)), pivot.index, fontsize=8)
    if values.size <= 600:  # each cell's value on it, where they fit
        top = values.max()
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize=6,
                    color="white" if v > 0.6 * top else "black")
    bar = fig.colorbar(im, ax=ax, label=w("person-services unserved, all years and resources (10k)",
                                          "未满足服务人次，各年各资源合计（万人次）" if ch.font else "person-services unserved (10k)"))
    bar.ax.yaxis.set_major_formatter(ch.matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    title = w("Person-services unserved by category and region", "分地区分类别未满足服务人次")
    return [f"<h2>{title}</h2><img alt='{title}' src='{ch.png(fig)}'>"]


def _sharing_section(prov: pd.DataFrame, flows: pd.DataFrame, ch: Charts, view: View | None = None) -> list[str]:
    w = _words(view)
    if prov.empty:
        return []
    last = int(prov["year"].max())
    p = prov[prov["year"] == last].sort_values("utilisation")
    fig, ax = ch.plt.subplots(figsize=(9, max(3, 0.22 * len(p) + 1)))
    ax.barh(p["provider"] + " (" + p["kind"] + ")", p["utilisation"], color="#59a14f")
    ax.xaxis.set_major_formatter(ch.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(w(f"share of shareable space used, {last}", f"{last}年可共享用房利用率" if ch.font else f"share used, {last}"))
    top = flows[flows["year"] == last].sort_values("amount_m2", ascending=False)
    flows_shown = top[["provider", "provider_kind", "community", "amount_m2", "travel_minutes"]]
    if view is not None and view.lang == "zh":
        flows_shown = flows_shown.set_axis(["提供方", "提供方类型", "社区", "共享面积（平方米）", "出行时间（分钟）"], axis=1)
    return [f"<h2>{w('Facility sharing', '设施共享')}{view.paren(str(last)) if view else f', {last}'}</h2>"
            f"<img alt='provider utilisation' src='{ch.png(fig)}'>",
            f"<p>{w('Largest flows:', '共享量最大的流向：')}</p>", _table(flows_shown, 20, view=view)]


def compare_report(folder: Path) -> str:
    require_files(folder, ["status.csv", "inputs.csv", "kpis.csv"], writer="opt compare",
                  holds=["status.csv", "inputs.csv", "kpis.csv", "allocation.csv", "need_met.csv", "compare.xlsx"])
    status = read_result_csv(folder / "status.csv", ["scenario", "status"], rows=True)
    labels = [str(s) for s in status["scenario"]]
    k = read_result_csv(folder / "kpis.csv", ["year", "kpi", "scope", "unit"] + labels, numeric=["year"] + labels)
    inputs = read_result_csv(folder / "inputs.csv", ["key"])
    ch = Charts()
    parts = ["<h1>Scenario comparison</h1>", _table(status)]
    if k.empty:
        parts.append("<p>No KPIs: no scenario compared has a solution.</p>")
    else:
        year = int(k["year"].max())
        agg = k[(k["year"] == year) & k["scope"].isin(AGGREGATE_SCOPES)]
        parts += [f"<h2>KPIs in {year}</h2>", _table(agg[["kpi", "scope", "unit"] + labels], 100)]
    tot = k[(k["kpi"] == "people_unserved_total")]
    if not tot.empty:
        fig, ax = ch.plt.subplots(figsize=(9, 4))
        for lab in labels:
            ax.plot(tot["year"], tot[lab], marker="o", label=lab)
        ax.set_ylabel("person-services unserved")
        ax.yaxis.set_major_formatter(ch.matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.legend()
        ax.grid(alpha=0.3)
        parts.append(f"<h2>People unserved over the years</h2><img alt='people unserved by scenario' src='{ch.png(fig)}'>")
    if (folder / "need_met.csv").exists():  # written by opt compare since the fair objective (issue 22)
        cov = read_result_csv(folder / "need_met.csv", ["region", "category", "year"] + labels,
                              numeric=["year"] + labels)
        if not cov.empty:
            year = int(cov["year"].max())
            last = cov[cov["year"] == year]
            cols = [c for c in ("region_name", "category_name") if c in last.columns] or ["region", "category"]
            shown = last[cols + [c for c in last.columns if c in labels or " - " in c]]
            parts += [f"<h2>Share of need met in {year}, by region and category</h2>",
                      "<p class='note'>The lowest over money, staff and space; the differences are against the first "
                      "scenario.</p>", _table(shown, 120)]
    parts += ["<h2>Inputs that differ</h2>", _table(inputs, 100)]
    return PAGE.format(title="scenario comparison", body="\n".join(parts))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sweep_report(folder: Path) -> str:
    require_files(folder, ["sweep.csv", "sweep.png", "manifest.json"], writer="opt sweep")
    table = read_result_csv(folder / "sweep.csv", ["point", "status"])
    png = (folder / "sweep.png").read_bytes()
    if not png.startswith(PNG_SIGNATURE):
        raise InputError([Problem(Where(str(folder / "sweep.png")), "", "expected the PNG image opt sweep draws, found "
                                  + ("an empty file" if not png else "a file that is not a PNG image"))])
    img = "data:image/png;base64," + base64.b64encode(png).decode()
    manifest = read_result_json(folder / "manifest.json", MANIFEST_SHAPE, "manifest.json of opt sweep")
    vary = ", ".join(f"{v['key']} ({len(v['values'])} values)" for v in manifest.get("vary", []))
    parts = [f"<h1>Sweep of {html.escape(str(manifest.get('scenario_name', '')))}</h1>", f"<p>Varied: {html.escape(vary)}</p>",
             f"<img alt='trade-off curve' src='{img}'>", "<h2>Points</h2>", _table(table, 200, bad=table["status"] != "optimal")]
    return PAGE.format(title="sweep", body="\n".join(parts))


def report(folder: Path, lang: str | None = None, money_unit: str | None = None) -> str:
    """The report's page: of a sweep, a comparison or a solve, by the files FOLDER holds; a folder that
    is none of these (or a damaged one) is an InputError, and no page."""
    folder = Path(folder)
    writer = writer_of(folder)
    if writer == "opt sweep":
        return sweep_report(folder)
    if writer == "opt compare":
        return compare_report(folder)
    if writer is None:
        require_files(folder, ["manifest.json", "summary.json"], holds=SOLVE_FILES,
                      why="; opt report also reads the folders of opt compare (status.csv, inputs.csv, kpis.csv) "
                          "and of opt sweep (sweep.csv, sweep.png, manifest.json)")
    return solve_report(folder, lang, money_unit)


def write_report(folder: Path, target: Path, lang: str | None = None, money_unit: str | None = None) -> None:
    """The report of FOLDER written to TARGET in one step (a temporary file renamed into place); an existing
    TARGET is replaced only if it is a report opt wrote."""
    text = report(folder, lang, money_unit)
    with atomic_file(target, is_our_report) as tmp:
        tmp.write_text(text, encoding="utf-8")
