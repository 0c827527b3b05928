"""The headline a finance bureau reports (issue 19.1): per milestone year, how many of the people each service
is for get its standard and how many do not (people, not person-services), the plan's money by province and
year, and whether every target is met.

The numbers (`headline_numbers`) are computed once with the answer, in fixed units (people, 10k yuan); the
tables (`headline_tables`) are those numbers in a View's language and money unit."""
from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.models.common import solved_outlay
from optimizer.postprocess.view import View
from optimizer.preprocess.data import K_FISCAL, ModelData
from optimizer.preprocess.schema import CONSTANT
from optimizer.units import INTERNAL, PEOPLE


def headline_numbers(d: ModelData, a) -> dict[str, pd.DataFrame]:
    """coverage: per category and year, the people it is for, those without its standard (in each region the
    largest shortfall among its resources, in people: a person short of money or of staff for a service is
    without it; the smallest count consistent with every resource's shortfall) and the share with it.
    money: per region and year the plan's money (new money, salaries of the staff added, construction of the
    space built, and the families' works), 10k yuan; money_by_category: the same per category (works, which
    no category owns, as a row of their own)."""
    std = d.has_std[None, :, :, None] & (d.std[None] > 0)
    short = np.where(std, a.unmet * d.inv_std[None] * PEOPLE, 0.0).max(axis=2)  # (R,C,T) people
    served = d.served if d.served is not None else np.broadcast_to(d.pop[:, None, :], short.shape)
    serves = np.asarray(d.has_std.any(axis=1), dtype=bool)  # (C,) categories with a standard
    people_for = np.where(serves[None, :, None], served * PEOPLE, 0.0)  # (R,C,T)
    c, t = np.meshgrid(np.arange(d.C), np.arange(d.T), indexing="ij")
    for_, without = people_for.sum(axis=0), np.minimum(short, people_for).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(for_ > 0, 1.0 - without / for_, np.nan)
    coverage = pd.DataFrame({"category": np.array(d.cat_ids)[c.ravel()], "category_name": np.array(d.cat_names)[c.ravel()],
                             "year": d.years[t.ravel()], "people_for": for_.ravel(), "people_without": without.ravel(),
                             "share_with_standard": share.ravel()})
    coverage = coverage[serves[c.ravel()]].reset_index(drop=True)
    to_10k = INTERNAL["fiscal"] / 1e4
    outlay = solved_outlay(d, a) * to_10k  # (R,T)
    r, tt = np.meshgrid(np.arange(d.R), np.arange(d.T), indexing="ij")
    money = pd.DataFrame({"region": np.array(d.region_ids)[r.ravel()], "region_name": np.array(d.region_names)[r.ravel()],
                          "year": d.years[tt.ravel()], "money_10k_yuan": outlay.ravel()})
    by_cat = a.alloc[:, :, K_FISCAL, :].sum(axis=0)  # (C,T)
    for k in d.of_kind("staff"):
        by_cat = by_cat + d.unit_cost[k] * (a.level[:, :, k, :] - a.base[:, :, k, :]).sum(axis=0)
    for k in d.of_kind("space"):
        by_cat = by_cat + d.unit_cost[k] * a.alloc[:, :, k, :].sum(axis=0)
    cats = pd.DataFrame({"category": np.array(d.cat_ids)[c.ravel()], "category_name": np.array(d.cat_names)[c.ravel()],
                         "year": d.years[t.ravel()], "money_10k_yuan": (by_cat * to_10k).ravel()})
    works = outlay.sum(axis=0) - by_cat.sum(axis=0) * to_10k  # renewal and facilities: no category's
    if np.abs(works).max(initial=0.0) > 1e-6 * max(np.abs(outlay).max(initial=0.0), 1.0):
        cats = pd.concat([cats, pd.DataFrame({"category": "works", "category_name": "works", "year": d.years,
                                              "money_10k_yuan": works})], ignore_index=True)
    return {"services": coverage, "money": money, "money_by_category": cats}


def milestone_years(scenario, years) -> list[int]:
    ys = {int(years[-1])}
    t = scenario.targets
    for name in type(t).model_fields:
        target = getattr(t, name)
        for field in ("cap", "min"):
            sched = getattr(target, field, None) if target is not None else None
            if sched:
                ys |= {y for y in sched if y != CONSTANT and y in set(int(v) for v in years)}
    return sorted(ys)


