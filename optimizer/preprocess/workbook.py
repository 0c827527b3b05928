"""A scenario given as a workbook (issue 19.5): `opt template` writes one (optimizer.postprocess.template),
`opt solve plan.xlsx` and `opt validate plan.xlsx` read it here into the same mapping a YAML file gives, with
every value's sheet and cell as its place, so that an error reads `plan.xlsx, 区域!C7: regions[A].population:
expected a number, found '三千'`.

The layout, one sheet each (Chinese names; the English ones are read too):
- 方案 (scenario): the scenario's own scalar keys (name, title, years, language), as key | value rows;
- 区域 (regions), 类别 (categories): one row per region or category, one column per key (nested keys dotted:
  standard.fiscal, base_stock.personnel; a schedule's years dotted: bounds.fiscal.min.2026);
- 人口 (population): one row per region, one column per year (10k people);
- 资源 (resources): one row per resource (id, then its keys: budget, budget.2026, supply, salary, ...);
- 目标 (targets): key | value rows under targets (livelihood_share.min.2026 | 0.7);
- 其他 (other): key | value rows for the rest (objective.kind, sharing.providers[0].capacity, ...);
- 说明 (readme): how to read and change the workbook; not read back.
A cell holds a number, text (with a unit, as in YAML: '60 万元'), true/false, or a list or mapping written as
YAML ([salaries, construction]). An empty cell is a key not given."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from optimizer.errors import InputError, Problem, Where
from optimizer.preprocess.yamlio import Locations, load_value

KV, TABLE, RECORDS, WIDE, README = "kv", "table", "records", "wide", "readme"
# sheet: (kind, the scenario key it holds, English name)
SHEETS: dict[str, tuple[str, str | None, str]] = {
    "说明": (README, None, "readme"),
    "方案": (KV, None, "scenario"),
    "区域": (TABLE, "regions", "regions"),
    "人口": (WIDE, "population", "population"),
    "类别": (TABLE, "categories", "categories"),
    "资源": (RECORDS, "resources", "resources"),
    "目标": (KV, "targets", "targets"),
    "其他": (KV, None, "other"),
}
MAX_CELLS = 5_000_000  # a sheet's used range: a stray value at XFD1048576 would be 17 billion cells
log = logging.getLogger("opt")
PROBLEMS = "_workbook_problems"  # the reading's problems, carried to the schema's check
TOP_SCALARS = ("name", "title", "description", "language", "years")  # the 方案 sheet's keys
_TOKEN = re.compile(r"\[(\d+)\]|(?:^|\.)([^.\[\]]+)")


class _Index(int):
    """A list position in a flattened path (a year key is an int too, and is written plainly)."""


def path_text(path: tuple) -> str:
    """('sharing', 'providers', _Index(0), 'id') -> sharing.providers[0].id"""
    out = ""
    for p in path:
        out += f"[{int(p)}]" if isinstance(p, _Index) else ("." if out else "") + str(p)
    return out


def flatten(value, prefix: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path, leaf) pairs: mappings and lists of mappings opened, other values kept whole."""
    if isinstance(value, dict) and value:
        return [pair for k, v in value.items() for pair in flatten(v, prefix + (k,))]
    if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        return [pair for i, v in enumerate(value) for pair in flatten(v, prefix + (_Index(i),))]
    return [(prefix, value)]


def parse_path(text: str) -> tuple | None:
    """sharing.providers[0].id -> ('sharing', 'providers', [0], 'id'); None where it is not a path. A list
    position comes back as a one-item list; a key of digits as a whole number (a year, as YAML reads it)."""
    text = text.strip()
    out: list = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            return None
        pos = m.end()
        if m.group(1) is not None:
            if not out:
                return None
            out.append([int(m.group(1))])
        else:
            key = m.group(2).strip()
            if not key:
                return None
            out.append(int(key) if key.isdigit() else key)
    return tuple(out) if out and pos == len(text) else None


