"""The scenario's full schema: the fixed sections (optimizer.preprocess.schema) with `targets:` made of
the entries the families declare (models.registry: Family.target), in the families' build order.

Assembled when a scenario is loaded, after every family under models/ has registered, so a family
adds its target to the format without touching optimizer/."""
from __future__ import annotations

from typing import Any

from pydantic import Field, create_model

from models.registry import in_build_order, load_all
from optimizer.preprocess.schema import Scenario, Targets

_made: dict[tuple, type[Scenario]] = {}


def scenario_model() -> type[Scenario]:
    """The Scenario model with every registered family's `targets:` entry (made once per set of families)."""
    load_all()
    declared = [(f.name, f.target) for f in in_build_order() if f.target is not None]
    key = tuple((name, id(model)) for name, model in declared)
    if key not in _made:
        fields: dict[str, Any] = {name: (model | None, None) for name, model in declared}
        targets = create_model("Targets", __base__=Targets, **fields)
        _made[key] = create_model("Scenario", __base__=Scenario, targets=(targets, Field(default_factory=targets)))
    return _made[key]
