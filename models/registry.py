"""Constraint families by name. A family is one module: its `@family` registration declares, in one
place, how it builds its rows, how it explains them, which KPIs it sets a target on, what the cheap
pre-solve check can prove of it, and what the diagnosis may relax. The checks, the KPI table and the
diagnosis read these declarations; none of them names a family. A build that adds nothing means the
family is switched off."""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from optimizer.models.common import Context

EACH_REGION = "each region"  # a KPI target scope: every region's row of the KPI


@dataclass(frozen=True)
class Knob:
    """One relaxable parameter, for the diagnosis: where it lives, which way relaxes it, its bounds."""

    family: str  # the constraint family it belongs to
    path: tuple  # attribute path in the Scenario
    sign: int  # +1: raising relaxes (caps, budgets); -1: lowering relaxes (floors)
    limit: float  # the most relaxed value (math.inf for 'no limit')
    tol: float  # bisection stops when the shift is known to this (absolute)
    unit: str
    what: str
    none_is_unlimited: bool = False  # no value means no limit (supplies): one solve tells if any shift can do
    from_zero: bool = False  # relaxed from 0 (a custom rule's 'relax'): applies though its value is 0
    resource: bool = False  # money, staff or space to be had (a supply, a pool's ceiling), not a target of the plan
    delay: bool = False  # the shift moves the schedule's milestones later by whole years (the diagnosis makes these)


@dataclass(frozen=True)
class KpiTarget:
    """A target a family sets on a KPI row of kpis.csv: the value it must reach, by year (NaN: none)."""

    kpi: str
    scope: str  # the KPI row's scope ('regions', 'areas', 'all regions', ...) or EACH_REGION
    values: np.ndarray  # (T,)
    sense: str  # '>=' or '<='
    basis: str = "new"  # for shares: of new allocations, or of totals with the baseline ('total')


@dataclass(frozen=True)
class KpiRow:
    """A KPI of a family's own, by year: for one scope, or for each region (scope: the regions' names and
    values regions x years). A target declared on it (kpi_targets) stands beside it in kpis.csv."""

    kpi: str
    scope: str | Sequence[str]
    values: np.ndarray
    unit: str


