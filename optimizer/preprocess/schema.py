"""The scenario format, as pydantic models. Unknown keys are errors everywhere.

Amounts take the unit named in each field's description; a string can state
its own unit ("71.4 bn yuan", "25%"). A schedule is a number (every year) or
a mapping {year: value} of milestones (see optimizer.preprocess.schedule).
"""
from __future__ import annotations

import os
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from optimizer.units import parse_quantity

CONSTANT = 0  # schedule key meaning "every year" (a plain number was given)

# Limits of the horizon: each year's columns and rows are repeated, and a typo such
# as '2024:3030' would otherwise validate and then solve for minutes.
FIRST_YEAR, LAST_YEAR, MAX_YEARS = 2000, 2100, 50
MAX_NAME = 50  # characters of a scenario name: at most 200 bytes in UTF-8, so the folder name with opt's temporary prefix and suffix stays within 255

# a number whose digits run into a comma: '1,6', '1,600', '1,6 x' (parse_quantity would drop the comma)
_COMMA_NUMBER = re.compile(r"^\s*([-+]?\d[\d_]*),(\d*)(.*?)\s*$")


def comma_number(value) -> str | None:
    """The message for a number written with a comma, or None. A comma is never read:
    as a decimal comma '1,6' would silently become 16, as a thousands separator it is ambiguous."""
    m = _COMMA_NUMBER.match(value) if isinstance(value, str) else None
    if not m:
        return None
    whole, frac, rest = m.groups()
    text = value.strip()
    if "," in rest or not frac:
        return f"expected a number, found '{text}' (commas are never read as thousands separators or decimal commas)"
    decimal = f"{whole}.{frac}{rest}"
    thousands = f"; thousands? write {whole}{frac}{rest}" if len(frac) == 3 and rest[:1] not in (".", "e", "E") else ""
    return (f"expected a number such as {decimal}, found '{text}' (a decimal comma? write {decimal}{thousands}; "
            "commas are never read as thousands separators)")


def _quantity(v, dim: str):
    if v is None:
        return v
    msg = comma_number(v)
    if msg:
        raise ValueError(msg)
    return parse_quantity(v, dim)


def _q(dim: str):
    return BeforeValidator(lambda v: _quantity(v, dim))


def max_threads() -> int:
    """The most solver threads allowed: this machine's cores (HiGHS aborts the process on far more)."""
    return os.cpu_count() or 1


def _threads(n: int) -> int:
    if n > max_threads():
        raise ValueError(f"expected at most {max_threads()} threads (this machine's cores), found {n}")
    return n


def _positive_people(v: float) -> float:
    # a region without residents has no per-capita figures: its max/min ratio and Gini would be blank
    if v <= 0:
        raise ValueError(f"expected a positive number of people (10k), found {v:g}; "
                         "a region without residents has no per-capita spending: leave it out")
    return v


def plain_name(name: str) -> str:
    """The scenario's name is its result folder results/<name>: it must not reach outside."""
    bad = ("/" in name or "\\" in name or name in ("", ".", "..") or name.startswith(".")
           or any(ord(ch) < 32 or ord(ch) == 127 for ch in name) or len(name) > MAX_NAME)
    if bad:
        raise ValueError(f"expected a plain file name (no '/' or '\\', not starting with '.', no control characters, "
                         f"at most {MAX_NAME} characters), found {name!r}; it names the folder results/<name>")
    return name


def _to_schedule(v):
    if isinstance(v, dict) or v is None:
        return v
    return {CONSTANT: v}


def _years(v):
    if isinstance(v, str) and ":" in v:
        a, _, b = v.partition(":")
        try:
            lo, hi = int(a), int(b)
        except ValueError:
            raise ValueError(f"expected 'FIRST:LAST' years such as '2024:2030', found '{v}'") from None
        if hi < lo:
            raise ValueError(f"expected FIRST <= LAST in '{v}'")
        _horizon([lo, hi])  # bounded before the list is built: '2024:999999999' would exhaust memory
        return list(range(lo, hi + 1))
    return v