def targets_at(kpis: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The KPI rows that carry a target, in the milestone years, with the gap (value - target: below a floor
    or above a cap where not met)."""
    k = kpis[kpis["target"].notna() & kpis["year"].isin(years) & _judged(kpis)].copy()
    k["met"] = k["met"].astype(str) == "True"
    gap = k["value"] - k["target"]
    k["gap"] = gap.where(gap.abs() > 1e-9 * np.maximum(1.0, k["target"].abs()), 0.0)  # solver noise is no gap
    return k.reset_index(drop=True)


def all_met(kpis: pd.DataFrame) -> tuple[bool, int, int]:
    """Whether every target row is met in every year, with the count of rows not met and of rows judged (a row
    with no value, such as a share of nothing, is not judged)."""
    judged = kpis[_judged(kpis) & np.isfinite(pd.to_numeric(kpis["value"], errors="coerce").to_numpy(dtype=float))]
    missed = int((judged["met"].astype(str) == "False").sum())
    return missed == 0, missed, len(judged)


def _judged(kpis: pd.DataFrame) -> pd.Series:
    """The rows with a verdict: met True or False (in memory booleans beside '', read back 'True', 'False' and
    blanks)."""
    return kpis["met"].astype(str).isin(["True", "False"])


def money_wide(money: pd.DataFrame, key: str, label: str, view: View, order: list[str] | None = None) -> pd.DataFrame:
    """Money (rows of `key`, year, money_10k_yuan) as a table of `key` x year in the view's unit, rounded to it,
    with a total row and column summed before rounding; rows in `order` where given, else as they come."""
    wide = money.pivot_table(index=key, columns="year", values="money_10k_yuan", aggfunc="sum", sort=False)
    if order is not None:
        first = [n for n in order if n in wide.index]
        wide = wide.reindex(first + [n for n in wide.index if n not in first])
    wide = wide.apply(lambda col: view.money_from_10k(col.to_numpy()))
    wide.loc[view.t("total")] = wide.sum(axis=0)
    wide[view.t("total")] = wide.sum(axis=1)
    wide = view.money_rounded(wide)
    wide.index.name = label + view.paren(view.money_label)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def _count(v: pd.Series) -> np.ndarray:
    """People as whole numbers (no -0, no decimals)."""
    return np.round(v.to_numpy(dtype=float)).astype(np.int64) + 0


def headline_tables(numbers: dict[str, pd.DataFrame], kpis: pd.DataFrame, years: list[int],
                    view: View) -> dict[str, pd.DataFrame]:
    """The headline as tables for people: coverage and people without per service and milestone year, money by
    province and by service per year in the view's unit, rounded to it (totals summed before rounding), and
    every target the KPIs judge, each year."""
    t, p = view.t, view.paren
    cov = numbers["services"]
    cov = cov[cov["year"].isin(years)]
    coverage = pd.DataFrame({t("category"): cov["category_name"].to_numpy(), t("year"): cov["year"].to_numpy(),
                             t("share_with_standard") + p("%"): (cov["share_with_standard"] * 100).round(1).to_numpy(),
                             t("people_without") + p(view.unit("people")): _count(cov["people_without"]),
                             t("people_for") + p(view.unit("people")): _count(cov["people_for"])})
    out = {"services": coverage}
    for name, key, label in (("money", "region_name", t("region")), ("money_by_category", "category_name", t("category"))):
        out[name] = money_wide(numbers[name], key, label, view)
    k = targets_at(kpis, sorted(set(int(y) for y in kpis["year"])))
    scale = np.where(k["unit"] == "share", 100.0, np.where(k["unit"] == "10k yuan", view.money_from_10k(1.0), 1.0))
    known = np.isfinite(k["value"].to_numpy(dtype=float))
    out["targets"] = pd.DataFrame({
        t("year"): k["year"].to_numpy(), t("kpi"): [t(v, v.replace("_", " ")) for v in k["kpi"]],
        t("scope"): [view.scope(v) for v in k["scope"]], t("value"): (k["value"] * scale).to_numpy(),
        t("target"): (k["target"] * scale).to_numpy(), t("unit"): [view.unit(u) for u in k["unit"]],
        t("met"): [t("not_applicable") if not ok else t("yes") if m else t("no") for m, ok in zip(k["met"], known)],
        t("gap"): np.where(known, (k["gap"] * scale).to_numpy(), np.nan)})
    return out


def brief(tables: dict[str, pd.DataFrame], kpis: pd.DataFrame, name: str, status: str, binding: list[dict],
          view: View, title: str | None = None):
    """results.xlsx's first sheet, one printed page: the verdict and the money in a few lines, each service's
    coverage and the people without it as service x milestone grids, the targets not met, the three binding
    targets that cost most; then the money and targets sheets."""
    from optimizer.postprocess.excel import Brief

    t, p = view.t, view.paren
    met, missed, judged = all_met(kpis)
    targets = tables["targets"]
    not_met = targets[targets[t("met")] == t("no")]
    money = tables["money"]
    total = float(money.to_numpy()[-1, -1]) if len(money) else float("nan")
    years = [str(c) for c in money.columns[1:-1]]
    lines = [(t("scenario"), title or name), (t("status"), t(status, status)),
             (t("every_target_met"), f"{t('yes') if met else t('no')}" + p(t("met_counts").format(missed=missed, judged=judged))),
             (t("money_total"), f"{total:,.2f} {view.money_label}" + p(f"{years[0]}-{years[-1]}") if years else "-")]
    services = tables["services"]
    cols = list(services.columns)  # service, year, share (%), people without, people for
    grid = services.pivot_table(index=cols[0], columns=cols[1], values=cols[2], aggfunc="first", sort=False)
    grid.columns = [str(c) for c in grid.columns]
    without = services.pivot_table(index=cols[0], columns=cols[1], values=cols[3], aggfunc="first", sort=False)
    if view.lang == "zh":  # 万人, as the terminal
        without = (without / 1e4).round(1)
    without.columns = [str(c) for c in without.columns]
    costly = pd.DataFrame({t("most_costly"): [view.sentence(b) for b in binding[:3]] or [t("none")]})
    blocks = [(cols[2].replace(p("%"), "") + p("%"), grid.reset_index()),
              (t("people_without") + p("万人" if view.lang == "zh" else t("unit:people")), without.reset_index()),
              (t("targets_not_met"), not_met if len(not_met) else pd.DataFrame({t("targets_not_met"): [t("none")]})),
              (t("most_costly"), costly)]
    sheets = {t("sheet:money"): money, t("sheet:money_by_category"): tables["money_by_category"],
              t("sheet:targets"): targets}
    return Brief(t("brief"), lines, blocks, sheets, {t("sheet:targets"): (targets[t("met")] == t("no")).to_numpy()})