def _put(root: dict, path: tuple, value, where: Where, problems: list[Problem], first: Locations) -> tuple | None:
    """Set value at path in root (lists grown as positions are met); the path as a data path, or None."""
    node: Any = root
    data_path: list = []
    for step, nxt in zip(path, path[1:] + (None,)):
        key = step[0] if isinstance(step, list) else step
        if isinstance(step, list) != isinstance(node, list):
            problems.append(Problem(where, path_text(tuple(data_path)) or "(top)",
                                    "expected keys here, found a list position" if isinstance(step, list)
                                    else "expected a list position [n] here, found a key"))
            return None
        data_path.append(key)
        if nxt is None:
            if isinstance(node, list):
                while len(node) <= key:
                    node.append({})
                taken = node[key] not in ({}, None)
            else:
                taken = key in node
            if taken:  # a key may be given once (a repeated column, row or sheet; a value beside its keys)
                problems.append(Problem(where, path_text(tuple(data_path)), "expected once, found given again"
                                        + (f" (first at {first[tuple(data_path)]})" if tuple(data_path) in first else
                                           " (keys under it are given too)")))
                return None
            node[key] = value
            break
        child: list | dict = [] if isinstance(nxt, list) else {}
        if isinstance(node, list):
            while len(node) <= key:
                node.append({})
            if not node[key]:
                node[key] = child
            node = node[key]
        else:
            node = node.setdefault(key, child)
            if not isinstance(node, (dict, list)):
                problems.append(Problem(where, ".".join(map(str, data_path)), "expected keys under it, found a value"))
                return None
    return tuple(data_path)


def _cell_value(v, where: Where, key: str, problems: list[Problem]):
    """A cell as a scenario value: a list or mapping written as YAML read as such."""
    import datetime as dt

    if isinstance(v, (dt.date, dt.time, dt.timedelta)):
        problems.append(Problem(where, key, f"expected a number or text, found a date or time ({v}); format the "
                                            f"cell as text or a number"))
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        text = v.strip()
        if text.startswith("'"):  # text as written, even one that starts with [ or looks like a number
            return v.lstrip()[1:]
        if text[:1] in "[{":
            try:
                return load_value(text, f"{where}")
            except InputError as e:
                problems.extend(Problem(where, key, p.message) for p in e.problems)
                return None
        return v if text else None
    return v


