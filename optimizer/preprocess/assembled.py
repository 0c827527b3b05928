"""The scenario's full schema: the fixed sections (optimizer.preprocess.schema) with `targets:` made of
the entries the families declare (models.registry: Family.target), in the families' build order, and
with the staff and space types the scenario declares (resources.<id>.kind) as keys of every section
that is keyed by resource: a category's standard and bounds, a region's base_stock.

Assembled when a scenario is loaded, after every family under models/ has registered, so a family
adds its target to the format without touching optimizer/."""
from __future__ import annotations

import re
from typing import Any

from pydantic import Field, create_model

from optimizer.models.registry import in_build_order, load_all
from optimizer.preprocess.schema import (
    CONSTANT,
    DEFAULT_KINDS,
    AnyType,
    AreaBound,
    Bounds,
    Category,
    FteBound,
    Q,
    Region,
    Resources,
    Scenario,
    Sched,
    SpaceType,
    StaffType,
    Standard,
    Strict,
    Targets,
)
from optimizer.units import density_dimension

_made: dict[tuple, type[Scenario]] = {}

Declared = tuple[tuple[str, str, float], ...]  # (id, kind, per) of each declared staff or space type

# a declared type's id: a plain name (row names and --set paths are dotted), and not one whose KPIs would be
# those of personnel (social_workers_per_10k, staff_hired) or facility (community_space_per_person)
TYPE_ID = re.compile(r"^[^\W\d]\w*$")
RESERVED = ("staff", "social_workers", "community_space")


def declared_types(raw) -> Declared:
    """The staff and space types a raw scenario declares beyond the defaults, in its order: (id, kind, per);
    kind '' where it is missing or wrong (the schema then reports it), per 1e4 where not a plain number."""
    resources = raw.get("resources") if isinstance(raw, dict) else None
    out = []
    for rid, spec in resources.items() if isinstance(resources, dict) else ():
        if rid in DEFAULT_KINDS or not isinstance(rid, str) or not TYPE_ID.match(rid) or rid in RESERVED:
            continue  # not declared: the schema then says the key is unknown, with what an id may be
        kind = spec.get("kind") if isinstance(spec, dict) else None
        per = spec.get("per", 1e4) if isinstance(spec, dict) else 1e4
        ok_per = isinstance(per, int | float) and not isinstance(per, bool) and per > 0
        out.append((rid, kind if kind in ("staff", "space") else "", float(per) if ok_per else 1e4))
    return tuple(out)


def scenario_model(declared: Declared = ()) -> type[Scenario]:
    """The Scenario model with every registered family's `targets:` entry and the declared staff and space
    types (made once per set of families and types)."""
    load_all()
    families = [(f.name, f.target) for f in in_build_order() if f.target is not None]
    key = (tuple((name, id(model)) for name, model in families), declared)
    if key not in _made:
        fields: dict[str, Any] = {name: (model | None, None) for name, model in families}
        targets = create_model("Targets", __base__=Targets, **fields)
        more: dict[str, Any] = {"targets": (targets, Field(default_factory=targets))}
        if declared:
            more.update(_typed_sections(declared))
        _made[key] = create_model("Scenario", __base__=Scenario, **more)
    return _made[key]


def _typed_sections(declared: Declared) -> dict[str, Any]:
    """The sections keyed by resource, with a key for each declared type in its own unit."""
    spec = {"staff": StaffType, "space": SpaceType, "": AnyType}
    resources: Any = create_model("Resources", __base__=Resources,
                                  **{rid: (spec[kind], ...) for rid, kind, _ in declared})  # type: ignore[call-overload]

    def standard(kind: str, per: float) -> Any:
        dim = density_dimension(per) if kind == "staff" else "area_pc"
        return (Sched(dim, "span", ge=0), Field(default_factory=lambda: {CONSTANT: 0.0}))

    standards = create_model("Standard", __base__=Standard, **{rid: standard(kind, per) for rid, kind, per in declared})
    bounds: Any = create_model("Bounds", __base__=Bounds,  # type: ignore[call-overload]
                               **{rid: ((FteBound if kind == "staff" else AreaBound) | None, None) for rid, kind, _ in declared})
    category: Any = create_model("Category", __base__=Category, standard=(standards, Field(default_factory=standards)),
                            bounds=(bounds, Field(default_factory=bounds)))
    stocks: Any = create_model("BaseStock", __base__=Strict,  # type: ignore[call-overload]
                               **{rid: (Q("fte" if kind == "staff" else "area", ge=0), 0.0) for rid, kind, _ in declared})
    region: Any = create_model("Region", __base__=Region, base_stock=(
        stocks | None, Field(None, description="today's stock of each declared type: FTE of staff, 10k m2 of space")))
    return {"resources": (resources, ...), "regions": (list[region], Field(min_length=1)),
            "categories": (list[category], Field(min_length=1))}