def _horizon(years: list[int]) -> list[int]:
    out = [y for y in years if not FIRST_YEAR <= y <= LAST_YEAR]
    if out:
        raise ValueError(f"expected years from {FIRST_YEAR} to {LAST_YEAR} (the limit of opt's horizon), found {out[0]}")
    if len(years) > MAX_YEARS:
        raise ValueError(f"expected at most {MAX_YEARS} years (the limit of opt's horizon: the model repeats every year), "
                         f"found {len(years)} ({min(years)}-{max(years)})")
    return years


Years = Annotated[list[int], BeforeValidator(_years), AfterValidator(_horizon)]


def Q(dim: str, **bounds):
    return Annotated[float, _q(dim), Field(allow_inf_nan=False, **bounds)]


def _schedule_keys(v):
    """A plain number becomes {CONSTANT: v}; year keys written as text ('2026', from a table) become years;
    other keys stay text: phase ids, resolved by _by_phase."""
    v = _to_schedule(v)
    if not isinstance(v, dict):
        return v
    return {int(k) if isinstance(k, str) and re.fullmatch(r"\s*\d+\s*", k) else k: x for k, x in v.items()}


def schedule_context(raw) -> dict:
    """What schedules keyed by phase need to be read: each phase's (first, last) year and the horizon's
    years, from the raw scenario (a malformed phase or horizon is reported by its own field, and skipped here)."""
    phases: dict[str, tuple[int, int]] = {}
    if isinstance(raw, dict) and isinstance(raw.get("phases"), dict):
        for pid, p in raw["phases"].items():
            try:
                ys = _years(p.get("years")) if isinstance(p, dict) else None
                if isinstance(ys, list) and ys and all(isinstance(y, int) for y in ys):
                    phases[str(pid)] = (min(ys), max(ys))
            except ValueError:
                continue
    try:
        horizon = _years(raw.get("years")) if isinstance(raw, dict) else None
    except ValueError:
        horizon = None
    resources = raw.get("resources") if isinstance(raw, dict) else None
    per = {rid: spec["per"] for rid, spec in (resources.items() if isinstance(resources, dict) else ())
           if isinstance(spec, dict) and isinstance(spec.get("per"), int | float) and spec["per"] > 0}
    return {"phases": phases, "years": horizon if isinstance(horizon, list) else None,
            "resources": declared_kinds(resources), "resource_per": per}


DEFAULT_KINDS = {"fiscal": "money", "personnel": "staff", "facility": "space"}


def declared_kinds(resources) -> dict[str, str]:
    """Every resource a scenario has, id -> kind (money, staff, space): the three every scenario has, then the
    staff and space types its raw `resources:` section declares (an entry whose kind is not one of those is
    reported by its own field, and skipped here)."""
    out = dict(DEFAULT_KINDS)
    for rid, spec in (resources or {}).items() if isinstance(resources, dict) else ():
        if rid not in out and isinstance(spec, dict) and spec.get("kind") in ("staff", "space"):
            out[str(rid)] = spec["kind"]
    return out


def context_of(scenario) -> dict:
    """schedule_context of a validated scenario: for family parameters validated after it."""
    phases = {pid: (min(p.years), max(p.years)) for pid, p in (scenario.phases or {}).items()}
    return {"phases": phases, "years": list(scenario.years),
            "resources": {rid: getattr(spec, "kind", DEFAULT_KINDS.get(rid)) for rid, spec in scenario.resources},
            "resource_per": {rid: spec.per for rid, spec in scenario.resources if hasattr(spec, "per")}}


