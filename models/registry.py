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
    explain: Callable | None  # (block, ExplainContext) -> list of row explanations
    doc: str


FAMILIES: dict[str, Family] = {}


def family(name: str, explain: Callable | None = None):
    """Register a constraint family under the name the scenario switches on."""

    def wrap(fn: Callable[[Context], None]):
        if name in FAMILIES:
            raise ValueError(f"constraint family '{name}' registered twice")
        FAMILIES[name] = Family(name, fn, explain, (fn.__doc__ or "").strip())
        return fn

    return wrap
