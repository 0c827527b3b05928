"""Reading back what opt wrote (result folders of solve, compare and sweep), for compare and report.

Every fault of a file (not UTF-8, empty, a column or key missing, JSON that does not
parse or has the wrong shape, a folder that opt did not write) is an InputError naming
the file, never a traceback: these folders are the user's input to `opt compare` and
`opt report`, and they may be damaged, edited by hand or not opt's at all.

read_result_csv and read_result_json read one file; require_files checks a folder holds
what its reader needs; read_solve_folder reads a folder of `opt solve` for both readers.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.errors import InputError, Problem, Where
from optimizer.postprocess.write import FORMULA_START

# what a folder of opt solve holds that its readers use; its manifest lists what it wrote
SOLVE_FILES = ("manifest.json", "summary.json", "kpis.csv", "allocation.csv", "scenario.json")
KPI_COLUMNS = ("year", "kpi", "scope", "value", "unit", "target", "met")
ALLOCATION_COLUMNS = ("region", "region_name", "category", "category_name", "resource", "year", "unit", "allocated",
                      "people_unserved")
MONEY_COLUMNS = ("region", "region_name", "year", "money_10k_yuan")
SHARING_COLUMNS = {"providers.csv": ("provider", "kind", "year", "utilisation"),
                   "flows.csv": ("provider", "provider_kind", "community", "year", "amount_m2", "travel_minutes")}
WHOLE = ("year", "point")  # numeric columns that are whole numbers, never blank
NUMERIC = ("year", "point", "value", "target", "allocated", "people_unserved", "utilisation", "amount_m2", "travel_minutes")


def _fail(where: Where, message: str, path: str = "") -> InputError:
    return InputError([Problem(where, path, message)])


# --- folders -------------------------------------------------------------------------------------

def writer_of(folder: Path) -> str | None:
    """Which opt command a folder looks like it came from, by the files it holds."""
    if (folder / "sweep.csv").exists():
        return "opt sweep"
    if (folder / "status.csv").exists() and (folder / "inputs.csv").exists():
        return "opt compare"
    if (folder / "summary.json").exists():
        return "opt solve"
    return None


def describe_folder(folder: Path, writer: str) -> str:
    """What a folder holds, in a few words: 'an empty folder', 'a folder of 2 files (a.txt, b.png)',
    'a folder written by opt compare' (when WRITER is another command)."""
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        return "a folder that cannot be listed"
    if not names:
        return "an empty folder"
    other = writer_of(folder)
    if other is not None and other != writer:
        return f"a folder written by {other}"
    shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
    return f"a folder of {len(names)} file{'s' if len(names) != 1 else ''} ({shown})"


def require_files(folder: Path, need: Sequence[str], writer: str = "opt solve", holds: Sequence[str] = (),
                  why: str = "") -> None:
    """Each of NEED is a file in FOLDER, or an InputError saying what was expected and what was found.

    HOLDS names the files such a folder has, for the message (NEED if not given); WHY is added
    after the missing names (for instance: its manifest.json lists them).
    """
    folder = Path(folder)
    for name in need:
        if (folder / name).is_dir():
            raise _fail(Where(str(folder / name)), f"expected the file {name} of a result folder written by {writer}, "
                                                    "found a folder")
    missing = [name for name in need if not (folder / name).is_file()]
    if missing:
        listed = ", ".join(holds or need)
        raise _fail(Where(str(folder)), f"expected a result folder written by {writer} (with {listed}, ...), found "
                                        f"{describe_folder(folder, writer)}, missing {', '.join(missing)}{why}")


# --- text ----------------------------------------------------------------------------------------

def _first_bad_utf8(path: Path) -> tuple[int, int, bytes] | None:
    """(line, byte offset, bytes) of the first byte that is not UTF-8, reading line by line."""
    offset = 0
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as e:
                return n, offset + e.start, line[e.start:e.start + 4]
            offset += len(line)
    return None


def _not_utf8(path: Path, what: str) -> InputError:
    bad = _first_bad_utf8(path)
    if bad is None:  # a sequence cut at a read boundary: say so without a place
        return _fail(Where(str(path)), f"expected {what} in UTF-8, found bytes that are not UTF-8")
    line, offset, raw = bad
    return _fail(Where(str(path), line), f"expected {what} in UTF-8, found bytes that are not UTF-8 "
                                         f"(byte {offset}: {raw.hex(' ')})")


# --- CSV -----------------------------------------------------------------------------------------

def read_result_csv(path: Path, columns: Sequence[str] = (), numeric: Sequence[str] | None = None,
                    rows: bool = False) -> pd.DataFrame:
    """A CSV table opt wrote (UTF-8, with or without a byte-order mark), checked.

    COLUMNS must all be there (each one missing is named); NUMERIC columns (by default those
    of COLUMNS in NUMERIC) hold numbers or blanks; ROWS: at least one row. Any fault is an
    InputError naming the file (and the line, where there is one).
    """
    path = Path(path)
    expected = f"a CSV table with a header row ({', '.join(columns)})" if columns else "a CSV table with a header row"
    try:
        df = pd.read_csv(path, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(path, expected) from None
    except pd.errors.EmptyDataError:
        raise _fail(Where(str(path)), f"expected {expected}, found an empty file") from None
    except pd.errors.ParserError as e:
        text = str(e).strip().removeprefix("Error tokenizing data. C error: ")
        m = re.search(r"line (\d+)", text)
        raise _fail(Where(str(path), int(m.group(1)) if m else None),
                    f"expected {expected}, found a malformed row ({text})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(str(c) for c in list(df.columns)[:12]) + (", ..." if len(df.columns) > 12 else "")
        raise _fail(Where(str(path), 1), f"expected {expected}, found no column {', '.join(repr(c) for c in missing)} "
                                         f"(the header has: {found})")
    for col in (numeric if numeric is not None else [c for c in columns if c in NUMERIC]):
        values = pd.to_numeric(df[col], errors="coerce") if not pd.api.types.is_bool_dtype(df[col]) \
            else pd.Series(float("nan"), index=df.index)
        bad = values.isna() & df[col].notna()
        want = "a number"
        if col in WHOLE:  # years and points: never blank, never a fraction
            bad |= df[col].isna() | (values % 1 != 0) & values.notna()
            want = "a whole number"
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            found = "a blank" if pd.isna(df[col].iloc[i]) else repr(str(df[col].iloc[i]))
            raise _fail(Where(str(path), i + 2, col), f"expected {want}, found {found}")  # the header is line 1
        df[col] = values.astype("int64") if col in WHOLE else values
    if rows and df.empty:
        raise _fail(Where(str(path)), f"expected {expected} and at least one row, found the header alone")
    for col in df.columns:  # text write_csv kept from running as a formula: read back as it was written
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):  # pandas 3 reads text as str
            df[col] = df[col].map(_unguarded)
    return df.rename(columns=_unguarded)


def _unguarded(v):
    return v[1:] if isinstance(v, str) and v.startswith("'") and v[1:2] in FORMULA_START else v


# --- JSON ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Maybe:
    """In a JSON shape: a key that may be absent."""

    spec: Any


@dataclass(frozen=True)
class Check:
    """In a JSON shape: a value that passes TEST, described as WHAT."""

    what: str
    test: Callable[[Any], bool]


NUMBER = Check("a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
_NAMES = {str: "text", dict: "an object", list: "a list", bool: "true or false", int: "a whole number", type(None): "null"}


def _expected(spec) -> str:
    if isinstance(spec, Maybe):
        return _expected(spec.spec)
    if isinstance(spec, Check):
        return spec.what
    if spec is None:
        return "null"
    if isinstance(spec, tuple):
        return " or ".join(_expected(s) for s in spec)
    if isinstance(spec, list):
        inner = _expected(spec[0])
        return f"a list of {inner.removeprefix('a ').removeprefix('an ')}s" if inner.startswith(("a ", "an ")) \
            else f"a list of {inner}"
    if isinstance(spec, dict):
        return "an object"
    return _NAMES.get(spec, spec.__name__)


def _found(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"the number {v!r}"
    if isinstance(v, str):
        return f"the text {v[:40]!r}" + ("..." if len(v) > 40 else "")
    if isinstance(v, list):
        return f"a list of {len(v)} item{'s' if len(v) != 1 else ''}"
    if isinstance(v, dict):
        keys = ", ".join(repr(k) for k in list(v)[:4]) + (", ..." if len(v) > 4 else "")
        return f"an object with the key{'s' if len(v) > 1 else ''} {keys}" if v else "an empty object"
    return type(v).__name__


def _check(v, spec, at: str) -> tuple[str, str, str] | None:
    """(key path, expected, found) of the first place where V does not have the shape SPEC, else None."""
    if isinstance(spec, Maybe):
        spec = spec.spec
    if isinstance(spec, tuple):
        firsts = [_check(v, s, at) for s in spec]
        if all(f is not None for f in firsts):
            deeper = [f for f in firsts if f[0] != at]  # the right kind of value, wrong inside: say where
            return deeper[0] if deeper else (at, _expected(spec), _found(v))
        return None
    if spec is None:
        return None if v is None else (at, "null", _found(v))
    if isinstance(spec, Check):
        return None if spec.test(v) else (at, spec.what, _found(v))
    if isinstance(spec, list):
        if not isinstance(v, list):
            return at, _expected(spec), _found(v)
        for i, item in enumerate(v):
            bad = _check(item, spec[0], f"{at}[{i}]")
            if bad:
                return bad
        return None
    if isinstance(spec, dict):
        if not isinstance(v, dict):
            return at, _expected(spec), _found(v)
        for key, sub in spec.items():
            where = f"{at}.{key}" if at else key
            if key not in v:
                if isinstance(sub, Maybe):
                    continue
                return where, _expected(sub), "nothing (the key is missing)"
            bad = _check(v[key], sub, where)
            if bad:
                return bad
        return None
    ok = isinstance(v, spec) and not (isinstance(v, bool) and spec is int)
    return None if ok else (at, _expected(spec), _found(v))


def read_result_json(path: Path, shape: dict | None = None, what: str = "") -> dict:
    """A JSON object opt wrote, checked against SHAPE ({key: spec}; see _check), or an InputError naming the file.

    A spec is a type (str, dict, list, ...), NUMBER or another Check, None (null),
    a tuple (any of), [spec] (a list of), {key: spec} (an object with these keys; Maybe(spec)
    where the key may be absent). WHAT names the file's kind in messages ("summary.json of opt solve").
    """
    path = Path(path)
    kind = what or f"{path.name} as opt writes it"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(path, f"JSON ({kind})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if not text.strip():
            found = "an empty file"
        else:
            ended = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string")
            found = ("the file ending before the JSON is complete (cut short?): " if ended else "text that does not parse: ") \
                + f"{e.msg.removesuffix(' at')} at line {e.lineno} column {e.colno}"
        raise _fail(Where(str(path), e.lineno if text.strip() else None), f"expected JSON ({kind}), found {found}") from None
    except RecursionError:
        raise _fail(Where(str(path)), f"expected JSON ({kind}), found arrays or objects nested too deep to read") from None
    if not isinstance(data, dict):
        raise _fail(Where(str(path)), f"expected a JSON object ({kind}), found {_found(data)}")
    bad = _check(data, shape or {}, "")
    if bad:
        at, expected, found = bad
        raise _fail(Where(str(path)), f"expected {expected}, found {found}", at)
    return data


SUMMARY_SHAPE = {"status": str, "scenario": Maybe(str), "diagnosis": Maybe([str]),
                 "binding_targets": Maybe([{"sentence": str}]), "people_unserved": Maybe(NUMBER),
                 "warnings": Maybe(list)}
MANIFEST_SHAPE = {"files": [str], "overrides": Maybe([{"set": str}]), "versions": Maybe(dict),
                  "vary": Maybe([{"key": str, "values": list}])}
SCENARIO_SHAPE = {"title": Maybe((str, None)), "regions": Maybe([{"id": str, "name": Maybe((str, None))}])}


# --- a folder of opt solve -------------------------------------------------------------------------

@dataclass
class SolveFolder:
    """What compare and report read of a folder written by opt solve."""

    path: Path
    manifest: dict
    summary: dict
    scenario: dict | None  # None where the folder has no scenario.json (older than it) and it was not required
    kpis: pd.DataFrame | None  # None where the solve wrote no tables (targets not all met; no point found)
    allocation: pd.DataFrame | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # providers and flows, where listed


def read_solve_folder(folder: Path, need_scenario: bool = False, sharing: bool = False) -> SolveFolder:
    """A folder of opt solve: manifest.json and summary.json always; kpis.csv, allocation.csv (and
    providers.csv, flows.csv if SHARING) where its manifest lists them; scenario.json where listed or
    NEED_SCENARIO. Every file checked; the first fault is an InputError naming its file."""
    folder = Path(folder)
    base = ["manifest.json", "summary.json"] + (["scenario.json"] if need_scenario else [])
    require_files(folder, base, holds=SOLVE_FILES)
    manifest = read_result_json(folder / "manifest.json", MANIFEST_SHAPE, "manifest.json of opt solve")
    summary = read_result_json(folder / "summary.json", SUMMARY_SHAPE, "summary.json of opt solve")
    listed = set(manifest["files"])
    wanted = [f for f in ("kpis.csv", "allocation.csv", "scenario.json") if f in listed]
    if sharing:
        wanted += [f for f in SHARING_COLUMNS if f in listed]
    require_files(folder, wanted, holds=SOLVE_FILES, why=" (listed in its manifest.json)")
    scenario = None
    if need_scenario or (folder / "scenario.json").exists():
        scenario = read_result_json(folder / "scenario.json", SCENARIO_SHAPE, "scenario.json of opt solve")
    kpis = allocation = None
    if "kpis.csv" in listed:
        kpis = read_result_csv(folder / "kpis.csv", KPI_COLUMNS)
    if "allocation.csv" in listed:
        allocation = read_result_csv(folder / "allocation.csv", ALLOCATION_COLUMNS)
    tables = {f.removesuffix(".csv"): read_result_csv(folder / f, cols) for f, cols in SHARING_COLUMNS.items()
              if sharing and f in listed}
    if "money.csv" in listed:  # the headline's money in fixed units (folders written before it have none)
        require_files(folder, ["money.csv"], holds=SOLVE_FILES, why=" (listed in its manifest.json)")
        tables["money"] = read_result_csv(folder / "money.csv", MONEY_COLUMNS)
    return SolveFolder(folder, manifest, summary, scenario, kpis, allocation, tables)