def _by_phase(mode: str):
    """Milestones keyed by phase ids, as year milestones over the horizon.

    mode "end" (targets): a phase's value is reached by the phase's last year and holds from then until
    the next keyed phase's last year; not enforced before the first. mode "span" (yearly amounts: budgets,
    supplies, bounds): a phase's value is the amount in each year of the phase."""

    def resolve(v, info: ValidationInfo):
        keys = [k for k in v if isinstance(k, str)] if isinstance(v, dict) else []
        if not keys:
            return v
        ctx = info.context or {}
        phases, horizon = ctx.get("phases") or {}, ctx.get("years") or []
        known = ", ".join(phases) if phases else "none: declare them under 'phases:'"
        unknown = [k for k in keys if k not in phases]
        if unknown:
            raise ValueError(f"expected a year or a phase id (phases: {known}), found '{unknown[0]}'")
        if len(keys) < len(v):
            raise ValueError("expected milestones keyed all by years or all by phase ids, found both")
        out: dict[int, float] = {}
        if mode == "end":
            ends = sorted((phases[k][1], v[k]) for k in keys)
            for y in horizon:
                reached = [value for end, value in ends if end <= y]
                if reached:
                    out[y] = reached[-1]
            return out
        for y in horizon:
            inside = [k for k in keys if phases[k][0] <= y <= phases[k][1]]
            if not inside:
                raise ValueError(f"expected a value for every year of the horizon, found none for {y} "
                                 f"(phases given: {', '.join(keys)})")
            out[y] = v[inside[0]]
        return out

    return AfterValidator(resolve)


def Sched(dim: str, phase: str = "end", **bounds):
    """A schedule of `dim`: a number, or {year or phase id: value} (see _by_phase for what a phase means)."""
    return Annotated[dict[int | str, Q(dim, **bounds)], BeforeValidator(_schedule_keys), _by_phase(phase)]


# a region's population: zero is refused as well as negatives (see _positive_people)
People = Annotated[dict[int, Annotated[Q("people", ge=0), AfterValidator(_positive_people)]], BeforeValidator(_to_schedule)]

# a share of staff leaving each year: below 1 (all gone every year would leave nobody to count)
Attrition = Annotated[float, _q("share"), Field(ge=0, lt=1, allow_inf_nan=False)]


def _declared(kinds: tuple[str, ...]):
    """A resource id the scenario declares (of one of `kinds`): the validation context holds them."""
    def check(v: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("resources") or DEFAULT_KINDS
        names = [rid for rid, kind in known.items() if kind in kinds]
        if v not in names:
            quoted = [f"'{n}'" for n in names]
            listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
            what = "a declared resource" if len(kinds) == 3 else f"a declared {' or '.join(kinds)} type"
            raise ValueError(f"expected {what}: {listed}, found '{v}'")
        return v
    return AfterValidator(check)


Resource = Annotated[str, _declared(("money", "staff", "space"))]  # fiscal, personnel, facility or a declared type
StaffResource = Annotated[str, _declared(("staff",))]
StockResource = Annotated[str, _declared(("staff", "space"))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


def _whole(v: float) -> float:
    if not float(v).is_integer():
        raise ValueError(f"expected a whole number of places, found {v:g}")
    return v


Count = Annotated[float, Field(ge=0, allow_inf_nan=False), AfterValidator(_whole)]  # communities, villages, facilities


class Places(Strict):
    """How many communities and villages (of a region) have something: a facility type."""

    communities: Count = 0.0
    villages: Count = 0.0


class Region(Strict):
    id: Annotated[str, Field(min_length=1)]
    name: str | None = Field(None, description="display name, any language")
    group: str | None = Field(None, description="e.g. east/central/west/northeast")
    area: Literal["urban", "rural"] | None = None
    population: People | None = Field(None, description="10k people, by year")
    base_spending_pc: Q("money_pc", ge=0) = Field(0.0, description="yuan per person per year")
    special_group_share: Q("share", ge=0, le=1) = Field(0.0, description="share of residents in special groups")
    base_workers: Q("fte", ge=0) = Field(0.0, description="licensed social workers now, FTE")
    base_space: Q("area", ge=0) = Field(0.0, description="community service space now, 10k m2")
    priority: Q("ratio", gt=0) = 1.0
    attrition: Attrition | dict[StockResource, Attrition] | None = Field(  # type: ignore[valid-type]
        None, description="share of this region's staff who leave each year (personnel), or by staff or space type "
                          "({personnel: 0.3, health_tech: 0.1, facility: 0.02})")
    base_split: dict[Resource, dict[str, Q("share", ge=0)]] | None = Field(
        None, description="optional split of the baseline by category (shares); default: by standards")
    subpopulation_share: dict[str, Sched("share", "span", ge=0, le=1)] | None = Field(  # type: ignore[valid-type]
        None, description="this region's share of residents in each sub-population, by year (overrides the scenario's)")
    spending: dict[str, Sched("money_pc", "span", ge=0)] | None = Field(  # type: ignore[valid-type]
        None, description="per-capita spending lines, yuan/person/year by line ('public_service'), a number or by year")
    communities: Count | None = Field(None, description="urban communities (社区): the places a coverage target counts")
    villages: Count | None = Field(None, description="administrative villages (行政村)")
    facilities: dict[str, Places] | None = Field(
        None, description="by facility type, how many communities and villages have one today")

    @field_validator("facilities")
    @classmethod
    def _no_more_than_places(cls, v, info: ValidationInfo):
        for ftype, have in (v or {}).items():
            for place in ("communities", "villages"):
                count, got = info.data.get(place), getattr(have, place)
                if got > 0 and (count is None or got > count + 1e-9):
                    raise ValueError(f"expected {ftype}.{place} at most the region's {place} "
                                     f"({'none given' if count is None else f'{count:g}'}), found {got:g}")
        return v


# the spending lines every scenario knows: the plan money's own line (the regions' base_spending_pc, which
# also counts toward need) and all public-service spending (the line the plan's gap targets are on)
CO_CONSTRUCTION, PUBLIC_SERVICE = "co_construction", "public_service"
BUILT_IN_LINES = (CO_CONSTRUCTION, PUBLIC_SERVICE)


class SpendingLine(Strict):
    name: str | None = Field(None, description="display name, any language")
    base_year: Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)] | None = Field(
        None, description="the year a region's plain number is for; default the scenario's first year")
    growth: Q("share", gt=-1, le=1) = Field(  # type: ignore[valid-type]
        0.0, description="yearly growth after the last figure given (0.03 or '3%' a year); 0 holds it")


