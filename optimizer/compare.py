"""Compare scenarios side by side: KPIs, allocation differences, coverage (the lowest share of need met per
region, category and year), input differences.

Each argument is a scenario file (solved here) or a result folder written by
`opt solve` (read back: its kpis.csv, allocation.csv and scenario.json).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.postprocess.coverage import KEYS as COVERAGE_KEYS
from optimizer.postprocess.coverage import coverage
from optimizer.postprocess.readback import read_solve_folder


@dataclass
class Side:
    label: str
    status: str
    kpis: pd.DataFrame
    allocation: pd.DataFrame
    scenario: dict


def _from_folder(folder: Path) -> Side:
    """A result folder of opt solve read back; any fault of it an InputError naming the file.

    A solve whose targets could not all be met wrote no tables (its manifest does not list
    them): its KPIs and allocation are empty, as for such a scenario solved here.
    """
    f = read_solve_folder(folder, need_scenario=True)
    kpis = f.kpis if f.kpis is not None else pd.DataFrame(columns=["year", "kpi", "scope", "value", "unit"])
    allocation = f.allocation if f.allocation is not None else \
        pd.DataFrame(columns=["region", "category", "resource", "year", "allocated", "unit"])
    return Side(Path(folder).name, f.summary["status"], kpis, allocation, f.scenario)


def _from_scenario(path: Path, overrides: list[str]) -> Side:
    from optimizer.run import solve_scenario

    o = solve_scenario(path, overrides, write=False)
    scen = o.loaded.scenario.model_dump(mode="json")
    if o.results is None:
        return Side(o.loaded.name, o.solution.status.value, pd.DataFrame(columns=["year", "kpi", "scope", "value", "unit"]),
                    pd.DataFrame(columns=["region", "category", "resource", "year", "allocated", "unit"]), scen)
    return Side(o.loaded.name, o.solution.status.value, o.results.kpis, o.results.allocation, scen)


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


def compare(sides: list[Side]) -> dict[str, pd.DataFrame]:
    _unique_labels(sides)
    keys = ["year", "kpi", "scope", "unit"]
    kpi = None
    for s in sides:
        part = s.kpis[keys + ["value"]].rename(columns={"value": s.label})
        kpi = part if kpi is None else kpi.merge(part, on=keys, how="outer")
    akeys = ["region", "category", "resource", "unit", "year"]
    alloc = None
    for s in sides:
        part = s.allocation.groupby(akeys, as_index=False, observed=True)["allocated"].sum().rename(columns={"allocated": s.label})
        alloc = part if alloc is None else alloc.merge(part, on=akeys, how="outer")
    alloc = alloc.fillna(0.0)
    base = sides[0].label
    for s in sides[1:]:
        alloc[f"{s.label} - {base}"] = alloc[s.label] - alloc[base]
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
    status = pd.DataFrame({"scenario": [s.label for s in sides], "status": [s.status for s in sides]})
    return {"status": status, "kpis": kpi.sort_values(keys, kind="stable"), "allocation": alloc, "need_met": cov,
            "inputs": inputs}


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
                      near: bool = False) -> dict[str, pd.DataFrame]:
    """Compare and write the tables (CSV and compare.xlsx) and a manifest, all or nothing; with `near`, the
    changes each scenario forces on the plan announced first and those that are choice (changes.csv)."""
    from optimizer.postprocess.excel import write_xlsx
    from optimizer.postprocess.manifest import command_manifest
    from optimizer.postprocess.places import atomic_folder, sealed
    from optimizer.postprocess.write import write_csv, write_json

    tables = compare([load_side(i) for i in items])
    if near:
        tables["changes"] = forced_and_choice(items)
    with atomic_folder(folder) as tmp:
        for name, df in tables.items():
            write_csv(df, tmp / f"{name}.csv")
        write_xlsx(tmp / "compare.xlsx", [("compared", ", ".join(str(i) for i in items))], tables)
        files = [f"{name}.csv" for name in tables] + ["compare.xlsx"]
        write_json(sealed(tmp, command_manifest(argv or [], files, compared=[str(i) for i in items])), tmp / "manifest.json")
    return tables
