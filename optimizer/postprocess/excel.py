"""results.xlsx: a summary sheet first, then one sheet per table, formatted for hand-on."""
from __future__ import annotations

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


def _sheet(wb, name: str, df: pd.DataFrame, fmt_num, fmt_int, fmt_head, fmt_bad=None, bad_rows=None) -> None:
    ws = wb.add_worksheet(name)
    for j, col in enumerate(df.columns):
        header = HEADERS.get(col, col)
        ws.write(0, j, header, fmt_head)
        is_num = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        fmt = (fmt_int if col == "year" else fmt_num) if is_num else None
        ws.set_column(j, j, _width(df[col], header), fmt)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if isinstance(v, (float, np.floating)) and not np.isfinite(v):
                continue
            if isinstance(v, (bool, np.bool_)):
                v = "yes" if v else "no"
            ws.write(i, j, v.item() if isinstance(v, np.generic) else v)
        if fmt_bad is not None and bad_rows is not None and bad_rows[i - 1]:
            ws.set_row(i, None, fmt_bad)
    ws.freeze_panes(1, 0)
    if len(df):
        ws.autofilter(0, 0, len(df), len(df.columns) - 1)


def write_xlsx(path: Path, summary_rows: list[tuple[str, object]], tables: dict[str, pd.DataFrame]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
    num = wb.add_format({"num_format": "#,##0.00"})
    integer = wb.add_format({"num_format": "0"})
    bad = wb.add_format({"bg_color": "#F8D0D0"})
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
        _sheet(wb, name, df, num, integer, head, bad, bad_rows)
    wb.close()
