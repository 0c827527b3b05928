"""What the terminal shows after a solve: status, KPIs at milestones, binding targets."""
from __future__ import annotations

import numpy as np
import pandas as pd
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from optimizer.backend.status import Status
from optimizer.postprocess.detail import finding_zh, objective_unit_zh, prices_note, unit_zh
from optimizer.postprocess.headline import all_met, headline_tables, milestone_years
from optimizer.postprocess.kpis import AGGREGATE_SCOPES, line_ratio_kpis
from optimizer.postprocess.view import View

STATUS_STYLE = {Status.OPTIMAL: "bold green", Status.TIME_LIMIT: "bold yellow", Status.INFEASIBLE: "bold red"}
SHOWN = ("livelihood_share_fiscal", "special_group_share_fiscal", "special_group_share_personnel",
         "special_group_share_facility", "social_workers_per_10k", "community_space_per_person",
         "people_unserved", "people_unserved_total", "fiscal_outlay")


EN = View()  # KPI names in the English tables (the run's own view translates them again under zh)


HEAD_ZH = {"lowest": "最低：", "largest": "最多："}


def kpi_label(row, head: str, scope: str, v: View) -> str:
    """A KPI row's words in the run's language: its name (the plan's term where the table has one) and its
    scope, with 'lowest'/'largest' where the row stands for the worst of several."""
    if v.lang != "zh":
        return f"{EN.kpi_name(row['kpi'])} ({head + ': ' if head else ''}{scope})"
    return f"{v.kpi_name(row['kpi'])}（{HEAD_ZH.get(head, '')}{v.scope(scope)}）"


def _fmt(v: float, unit: str) -> str:
    if not np.isfinite(v):
        return "-"
    if unit == "share":
        return f"{v:.1%}"
    if unit == "money":
        return f"{v:,.2f}"
    if unit in ("people", "person-services", "10k yuan") or abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.2f}"


def kpi_rows(kpis, year: int) -> list[tuple[str, str, pd.Series]]:
    """Aggregate per-region KPIs to their worst region, so a milestone fits on a screen: (qualifier, scope,
    row), the qualifier 'lowest' or 'largest' where a row stands for the worst of several, else ''."""
    k = kpis[kpis["year"] == year]
    out: list[tuple[str, str, pd.Series]] = []
    for name in [*line_ratio_kpis(k["kpi"].unique()), *SHOWN]:  # every spending line's gap first
        part = k[k["kpi"] == name]
        if part.empty:
            continue
        if name in ("social_workers_per_10k", "community_space_per_person"):
            worst = part.loc[part["value"].idxmin()]
            out.append(("lowest", str(worst["scope"]), worst))
        elif name == "people_unserved":
            worst = part.loc[part["value"].idxmax()]
            out.append(("largest", str(worst["scope"]), worst))
        else:
            for _, row in part.iterrows():
                out.append(("", str(row["scope"]), row))
    shown = {*line_ratio_kpis(k["kpi"].unique()), *SHOWN}
    low = k[(k["kpi"] == "need_met_lowest") & (k["scope"] == "lowest category and resource, all regions")]
    if not low.empty:  # how the worst-served service fares, whatever the objective
        out.append(("", "all regions", low.iloc[0]))
    targeted = k[k["target"].notna() & ~k["kpi"].isin(shown)]
    for name in targeted["kpi"].unique():  # the other families' targets (need met, coverage, renewal, pools)
        part = targeted[targeted["kpi"] == name]
        if len(part) > 3:  # one per region: the worst of them
            worst = part.loc[part["value"].idxmin()]
            out.append(("lowest", str(worst["scope"]), worst))
            continue
        for _, row in part.iterrows():
            out.append(("", str(row["scope"]), row))
    return out


