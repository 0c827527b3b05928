"""Tables referenced from a scenario ({file: regions.csv} or an .xlsx sheet).

Cells stay text; the schema converts them, so a bad cell is reported with its
file, row and column. Dotted column names nest: 'standard.fiscal',
'population.2024'. Lines starting with '#' before the header are comments.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from optimizer.errors import InputError, Problem, Where
from optimizer.preprocess.yamlio import Locations, key_text, read_regular

# every cell becomes a Python string: a table of this size already takes a few GB of memory
MAX_TABLE_BYTES = 64 * 2**20
TABLE_ADVICE = "split the data into smaller tables or aggregate it"

# where a scenario may point to a table file instead of writing the list out
TABLE_KEYS = (("regions",), ("categories",), ("population",), ("sharing", "providers"), ("sharing", "communities"),
              ("sharing", "roads"), ("sharing", "travel_times"))


def _rows_csv(data: bytes, path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # Excel on Chinese Windows saves CSV as GBK
        except UnicodeDecodeError as e:
            raise InputError([Problem(Where(str(path)), "", f"expected UTF-8 or GBK text, found undecodable bytes at byte {e.start}")]) from None
    out = []
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        out.append((i, row))
    return out


def _rows_xlsx(data: bytes, path: Path, sheet: str | None) -> list[tuple[int, list[str]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many types for a corrupt file
        raise InputError([Problem(Where(str(path)), "", f"cannot read the workbook: {e}")]) from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise InputError([Problem(Where(str(path)), "", f"expected a sheet named '{sheet}', found sheets {wb.sheetnames}")])
    ws = wb[sheet] if sheet else wb.worksheets[0]
    out = []
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        out.append((i, ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) for v in row]))
    wb.close()
    return out


def read_table(path: Path, sheet: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) rows, comments and blank lines dropped."""
    if not path.exists():
        raise InputError([Problem(Where(str(path)), "", "table file not found")])
    data = read_regular(path, MAX_TABLE_BYTES, TABLE_ADVICE)  # first: a folder is told as one, whatever its name
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise InputError([Problem(Where(str(path)), "", f"expected a .csv or .xlsx table, found '{path.suffix}'")])
    rows = _rows_csv(data, path) if suffix in (".csv", ".txt") else _rows_xlsx(data, path, sheet)
    rows = [(i, r) for i, r in rows if any(c.strip() for c in r)]
    while rows and rows[0][1][0].lstrip().startswith("#"):
        rows.pop(0)
    if not rows:
        raise InputError([Problem(Where(str(path)), "", "expected a header row and data rows, found an empty table")])
    (_, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    seen = set()
    for h in header:
        if h in seen:
            raise InputError([Problem(Where(str(path), rows[0][0]), "", f"duplicate column '{h}' in the header")])
        seen.add(h)
    return header, body


def _nest(target: dict, dotted: str, value) -> None:
    parts = dotted.split(".")
    for p in parts[:-1]:
        target = target.setdefault(p, {})
    target[parts[-1]] = value


def records(path: Path, sheet: str | None, at: tuple, locs: Locations) -> list[dict]:
    """A table of records: one dict per row; every cell's location recorded."""
    header, body = read_table(path, sheet)
    out = []
    for n, (line, cells) in enumerate(body):
        if len(cells) > len(header):
            raise InputError([Problem(Where(str(path), line), key_text(at + (n,)),
                                      f"expected {len(header)} cells as in the header, found {len(cells)}")])
        rec: dict = {}
        locs[at + (n,)] = Where(str(path), line)
        for col, cell in zip(header, cells):
            cell = cell.strip()
            if cell == "":
                continue
            _nest(rec, col, cell)
            locs[at + (n,) + tuple(col.split("."))] = Where(str(path), line, col)
        out.append(rec)
    return out


def wide(path: Path, sheet: str | None, at: tuple, locs: Locations) -> dict:
    """A wide table: first column an id, the other columns keys (years)."""
    header, body = read_table(path, sheet)
    if len(header) < 2:
        raise InputError([Problem(Where(str(path)), key_text(at), "expected a region column and one column per year, found one column")])
    out: dict = {}
    for line, cells in body:
        rid = cells[0].strip()
        if rid in out:
            raise InputError([Problem(Where(str(path), line, header[0]), key_text(at), f"duplicate region '{rid}'")])
        out[rid] = {}
        locs[at + (rid,)] = Where(str(path), line, header[0])
        for col, cell in zip(header[1:], cells[1:]):
            if cell.strip():
                out[rid][col] = cell.strip()
                locs[at + (rid, col)] = Where(str(path), line, col)
    return out
