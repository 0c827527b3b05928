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
    stock: bool  # accumulates (staff, space) rather than flows each year (money)
    base_unit: str  # the unit amounts are counted in: yuan, FTE, m2
    internal: float  # the LP's unit, in base units (coefficients near 1)
    input_amount: float  # budgets, supplies and bounds are written in this many base units
    standard_per: float  # a standard is base units per this many people
    standard_unit: str
    output_unit: str
    output_scale: float  # the output unit in base units


DECLARED = (
    ResourceUnits("fiscal", False, "yuan", 1e8, 1e8, 1.0, "yuan/person/year", "10k yuan", 1e4),
    ResourceUnits("personnel", True, "FTE", 100.0, 1.0, 1e4, "FTE per 10k people", "FTE", 1.0),
    ResourceUnits("facility", True, "m2", 1e4, 1e4, 1.0, "m2/person", "m2", 1.0),
)
RESOURCES = tuple(r.name for r in DECLARED)
INTERNAL = {r.name: r.internal for r in DECLARED}  # internal unit of each resource, in its base unit
STANDARD_PER = {r.name: r.standard_per for r in DECLARED}
STANDARD_UNIT = {r.name: r.standard_unit for r in DECLARED}
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


def per_capita_factor(k: int) -> float:
    """Internal units of resource k per 10k people at a rate of 1 (in the standard's unit)."""
    res = RESOURCES[k]
    return PEOPLE / STANDARD_PER[res] / INTERNAL[res]