def show(outcome, console: Console | None = None) -> None:
    console = console or Console()
    sol, res = outcome.solution, outcome.results
    style = STATUS_STYLE.get(sol.status, "bold")
    v = outcome.view
    status = v.t(sol.status.value, sol.status.value) if v.lang == "zh" else sol.status.value
    line = v.t("run_line").format(name=outcome.loaded.name, status=status, solver=f"{sol.solver}/{sol.method}",
                                  build=outcome.timings.get("build", 0), solve=sol.seconds)
    name, _, rest = line.partition("  ")
    console.print(f"[{style}]{escape(name)}[/]  {escape(rest)}")
    for w in outcome.warnings:
        console.print(f"[yellow]预检：[/]{escape(finding_zh(w))}" if v.lang == "zh" else f"[yellow]check:[/] {escape(w)}")
    if sol.status is Status.TIME_LIMIT:
        console.print("[yellow]stopped by the time limit: the best solution found is kept but not proven optimal[/]")
    if sol.message and not sol.status.is_ok:
        console.print(f"{'求解器信息：' if v.lang == 'zh' else 'solver: '}{sol.message}")
    if res is not None:
        show_headline(outcome, console)
        v = outcome.view
        unit = res.summary.get("objective_unit", "weighted 10k people")
        console.print(f"{v.t('objective')}{v.colon}{sol.objective:,.4f}{v.paren(objective_unit_zh(unit) if v.lang == 'zh' else unit)}"
                      f"{'；' if v.lang == 'zh' else '; '}{v.t('people_unserved_total')}{v.colon}"
                      f"{res.summary['people_unserved']:,.0f} — {v.t('objective_note')}")
        if "mip_gap" in res.summary:  # whole facilities (--integer): how far from the best the answer may be
            console.print(f"whole facilities (MIP): relative gap {res.summary['mip_gap']:.2e}; shadow prices are "
                          f"not defined for a MIP and are left at 0")
        if "price_of_fairness" in res.summary:
            price = res.summary["price_of_fairness"]
            console.print(escape(price.get("sentence_zh", price["sentence"]) if v.lang == "zh" else price["sentence"]))
        years = outcome.loaded.scenario.years
        for y in milestone_years(outcome.loaded.scenario, years):
            table = Table(title=f"{y}", show_lines=False, title_justify="left")
            for col in ("kpi", "value", "unit", "target", "met"):
                table.add_column(v.t(col) if v.lang == "zh" else col.upper() if col == "kpi" else col,
                                 justify="right" if col in ("value", "target") else "left")
            for head, scope, row in kpi_rows(res.kpis, y):
                met = row["met"]
                met_s = "" if met == "" else (f"[green]{v.t('yes')}[/]" if met else f"[red]{v.t('no').upper()}[/]")
                unit, value, target = row["unit"], row["value"], row["target"]
                if unit == "10k yuan":  # money in the run's unit
                    unit, value, target = "money", v.money_from_10k(value), v.money_from_10k(target)
                table.add_row(escape(kpi_label(row, head, scope, v)), _fmt(value, unit),
                              v.money_label if unit == "money" else v.unit(unit), _fmt(target, unit), met_s)
            console.print(table)
        if "flows" in res.extra:
            k = res.kpis
            last = int(years[-1])
            cov = k[(k["year"] == last) & k["kpi"].str.startswith("people_with_space_within")]["value"].sum()
            avoided = k[(k["year"] == last) & (k["kpi"] == "m2_building_avoided_by_sharing")]["value"].sum()
            prov = res.extra["providers"]
            util = prov[prov["year"] == last]["utilisation"].mean() if len(prov) else 0.0
            minutes = outcome.loaded.scenario.sharing.max_travel_minutes
            console.print(f"设施共享（{last}年）：{cov:,.0f}人可在{minutes:g}分钟内使用共享设施的社区服务用房；少建"
                          f"{avoided:,.0f}平方米；提供方平均使用率{util:.0%}" if v.lang == "zh" else
                          f"facility sharing {last}: {cov:,.0f} people get community space within {minutes:g} minutes "
                          f"from shared facilities; {avoided:,.0f} m2 of building avoided; providers {util:.0%} used on average")
        if res.binding:
            console.print(f"[bold]{escape(outcome.view.t('binding_title'))}:[/]")
            if note := prices_note(res.summary, outcome.view):
                console.print(f"  ({escape(note)})")
            for b in res.binding[:12]:
                console.print(f"  - {escape(outcome.view.sentence(b))}")
    if outcome.diagnosis is not None:
        show_diagnosis(outcome, console)
    if outcome.out_dir is not None:
        console.print(f"{outcome.view.t('written_to')} {outcome.out_dir}")
    elif outcome.results is None and outcome.diagnosis is None:
        console.print("no solution to write: nothing was written, earlier results are untouched")


