"""Writing result files: CSV (UTF-8 with BOM, formula-safe, byte-reproducible) and JSON.
Where they go, and how a folder or file is put in place, is optimizer/postprocess/places.py."""
from __future__ import annotations

import json
import math
import os
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

FLOAT_FORMAT = "%.10g"  # stable text for byte-identical reruns; timings live only in the manifest


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM so Excel opens Chinese names; fixed float format for reproducible bytes.

    The same bytes as pandas' to_csv with these options (a test holds them equal), but for text
    that would run as a formula (_csv_text_field): each
    distinct value of a column is rendered once (a million allocation rows name 2,850 regions,
    and half their amounts are 0), and a row is its fields joined. The 1.06M-row allocation of
    2,850 counties: 7.7 s through pandas, 2.0 s here."""
    cols = [_csv_column(df[name]) for name in df.columns]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(",".join(_csv_text_field(str(c)) for c in df.columns) + "\n")
        rows = map(",".join, zip(*cols))
        while chunk := list(islice(rows, 50_000)):  # one encode per 50k lines, not per line
            f.write("\n".join(chunk))
            f.write("\n")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # where a spreadsheet reads a cell as a formula (OWASP)


def _csv_text_field(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe, as OWASP advises against
    CSV injection (a region named '=HYPERLINK(...)'); numbers are not text and keep their sign."""
    return _csv_field("'" + text if text.startswith(FORMULA_START) else text)


def _csv_field(text: str) -> str:
    """Quoted as the csv module and pandas quote: where a comma, quote or line break is inside."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_column(col: pd.Series) -> list[str]:
    """A column as CSV fields: each distinct value rendered once, then taken by its code."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _taken(_csv_text(pd.Series(col.cat.categories, dtype=object)), col.cat.codes.to_numpy())
    if isinstance(col.dtype, np.dtype) and col.dtype.kind == "f":
        # distinct by bits, not by value: -0.0 prints as "-0", as pandas prints it
        codes, unique = pd.factorize(col.to_numpy(dtype=np.float64).view(np.int64))
        return _taken(["" if math.isnan(v) else FLOAT_FORMAT % v for v in unique.view(np.float64).tolist()], codes)
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu":
        codes, unique = pd.factorize(col.to_numpy())
        return _taken([str(v) for v in unique.tolist()], codes)
    return _csv_text(col)


def _csv_text(col: pd.Series) -> list[str]:
    """A column as CSV fields, each distinct value rendered once (names repeat a million times):
    missing values empty, floats in FLOAT_FORMAT, everything else as text, quoted where needed."""
    codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
    return _taken([FLOAT_FORMAT % v if isinstance(v, float) else _csv_text_field(v) if isinstance(v, str)
                   else _csv_field(str(v)) for v in uniques], codes)


def _taken(fields: list[str], codes: np.ndarray) -> list[str]:
    """The field of each row by its code into the distinct values; code -1 (missing) is empty."""
    return np.array(fields + [""], dtype=object)[codes].tolist()


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def write_json(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False, default=_json_default, sort_keys=False) + "\n",
                    encoding="utf-8")


def to_disk(path: Path) -> None:
    """Wait until the file's bytes are on disk (a no-op for a file already synced)."""
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


