"""Constraint families by name. A family is one function that reads its
parameters from the scenario and adds rows (and any variables it needs);
returning without adding anything means it is switched off."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from models.common import Context


@dataclass(frozen=True)
class Family:
    name: str
    build: Callable[[Context], None]
    explain: Callable | None  # (RowFacts, ModelData) -> Explained, for constraints.csv and shadow prices
    doc: str
    params: type | None = None  # pydantic model of its parameters under `families:` in a scenario


FAMILIES: dict[str, Family] = {}


def family(name: str, explain: Callable | None = None, params: type | None = None):
    """Register a constraint family under the name the scenario switches on.

    Families of the plan read their parameters from `targets:`; a family with
    `params` (a pydantic model) is switched on by `families: {name: {...}}`."""

    def wrap(fn: Callable[[Context], None]):
        if name in FAMILIES and FAMILIES[name].build is not fn:
            raise ValueError(f"constraint family '{name}' registered twice")
        FAMILIES[name] = Family(name, fn, explain, (fn.__doc__ or "").strip(), params)
        return fn

    return wrap


# The order families build in, whatever imported them first: the order of rows can decide which of several
# equally good allocations a solver returns (47 of west's 1,680 rows moved with the import order). This is
# the order `opt solve` has always built in, so its answers stay byte for byte; families not listed (a
# researcher's) follow by name.
BUILD_ORDER = ("stock_order", "regional_gap", "category_bounds", "custom", "facility_standard", "livelihood_share",
               "personnel_density", "shortfall", "special_groups_share", "supply", "urban_rural_gap")


def in_build_order() -> list[Family]:
    """Every registered family, in BUILD_ORDER, then the others by name."""
    rank = {name: i for i, name in enumerate(BUILD_ORDER)}
    return [FAMILIES[n] for n in sorted(FAMILIES, key=lambda n: (rank.get(n, len(rank)), n))]


def load_all() -> None:
    """Import every module in models/, so a family is registered by writing its module."""
    import importlib
    import pkgutil

    import models

    for m in pkgutil.iter_modules(models.__path__):
        importlib.import_module(f"models.{m.name}")
