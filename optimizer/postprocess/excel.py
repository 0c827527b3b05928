"""results.xlsx: a summary sheet first, then one sheet per table, formatted for hand-on."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

# column -> header shown (with units); columns not listed keep their name
HEADERS = {
    "allocated": "allocated (unit)", "baseline": "baseline (unit)", "level": "level (unit)", "need": "need (unit)",
    "unmet": "unmet (unit)", "people_unserved": "people unserved (people)", "value": "value (unit)",
    "target": "target", "slack": "slack (slack_unit)", "shadow_price": "shadow price (shadow_unit)",
}


def _width(series: pd.Series, header: str) -> int:
    text = series.head(500).map(str)
    longest = max([len(header)] + [sum(2 if ord(ch) > 0x2E80 else 1 for ch in s) for s in text])
    return min(max(8, longest + 2), 80)


def _sheet(wb, name: str, df: pd.DataFrame, fmts: dict, bad_rows=None) -> None:
    """One table: header with units, numbers formatted, rows whose target is not met highlighted."""
    ws = wb.add_worksheet(name)
    kinds = []
    for j, col in enumerate(df.columns):
        header = HEADERS.get(col, col)
        ws.write(0, j, header, fmts["head"])
        is_num = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        kinds.append(("int" if col == "year" else "num") if is_num else "text")
        ws.set_column(j, j, _width(df[col], header), fmts[kinds[-1]])
    for i, row in enumerate(df.itertuples(index=False), start=1):  # in row order: constant_memory mode
        bad = bad_rows is not None and bool(bad_rows[i - 1])
        for j, v in enumerate(row):
            fmt = fmts[("bad_" if bad else "") + kinds[j]]
            if isinstance(v, (float, np.floating)) and not np.isfinite(v):
                ws.write_blank(i, j, None, fmt)
                continue
            if isinstance(v, (bool, np.bool_)):
                v = "yes" if v else "no"
            ws.write(i, j, v.item() if isinstance(v, np.generic) else v, fmt)
    ws.freeze_panes(1, 0)
    if len(df):
        ws.autofilter(0, 0, len(df), len(df.columns) - 1)


FIXED_CREATED = datetime(2024, 1, 1, tzinfo=UTC)  # the plan's first year; not the time of the run
EXCEL_ROWS = 1_048_575  # a worksheet's rows, less the header
FULL_ROWS = 60_000  # above this a table goes to the workbook summed up (xlsxwriter: about 16 us a cell)


def workbook_tables(allocation: pd.DataFrame, kpis: pd.DataFrame, constraints: pd.DataFrame,
                    extra: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[tuple[str, str]]]:
    """The sheets for results.xlsx, and notes for the summary sheet where a table was summed up.

    At provincial scale every table goes in whole. At county scale the allocation is
    summed over categories (by region) and over regions (by category); the CSV files
    always hold every row."""
    notes: list[tuple[str, str]] = []
    tables: dict[str, pd.DataFrame] = {}
    if len(allocation) > FULL_ROWS:
        cols = ["allocated", "unmet", "people_unserved"]
        tables["allocation by region"] = allocation.groupby(["region", "region_name", "resource", "unit", "year"], as_index=False,
                                                            sort=False, observed=True)[cols].sum()
        tables["allocation by category"] = allocation.groupby(["category", "category_name", "resource", "unit", "year"],
                                                              as_index=False, sort=False,
                                                              observed=True)[cols].sum()
        notes.append(("allocation", f"{len(allocation):,} rows: summed here by region and by category; every row is in allocation.csv"))
        if len(tables["allocation by region"]) > FULL_ROWS:
            tables["allocation by region"] = tables["allocation by region"].groupby(
                ["region", "region_name", "resource", "unit"], as_index=False, sort=False, observed=True)[cols].sum()
    else:
        tables["allocation"] = allocation
    if len(kpis) > FULL_ROWS:
        per_region = kpis["scope"].isin(set(allocation["region_name"]))
        tables["kpis"] = kpis[~per_region]
        notes.append(("kpis", f"{len(kpis):,} rows: the plan-wide ones here; each region's are in kpis.csv"))
    else:
        tables["kpis"] = kpis
    if len(constraints) > FULL_ROWS // 3:
        tables["binding constraints"] = constraints[constraints["binding"].astype(bool)]
        notes.append(("constraints", f"{len(constraints):,} rows: the binding ones here; every row is in constraints.csv"))
    else:
        tables["constraints"] = constraints
    for name, df in extra.items():
        if len(df) > FULL_ROWS:
            notes.append((name, f"{len(df):,} rows: see {name}.csv"))
        else:
            tables[name] = df
    return tables, notes


def write_xlsx(path: Path, summary_rows: list[tuple[str, object]], tables: dict[str, pd.DataFrame]) -> None:
    """Tables longer than a worksheet are cut there, and the summary sheet says so (the CSV has them all)."""
    import xlsxwriter

    summary_rows = list(summary_rows)
    for name, df in tables.items():
        if len(df) > EXCEL_ROWS:
            summary_rows.append((f"sheet '{name}'", f"first {EXCEL_ROWS:,} of {len(df):,} rows; all rows are in {name}.csv"))
    tables = {name: df.head(EXCEL_ROWS) for name, df in tables.items()}
    # text is never a formula or a link (a region named '=HYPERLINK(...)' stays text), and the workbook's
    # creation date is fixed: two runs of one scenario give the same bytes
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "constant_memory": True,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
    num = wb.add_format({"num_format": "#,##0.00"})
    red = "#F8D0D0"
    fmts = {"head": head, "num": num, "int": wb.add_format({"num_format": "0"}), "text": None,
            "bad_num": wb.add_format({"num_format": "#,##0.00", "bg_color": red}),
            "bad_int": wb.add_format({"num_format": "0", "bg_color": red}), "bad_text": wb.add_format({"bg_color": red})}
    ws = wb.add_worksheet("summary")
    ws.write(0, 0, "item", head)
    ws.write(0, 1, "value", head)
    for i, (k, v) in enumerate(summary_rows, start=1):
        ws.write(i, 0, k)
        if isinstance(v, float):
            ws.write_number(i, 1, v, num)
        else:
            ws.write(i, 1, str(v))
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 110)
    ws.freeze_panes(1, 0)
    for name, df in tables.items():
        bad_rows = None
        if "met" in df.columns:
            bad_rows = (df["met"] == False).to_numpy()  # noqa: E712 - column mixes '' and booleans
        _sheet(wb, name, df, fmts, bad_rows)
    wb.close()
