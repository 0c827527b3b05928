"""The scenario as plain arrays in model units: what every constraint family reads.

Shapes: R regions, C categories, K=3 resources (fiscal, personnel, facility), T years.
Units inside: population 10k people; fiscal 100m yuan; personnel 100 FTE;
facility 10k m2; per-capita spending yuan/person.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import CO_CONSTRUCTION, CONSTANT, PUBLIC_SERVICE, Scenario
from optimizer.units import INPUT_AMOUNT, INTERNAL, PEOPLE, RESOURCES, SALARY_UNIT, STANDARD_PER

K_FISCAL, K_PERSONNEL, K_FACILITY = 0, 1, 2


@dataclass
class ModelData:
    years: np.ndarray  # (T,)
    region_ids: list[str]
    region_names: list[str]
    groups: np.ndarray  # (R,) str, "" where none
    areas: np.ndarray  # (R,) str, "" where none
    priority: np.ndarray  # (R,)
    pop: np.ndarray  # (R,T) 10k people
    base_pc: np.ndarray  # (R,) yuan/person/year
    sg_share: np.ndarray  # (R,)
    base_workers: np.ndarray  # (R,) 100 FTE
    base_space: np.ndarray  # (R,) 10k m2
    cat_ids: list[str]
    cat_names: list[str]
    livelihood: np.ndarray  # (C,) bool
    sigma: np.ndarray  # (R,C,T) share of category serving special groups
    weight: np.ndarray  # (C,)
    std: np.ndarray  # (C,K,T) internal units per 10k people served, per year (fiscal) or held (stocks)
    std_user: np.ndarray  # (C,K,T) as the user wrote it (yuan/person, FTE/10k, m2/person)
    base_split: np.ndarray  # (R,C,K) share of each region's baseline held by each category
    supply: np.ndarray  # (K,T) internal units per year, inf = unlimited
    salary: float  # 100m yuan per 100 FTE per year
    capex: float  # 100m yuan per 10k m2
    bound_min: np.ndarray  # (C,K,T) NaN = none
    bound_max: np.ndarray  # (C,K,T)
    served: np.ndarray | None = None  # (R,C,T) 10k people each category serves; None: every resident (pop)
    attrition: np.ndarray | None = None  # (R,) share of staff leaving each year; None: nobody leaves
    subpops: dict[str, np.ndarray] = field(default_factory=dict)  # sub-population -> (R,T) 10k people
    spending_pc: dict[str, np.ndarray] = field(default_factory=dict)  # line -> (R,T) yuan/person, NaN where not given
    line_names: dict[str, str] = field(default_factory=dict)  # line -> display name
    meta: dict = field(default_factory=dict)

    @property
    def R(self) -> int:
        return len(self.region_ids)

    @property
    def C(self) -> int:
        return len(self.cat_ids)

    @property
    def T(self) -> int:
        return len(self.years)

    # need and base_level are made once: a custom rule per region reads them once a row (600 regions x
    # 7 years: 8.8 s rebuilding them each time, against 0.23 s for the rest of the build)
    @cached_property
    def need(self) -> np.ndarray:
        """(R,C,K,T) need in internal units: the people a category serves x its standard."""
        if self.served is not None:
            return self.served[:, :, None, :] * self.std[None]
        return self.pop[:, None, None, :] * self.std[None]

    @property
    def inv_std(self) -> np.ndarray:
        """(C,K,T) 10k people per internal unit of unmet need (0 where there is no standard)."""
        return np.divide(1.0, self.std, out=np.zeros_like(self.std), where=self.std > 0)

    @cached_property
    def base_level(self) -> np.ndarray:
        """(R,C,K,T) baseline level split by category: fiscal per year, stocks held."""
        total = np.stack([
            self.base_pc[:, None] * self.pop / (INTERNAL["fiscal"] / PEOPLE),  # yuan/person x 10k people -> 100m yuan
            self.base_workers[:, None] * self.staying(),  # today's staff, less those who have left by the end of t
            np.broadcast_to(self.base_space[:, None], self.pop.shape),
        ], axis=1)  # (R,K,T)
        return self.base_split[:, :, :, None] * total[:, None, :, :]

    def staying(self) -> np.ndarray:
        """(R,T) share of today's staff still there at the end of year t: (1 - attrition)^(t - first + 1)."""
        if self.attrition is None:
            return np.ones((self.R, self.T))
        return (1.0 - self.attrition[:, None]) ** (np.arange(self.T)[None, :] + 1)

    def line_money(self, line: str) -> np.ndarray:
        """(R,T) a spending line's baseline, 100m yuan: co_construction is the baseline that also counts
        toward need (base_level); other lines their per-capita figures x population."""
        if line == CO_CONSTRUCTION:
            return self.base_level[:, :, K_FISCAL, :].sum(axis=1)
        return self.spending_pc[line] * self.pop / (INTERNAL["fiscal"] / PEOPLE)

    @property
    def active(self) -> np.ndarray:
        """(C,K) which category-resource pairs get allocation variables."""
        has_bound = ~np.all(np.isnan(self.bound_min), axis=2) | ~np.all(np.isnan(self.bound_max), axis=2)
        return self.has_std | has_bound

    @property
    def has_std(self) -> np.ndarray:
        """(C,K) which categories have a standard for a resource in some year (their unmet need exists)."""
        return (self.std > 0).any(axis=2)


