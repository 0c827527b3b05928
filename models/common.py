"""What every constraint family shares: the allocation variables and how to sum them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.backend.lp import ModelBuilder, RowBlock, row_block
from optimizer.models.rows import Lin, Rows
from optimizer.preprocess.data import K_FACILITY, K_FISCAL, ModelData
from optimizer.preprocess.schema import context_of


@dataclass(frozen=True)
class Works:
    """Work a family adds by region and year that the budget pays for, as it pays for construction (renewing
    old space, building facilities): its columns (R,T), -1 where none; the cost of one unit done, 100m yuan;
    with `stock` the columns are running totals (what is done in t is cols[t] - cols[t-1]); `staff` is the
    staff each unit of the running total needs (internal units, 100 FTE), hired from the personnel supply
    and paid a salary every year from then on."""

    cols: np.ndarray
    cost: float
    stock: bool = False
    staff: float = 0.0

    def done(self, ctx: Context, row, r, t, coef, *, n: int) -> Lin:
        """coef x what is done in year t (r, t per row)."""
        col = self.cols[r, t]
        out = ctx.var(row, col, coef, n=n)
        if self.stock:
            later = t > 0
            out = out - ctx.var(np.asarray(row)[later], self.cols[r[later], t[later] - 1], coef, n=n)
        return out


@dataclass
class Layout:
    """Where the core variables sit: index arrays of shape (R,C,K,T), -1 where absent."""

    x: np.ndarray  # new allocation
    stock: np.ndarray  # (K,) which resources accumulate (their columns are running totals or levels)
    u: np.ndarray  # unmet need (shortfall)
    shared: np.ndarray | None = None  # (R,C,T) space credited from facility sharing, -1 where none
    attrition: np.ndarray | None = None  # (R,K) share of a stock lost each year, None where nothing is lost
    flows: np.ndarray | None = None  # sharing flow columns, pair-major then year
    travel: tuple[np.ndarray, np.ndarray] | None = None  # sharing: flow columns and their travel term in the objective
    bands: np.ndarray | None = None  # (J-1,R,C,K,T) unmet need in the fair penalty's bands 1.. (band 0 is u)
    coverage: np.ndarray | None = None  # maximin: (T,) columns of each year's lowest share of need met
    works: dict[str, Works] = field(default_factory=dict)  # spending per region and year beside the categories'

    def unmet_cols(self) -> np.ndarray:
        """(J,R,C,K,T) every column of unmet need: u, then the fair penalty's further bands."""
        return self.u[None] if self.bands is None else np.concatenate([self.u[None], self.bands])


@dataclass
class Context:
    builder: ModelBuilder
    data: ModelData
    layout: Layout
    scenario: object  # optimizer.preprocess.schema.Scenario
    network: object = None  # models.sharing.Network when the scenario shares facilities

    # ---- the terms of rows, as expressions (models/rows.py) ----
    def added(self, row, r, c, k, t, coef=1.0, *, n: int) -> Lin:
        """What is newly allocated to (r, c, k) in year t, per row: money this year, stock added this year."""
        return Lin.of(n, level_terms(self.layout, row, r, c, k, t, coef, cumulative=False))

    def level(self, row, r, c, k, t, coef=1.0, *, n: int) -> Lin:
        """Everything allocated to (r, c, k) up to year t (its level less the baseline), per row."""
        return Lin.of(n, level_terms(self.layout, row, r, c, k, t, coef, cumulative=True))

    def outlay(self, row, r, c, t, *, n: int, salaries: bool = True, construction: bool = True) -> Lin:
        """What the fiscal budget pays for (r, c) in year t, per row: the new money, and where the scenario
        gives unit costs the salaries of every worker added so far and the construction of the space built."""
        d = self.data
        out = self.added(row, r, c, np.full(len(row), K_FISCAL), t, n=n)
        for k in d.of_kind("staff") if salaries else ():
            if d.unit_cost[k] > 0:
                out = out + self.level(row, r, c, np.full(len(row), k), t, d.unit_cost[k], n=n)
        for k in d.of_kind("space") if construction else ():
            if d.unit_cost[k] > 0:
                out = out + self.added(row, r, c, np.full(len(row), k), t, d.unit_cost[k], n=n)
        if self.layout.works:  # once per (row, region, year), whatever the categories summed
            key = (np.asarray(row) * self.data.R + np.asarray(r)) * self.data.T + np.asarray(t)
            _, first = np.unique(key, return_index=True)
            first = np.sort(first)
            wr, wt, wrow = np.asarray(r)[first], np.asarray(t)[first], np.asarray(row)[first]
            for w in self.layout.works.values():
                if construction and w.cost > 0:
                    out = out + w.done(self, wrow, wr, wt, w.cost, n=n)
                if salaries and w.staff > 0 and d.salary > 0:  # the staff its running total needs, this year
                    out = out + self.var(wrow, w.cols[wr, wt], d.salary * w.staff, n=n)
        return out

    def unmet(self, row, r, c, k, t, coef=1.0, *, n: int) -> Lin:
        """The unmet need of (r, c, k, t) per row, coef times it: its column, or the sum of its bands."""
        cols = self.layout.unmet_cols()[:, r, c, k, t]  # (J, n)
        rows = np.broadcast_to(np.asarray(row), cols.shape)
        vals = np.broadcast_to(np.asarray(coef, dtype=float), cols.shape)
        ok = cols >= 0
        return Lin.of(n, (rows[ok], cols[ok], vals[ok]))

    def var(self, row, col, coef=1.0, *, n: int) -> Lin:
        """Columns themselves, coef times each, in the rows given."""
        col = np.asarray(col)
        return Lin.of(n, (row, col, np.broadcast_to(np.asarray(coef, dtype=float), col.shape)))

    def rows(self, name: str, rows: Rows, labels=None, info=None, policy: bool = True) -> RowBlock:
        """Add the rows under the family's name (labels name each row; info is what its explanation needs)."""
        e = rows.expr
        return self.builder.add_rows(row_block(name, e.row, e.col, e.coef, rows.lower, rows.upper,
                                               labels=labels, policy=policy, info=info))

    def params(self, name: str):
        """The validated parameters of family `name` from `families:`, or None where it is not switched on."""
        from optimizer.models.registry import FAMILIES

        raw = (getattr(self.scenario, "families", None) or {}).get(name)
        fam = FAMILIES.get(name)
        if raw is None or fam is None or fam.params is None:
            return None
        return fam.params.model_validate(raw, context=context_of(self.scenario))


