"""Units: what users may write, what the model uses inside, what users see.

Input numbers are in each field's documented unit; a string such as
"71.4 bn yuan", "500 亿元", "25%" or "1.5x" states its own unit and is converted.
Inside the LP every resource is scaled so that coefficients stay near 1:
money in 100 million yuan (亿元), personnel in 100 FTE, space in 10k m2,
people in 10k persons.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

PEOPLE = 1e4  # internal population unit (persons)
SALARY_UNIT = 1e4  # salaries are given in 10k yuan per FTE per year


@dataclass(frozen=True)
class ResourceUnits:
    """One resource's units, declared once: every table of units below is read from these."""

    name: str
    kind: str  # money (a yearly flow), staff or space (stocks: they accumulate)
    base_unit: str  # the unit amounts are counted in: yuan, FTE, m2
    internal: float  # the LP's unit, in base units (coefficients near 1)
    input_amount: float  # budgets, supplies and bounds are written in this many base units
    standard_per: float  # a standard is base units per this many people
    standard_unit: str
    output_unit: str
    output_scale: float  # the output unit in base units
    label: str = ""  # display name, any language (the id where none is given)

    @property
    def stock(self) -> bool:
        return self.kind != "money"

    @property
    def shown(self) -> str:
        return self.label or self.name

    @property
    def input_unit(self) -> str:
        """The unit budgets, supplies, bounds and base stocks are written in."""
        return {"money": "100m yuan", "staff": "FTE", "space": "10k m2"}[self.kind]

    @property
    def supply_words(self) -> str:
        """What its yearly supply is called in sentences."""
        if self.kind == "money":
            return "fiscal budget"
        if self.name in ("personnel", "facility"):
            return "personnel supply" if self.name == "personnel" else "build capacity"
        return f"{self.shown} supply" if self.kind == "staff" else f"{self.shown} build capacity"

    @property
    def density_kpi(self) -> str:
        """The KPI of its density by region: social_workers_per_10k (personnel), community_space_per_person
        (facility), health_tech_per_1000 (a declared staff type), elderly_space_m2_per_person (a declared space)."""
        if self.name in ("personnel", "facility"):
            return "social_workers_per_10k" if self.name == "personnel" else "community_space_per_person"
        if self.kind == "space":
            return f"{self.name}_m2_per_person"
        return f"{self.name}_per_{_people_count(self.standard_per).replace(',', '')}"

    @property
    def to_input(self) -> float:
        """Input units per internal unit."""
        return self.internal / self.input_amount


def _people_count(per: float) -> str:
    return "10k" if per == 1e4 else f"{per:,.0f}"


def staff_units(name: str, per: float = 1e4, label: str = "") -> ResourceUnits:
    """A staff type: counted in FTE, 100 FTE inside the LP; its standards and density targets are FTE per
    `per` people (10k for social workers, 1,000 for health technicians)."""
    return ResourceUnits(name, "staff", "FTE", 100.0, 1.0, per, f"FTE per {_people_count(per)} people", "FTE", 1.0, label)


def space_units(name: str, label: str = "") -> ResourceUnits:
    """A space type: counted in m2, 10k m2 inside the LP and in supplies and bounds; standards in m2/person."""
    return ResourceUnits(name, "space", "m2", 1e4, 1e4, 1.0, "m2/person", "m2", 1.0, label)


# the resources every scenario has; a scenario declares further staff and space types beside them
# (resources.<id>.kind), which come after these in the resource axis
DECLARED = (
    ResourceUnits("fiscal", "money", "yuan", 1e8, 1e8, 1.0, "yuan/person/year", "10k yuan", 1e4),
    staff_units("personnel"),
    space_units("facility"),
)
RESOURCES = tuple(r.name for r in DECLARED)
INTERNAL = {r.name: r.internal for r in DECLARED}  # internal unit of each resource, in its base unit
INPUT_AMOUNT = {r.name: r.input_amount for r in DECLARED}  # budgets, supplies, bounds: 100m yuan, FTE, 10k m2
OUTPUT_UNIT = {r.name: r.output_unit for r in DECLARED}
OUTPUT_SCALE = {r.name: r.output_scale for r in DECLARED}

# dimension -> (canonical unit name, {spelling: factor in base units}, canonical factor, example)
_MONEY = {"yuan": 1, "元": 1, "rmb": 1, "cny": 1, "10k yuan": 1e4, "万元": 1e4, "万": 1e4,
          "100m yuan": 1e8, "亿元": 1e8, "亿": 1e8, "bn yuan": 1e9, "billion yuan": 1e9,
          "十亿元": 1e9, "trillion yuan": 1e12, "万亿元": 1e12, "万亿": 1e12}
_PEOPLE = {"people": 1, "persons": 1, "person": 1, "人": 1, "10k people": 1e4,
           "10k persons": 1e4, "万人": 1e4, "million people": 1e6, "m people": 1e6}
_FTE = {"fte": 1, "workers": 1, "名": 1, "10k fte": 1e4, "万名": 1e4}
_AREA = {"m2": 1, "㎡": 1, "sqm": 1, "平方米": 1, "10k m2": 1e4, "万平方米": 1e4, "万㎡": 1e4, "km2": 1e6}


def _per(num: dict, den: dict) -> dict:
    return {f"{a}/{b}": fa / fb for a, fa in num.items() for b, fb in den.items()}


