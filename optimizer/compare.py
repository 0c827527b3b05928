"""Compare scenarios side by side: KPIs, allocation differences, coverage (the lowest share of need met per
region, category and year), input differences.

Each argument is a scenario file (solved here) or a result folder written by
`opt solve` (read back: its kpis.csv, allocation.csv and scenario.json).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.postprocess.coverage import KEYS as COVERAGE_KEYS
from optimizer.postprocess.coverage import coverage
from optimizer.postprocess.readback import read_solve_folder
from optimizer.postprocess.view import View

MONEY_COLUMNS = ["region", "region_name", "year", "money_10k_yuan"]


@dataclass
class Side:
    label: str
    status: str
    kpis: pd.DataFrame
    allocation: pd.DataFrame
    scenario: dict
    money: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MONEY_COLUMNS))  # money.csv


def _from_folder(folder: Path) -> Side:
    """A result folder of opt solve read back; any fault of it an InputError naming the file.

    A solve whose targets could not all be met wrote no tables (its manifest does not list
    them): its KPIs and allocation are empty, as for such a scenario solved here.
    """
    f = read_solve_folder(folder, need_scenario=True)
    kpis = f.kpis if f.kpis is not None else pd.DataFrame(columns=["year", "kpi", "scope", "value", "unit"])
    allocation = f.allocation if f.allocation is not None else \
        pd.DataFrame(columns=["region", "category", "resource", "year", "allocated", "unit"])
    money = pd.DataFrame(columns=MONEY_COLUMNS)
    if (Path(folder) / "money.csv").is_file():  # folders written before it have none: no money compared
        try:
            money = pd.read_csv(Path(folder) / "money.csv", encoding="utf-8-sig")[MONEY_COLUMNS]
        except (OSError, ValueError, KeyError, pd.errors.ParserError):
            money = pd.DataFrame(columns=MONEY_COLUMNS)
    return Side(Path(folder).name, f.summary["status"], kpis, allocation, f.scenario, money)


def _from_scenario(path: Path, overrides: list[str]) -> Side:
    from optimizer.run import solve_scenario

    o = solve_scenario(path, overrides, write=False)
    scen = o.loaded.scenario.model_dump(mode="json")
    if o.results is None:
        return Side(o.loaded.name, o.solution.status.value, pd.DataFrame(columns=["year", "kpi", "scope", "value", "unit"]),
                    pd.DataFrame(columns=["region", "category", "resource", "year", "allocated", "unit"]), scen)
    return Side(o.loaded.name, o.solution.status.value, o.results.kpis, o.results.allocation, scen,
                o.results.headline["money"])


def load_side(arg: str | Path, overrides: list[str] | None = None) -> Side:
    """A folder is read back (it must be one opt solve wrote); anything else is a scenario, solved here."""
    p = Path(arg)
    return _from_folder(p) if p.is_dir() else _from_scenario(p, overrides or [])


def _unique_labels(sides: list[Side]) -> None:
    seen: dict[str, int] = {}
    for s in sides:
        n = seen.get(s.label, 0)
        seen[s.label] = n + 1
        if n:
            s.label = f"{s.label} ({n + 1})"


def _flatten(obj, prefix="") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(obj, dict) and set(obj) == {"0"}:  # a schedule given as one number (every year)
        out[prefix] = obj["0"]
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(v, dict) and "id" in v for v in obj):
        for v in obj:
            out.update(_flatten({k: w for k, w in v.items() if k != "id"}, f"{prefix}[{v['id']}]"))
    else:
        out[prefix] = obj
    return out


def _differences(table: pd.DataFrame, sides: list[Side]) -> pd.DataFrame:
    """Beside each scenario after the first: its difference from the first and that in percent of the first."""
    base = sides[0].label
    for s in sides[1:]:
        first = pd.to_numeric(table[base], errors="coerce").to_numpy(dtype=float)
        diff = pd.to_numeric(table[s.label], errors="coerce").to_numpy(dtype=float) - first
        diff = np.where(np.abs(diff) > 1e-9 * np.maximum(np.abs(first), 1.0), diff, 0.0)  # a file's last digit
        table[f"{s.label} - {base}"] = diff
        with np.errstate(divide="ignore", invalid="ignore"):
            table[f"{s.label} - {base} (%)"] = np.where(np.abs(first) > 1e-12, 100.0 * diff / np.abs(first),
                                                        np.where(np.abs(diff) > 1e-12, np.nan, 0.0))
    return table


def _all_met(kpis: pd.DataFrame, view: View) -> str:
    if "met" not in kpis.columns or kpis.empty:
        return "-"
    judged = kpis[kpis["met"].astype(str).isin(["True", "False"])]
    return view.t("yes") if (judged["met"].astype(str) == "True").all() else view.t("no")


def money_by_year(money: pd.DataFrame, sides: list[Side], view: View) -> pd.DataFrame:
    """The total rows of money_side_by_side: one row per year, one column per scenario (compare.xlsx charts it)."""
    if money.empty:
        return money
    year = view.t("year")
    total = money[money[view.t("region") + view.paren(view.money_label)] == view.t("total")]
    return total[[year] + [s.label for s in sides]].rename(columns={year: year + view.paren(view.money_label)})


def money_side_by_side(sides: list[Side], view: View) -> pd.DataFrame:
    """The plan's money by province and year, one column per scenario (in the view's unit), with the
    differences from the first; a total row per year."""
    frame = None
    for s in sides:
        part = s.money.rename(columns={"money_10k_yuan": s.label})
        part[s.label] = view.money_from_10k(part[s.label].to_numpy(dtype=float)) if len(part) else part[s.label]
        frame = part if frame is None else frame.merge(part, on=["region", "region_name", "year"], how="outer")
    assert frame is not None
    if frame.empty:
        return frame
    frame = frame.fillna(0.0)
    total = frame.groupby("year", as_index=False)[[s.label for s in sides]].sum()
    total.insert(0, "region", "")
    total.insert(1, "region_name", view.t("total"))
    frame = pd.concat([frame, total], ignore_index=True)
    frame = _differences(frame, sides)
    return frame.rename(columns={"region_name": view.t("region") + view.paren(view.money_label), "year": view.t("year")})


def compare(sides: list[Side], view: View | None = None) -> dict[str, pd.DataFrame]:
    view = view or View()
    _unique_labels(sides)
    keys = ["year", "kpi", "scope", "unit"]
    kpi = None
    for s in sides:
        part = s.kpis[keys + ["value"]].rename(columns={"value": s.label})
        kpi = part if kpi is None else kpi.merge(part, on=keys, how="outer")
    assert kpi is not None
    kpi = _differences(kpi, sides)
    kpi.insert(2, "kpi_name", [view.kpi_name(k) for k in kpi["kpi"]])
    akeys = ["region", "category", "resource", "unit", "year"]
    names = [k for k in ("region_name", "category_name") if all(k in s.allocation.columns for s in sides)]
    alloc = None
    for s in sides:
        part = s.allocation.groupby(akeys + names, as_index=False, observed=True)["allocated"].sum().rename(
            columns={"allocated": s.label})
        alloc = part if alloc is None else alloc.merge(part, on=akeys + names, how="outer")
    assert alloc is not None
    alloc = alloc.fillna(0.0)
    base = sides[0].label
    alloc = _differences(alloc, sides)
    parts = []
    for s in sides:  # the lowest share of need met per region, category and year, side by side
        part = (coverage(s.allocation) if {"need", "unmet"} <= set(s.allocation.columns) else
                pd.DataFrame(columns=COVERAGE_KEYS + ["need_met_share"]))
        parts.append(part.rename(columns={"need_met_share": s.label}))
    cov = parts[0]
    for part in parts[1:]:
        cov = cov.merge(part, on=[k for k in COVERAGE_KEYS if k in part.columns and k in cov.columns], how="outer")
    for s in sides[1:]:
        cov[f"{s.label} - {base}"] = cov[s.label] - cov[base]
    flat = [_flatten(s.scenario) for s in sides]
    rows = []
    for key in sorted(set().union(*flat)):
        vals = [f.get(key, "(absent)") for f in flat]
        if any(json.dumps(v, sort_keys=True, default=str) != json.dumps(vals[0], sort_keys=True, default=str) for v in vals[1:]):
            rows.append({"key": key, **{s.label: json.dumps(v, ensure_ascii=False, default=str) for s, v in zip(sides, vals)}})
    inputs = pd.DataFrame(rows, columns=["key"] + [s.label for s in sides])
    status = pd.DataFrame({"scenario": [s.label for s in sides], "status": [s.status for s in sides],
                           view.t("every_target_met"): [_all_met(s.kpis, view) for s in sides],
                           view.t("total") + view.paren(view.money_label): [
                               float(view.money_from_10k(s.money["money_10k_yuan"].to_numpy(dtype=float)).sum())
                               if len(s.money) else np.nan for s in sides]})
    return {"status": status, "kpis": kpi.sort_values(keys, kind="stable"), "money": money_side_by_side(sides, view),
            "allocation": alloc, "need_met": cov, "inputs": inputs}


def _totals(allocation: pd.DataFrame) -> pd.DataFrame:
    keys = ["region", "category", "resource", "unit", "year"]
    out: Any = allocation.groupby(keys, as_index=False, observed=True)["allocated"].sum()  # a frame (as_index=False)
    return out


def forced_and_choice(items: list) -> pd.DataFrame:
    """`--near`: the first item is the plan announced (a result folder); each scenario after it is solved as it
    is and nearest that plan (opt solve --near). Per cell: what the input change forces (nearest - announced)
    and what is choice among equally good answers (as solved - nearest)."""
    from optimizer.errors import InputError, Problem, Where
    from optimizer.run import solve_scenario

    plan_dir = Path(items[0])
    if not plan_dir.is_dir():
        raise InputError([Problem(Where(str(plan_dir)), "--near", "expected the plan announced first, a result "
                                  "folder of opt solve, found a file")])
    plan = _totals(load_side(plan_dir).allocation).rename(columns={"allocated": "announced"})
    keys = ["region", "category", "resource", "unit", "year"]
    frames = []
    for item in items[1:]:
        if Path(item).is_dir():
            raise InputError([Problem(Where(str(item)), "--near", "expected a scenario file after the plan "
                                      "announced (it is solved nearest that plan), found a result folder")])
        near = solve_scenario(Path(item), [], write=False, near=plan_dir)
        asis = solve_scenario(Path(item), [], write=False)
        if near.results is None or asis.results is None:
            continue
        t = plan.merge(_totals(near.results.allocation).rename(columns={"allocated": "nearest"}), on=keys, how="outer")
        t = t.merge(_totals(asis.results.allocation).rename(columns={"allocated": "as_solved"}), on=keys, how="outer")
        t = t.fillna(0.0)
        t.insert(0, "scenario", near.loaded.name)
        t["forced"] = t["nearest"] - t["announced"]  # what the change of input makes the plan change
        t["choice"] = t["as_solved"] - t["nearest"]  # what an answer chosen afresh would change beside that
        frames.append(t)
    cols = ["scenario", *keys, "announced", "nearest", "as_solved", "forced", "choice"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def compare_to_folder(items: list, folder: Path, argv: list[str] | None = None,
                      near: bool = False, view: View | None = None) -> dict[str, pd.DataFrame]:
    """Compare and write the tables (CSV and compare.xlsx) and a manifest, all or nothing; with `near`, the
    changes each scenario forces on the plan announced first and those that are choice (changes.csv)."""
    from optimizer.postprocess.detail import detail_sheet
    from optimizer.postprocess.excel import write_xlsx
    from optimizer.postprocess.manifest import command_manifest
    from optimizer.postprocess.places import atomic_folder, sealed
    from optimizer.postprocess.write import write_csv, write_json

    view = view or View()
    sides = [load_side(i) for i in items]
    tables = compare(sides, view)
    if near:
        tables["changes"] = forced_and_choice(items)
    by_year = money_by_year(tables["money"], sides, view)
    with atomic_folder(folder) as tmp:
        for name, df in tables.items():
            write_csv(df, tmp / f"{name}.csv")
        sheets = dict(tables)
        if len(by_year):
            sheets = {"status": tables["status"], "money by year": by_year,
                      **{k: v for k, v in tables.items() if k != "status"}}
        sheets = {name: detail_sheet(df, view) for name, df in sheets.items()}
        compared = ", ".join(str(i) for i in items)
        write_xlsx(tmp / "compare.xlsx", [("对比的方案" if view.lang == "zh" else "compared", compared)], sheets,
                   chart=("money by year", view.t("money_by_year")) if len(by_year) else None, view=view)
        files = [f"{name}.csv" for name in tables] + ["compare.xlsx"]
        write_json(sealed(tmp, command_manifest(argv or [], files, compared=[str(i) for i in items])), tmp / "manifest.json")
    return tables