def build_data(s: Scenario) -> ModelData:
    years = np.array(s.years, dtype=int)
    R, C, T = len(s.regions), len(s.categories), len(years)
    pop_tab = s.population or {}
    pop = np.array([evaluate(pop_tab.get(r.id) or r.population, years, hold_before=True) for r in s.regions])
    std_user = np.array([[evaluate(getattr(c.standard, k), years, hold_before=True) for k in RESOURCES]
                         for c in s.categories], dtype=float).reshape(C, 3, T)
    per = np.array([STANDARD_PER[k] for k in RESOURCES])
    scale = np.array([INTERNAL[k] for k in RESOURCES])
    std = std_user / per[None, :, None] * PEOPLE / scale[None, :, None]
    first = std[:, :, 0]  # the first year's standards split the baseline

    subpops, served = subpopulations(s, years, pop)
    # baseline split by category: as given, else in proportion to the standards (to the first year's need
    # where a category serves a sub-population: its standard is then per person of that group)
    by_std = np.divide(first, first.sum(axis=0, keepdims=True), out=np.zeros_like(first),
                       where=first.sum(axis=0, keepdims=True) > 0)
    base_split = np.broadcast_to(by_std, (R, C, 3)).copy()
    if served is not None:
        need0 = served[:, :, None, 0] * first[None, :, :]  # (R,C,K)
        total = need0.sum(axis=1, keepdims=True)
        base_split = np.divide(need0, total, out=np.zeros_like(need0), where=total > 0)
    cat_index = {c.id: j for j, c in enumerate(s.categories)}
    for i, r in enumerate(s.regions):
        for res, split in (r.base_split or {}).items():
            k = RESOURCES.index(res)
            base_split[i, :, k] = 0.0
            for cid, share in split.items():
                base_split[i, cat_index[cid], k] = share

    amount = np.array([INPUT_AMOUNT[k] for k in RESOURCES])
    supply = np.full((3, T), np.inf)
    for k, sched in enumerate((s.resources.fiscal.budget, s.resources.personnel.supply, s.resources.facility.supply)):
        if sched:
            v = evaluate(sched, years, hold_before=True)
            supply[k] = v * amount[k] / scale[k]
    bmin = np.full((C, 3, T), np.nan)
    bmax = np.full((C, 3, T), np.nan)
    for j, c in enumerate(s.categories):
        for k, res in enumerate(RESOURCES):
            b = getattr(c.bounds, res)
            if b is not None:
                bmin[j, k] = evaluate(b.min, years) * amount[k] / scale[k]
                bmax[j, k] = evaluate(b.max, years) * amount[k] / scale[k]

    lines, line_names = spending_lines(s, years)
    sg = np.array([r.special_group_share for r in s.regions])
    fraction = [evaluate(c.special_group_fraction, years, hold_before=True) if c.special_group_fraction else None
                for c in s.categories]  # (T,) by year, or None: the region's share
    sigma = np.array([[fraction[j] if fraction[j] is not None else np.full(T, sg[i]) for j in range(C)]
                      for i in range(R)], dtype=float).reshape(R, C, T)
    return ModelData(
        years=years,
        region_ids=[r.id for r in s.regions],
        region_names=[r.name or r.id for r in s.regions],
        groups=np.array([r.group or "" for r in s.regions], dtype=object),
        areas=np.array([r.area or "" for r in s.regions], dtype=object),
        priority=np.array([r.priority for r in s.regions], dtype=float),
        pop=pop,
        base_pc=np.array([r.base_spending_pc for r in s.regions], dtype=float),
        sg_share=sg,
        base_workers=np.array([r.base_workers for r in s.regions], dtype=float) * amount[1] / scale[1],
        base_space=np.array([r.base_space for r in s.regions], dtype=float) * amount[2] / scale[2],
        cat_ids=[c.id for c in s.categories],
        cat_names=[c.name or c.id for c in s.categories],
        livelihood=np.array([c.livelihood for c in s.categories], dtype=bool),
        sigma=sigma,
        weight=np.array([c.weight for c in s.categories], dtype=float),
        std=std,
        std_user=std_user,
        base_split=base_split,
        supply=supply,
        salary=(s.resources.personnel.salary or 0.0) * SALARY_UNIT * scale[1] / scale[0],
        capex=(s.resources.facility.capex or 0.0) * scale[2] / scale[0],
        bound_min=bmin,
        bound_max=bmax,
        spending_pc=lines,
        line_names=line_names,
        served=served,
        subpops=subpops,
        attrition=attrition_of(s),
    )


