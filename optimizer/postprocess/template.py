"""`opt template SCENARIO --out plan.xlsx`: the scenario as a workbook a finance bureau fills in (issue 19.5),
in the layout optimizer.preprocess.workbook reads back: `opt solve plan.xlsx` gives the answer the YAML gives.
The scenario is written as loaded (its tables read in, `extends:` and --set applied), so the workbook stands
alone."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from optimizer.postprocess.excel import FIXED_CREATED, _width
from optimizer.preprocess.workbook import KV, README, RECORDS, SHEETS, TABLE, TOP_SCALARS, WIDE, flatten, path_text

_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
TEMPLATE_MARK = "opt template"  # the workbook's author: a file opt wrote

README_LINES = [
    ("这是 opt 的方案工作簿：每个工作表存放方案的一部分，修改后可直接运行 opt solve 本文件。",
     "This is an opt scenario workbook: each sheet holds a part of the scenario; change it and run opt solve on it."),
    ("方案：名称、年份等；区域、类别：每行一个地区或服务类别，列名即键（嵌套键以点连接，如 standard.fiscal；分年度值如 bounds.fiscal.min.2026）。",
     "scenario: name, years; regions, categories: one row each, a column per key (nested keys dotted, "
     "standard.fiscal; a year's value dotted, bounds.fiscal.min.2026)."),
    ("人口：每行一个地区、每列一年（万人）；资源：每行一种资源（fiscal 资金、personnel 人员、facility 用房），"
     "预算单位为亿元，可写带单位的文字如 '500 亿元'。",
     "population: a row per region, a column per year (10k people); resources: a row per resource; budgets in "
     "100m yuan, or text with a unit such as '500 亿元'."),
    ("目标、其他：每行一个键及其值（如 livelihood_share.min.2026 | 0.7）；列表写作 [a, b]。空单元格表示不设该键。",
     "targets, other: a key and its value per row (livelihood_share.min.2026 | 0.7); a list as [a, b]. An empty "
     "cell is a key not given."),
    ("数值单位与 YAML 方案相同（见 docs/model.md）；错误会指出工作表与单元格，如 区域!C7。",
     "Units are those of a YAML scenario (docs/model.md); an error names the sheet and cell, as 区域!C7."),
]


TEXT_KEYS = {"id", "name", "title", "description", "group", "area", "region", "node", "provider", "community", "kind",
             "serves", "line", "pool", "type"}  # text even where it looks like a number (a region code 110000)
MAX_TEXT = 32_767  # Excel's limit on a cell's text


def _cell(v: Any, key: Any = None):
    """A value as a cell: numbers (a table's number read as text too, but for ids and names), text (with a
    leading apostrophe where it starts with [, { or ' or looks like a number, so that it reads back as the same
    text), true/false, lists as YAML."""
    if isinstance(v, bool) or isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        if len(v) > MAX_TEXT:
            raise ValueError(f"expected text of at most {MAX_TEXT:,} characters (a cell's limit), found {len(v):,}")
        number = _NUMBER.match(v) and not (v.strip().lstrip("+-").startswith("0") and v.strip().lstrip("+-")[1:2].isdigit())
        if number and str(key) not in TEXT_KEYS:
            f = float(v)
            return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f
        if number or v.strip()[:1] in ("[", "{", "'") or v != v.strip():
            return "'" + v
        return v
    if isinstance(v, (list, dict)):
        return yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=10**9).strip()
    return str(v)


def _columns(rows: list[list[tuple[tuple, Any]]]) -> list[tuple]:
    seen: dict[tuple, None] = {}
    for row in rows:
        for p, _ in row:
            seen.setdefault(p, None)
    return list(seen)


def template_sheets(raw: dict) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Per sheet, its header and rows, in workbook.SHEETS' layout."""
    raw = {k: v for k, v in raw.items() if k != "extends" and not k.startswith("_")}
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    used = set()
    for sheet, (kind, sheet_key, _) in SHEETS.items():
        key = sheet_key or ""
        if kind == README:
            out[sheet] = (["说明", "notes"], [list(line) for line in README_LINES])
        elif kind == KV and not key and sheet == "方案":
            out[sheet] = (["key", "value"], [[k, _cell(raw[k], k)] for k in TOP_SCALARS if raw.get(k) is not None])
            used |= set(TOP_SCALARS)
        elif kind == KV and key:
            out[sheet] = (["key", "value"], [[path_text(p), _cell(v, p[-1])] for p, v in flatten(raw.get(key) or {})
                                              if v is not None and p])
            used.add(key)
        elif kind == TABLE:
            rows = [flatten(r) for r in raw.get(key) or []]
            cols = _columns(rows)
            out[sheet] = ([path_text(c) for c in cols],
                          [[_cell(dict(r).get(c), c[-1]) if dict(r).get(c) is not None else None for c in cols]
                           for r in rows])
            used.add(key)
        elif kind == RECORDS:
            items = [(rid, flatten(spec)) for rid, spec in (raw.get(key) or {}).items()]
            cols = _columns([r for _, r in items])
            out[sheet] = (["id"] + [path_text(c) for c in cols],
                          [[rid] + [_cell(dict(r).get(c), c[-1]) if dict(r).get(c) is not None else None for c in cols]
                           for rid, r in items])
            used.add(key)
        elif kind == WIDE:
            table = raw.get(key) or {}
            years: dict = {}
            for by_year in table.values():
                for y in by_year if isinstance(by_year, dict) else ():
                    years.setdefault(y, None)
            out[sheet] = (["region"] + [str(y) for y in years],
                          [[rid] + [_cell(v.get(y)) if isinstance(v, dict) and v.get(y) is not None else None
                                    for y in years] for rid, v in table.items()])
            used.add(key)
    rest = [[path_text(p), _cell(v, p[-1])] for k, v in raw.items() if k not in used for p, v in flatten(v, (k,))
            if v is not None]
    out["其他"] = (["key", "value"], rest)
    return out


def write_template(raw: dict, path: Path) -> None:
    import xlsxwriter

    from optimizer.errors import InputError, Problem, Where

    try:
        sheets = template_sheets(raw)
    except ValueError as e:  # a text longer than a cell holds
        raise InputError([Problem(Where(str(path)), "", f"cannot be written as a workbook: {e}")]) from None

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": TEMPLATE_MARK, "title": "opt scenario"})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    for sheet, (header, rows) in sheets.items():
        ws = wb.add_worksheet(sheet)
        for j, h in enumerate(header):
            ws.write_string(0, j, h, head)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v))
        for j, h in enumerate(header):
            column = pd.Series([r[j] if j < len(r) else None for r in rows], dtype=object).dropna()
            ws.set_column(j, j, min(_width(column, h), 60 if sheet != "说明" else 110))
        ws.freeze_panes(1, 1 if SHEETS[sheet][0] in (TABLE, RECORDS, WIDE) else 0)
    wb.close()


def is_our_template(path: Path) -> bool:
    """Never: a workbook opt wrote may since hold a bureau's numbers (it is made to be filled in)."""
    return False