class Subpopulation(Strict):
    name: str | None = Field(None, description="display name, any language (60岁及以上)")
    share: Sched("share", "span", ge=0, le=1) | None = Field(  # type: ignore[valid-type]
        None, description="share of every region's residents, by year (a region's own subpopulation_share overrides it)")


class Phase(Strict):
    years: Years = Field(min_length=1, description="'2024:2026': the phase's consecutive years")
    name: str | None = Field(None, description="display name, any language (近期)")

    @model_validator(mode="after")
    def _consecutive(self):
        if self.years != list(range(min(self.years), max(self.years) + 1)):
            raise ValueError(f"expected consecutive years such as '{min(self.years)}:{max(self.years)}', "
                             f"found {self.years}")
        return self


class Standard(Strict):
    # a number, or by year ({2024: 320, 2030: 400}): linear between the years given, the first held before
    fiscal: Sched("money_pc", "span", ge=0) = Field(  # type: ignore[valid-type]
        default_factory=lambda: {CONSTANT: 0.0}, description="yuan per person (served) per year")
    personnel: Sched("fte_density", "span", ge=0) = Field(  # type: ignore[valid-type]
        default_factory=lambda: {CONSTANT: 0.0}, description="FTE per 10k people (served)")
    facility: Sched("area_pc", "span", ge=0) = Field(  # type: ignore[valid-type]
        default_factory=lambda: {CONSTANT: 0.0}, description="m2 per person (served)")


class Bounds(Strict):
    fiscal: MoneyBound | None = None
    personnel: FteBound | None = None
    facility: AreaBound | None = None


class MoneyBound(Strict):
    min: Sched("money", "span", ge=0) | None = Field(None, description="100m yuan per year, all regions")
    max: Sched("money", "span", ge=0) | None = None


class FteBound(Strict):
    min: Sched("fte", "span", ge=0) | None = Field(None, description="FTE added per year, all regions")
    max: Sched("fte", "span", ge=0) | None = None


class AreaBound(Strict):
    min: Sched("area", "span", ge=0) | None = Field(None, description="10k m2 built per year, all regions")
    max: Sched("area", "span", ge=0) | None = None


Bounds.model_rebuild()


class Category(Strict):
    id: Annotated[str, Field(min_length=1)]
    name: str | None = None
    livelihood: bool = True
    special_group_fraction: Sched("share", "span", ge=0, le=1) | None = Field(  # type: ignore[valid-type]
        None, description="share of this category serving special groups, a number or by year; "
                          "default: the region's special-group share")
    standard: Standard = Standard()
    weight: Q("ratio", ge=0) = 1.0
    bounds: Bounds = Bounds()
    serves: str | None = Field(None, description="the sub-population the category serves (its standards are per person "
                                                  "of it: elderly care per resident aged 60+); default every resident")