def attrition_of(s: Scenario) -> np.ndarray | None:
    """(R,) the share of staff leaving each year: the region's own, else the scenario's (by its area where given
    by area; a region without an area takes the larger of the two), or None where nobody leaves."""
    a = s.resources.personnel.attrition
    rates = []
    for r in s.regions:
        if r.attrition is not None:
            rates.append(r.attrition)
        elif isinstance(a, float | int):
            rates.append(float(a))
        else:
            rates.append(a.of(r.area))
    out = np.array(rates, dtype=float)
    return out if (out > 0).any() else None


def subpopulations(s: Scenario, years: np.ndarray, pop: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Each sub-population by region and year (10k people: its share of residents x population), and the
    people each category serves (R,C,T), or None where every category serves every resident."""
    out = {}
    for sid, sp in s.subpopulations.items():
        share = np.array([evaluate((r.subpopulation_share or {}).get(sid) or sp.share, years, hold_before=True)
                          for r in s.regions]).reshape(len(s.regions), len(years))
        out[sid] = share * pop
    if not any(c.serves for c in s.categories):
        return out, None
    served = np.stack([out[c.serves] if c.serves else pop for c in s.categories], axis=1)
    return out, served


def line_path(schedule: dict[int, float], years: np.ndarray, base_year: int, growth: float) -> np.ndarray:
    """A region's line by year: its figures interpolated between years given, the first held before them,
    and after the last grown by `growth` a year. A plain number is the figure for base_year."""
    sched = {base_year: schedule[CONSTANT]} if CONSTANT in schedule else schedule
    last = max(sched)
    out = evaluate(sched, years, hold_before=True)
    later = years > last
    out[later] = sched[last] * (1.0 + growth) ** (years[later] - last)
    return out


def spending_lines(s: Scenario, years: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every line the regions give (R,T yuan/person, NaN for a region without it) and every line's display name."""
    names = {CO_CONSTRUCTION: "co-construction spending", PUBLIC_SERVICE: "public-service spending"}
    names |= {k: v.name or k.replace("_", " ") for k, v in s.spending_lines.items()}
    given = sorted({line for r in s.regions for line in (r.spending or {})})
    out = {}
    for line in given:
        decl = s.spending_lines.get(line)
        base_year = decl.base_year if decl and decl.base_year else int(years[0])
        growth = decl.growth if decl else 0.0
        out[line] = np.array([line_path(r.spending[line], years, base_year, growth) if r.spending and line in r.spending
                              else np.full(len(years), np.nan) for r in s.regions])
    return out, names


def units_of(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Index of each region's unit (group or area; -1 where it has none) and the unit names."""
    names = sorted({v for v in values if v})
    index = {v: i for i, v in enumerate(names)}
    return np.array([index.get(v, -1) for v in values]), names
