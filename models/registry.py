"""Constraint families by name. A family is one function that reads its
parameters from the scenario and adds rows (and any variables it needs);
returning without adding anything means it is switched off."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

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


def load_all() -> None:
    """Import every module in models/, so a family is registered by writing its module."""
    import importlib
    import pkgutil

    import models

    for m in pkgutil.iter_modules(models.__path__):
        importlib.import_module(f"models.{m.name}")