class Fiscal(Strict):
    budget: Sched("money", "span", ge=0) | None = Field(None, description="new money per year, 100m yuan; none = unlimited")


class AreaValues(Strict):
    """A figure for urban and one for rural regions (attrition, the share of space that is old)."""

    urban: float
    rural: float

    def of(self, area: str | None) -> float:
        """The figure for a region of `area`; a region without an area takes the larger."""
        return getattr(self, area) if area else max(self.urban, self.rural)


class ByArea(AreaValues):
    urban: Attrition = 0.0
    rural: Attrition = 0.0


class Personnel(Strict):
    supply: Sched("fte", "span", ge=0) | None = Field(None, description="FTE that can be added per year; none = unlimited")
    salary: Q("money_per_fte", ge=0) | None = Field(None, description="10k yuan per FTE per year, charged to the fiscal budget")
    attrition: Attrition | ByArea = Field(  # type: ignore[valid-type]
        0.0, description="share of staff who leave each year (0.3 or '30%'), or by area {urban: 0.05, rural: 0.3}; "
                         "a region's own 'attrition' overrides it")


class Staffing(Strict):
    """Staff a space type needs to serve: space beyond what its staff can run counts toward no need."""

    staff: StaffResource = Field(description="the staff type that runs the space (personnel or a declared one)")
    fte_per_1000_m2: Q("number", gt=0) = Field(description="FTE needed per 1,000 m2 for the space to serve")  # type: ignore[valid-type]


class Facility(Strict):
    supply: Sched("area", "span", ge=0) | None = Field(None, description="10k m2 that can be built per year; none = unlimited")
    capex: Q("money_per_area", ge=0) | None = Field(None, description="yuan per m2 built, charged to the fiscal budget")
    depreciation: Attrition | ByArea = Field(  # type: ignore[valid-type]
        0.0, description="share of the space worn out each year (rebuilding it draws on the same supply and budget), "
                         "or by area {urban: 0.02, rural: 0.04}; a region's own 'attrition' by type overrides it")
    staffing: Staffing | None = Field(None, description="the staff the space needs to count as service")


class StaffType(Personnel):
    """A staff type a scenario declares beside personnel (licensed social workers beside health technicians)."""

    kind: Literal["staff"]
    name: str | None = Field(None, description="display name, any language (卫生技术人员)")
    per: Q("number", gt=0) = Field(  # type: ignore[valid-type]
        1e4, description="its standards and density targets are FTE per this many people (10000; 1000 for health "
                         "technicians)")


class SpaceType(Facility):
    """A space type a scenario declares beside facility (elderly-care space beside community space)."""

    kind: Literal["space"]
    name: str | None = Field(None, description="display name, any language (养老服务设施)")


class AnyType(BaseModel):
    """A declared type whose kind is missing or wrong: only the kind is reported."""

    kind: Literal["staff", "space"]


class Resources(Strict):
    """The money and the default staff and space types; a scenario declares further staff and space types as
    further keys (resources.<id>: {kind: staff | space, ...}: optimizer.preprocess.assembled adds them)."""

    fiscal: Fiscal = Field(default_factory=Fiscal)
    personnel: Personnel = Field(default_factory=Personnel)
    facility: Facility = Field(default_factory=Facility)


class Target(Strict):
    """What every family's entry under `targets:` has; each family adds its own keys (its module in models/)."""

    enabled: bool = True


class Targets(Strict):
    """The `targets:` section: one optional entry per family that declares one (Family.target); the full
    model is assembled from the families when a scenario is loaded (optimizer.preprocess.assembled)."""