def read_workbook(path: Path) -> tuple[dict, Locations]:
    """The scenario mapping a workbook holds and each value's place. Problems of reading (a cell that is not a
    value, an unknown sheet) ride under PROBLEMS, to be said with the schema's (every problem at once)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from optimizer.preprocess.tables import MAX_TABLE_BYTES, TABLE_ADVICE
    from optimizer.preprocess.yamlio import read_regular

    name = str(path)
    data = read_regular(path, MAX_TABLE_BYTES, TABLE_ADVICE)
    import io

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many types for a corrupt file
        raise InputError([Problem(Where(name), "", f"expected a workbook (.xlsx) written by opt template, found one "
                                                   f"that cannot be read ({type(e).__name__}: {e}; a password-protected "
                                                   f"workbook cannot be read: save it without one)")]) from None
    english = {en: zh for zh, (_, _, en) in SHEETS.items()}
    raw: dict = {}
    locs: Locations = {}
    given: Locations = {}  # each value's place, to name the first of a key given twice
    problems: list[Problem] = []

    def put(path: tuple, value, cell: str) -> None:
        where = Where(name, cell=cell)
        if value is None:
            return
        at = _put(raw, path, value, where, problems, given)
        if at is not None:
            locs[at] = where
            given[at] = where
            for n in range(1, len(at)):  # the first place a key is met names it
                locs.setdefault(at[:n], where)

    for sheet in wb.sheetnames:
        if sheet.startswith("#"):  # a sheet of the bureau's own notes
            continue
        zh = sheet if sheet in SHEETS else english.get(sheet.strip().lower())
        if zh is None:
            problems.append(Problem(Where(name, cell=f"{sheet}!A1"), "", f"expected one of the sheets "
                                    f"{', '.join(SHEETS)} (or {', '.join(english)}), found a sheet '{sheet}' (a "
                                    f"sheet of notes: start its name with '#', and it is not read)"))
            continue
        kind, key, _ = SHEETS[zh]
        if kind == README:
            continue
        ws = wb[sheet]
        if key:  # a key the sheet holds is placed there, even where the sheet leaves it empty
            locs.setdefault((key,), Where(name, cell=f"{sheet}!A1"))
        if ws.max_row * ws.max_column > MAX_CELLS:
            problems.append(Problem(Where(name, cell=f"{sheet}!A1"), "", f"expected at most {MAX_CELLS:,} cells in a "
                                    f"sheet (opt's limit), found a sheet of {ws.max_row:,} rows x {ws.max_column:,} "
                                    f"columns (a value far from the table? clear the cells beyond it)"))
            continue
        for merged in ws.merged_cells.ranges:
            problems.append(Problem(Where(name, cell=f"{sheet}!{merged.coord}"), "", "expected one value per cell, "
                                    "found merged cells: unmerge them and write the value in each"))
        for row in formulas[sheet].iter_rows():
            for c in row:
                if c.data_type == "f" and ws[c.coordinate].value is None:
                    problems.append(Problem(Where(name, cell=f"{sheet}!{c.coordinate}"), "", f"expected a value, found "
                                            f"a formula ({c.value}) whose result was never saved: open the workbook "
                                            f"in Excel and save it, or write the value"))
        rows = list(ws.iter_rows(values_only=True))
        if key and not any(v is not None and str(v).strip() != "" for row in rows[1:] for v in row):
            log.warning("%s: sheet %s holds no rows: the scenario has no %s (the YAML's key %s is empty; "
                        "工作表%s没有数据行：方案中没有该项)", name, sheet, key, key, sheet)
        if not rows:
            continue
        head = [("" if h is None else str(h).strip()) for h in rows[0]]
        base: tuple = (key,) if key else ()
        expected_head = {KV: ["key", "value"], RECORDS: ["id"], WIDE: ["region"]}.get(kind)
        if expected_head is not None and [h.lower() for h in head[:len(expected_head)]] != expected_head:
            problems.append(Problem(Where(name, cell=f"{sheet}!A1"), key or "", f"expected the header "
                                    f"{' | '.join(expected_head)} in row 1 from column A, as opt template writes it, "
                                    f"found {' | '.join(head[:len(expected_head)]) or 'an empty row'}"))
            continue
        if kind == TABLE and not any(head):
            problems.append(Problem(Where(name, cell=f"{sheet}!A1"), key or "", "expected the column names in row 1, "
                                    "found an empty row"))
            continue
        seen_cols: dict[str, int] = {}
        for j, h in enumerate(head):
            if h and h in seen_cols:
                problems.append(Problem(Where(name, cell=f"{sheet}!{get_column_letter(j + 1)}1"), h,
                                        f"expected each column once, found it again (first in column "
                                        f"{get_column_letter(seen_cols[h] + 1)})"))
            seen_cols.setdefault(h, j)
        if kind == KV:
            for r, row in enumerate(rows[1:], start=2):
                cells = list(row) + [None, None]
                k, v = cells[0], cells[1]
                if k is None or str(k).strip() == "":
                    continue
                cell = f"{sheet}!B{r}"
                p = parse_path(str(k))
                if p is None:
                    problems.append(Problem(Where(name, cell=f"{sheet}!A{r}"), str(k), "expected a key path such as "
                                            "objective.kind or sharing.providers[0].id, found this"))
                    continue
                value = _cell_value(v, Where(name, cell=cell), str(k), problems)
                put(base + p, value, cell)
            continue
        cols: list[tuple | None] = []
        for j, h in enumerate(head):
            p = parse_path(h) if h else None
            if h and p is None:
                problems.append(Problem(Where(name, cell=f"{sheet}!{get_column_letter(j + 1)}1"), h,
                                        "expected a column named by a key (such as standard.fiscal), found this"))
            cols.append(p)
        if kind == WIDE:  # population: region, then one column per year
            for r, row in enumerate(rows[1:], start=2):
                if not row or row[0] is None or str(row[0]).strip() == "":
                    continue
                region = str(row[0]).strip()
                locs.setdefault(base + (region,), Where(name, cell=f"{sheet}!A{r}"))  # the region's row: its id's cell
                for j, v in enumerate(row[1:], start=1):
                    col = cols[j] if j < len(cols) else None
                    if col is not None and v is not None:
                        cell = f"{sheet}!{get_column_letter(j + 1)}{r}"
                        put(base + (region,) + col, _cell_value(v, Where(name, cell=cell), f"{key}.{region}",
                                                                problems), cell)
            continue
        for i, (r, row) in enumerate((r, row) for r, row in enumerate(rows[1:], start=2)
                                     if any(v is not None and str(v).strip() != "" for v in row)):
            if kind == RECORDS:  # resources: the first column is the resource's id
                rid = row[0]
                if rid is None or str(rid).strip() == "":
                    problems.append(Problem(Where(name, cell=f"{sheet}!A{r}"), key or "", "expected a resource id in "
                                            "the first column, found none"))
                    continue
                prefix = base + (str(rid).strip(),)
                start = 1
            else:
                prefix = base + ([i],)
                start = 0
            for j in range(start, min(len(row), len(cols))):
                v, col = row[j], cols[j]
                if col is None or v is None or (isinstance(v, str) and not v.strip()):
                    continue
                cell = f"{sheet}!{get_column_letter(j + 1)}{r}"
                put(prefix + col, _cell_value(v, Where(name, cell=cell), path_text(col), problems), cell)
    wb.close()
    formulas.close()
    if not raw:
        raise InputError(problems or [Problem(Where(name), "", "expected a scenario in the workbook's sheets, found none")])
    if problems:  # said with the schema's own findings, all at once (load.load_scenario)
        raw[PROBLEMS] = problems
    return raw, locs
