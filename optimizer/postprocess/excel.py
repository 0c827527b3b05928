"""results.xlsx: a summary sheet first, then one sheet per table, formatted for hand-on."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

# column -> header shown (with units); columns not listed keep their name
HEADERS = {
    "allocated": "allocated (in the row's unit)", "baseline": "baseline (in the row's unit)",
    "level": "level (in the row's unit)", "need": "need (in the row's unit)", "unmet": "unmet (in the row's unit)",
    "people_unserved": "people unserved (people)", "value": "value (in the row's unit)",
    "target": "target (in the row's unit)", "slack": "slack (in slack_unit)",
    "shadow_price": "shadow price (in shadow_unit)",
}
YEAR_HEADERS = ("year", "年份")  # a year is written plainly: 2030, not 2,030.00
PER_ROW = ("value", "target")  # columns whose number format follows the row's unit (a share as a percent)
SHARE_UNITS = ("share", "比例")  # a row whose value is a share, in English and Chinese tables


def _width(series: pd.Series, header: str) -> int:
    text = series.head(500).map(str)
    longest = max([len(header)] + [sum(2 if ord(ch) > 0x2E80 else 1 for ch in s) for s in text])
    return min(max(8, longest + 2), 80)


def _sheet(wb, name: str, df: pd.DataFrame, fmts: dict, bad_rows=None, words=None) -> None:
    """One table: header with units, numbers formatted, rows whose target is not met highlighted."""
    ws = wb.add_worksheet(name)
    kinds = []
    for j, col in enumerate(df.columns):
        header = words(col) if words is not None else HEADERS.get(col, col)
        ws.write(0, j, header, fmts["head"])
        is_num = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        whole = pd.api.types.is_integer_dtype(df[col])
        kinds.append(("int" if col in YEAR_HEADERS else "count" if whole else "num") if is_num else "text")
        ws.set_column(j, j, _width(df[col], header), fmts[kinds[-1]])
    units = df["unit"].astype(str).to_numpy() if "unit" in df.columns else np.array([], dtype=object)
    per_row = [col in PER_ROW and len(units) > 0 and kinds[j] == "num" for j, col in enumerate(df.columns)]
    for i, row in enumerate(df.itertuples(index=False), start=1):  # in row order: constant_memory mode
        bad = bad_rows is not None and bool(bad_rows[i - 1])
        for j, v in enumerate(row):
            kind = kinds[j]
            if per_row[j]:  # a share as a percent, an index or ratio to 3 decimals, the rest with separators
                kind = "pct" if units[i - 1] in SHARE_UNITS else "small" if isinstance(v, float) and abs(v) < 10 else kind
            fmt = fmts[("bad_" if bad else "") + kind]
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


@dataclass
class Brief:
    """The first sheet, a one-page brief a bureau can forward (its lines, then its small tables), and the
    sheets that follow it before the detailed ones (money by province and year, ...); `bad`: per sheet, the
    rows to highlight (targets not met)."""

    name: str
    lines: list[tuple[str, str]]
    tables: list[tuple[str, pd.DataFrame]]
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)
    bad: dict[str, np.ndarray] = field(default_factory=dict)


def _brief(wb, fmts: dict, brief: Brief) -> None:
    ws = wb.add_worksheet(brief.name)
    title = wb.add_format({"bold": True, "font_size": 13})
    bold = wb.add_format({"bold": True})
    r = 0
    widths = [12] * 12
    for label, text in brief.lines:
        ws.write(r, 0, label, bold)
        ws.write(r, 1, text)
        widths[0] = max(widths[0], _width(pd.Series([], dtype=str), label))
        r += 1
    for caption, df in brief.tables:
        r += 1
        ws.write(r, 0, caption, title)
        r += 1
        widths += [12] * (len(df.columns) - len(widths))  # a wide grid: many milestone years
        for j, col in enumerate(df.columns):
            if len(df.columns) > 1 or str(col) != caption:  # a list under its caption needs no header of its own
                ws.write(r, j, str(col), fmts["head"])
            widths[j] = max(widths[j], min(_width(df[col], str(col)), 40))
        for row in df.itertuples(index=False):
            r += 1
            for j, v in enumerate(row):
                if isinstance(v, (float, np.floating)) and not np.isfinite(v):
                    ws.write_blank(r, j, None)
                elif isinstance(v, (float, np.floating)):
                    ws.write_number(r, j, float(v), fmts["num"])
                elif isinstance(v, (int, np.integer)) and not isinstance(v, bool) and str(df.columns[j]) not in YEAR_HEADERS:
                    ws.write_number(r, j, int(v), fmts["count"])
                else:
                    ws.write(r, j, v.item() if isinstance(v, np.generic) else v)
        r += 1
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.set_landscape()  # one printed page, as a brief is forwarded
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 1)


def write_xlsx(path: Path, summary_rows: list[tuple[str, object]], tables: dict[str, pd.DataFrame],
               brief: Brief | None = None, chart: tuple[str, str] | None = None, view=None) -> None:
    """`chart` (sheet, title): a column chart of that sheet's numeric columns against its first, placed on it
    (compare.xlsx: each scenario's money by year). `view` (optimizer.postprocess.view.View): sheet names and
    headers in its language (the tables' own column names stay in the CSV files). Tables longer than a
    worksheet are cut there, and the summary sheet says so (the CSV has them all)."""
    sheet_name = (lambda n: view.t(f"sheet:{n}", n)) if view is not None else (lambda n: n)
    words = (lambda c: view.t(f"col:{c}", HEADERS.get(c, c))) if view is not None and view.lang == "zh" else None
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
            "pct": wb.add_format({"num_format": "0.0%"}), "small": wb.add_format({"num_format": "0.000"}),
            "count": wb.add_format({"num_format": "#,##0"}), "bad_count": wb.add_format({"num_format": "#,##0", "bg_color": red}),
            "bad_num": wb.add_format({"num_format": "#,##0.00", "bg_color": red}),
            "bad_int": wb.add_format({"num_format": "0", "bg_color": red}), "bad_text": wb.add_format({"bg_color": red}),
            "bad_pct": wb.add_format({"num_format": "0.0%", "bg_color": red}),
            "bad_small": wb.add_format({"num_format": "0.000", "bg_color": red})}
    if brief is not None:
        _brief(wb, fmts, brief)
        for name, df in brief.sheets.items():
            _sheet(wb, name, df, fmts, brief.bad.get(name))
    ws = wb.add_worksheet(sheet_name("summary"))
    ws.write(0, 0, words("item") if words else "item", head)
    ws.write(0, 1, words("value_col") if words else "value", head)
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
        _sheet(wb, sheet_name(name), df, fmts, bad_rows, words)
        if chart is not None and name == chart[0] and len(df):
            _chart(wb, sheet_name(name), df, chart[1])
    wb.close()


def _chart(wb, sheet: str, df: pd.DataFrame, title: str) -> None:
    c = wb.add_chart({"type": "column"})
    n = len(df)
    for j in range(1, len(df.columns)):
        c.add_series({"name": [sheet, 0, j], "categories": [sheet, 1, 0, n, 0], "values": [sheet, 1, j, n, j]})
    c.set_title({"name": title})
    c.set_y_axis({"name": str(df.columns[0]).split("(")[-1].rstrip(")"), "num_format": "#,##0"})
    wb.get_worksheet_by_name(sheet).insert_chart(1, len(df.columns) + 1, c, {"x_scale": 1.6, "y_scale": 1.4})