def _increasing(name: str, lo: float | None = None, hi: float | None = None, strict: bool = True):
    """Numbers that rise from one to the next (and lie inside (lo, hi) where given)."""

    def check(v: list[float]) -> list[float]:
        for a, b in zip(v, v[1:]):
            if b < a or (strict and b == a):
                raise ValueError(f"expected {name} that {'increase' if strict else 'never decrease'} from one to the "
                                 f"next, found {b:g} after {a:g}")
        for x in v:
            if (lo is not None and x <= lo) or (hi is not None and x >= hi):
                raise ValueError(f"expected {name} between {lo:g} and {hi:g} (exclusive), found {x:g}")
        return v

    return AfterValidator(check)


class Fair(Strict):
    """The fair objective's penalty: a person short of a service counts `slopes[j]` times while the unmet
    share of that service's need lies in band j (band 0: up to breakpoints[0], ..., the last: above the last
    breakpoint)."""

    breakpoints: Annotated[list[Annotated[float, _q("share")]], Field(min_length=1),
                           _increasing("breakpoints", 0.0, 1.0)] = Field(
        default=[0.2, 0.4, 0.6, 0.8], description="unmet shares of need where a person short starts to count more")
    slopes: Annotated[list[Annotated[float, Field(gt=0, allow_inf_nan=False)]], Field(min_length=2),
                      _increasing("slopes", strict=False)] = Field(
        default=[1.0, 2.0, 4.0, 8.0, 16.0], description="what a person short counts for in each band, one more than breakpoints")

    form: Literal["piecewise", "quadratic"] = Field(
        default="piecewise", description="piecewise: the bands below, a linear program any solver takes; quadratic: "
                                         "a person short counts 1 + curvature x the unmet share (Clarabel only)")
    curvature: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        default=15.0, description="quadratic form: how much more a person short counts per unit of unmet share")

    @model_validator(mode="after")
    def _bands(self):
        if len(self.slopes) != len(self.breakpoints) + 1:
            raise ValueError(f"expected one slope more than breakpoints ({len(self.breakpoints) + 1} for "
                             f"{len(self.breakpoints)} breakpoints), found {len(self.slopes)} slopes")
        return self


def _bool_or_auto(v):
    if v is True or v is False or v == "auto":
        return v
    raise ValueError(f"expected true, false or 'auto', found {v!r}")  # one message, not one per branch


class Unique(Strict):
    """One answer among equally good ones (optimizer.unique)."""

    enabled: Annotated[bool | Literal["auto"], PlainValidator(_bool_or_auto)] = Field(
        default="auto", description="after the optimum, hold each criterion (people, cost, travel) within the "
                                    "tolerance and choose the allocation closest to the need-proportional one; "
                                    "auto: below 100,000 columns")
    tolerance: Annotated[float, _q("share"), Field(ge=0, le=0.1, allow_inf_nan=False)] = Field(
        default=1e-10, description="how far above its best a held criterion may be (relative: 1e-10 of the people "
                                   "term, the solver's own precision; the answer moves within it toward the reference)")


class Objective(Strict):
    kind: Literal["fair", "unserved", "maximin", "min_cost"] = Field(
        default="fair", description="fair: a person short counts more the more of that service's need is unmet; "
                            "unserved: every person short counts once; maximin: first raise the lowest share of "
                            "need met, then serve the most people; min_cost: meet all need at least cost")
    cost_weight: Q("ratio", ge=0) = Field(
        default=1e-5, description="tie-breaker: people-equivalents (10k) per 100m yuan of cost")
    fair: Fair = Fair()
    price_of_fairness: StrictBool | None = Field(
        default=None, description="fair and maximin: also solve for unserved with the same resources and say what "
                                  "fairness costs (a second solve); default: where the model is small enough for "
                                  "HiGHS's simplex (under 100,000 columns), not at county scale")
    maximin_tolerance: Annotated[float, _q("share"), Field(ge=0, lt=1, allow_inf_nan=False)] = Field(
        default=1e-4, description="maximin: how far below its highest value the lowest share of need met may fall "
                          "while the most people are served")
    unique: Unique = Unique()


class Solver(Strict):
    name: Literal["auto", "highs", "cbc", "clarabel"] = Field(
        "auto", description="auto: HiGHS, or Clarabel's interior point from 100k columns up")
    backend: Literal["auto", "highspy", "pulp"] = "auto"
    time_limit: Annotated[float, Field(gt=0)] | None = None
    threads: Annotated[int, Field(ge=1), AfterValidator(_threads)] | None = None
    method: Literal["auto", "simplex", "ipm", "pdlp"] = "auto"
    integer: StrictBool = Field(default=False, description="whole facilities for coverage targets: a MIP (HiGHS), its gap reported")