@dataclass
class Findings:
    """What the cheap pre-solve check finds of one family: proofs that the plan is infeasible, each
    (the year or None, text with '{years}' where the years go); and what its targets need of the budget
    each year (100m yuan, with the words for year j), in two kinds that add up differently:

    - `allocation`: the least new fiscal money its rows need allocated. Two families' needs may be met by
      the same money (lifting a region to a floor also narrows a gap), so the budget check takes the
      largest of them, never their sum;
    - `outlay`: money the budget pays beside the allocation (salaries of the workers a target needs),
      which adds to it."""

    proofs: list[tuple[int | None, str]] = field(default_factory=list)
    allocation: list[tuple[np.ndarray, Callable[[int], str]]] = field(default_factory=list)
    outlay: list[tuple[np.ndarray, Callable[[int], str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Family:
    name: str
    build: Callable[[Context], None]
    explain: Callable | None  # (RowFacts, ModelData) -> Explained, for constraints.csv and shadow prices
    doc: str
    params: type | None = None  # pydantic model of its parameters under `families:` in a scenario
    target: type | None = None  # pydantic model of its entry under `targets:` (the plan's families)
    validate: Callable[[object], Sequence[tuple[tuple, str]]] | None = None  # (scenario) -> [(key path, problem)]
    knobs: Callable[[object], Sequence[Knob]] | None = None  # (scenario) -> what the diagnosis may relax
    kpi_targets: Callable[[object, object], Sequence[KpiTarget]] | None = None  # (data, scenario) -> targets
    check: Callable[[object, object], Findings] | None = None  # (data, scenario) -> what the check proves
    kpis: Callable[[object, object, object], Sequence[KpiRow]] | None = None  # (data, arrays, scenario) -> its KPIs
    tables: Callable[[object, object, object], dict] | None = None  # (data, arrays, scenario) -> {file stem: DataFrame}

    def knobs_for(self, scenario) -> list[Knob]:
        return list(self.knobs(scenario)) if self.knobs else []


FAMILIES: dict[str, Family] = {}


def family(name: str, explain: Callable | None = None, params: type | None = None, target: type | None = None,
           validate=None, knobs=None, kpi_targets=None, check=None, kpis=None, tables=None):
    """Register a constraint family under the name the scenario switches on.

    Families of the plan declare `target` (a pydantic model): their entry `targets: {name: {...}}`;
    a family with `params` (a pydantic model) is switched on by `families: {name: {...}}`.
    `validate`, `knobs`, `kpi_targets`, `check`, `kpis` and `tables` are functions of the scenario (and its
    data, and the solution's arrays) that return the family's input problems, Knobs, KpiTargets, Findings,
    KpiRows and tables of its own (written as <stem>.csv beside the others); each may be left out."""

    def wrap(fn: Callable[[Context], None]):
        if name in FAMILIES and FAMILIES[name].build is not fn:
            where = getattr(_code(FAMILIES[name].build), "co_filename", repr(FAMILIES[name].build))
            raise ValueError(f"the family '{name}' is already defined in {where}: a "
                             "family's name is one family (rename one, or leave one of the folders out)")
        FAMILIES[name] = Family(name, fn, explain, (fn.__doc__ or "").strip(), params, target, validate, knobs,
                                kpi_targets, check, kpis, tables)
        return fn

    return wrap


def target_of(params):
    """A family's parameters where it is switched on (present and enabled), else None."""
    return params if params is not None and getattr(params, "enabled", True) else None


# The order families build in, whatever imported them first: the order of rows can decide which of several
# equally good allocations a solver returns (47 of west's 1,680 rows moved with the import order). This is
# the order `opt solve` has always built in, so its answers stay byte for byte; families not listed (a
# researcher's) follow by name. Families whose work the budget pays (renewal, coverage: Layout.works) come before
# the budget's rows (supply, budget_pools).
BUILD_ORDER = ("stock_order", "regional_gap", "category_bounds", "custom", "facility_standard", "livelihood_share",
               "personnel_density", "renewal", "coverage", "shortfall", "special_groups_share", "supply", "urban_rural_gap", "budget_pools")


def in_build_order() -> list[Family]:
    """Every registered family, in BUILD_ORDER, then the others by name."""
    rank = {name: i for i, name in enumerate(BUILD_ORDER)}
    return [FAMILIES[n] for n in sorted(FAMILIES, key=lambda n: (rank.get(n, len(rank)), n))]


ENTRY_POINTS = "opt.families"  # a package's families: [project.entry-points."opt.families"] name = "module"


@dataclass(frozen=True)
class _Imported:
    """A families_path module as imported: its file, its text then (a file edited since is imported again) and
    the families it registered."""

    file: Path
    text: bytes
    families: frozenset[str]


_IMPORTED: dict[str, _Imported] = {}  # by module name
_packages_read = False  # True once the entry points' modules are imported (load_all)


class FamilyImportError(Exception):
    """A family module outside models/ that could not be imported: where it is, and why."""

    def __init__(self, where: str, why: str):
        self.where, self.why = where, why
        super().__init__(f"{where}: {why}")


def load_all() -> None:
    """Import every module in models/ and every module an installed package names under the 'opt.families'
    entry point, so a family is registered by writing its module (families_path: load_path)."""
    import importlib
    import pkgutil
    from importlib.metadata import entry_points

    from optimizer import models
    for m in pkgutil.iter_modules(models.__path__):
        importlib.import_module(f"optimizer.models.{m.name}")
    global _packages_read
    if _packages_read:  # installed packages are read once a process (1.5 ms a scan; load_all runs per build)
        return
    for ep in entry_points(group=ENTRY_POINTS):
        try:
            importlib.import_module(ep.module)
        except Exception as e:  # noqa: BLE001 - a package's family that does not import: said with its name
            raise FamilyImportError(f"entry point '{ep.name} = {ep.value}' ({ENTRY_POINTS})",
                                    f"could not be imported: {type(e).__name__}: {e}") from None
    _packages_read = True


def _forget(module: str) -> None:
    """A families_path module unregistered: its families gone, to be imported afresh if named again."""
    import sys

    gone = _IMPORTED.pop(module, None)
    for name in gone.families if gone else ():
        FAMILIES.pop(name, None)
    sys.modules.pop(module, None)


def load_paths(folders: list[Path]) -> None:
    """The families of these folders and of no other families_path folder: in one process (a notebook) a scenario
    sees only the folders it names, and a file deleted since it was imported takes its families with it."""
    keep = {f.resolve() for f in folders}
    for module, was in list(_IMPORTED.items()):
        if was.file.parent not in keep or not was.file.exists():
            _forget(module)
    for folder in folders:
        load_path(folder)


def load_path(folder: Path) -> None:
    """Import every .py module of a folder (a scenario's families_path), once per file as it stands: the
    families it registers. Its modules import optimizer.models.* and optimizer.* as the repository's do."""
    import hashlib
    import importlib.util
    import sys

    for file in sorted(folder.glob("*.py")):
        name = f"opt_families_{hashlib.sha256(str(file.resolve()).encode()).hexdigest()[:10]}_{file.stem}"
        text = file.read_bytes()
        if name in _IMPORTED and _IMPORTED[name].text == text:
            continue
        _forget(name)  # edited since imported (a notebook's next solve): imported again
        spec = importlib.util.spec_from_file_location(name, file)
        if spec is None or spec.loader is None:
            raise FamilyImportError(str(file), "is not a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        before = set(FAMILIES)
        try:
            spec.loader.exec_module(module)
        except Exception as e:  # noqa: BLE001 - the researcher's module: its error, with its file
            del sys.modules[name]
            for half in set(FAMILIES) - before:
                FAMILIES.pop(half)
            raise FamilyImportError(str(file), f"could not be imported: {type(e).__name__}: {e}") from None
        _IMPORTED[name] = _Imported(file.resolve(), text, frozenset(set(FAMILIES) - before))
        if "models.registry" in sys.modules and sys.modules["models.registry"] is not sys.modules.get(__name__):
            raise FamilyImportError(str(file), "imports models.* (a second copy of the families, where its family "
                                    "would register unseen): import optimizer.models.* instead")


def where_families_are() -> str:
    """Where families are looked for, in words (for a message that names a family not found)."""
    from importlib.metadata import entry_points

    from optimizer import models
    eps = [ep.value for ep in entry_points(group=ENTRY_POINTS)]
    folders = sorted({str(was.file.parent) for was in _IMPORTED.values()})
    return (f"models/ ({', '.join(models.__path__)}), the '{ENTRY_POINTS}' entry points of installed packages "
            f"({', '.join(eps) or 'none'}) and a scenario's families_path ({', '.join(folders) or 'none given'})")


def _code(fn):
    """The code object a registered callable runs (a functools.partial's function's); None where there is none."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__code__", None)


def family_at_fault(tb) -> tuple[str, str] | None:
    """(family name, 'file, line N') where a traceback passes through a researcher's family (one outside opt's
    models/: a families_path folder's or an installed package's): the innermost frame in one of its registered
    functions (its rows, explain, check, kpis, ...), else in the file that defines it (a helper beside them)."""
    ours = Path(__file__).resolve().parent

    def theirs(fn) -> tuple | None:  # (code, its file) of a callable outside opt's models/
        code = _code(fn)
        here = Path(code.co_filename).resolve() if code is not None else None
        return (code, here) if here is not None and here.parent != ours else None

    by_code: dict = {}
    by_file: dict[Path, list[str]] = {}
    for n, f in FAMILIES.items():
        for fn in (f.build, f.explain, f.validate, f.knobs, f.kpi_targets, f.check, f.kpis, f.tables):
            if (hit := theirs(fn)) is not None:
                by_code.setdefault(hit[0], n)
        if (hit := theirs(f.build)) is not None:
            by_file.setdefault(hit[1], []).append(n)
    found = None
    while tb is not None:
        code, line = tb.tb_frame.f_code, tb.tb_lineno
        if code in by_code:
            found = (by_code[code], f"{code.co_filename}, line {line}")
        elif (names := by_file.get(Path(code.co_filename).resolve())) is not None:
            found = (" or ".join(names), f"{code.co_filename}, line {line}")
        tb = tb.tb_next
    return found


def fault_words(error: BaseException) -> str | None:
    """The message for an error a researcher's family raised (None where none did): theirs to mend."""
    at = family_at_fault(error.__traceback__)
    if at is None:
        return None
    return (f"the family '{at[0]}' ({at[1]}) raised {type(error).__name__}: {error}: code of your own, to look at "
            "first (run again with --debug for the traceback)")
