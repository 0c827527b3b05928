"""The Python API (docs/api.md): load a scenario from a file or a mapping, change it, solve it, read the
answer as DataFrames, write it as `opt solve` would. The same checks and messages as the command line: bad
input raises InputError (its .problems, its message the CLI's), a solver that is missing SolverUnavailable.

    import optimizer
    result = optimizer.solve("scenarios/west.yaml", overrides=["resources.fiscal.budget=2800"])
    result.status, result.objective, result.allocation, result.kpis, result.constraints
    result.write("results/west-2800")
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.errors import InputError, SolverUnavailable
from optimizer.preprocess.load import MAPPING, Loaded, load_scenario
from optimizer.run import RunOutcome, solve_scenario, write_outputs

Source = str | Path | Mapping[str, Any]


def load(source: Source, overrides: list[str] | None = None) -> Loaded:
    """A scenario, checked: `source` a YAML or .xlsx file or a mapping of the same keys; `overrides` as --set
    takes them ("targets.regional_gap.cap=1.6", "targets.facility_standard.min.2030=0.6"). `.scenario` is the
    validated model, `.raw` the mapping after extends, tables and overrides."""
    return load_scenario(source, overrides)


@dataclass(frozen=True)
class Result:
    """One solve: its status and objective; its tables (empty where there is no solution); where the targets
    cannot all be met, the diagnosis (its lines in English and Chinese, its table)."""

    outcome: RunOutcome

    @property
    def status(self) -> str:
        """'optimal', 'infeasible', 'time_limit', ... (optimizer.backend.status.Status values)."""
        return self.outcome.solution.status.value

    @property
    def ok(self) -> bool:
        return self.outcome.solution.status.is_ok

    @property
    def exit_code(self) -> int:
        """The code `opt solve` would exit with (0 optimal, 2 infeasible, 3 stopped)."""
        return self.outcome.exit_code

    @property
    def objective(self) -> float:
        return float(self.outcome.solution.objective)

    def _table(self, name: str) -> pd.DataFrame:
        r = self.outcome.results
        return getattr(r, name).copy() if r is not None else pd.DataFrame()

    @property
    def allocation(self) -> pd.DataFrame:
        """allocation.csv's rows: region, category, resource, year; allocated, level, need, unmet, people..."""
        return self._table("allocation")

    @property
    def kpis(self) -> pd.DataFrame:
        return self._table("kpis")

    @property
    def constraints(self) -> pd.DataFrame:
        return self._table("constraints")

    @property
    def summary(self) -> dict:
        """summary.json's numbers (people unserved, the headline, the unique answer's stages, ...)."""
        r = self.outcome.results
        return dict(r.summary) if r is not None else {"status": self.status}

    @property
    def diagnosis(self) -> list[str] | None:
        """Where the targets cannot all be met: the least change to each, in words with its --set line (in the
        run's language, as the command prints them); None where they can."""
        d = self.outcome.diagnosis
        return d.lines_in(self.outcome.view.lang) if d is not None else None

    @property
    def diagnosis_table(self) -> pd.DataFrame | None:
        """diagnosis.csv's rows (None where the targets can all be met); `set` is missing (NA) on a row that
        found no change, so `table.dropna(subset=["set"])` keeps the changes that work."""
        d = self.outcome.diagnosis
        if d is None:
            return None
        table = d.table()
        table["set"] = table["set"].replace("", pd.NA)
        return table

    def write(self, folder: str | Path, report: bool = False) -> Path:
        """The result folder `opt solve --out FOLDER` writes (all or nothing; a folder opt did not write is
        refused, as on the command line); `report=True` adds report.html, as --report."""
        from optimizer.postprocess.places import claim_folder

        target = Path(folder)
        claim_folder(target, "folder")
        self.outcome.out_dir = target
        write_outputs(self.outcome, ["optimizer.api.solve"], with_report=report, what="folder")
        return target


def solve(source: Source | Loaded, overrides: list[str] | None = None, *, solver: str | None = None,
          time_limit: float | None = None, threads: int | None = None, lang: str | None = None,
          money_unit: str | None = None) -> Result:
    """Solve a scenario (a file, a mapping, or what `load` gave) with overrides; nothing is written until
    Result.write. The options are checked as the command line checks them: InputError, with its words."""
    from optimizer.errors import Problem, Where
    from optimizer.options import solver_refusals, view_choice

    given = overrides
    try:  # a generator is read once, here; a bare string would be read a character at a time
        overrides = None if given is None or isinstance(given, str | bytes) else list(given)
    except TypeError:
        overrides = None
    if given is not None and (overrides is None or not all(isinstance(o, str) for o in overrides)):
        raise InputError([Problem(Where("overrides"), "", f"expected a list of 'key.path=value' strings, found {given!r}")])
    money_unit, lang, refused = view_choice(money_unit, lang)
    refused = solver_refusals(time_limit, threads, solver=solver) + refused
    if refused:
        raise InputError([Problem(Where(name), "", f"expected {expected}, found {found}") for name, expected, found in refused])
    threads = None if threads is None else int(threads)  # numpy's integers and floats, as Python's
    time_limit = None if time_limit is None else float(time_limit)
    if isinstance(source, Loaded):  # loaded before: read again as it was, with its overrides, then these
        overrides = [o.text for o in source.overrides] + list(overrides or [])
        source = source.raw if source.path == MAPPING else source.path
    return Result(solve_scenario(source, list(overrides or []), write=False, solver=solver, time_limit=time_limit,
                                 threads=threads, lang=lang, money_unit=money_unit))


__all__ = ["InputError", "Result", "SolverUnavailable", "load", "solve"]