def ratio(num, den) -> np.ndarray:
    """num / den, NaN where den is not positive (a share of nothing, a gap over a zero): every share and ratio
    the tables report."""
    num, den = np.broadcast_arrays(np.asarray(num, dtype=float), np.asarray(den, dtype=float))
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def solved_outlay(d: ModelData, a, *, salaries: bool = True, construction: bool = True) -> np.ndarray:
    """(R,T) what the budget pays in each region and year, 100m yuan, from a solution's arrays
    (optimizer.postprocess.results.Arrays), as Context.outlay counts it in the rows: the new money, the
    salaries of the added staff of every type still there, the construction of every space type, and the
    work families add (renewal, facilities) with the salaries of its staff."""
    out = a.alloc[:, :, K_FISCAL, :].sum(axis=1)
    for k in d.of_kind("staff") if salaries else ():
        out = out + d.unit_cost[k] * (a.level[:, :, k, :] - a.base[:, :, k, :]).sum(axis=1)
    if salaries and a.works_salaries is not None:
        out = out + a.works_salaries
    for k in d.of_kind("space") if construction else ():
        out = out + d.unit_cost[k] * a.alloc[:, :, k, :].sum(axis=1)
    if construction and a.works_outlay is not None:
        out = out + a.works_outlay
    return out


def label_names(d: ModelData) -> dict[str, list[str]]:
    """What the families' integer labels stand for, so the back end can name rows and columns."""
    return {"region": list(d.region_ids), "category": list(d.cat_ids), "resource": d.res_ids,
            "year": [str(y) for y in d.years]}


def grid(*shape: int) -> list[np.ndarray]:
    """Flattened index arrays over a full grid: grid(R, T) -> [r, t]."""
    return [a.ravel() for a in np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")]


def level_terms(layout: Layout, row, r, c, k, t, coef, cumulative: bool):
    """COO terms adding coef x (new allocation of (r,c,k)) to each row.

    Fiscal money: this year's x. Stocks (staff, space) are held as running
    totals s: cumulative=True gives everything added up to t (one term, s[t]);
    cumulative=False gives what is added in year t (s[t] - s[t-1]). With a loss rate
    (staff attrition, space depreciation) the column is the level of what was added and is
    still there, L[t], and what is added in t is L[t] - (1 - a[r,k]) L[t-1].
    All inputs are equal-length arrays (one entry per row-term to emit)."""
    row, r, c, k, t = (np.asarray(a, int) for a in (row, r, c, k, t))
    coef = np.broadcast_to(np.asarray(coef, float), row.shape)
    col = layout.x[r, c, k, t]
    ok = col >= 0
    rows, cols, vals = [row[ok]], [col[ok]], [coef[ok]]
    prev = ok & layout.stock[k] & (t > 0) & (not cumulative)
    if prev.any():
        keep = np.ones(int(prev.sum()))  # of last year's total, what is still there: all, or less what is lost
        if layout.attrition is not None:
            keep = 1.0 - layout.attrition[r[prev], k[prev]]
        rows.append(row[prev])
        cols.append(layout.x[r[prev], c[prev], k[prev], t[prev] - 1])
        vals.append(-coef[prev] * keep)
    if cumulative and layout.shared is not None:  # space shared by nearby facilities counts in the level
        fac = k == K_FACILITY
        sh = layout.shared[r[fac], c[fac], t[fac]]
        on = sh >= 0
        rows.append(row[fac][on])
        cols.append(sh[on])
        vals.append(coef[fac][on])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


