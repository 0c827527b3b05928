"""The scenario as plain arrays in model units: what every constraint family reads.

Shapes: R regions, C categories, K resources (fiscal, personnel, facility, then the staff and space types
the scenario declares), T years.
Units inside: population 10k people; fiscal 100m yuan; every staff type 100 FTE;
every space type 10k m2; per-capita spending yuan/person.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from optimizer.preprocess.schedule import evaluate
from optimizer.preprocess.schema import CO_CONSTRUCTION, CONSTANT, PUBLIC_SERVICE, Scenario
from optimizer.units import DECLARED, INTERNAL, PEOPLE, SALARY_UNIT, ResourceUnits, space_units, staff_units

K_FISCAL, K_PERSONNEL, K_FACILITY = 0, 1, 2  # the resources every scenario has; declared types follow


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
    base_stock: np.ndarray  # (R,K) today's stock of each staff and space type, internal units (0 for money)
    cat_ids: list[str]
    cat_names: list[str]
    livelihood: np.ndarray  # (C,) bool
    sigma: np.ndarray  # (R,C,T) share of category serving special groups
    weight: np.ndarray  # (C,)
    std: np.ndarray  # (C,K,T) internal units per 10k people served, per year (fiscal) or held (stocks)
    std_user: np.ndarray  # (C,K,T) as the user wrote it (yuan/person, FTE/10k, m2/person)
    base_split: np.ndarray  # (R,C,K) share of each region's baseline held by each category
    supply: np.ndarray  # (K,T) internal units per year, inf = unlimited
    unit_cost: np.ndarray  # (K,) 100m yuan per internal unit: 1 for money, a year's salary of staff, construction of space
    bound_min: np.ndarray  # (C,K,T) NaN = none
    bound_max: np.ndarray  # (C,K,T)
    served: np.ndarray | None = None  # (R,C,T) 10k people each category serves; None: every resident (pop)
    attrition: np.ndarray | None = None  # (R,K) share of a stock lost each year (staff leaving, space worn out); None: none
    resources: tuple[ResourceUnits, ...] = DECLARED  # (K,) each resource's kind and units
    staffing: tuple[tuple[int, int, float], ...] = ()  # (space k, staff k, internal staff per internal space) it needs
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

    @property
    def K(self) -> int:
        return len(self.resources)

    @property
    def res_ids(self) -> list[str]:
        return [u.name for u in self.resources]

    @property
    def stock(self) -> np.ndarray:
        """(K,) which resources accumulate (staff and space) rather than flow each year (money)."""
        return np.array([u.stock for u in self.resources])

    def of_kind(self, kind: str) -> list[int]:
        return [k for k, u in enumerate(self.resources) if u.kind == kind]

    @property
    def base_workers(self) -> np.ndarray:
        """(R,) today's personnel (the plan's social workers), 100 FTE."""
        return self.base_stock[:, K_PERSONNEL]

    @property
    def base_space(self) -> np.ndarray:
        """(R,) today's community space, 10k m2."""
        return self.base_stock[:, K_FACILITY]

    @property
    def salary(self) -> float:
        """100m yuan per 100 FTE of personnel per year."""
        return float(self.unit_cost[K_PERSONNEL])

    @property
    def capex(self) -> float:
        """100m yuan per 10k m2 of community space built."""
        return float(self.unit_cost[K_FACILITY])

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
        total = self.base_stock[:, :, None] * self.staying()  # today's stocks, less what is lost by the end of t
        total[:, K_FISCAL] = self.base_pc[:, None] * self.pop / (INTERNAL["fiscal"] / PEOPLE)  # -> 100m yuan
        return self.base_split[:, :, :, None] * total[:, None, :, :]

    def staying(self) -> np.ndarray:
        """(R,K,T) share of today's stock still there at the end of year t: (1 - loss)^(t - first + 1)."""
        if self.attrition is None:
            return np.ones((self.R, self.K, self.T))
        return (1.0 - self.attrition[:, :, None]) ** (np.arange(self.T)[None, None, :] + 1)

    def base_by_year(self, k: int) -> np.ndarray:
        """(R,T) today's stock of resource k still there at the end of each year (internal units)."""
        return self.base_stock[:, k, None] * self.staying()[:, k]

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
        out = self.has_std | has_bound
        for k_space, k_staff, _ in self.staffing:  # staff may be added to run a category's space
            out[:, k_staff] |= self.has_std[:, k_space]
        return out

    @property
    def has_std(self) -> np.ndarray:
        """(C,K) which categories have a standard for a resource in some year (their unmet need exists)."""
        return (self.std > 0).any(axis=2)


def declared_units(s: Scenario) -> tuple[ResourceUnits, ...]:
    """Every resource of the scenario: fiscal, personnel, facility, then its declared staff and space types."""
    out = list(DECLARED)
    for rid, spec in s.resources:
        kind = getattr(spec, "kind", None)
        if kind == "staff":
            out.append(staff_units(rid, spec.per, spec.name or ""))
        elif kind == "space":
            out.append(space_units(rid, spec.name or ""))
    return tuple(out)


def resource_spec(s: Scenario, rid: str):
    """The scenario's `resources.<rid>` entry."""
    return getattr(s.resources, rid)