def show_diagnosis(outcome, console: Console) -> None:
    """The least changes that would make an infeasible plan feasible, in the run's language."""
    zh = outcome.view.lang == "zh"
    console.print("[bold red]" + ("方案目标无法同时达成。" if zh else "the plan's targets cannot all be met.") + "[/]")
    for line in outcome.diagnosis.lines_in(outcome.view.lang):
        console.print(f"  - {escape(line)}")


def show_explanation(outcome, console: Console, top: int = 20) -> None:
    """Binding targets ranked by what they cost, each binding row's sentence; or the diagnosis."""
    sol, res = outcome.solution, outcome.results
    console.print(f"{outcome.loaded.name}: {sol.status.value}")
    if outcome.diagnosis is not None:
        show_diagnosis(outcome, console)
        return
    if res is None:
        return
    if sol.row_dual is None:  # a MIP (whole facilities): no shadow prices to rank targets by
        console.print("whole facilities (--integer) make this a MIP, which has no shadow prices: solve without "
                      "--integer to see what each target costs")
        return
    if not res.binding:
        console.print("no plan target binds: every target is met with room to spare")
        return
    console.print("[bold]binding targets, ranked by how many people they cost (marginal rates):[/]")
    for b in res.binding[:top]:
        label = escape("[{}, {}]".format(b["family"], b["year"]))
        console.print(f"  - {label} {b['sentence']}")
    cons = res.constraints
    rows = cons[cons["binding"] & (cons["shadow_price"].abs() > 0.5)]
    if len(rows):
        table = Table(title="binding rows", title_justify="left")
        for col in ("family", "year", "scope", "shadow price", "meaning"):
            table.add_column(col)
        order = rows["shadow_price"].abs().sort_values(ascending=False).index[:top]
        for _, r in rows.loc[order].iterrows():
            table.add_row(r["family"], str(r["year"]), str(r["scope"]), f"{r['shadow_price']:,.0f} {r['shadow_unit']}", r["meaning"])
        console.print(table)


def show_comparison(tables: dict, console: Console, view: View = EN) -> None:
    zh = view.lang == "zh"
    status = tables["status"]
    labels = list(status["scenario"])
    console.print("  ".join(f"{a}{view.colon}{view.t(b, b) if zh else b}" for a, b in zip(status["scenario"], status["status"])))
    k = tables["kpis"]
    if k.empty:
        return
    year = int(k["year"].max())
    part = k[(k["year"] == year) & k["kpi"].isin(SHOWN) & k["scope"].isin(AGGREGATE_SCOPES)]
    table = Table(title=f"{year}年指标" if zh else f"KPIs in {year}", title_justify="left")
    table.add_column(view.t("kpi") if zh else "KPI")
    for lab in labels:
        table.add_column(lab, justify="right")
    for _, row in part.iterrows():
        money = row["unit"] == "10k yuan"  # in the run's money unit, said beside the name
        where = view.scope(str(row["scope"])) + (f"{view.colon}{view.money_label}" if money else "")
        table.add_row(f"{view.kpi_name(row['kpi'])}{view.paren(where)}",
                      *[_fmt(view.money_from_10k(row[lab]), "money") if money else _fmt(row[lab], row["unit"])
                        for lab in labels])
    console.print(table)
    diff = tables["inputs"]
    if len(diff):
        e_g = "; ".join(f"{r['key']}: " + " vs ".join(str(r[lab]) for lab in labels) for _, r in diff.head(5).iterrows())
        console.print(f"{len(diff)}项输入不同，例如 {e_g}" if zh else f"{len(diff)} input keys differ, e.g. {e_g}")
    changes = tables.get("changes")
    for name, part in (changes.groupby("scenario", sort=False) if changes is not None and len(changes) else ()):
        money = part[part["resource"] == "fiscal"]
        unit = str(money["unit"].iloc[0]) if len(money) else ""
        forced, chosen = money["forced"].abs(), money["choice"].abs()
        console.print(f"{name}与已公布方案相比（资金）：输入变化迫使的调整合计{forced.sum():,.0f} {unit_zh(unit)}"
                      f"（{(forced > 1e-6).sum():,}个单元）；重新选择方案时可选的调整{chosen.sum():,.0f} {unit_zh(unit)}"
                      f"（{(chosen > 1e-6).sum():,}个单元）：见 changes.csv" if zh else
                      f"{name} against the plan announced, money: changes forced by the input "
                      f"{forced.sum():,.0f} {unit} in all ({(forced > 1e-6).sum():,} "
                      f"cells); changes an answer chosen afresh would add by choice {chosen.sum():,.0f} "
                      f"{unit} ({(chosen > 1e-6).sum():,} cells): changes.csv")


