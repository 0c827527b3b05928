"""Solving a scenario file through the command line and reading its result tables, for the tests."""
from __future__ import annotations

import pandas as pd


def solve_cli(invoke, path, *sets, out=None, lp=None):
    """`opt solve PATH --set ...` into a fresh folder beside PATH (or `out`): (exit code, the folder, its text)."""
    out = out or path.parent / f"out{len(list(path.parent.glob('out*')))}"
    args = ["solve", path, "--out", out] + (["--write-lp", lp] if lp else [])
    for s in sets:
        args += ["--set", s]
    r = invoke(*args)
    return r.exit_code, out, r.output


def read_table(out, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig")