def build_data(s: Scenario) -> ModelData:
    years = np.array(s.years, dtype=int)
    units = declared_units(s)
    ids = [u.name for u in units]
    R, C, K, T = len(s.regions), len(s.categories), len(units), len(years)
    pop_tab = s.population or {}
    pop = np.array([evaluate(pop_tab.get(r.id) or r.population, years, hold_before=True) for r in s.regions])
    std_user = np.array([[evaluate(getattr(c.standard, k), years, hold_before=True) for k in ids]
                         for c in s.categories], dtype=float).reshape(C, K, T)
    per = np.array([u.standard_per for u in units])
    scale = np.array([u.internal for u in units])
    std = std_user / per[None, :, None] * PEOPLE / scale[None, :, None]
    first = std[:, :, 0]  # the first year's standards split the baseline

    subpops, served = subpopulations(s, years, pop)
    # baseline split by category: as given, else in proportion to the standards (to the first year's need
    # where a category serves a sub-population: its standard is then per person of that group)
    by_std = np.divide(first, first.sum(axis=0, keepdims=True), out=np.zeros_like(first),
                       where=first.sum(axis=0, keepdims=True) > 0)
    base_split = np.broadcast_to(by_std, (R, C, K)).copy()
    if served is not None:
        need0 = served[:, :, None, 0] * first[None, :, :]  # (R,C,K)
        total = need0.sum(axis=1, keepdims=True)
        base_split = np.divide(need0, total, out=np.zeros_like(need0), where=total > 0)
    cat_index = {c.id: j for j, c in enumerate(s.categories)}
    for i, r in enumerate(s.regions):
        for res, split in (r.base_split or {}).items():
            k = ids.index(res)
            base_split[i, :, k] = 0.0
            for cid, share in split.items():
                base_split[i, cat_index[cid], k] = share

    amount = np.array([u.input_amount for u in units])
    supply = np.full((K, T), np.inf)
    for k, rid in enumerate(ids):
        spec = resource_spec(s, rid)
        sched = spec.budget if k == K_FISCAL else spec.supply
        if sched:
            supply[k] = evaluate(sched, years, hold_before=True) * amount[k] / scale[k]
    bmin = np.full((C, K, T), np.nan)
    bmax = np.full((C, K, T), np.nan)
    for j, c in enumerate(s.categories):
        for k, res in enumerate(ids):
            b = getattr(c.bounds, res)
            if b is not None:
                bmin[j, k] = evaluate(b.min, years) * amount[k] / scale[k]
                bmax[j, k] = evaluate(b.max, years) * amount[k] / scale[k]

    base_stock = np.zeros((R, K))
    for i, r in enumerate(s.regions):
        base_stock[i, K_PERSONNEL], base_stock[i, K_FACILITY] = r.base_workers, r.base_space
        for k in range(3, K):
            base_stock[i, k] = getattr(getattr(r, "base_stock", None), ids[k], 0.0)
    unit_cost = np.zeros(K)
    unit_cost[K_FISCAL] = 1.0
    for k, u in enumerate(units):
        spec = resource_spec(s, u.name)
        if u.kind == "staff":
            unit_cost[k] = (spec.salary or 0.0) * SALARY_UNIT * scale[k] / scale[K_FISCAL]
        elif u.kind == "space":
            unit_cost[k] = (spec.capex or 0.0) * scale[k] / scale[K_FISCAL]

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
        base_stock=base_stock * amount[None, :] / scale[None, :],
        cat_ids=[c.id for c in s.categories],
        cat_names=[c.name or c.id for c in s.categories],
        livelihood=np.array([c.livelihood for c in s.categories], dtype=bool),
        sigma=sigma,
        weight=np.array([c.weight for c in s.categories], dtype=float),
        std=std,
        std_user=std_user,
        base_split=base_split,
        supply=supply,
        unit_cost=unit_cost,
        bound_min=bmin,
        bound_max=bmax,
        spending_pc=lines,
        line_names=line_names,
        served=served,
        subpops=subpops,
        attrition=attrition_of(s, units),
        resources=units,
        staffing=staffing_of(s, units),
    )


def attrition_of(s: Scenario, units: tuple[ResourceUnits, ...] = DECLARED) -> np.ndarray | None:
    """(R,K) the share of each stock lost each year (staff leaving, space worn out): the region's own (a number is
    personnel's; by type), else the scenario's (by the region's area where given by area; a region without an area
    takes the larger of the two), or None where nothing is lost."""
    out = np.zeros((len(s.regions), len(units)))
    for k, u in enumerate(units):
        if not u.stock:
            continue
        spec = resource_spec(s, u.name)
        a = spec.attrition if u.kind == "staff" else spec.depreciation
        for i, r in enumerate(s.regions):
            own = r.attrition if isinstance(r.attrition, dict) else {"personnel": r.attrition}
            if own.get(u.name) is not None:
                out[i, k] = own[u.name]
            elif isinstance(a, float | int):
                out[i, k] = float(a)
            else:
                out[i, k] = a.of(r.area)
    return out if (out > 0).any() else None


def staffing_of(s: Scenario, units: tuple[ResourceUnits, ...]) -> tuple[tuple[int, int, float], ...]:
    """(space k, staff k, internal staff units per internal space unit) for each space type that needs staff."""
    ids = [u.name for u in units]
    out = []
    for k, u in enumerate(units):
        need = getattr(resource_spec(s, u.name), "staffing", None) if u.kind == "space" else None
        if need is not None:
            ks = ids.index(need.staff)
            # FTE per 1,000 m2 -> internal staff (100 FTE) per internal space (10k m2)
            out.append((k, ks, need.fte_per_1000_m2 * u.internal / 1000.0 / units[ks].internal))
    return tuple(out)


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