def _print_wide(console: Console, title: str, head: str, names: list[str], columns: dict[str, list[str]]) -> None:
    """A table of a name column and many value columns: as many value columns as fit the console per table,
    the rest in tables of their own below, so that no number is cut or wrapped."""
    name_width = max(cell_len(head), *(cell_len(x) for x in names)) + 3
    keys = list(columns)
    widths = [max(cell_len(k), *(cell_len(x) for x in columns[k])) + 3 for k in keys]
    start, first = 0, True
    while start < len(keys):
        end, room = start, console.width - name_width - 2
        while end < len(keys) and (end == start or room - widths[end] >= 0):
            room -= widths[end]
            end += 1
        table = Table(title=title if first else None, title_justify="left")
        table.add_column(head, no_wrap=True)
        for k in keys[start:end]:
            table.add_column(k, justify="right", no_wrap=True)
        for i, name in enumerate(names):
            table.add_row(name, *(columns[k][i] for k in keys[start:end]))
        console.print(table)
        start, first = end, False


def show_headline(outcome, console: Console) -> None:
    """What a bureau reports first: every target met or not, each service's coverage and the people without
    its standard at the milestones, the money by province and year in the run's unit."""
    v, res = outcome.view, outcome.results
    scenario = outcome.loaded.scenario
    years = milestone_years(scenario, scenario.years)
    met, missed, judged = all_met(res.kpis)
    verdict = f"[green]{v.t('yes')}[/]" if met else f"[red]{v.t('no')}[/]"
    console.print(f"[bold]{v.t('every_target_met')}{v.colon}[/]{verdict}{v.paren(v.t('met_counts').format(missed=missed, judged=judged))}")
    cov = res.headline["services"]
    cov = cov[cov["year"].isin(years)]
    names: list[str] = []
    cells: dict[str, list[str]] = {str(y): [] for y in years}
    for cat, part in cov.groupby("category_name", sort=False):
        by_year = part.set_index("year")
        names.append(escape(str(cat)))
        for y in years:
            cells[str(y)].append(f"{by_year.at[y, 'share_with_standard']:.1%} / {v.people_cell(by_year.at[y, 'people_without'])}")
    _print_wide(console, f"{v.t('services_title')}{v.paren(v.t('cell_note'))}", v.t("category"), names, cells)
    money = headline_tables(res.headline, res.kpis, years, v)["money"]
    digits = v.money_digits
    columns = {str(c): [f"{x:,.{digits}f}" if abs(x) >= 0.5 * 10 ** -digits else "0" for x in money[c]]
               for c in money.columns[1:]}
    note = v.money_label + ("；" if v.lang == "zh" else "; ") + v.t("money_note")
    _print_wide(console, f"{v.t('money_by_region')}{v.paren(note)}", str(money.columns[0]),
                [escape(str(x)) for x in money.iloc[:, 0]], columns)