class Provider(Strict):
    id: Annotated[str, Field(min_length=1)]
    region: str
    kind: str = Field("other", description="school, hospital, enterprise, government, ...")
    node: str = Field(description="location: a node of the road graph (or the id used in travel_times)")
    capacity: Q("area", ge=0) = Field(description="shareable space, m2-equivalent (give a unit, e.g. '1200 m2'; a bare number is 10k m2)")
    cost: Q("money_per_area", ge=0) = Field(0.0, description="yuan per m2 shared per year")


class Community(Strict):
    id: Annotated[str, Field(min_length=1)]
    region: str
    node: str
    population: Q("people", ge=0) = Field(description="10k people (or with a unit, e.g. '8000 people')")
    need: Q("area", ge=0) | None = Field(None, description="community space needed, 10k m2; default population x the facility standards")


class Road(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    minutes: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class TravelTime(Strict):
    provider: str
    community: str
    minutes: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Sharing(Strict):
    enabled: bool = True
    max_travel_minutes: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 15.0
    providers: list[Provider] = Field(min_length=1)
    communities: list[Community] = Field(min_length=1)
    roads: list[Road] | None = None
    travel_times: list[TravelTime] | None = None
    categories: list[str] | None = Field(None, description="categories shared space may serve; default every category with a facility standard")
    travel_weight: Annotated[float, Field(ge=0)] = Field(1e-5, description="tie-breaker per 10k m2 x minute, in 10k people")


class Custom(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: Annotated[str, Field(pattern=r"^[^\W\d][\w]*$", description="a name for the constraint (letters, digits, _)")]
    expr: str = Field(description="e.g. sum(alloc[resource=fiscal, group=west]) >= 0.3 * sum(alloc[resource=fiscal])")
    for_: Literal["all", "region"] = Field("all", alias="for", description="one row for all, or one per region")
    years: Years | None = Field(None, description="years it applies (default all)")
    target: Sched("number") | None = Field(None, description="a schedule the expression can use as 'target'")
    relax: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(0.0, description="loosen the constraint by this much (its unit)")
    enabled: bool = True


class Scenario(Strict):
    name: Annotated[str, AfterValidator(plain_name)] | None = Field(None, description="the result folder's name, results/<name>")
    title: str | None = None
    description: str | None = None
    language: Literal["zh", "en"] | None = Field(
        None, description="the language of the answer's tables and sentences (zh or en; --lang overrides; "
                          "default: the locale's)")
    extends: str | None = None
    families_path: str | list[str] | None = Field(
        None, description="folders of the researcher's own constraint families (.py modules), relative to the scenario")
    years: Years = Field(min_length=1, description="[2024, 2025, ...] or '2024:2030'")
    regions: list[Region] = Field(min_length=1)
    population: dict[str, People] | None = Field(
        None, description="population by region id and year (10k people); overrides regions' values")
    categories: list[Category] = Field(min_length=1)
    phases: dict[Annotated[str, Field(pattern=r"^[^\W\d]\w*$")], Phase] | None = Field(
        None, description="the plan's phases by id ({near: {years: '2024:2026', name: 近期}}); schedules may be keyed by them")
    subpopulations: dict[Annotated[str, Field(pattern=r"^[^\W\d]\w*$")], Subpopulation] = Field(
        default_factory=dict, description="groups of residents a category may serve ({aged60: {share: {2022: 0.211}}})")
    spending_lines: dict[Annotated[str, Field(pattern=r"^[^\W\d]\w*$")], SpendingLine] = Field(
        default_factory=dict, description="spending lines beyond co_construction and public_service, or their name and growth")
    resources: Resources = Resources()
    targets: Targets = Targets()
    objective: Objective = Objective()
    solver: Solver = Solver()
    sharing: Sharing | None = None
    custom: list[Custom] = Field(default_factory=list)
    families: dict[str, dict] = Field(default_factory=dict, description="families added in models/, by name, with their parameters")