DIMENSIONS: dict[str, tuple[str, dict, float, str]] = {
    "money": ("100m yuan (亿元)", _MONEY, 1e8, "'500 亿元' or '71.4 bn yuan'"),
    "money_pc": ("yuan/person", {**_per(_MONEY, _PEOPLE), "元/人": 1}, 1, "'480 yuan/person'"),
    "money_per_fte": ("10k yuan/FTE", _per(_MONEY, _FTE), 1e4, "'8 10k yuan/FTE' or '80000 yuan/FTE'"),
    "money_per_area": ("yuan/m2", {**_per(_MONEY, _AREA), "元/平方米": 1}, 1, "'4000 yuan/m2'"),
    "people": ("10k people (万人)", _PEOPLE, 1e4, "'8364 万人' or '83.64 million people'"),
    "fte": ("FTE", _FTE, 1, "'2500 FTE'"),
    "fte_density": ("FTE per 10k people", {"per 10k": 1, "fte/10k people": 1, "per 10k people": 1,
                                           "fte per 10k people": 1, "/万人": 1, "fte/person": 1e4},
                    1, "'15 per 10k people'"),
    "area": ("10k m2 (万平方米)", _AREA, 1e4, "'1500 万平方米' or '1.5e7 m2'"),
    "area_pc": ("m2/person", {**_per(_AREA, _PEOPLE), "平方米/人": 1}, 1, "'0.5 m2/person'"),
    "share": ("fraction of 1", {"%": 0.01}, 1, "0.25 or '25%'"),
    "ratio": ("times", {"x": 1, "×": 1, "times": 1, "倍": 1}, 1, "1.5 or '1.5x'"),
    "number": ("a plain number", {"%": 0.01}, 1, "0.8"),
}

_NUM = re.compile(r"^\s*([-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _dimension_of(unit: str) -> str | None:
    for dim, (_, table, _, _) in DIMENSIONS.items():
        if unit in table:
            return dim
    return None


def parse_quantity(value, dim: str) -> float:
    """A number in the field's canonical unit, or a string with a unit of the right dimension."""
    canonical, table, base, example = DIMENSIONS[dim]
    if isinstance(value, bool):
        raise ValueError(f"expected a number in {canonical}, found a boolean ({value})")
    if isinstance(value, (int, float)):
        v = float(value)
    elif isinstance(value, str):
        m = _NUM.match(value)
        if not m:
            raise ValueError(f"expected a number in {canonical} (or with a unit, e.g. {example}), found '{value}'")
        number = float(m.group(1).replace(",", "").replace("_", ""))
        unit = m.group(2).strip().lower()
        if not unit:
            v = number
        elif unit in table:
            v = number * table[unit] / base
        else:
            other = _dimension_of(unit)
            if other is not None:
                raise ValueError(
                    f"inconsistent units: expected {canonical} (e.g. {example}), found '{value}', "
                    f"which is in {DIMENSIONS[other][0]}")
            raise ValueError(f"unknown unit '{m.group(2)}' in '{value}'; expected {canonical} (e.g. {example})")
    else:
        raise ValueError(f"expected a number in {canonical}, found {type(value).__name__}")
    if not math.isfinite(v):
        raise ValueError(f"expected a finite number in {canonical}, found {value}")
    return v


def fmt_money_yuan(yuan: float) -> str:
    """Money for sentences: 亿/bn scale chosen by size."""
    a = abs(yuan)
    if a >= 1e9:
        return f"{yuan / 1e9:,.1f} bn yuan"
    if a >= 1e6:
        return f"{yuan / 1e6:,.1f} million yuan"
    return f"{yuan:,.0f} yuan"


def fmt_people(n: float) -> str:
    a = abs(n)
    if a >= 1e6:
        return f"{n / 1e6:,.2f} million people"
    return f"{n:,.0f} people"


def people_zh(n: float) -> str:
    """A binding target's effect for a Chinese sentence: person-services (人次; under the fair objective each
    counted at its band's slope), in 万 from 10,000."""
    return f"约{n / 1e4:,.1f}万人次" if abs(n) >= 1e4 else f"约{n:,.0f}人次"


def per_capita_factor(res: ResourceUnits) -> float:
    """Internal units of a resource per 10k people at a rate of 1 (in its standard's unit)."""
    return PEOPLE / res.standard_per / res.internal


def density_dimension(per: float) -> str:
    """The dimension of a staff density written per `per` people (registered on first use): plain numbers
    are in FTE per `per` people; 'per 10k' and 'per 1000' spellings convert."""
    if per == 1e4:
        return "fte_density"
    dim = f"fte_per_{per:g}"
    if dim not in DIMENSIONS:
        to = {"per 10k": 1e4, "per 10k people": 1e4, "fte per 10k people": 1e4, "fte/10k people": 1e4, "/万人": 1e4,
              "per 1000": 1e3, "per 1,000": 1e3, "per 1000 people": 1e3, "per 1,000 people": 1e3, "/千人": 1e3,
              "fte/person": 1.0}
        DIMENSIONS[dim] = (f"FTE per {_people_count(per)} people", {k: per / v for k, v in to.items()}, 1.0,
                           f"'2.5 per {_people_count(per)} people'" if per in (1e3, 1e4) else "2.5")
    return dim
