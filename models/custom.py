"""Custom constraints written in the scenario (`custom:`), turned into LP rows.

An expression (optimizer/expr.py) is evaluated, for each year (and each region
with `for: region`), into a linear expression over the model's columns plus a
constant. Quantities are summed over the regions, categories and resources
their filters select; a ratio is allowed where it stays linear (A / B >= k with
k a number becomes A - k*B >= 0, B taken as positive). Units are checked: a
sum may not mix money with FTE, and both sides must be in the same unit.
The same evaluation runs without data (`check`) when the scenario is loaded, so
a bad expression is an input error with its position marked.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from optimizer.backend.lp import INF
from optimizer.expr import BinOp, Constraint, ExprError, Neg, Num, Quantity, Target, parse, tokenize
from optimizer.models.common import Context, level_terms
from optimizer.models.explained import Explained, people, years_of
from optimizer.models.registry import Knob, family
from optimizer.models.rows import Lin as LinRows
from optimizer.preprocess.data import K_FISCAL, declared_units
from optimizer.preprocess.schedule import evaluate
from optimizer.units import INTERNAL, PEOPLE

# The parser and the evaluator recurse once per bracket, sign and operator: an expression deeper
# than this is refused as an input error rather than let Python's recursion limit end the run.
MAX_EXPR_DEPTH = 50


class Skip(Exception):
    """These rows do not exist (target not set this year, or t-1 before the first year)."""


@dataclass
class Lin:
    """A batch of linear expressions, one per row: terms (row, column, value) and a constant per row.
    A rule `for: region` is evaluated for all regions of a year at once (row i is region i), not a
    region at a time (600 regions x 7 years took 8.8 s that way)."""

    rows: np.ndarray  # the row of each term
    rows_cols: np.ndarray  # column indices (static check: -1 marks 'depends on the allocation')
    vals: np.ndarray
    const: np.ndarray  # (n,) one per row
    unit: str | None  # None: a plain number, takes the unit of what it meets

    @property
    def constant(self) -> bool:
        return len(self.rows_cols) == 0

    def scaled(self, k) -> Lin:
        """Times k: a number, or one number per row."""
        k_terms = k[self.rows] if np.ndim(k) else k
        return Lin(self.rows, self.rows_cols, self.vals * k_terms, self.const * k, self.unit)


@dataclass
class Ratio:
    num: Lin
    den: Lin
    pos: int


def _unit(a: Lin, b: Lin, pos: int, text: str, what: str) -> str | None:
    if a.unit is None or b.unit is None or a.unit == b.unit:
        return a.unit or b.unit
    raise ExprError(f"mismatched units: {what} {a.unit} and {b.unit}", pos, text)


def _add(a: Lin, b: Lin, sign: float) -> Lin:
    return Lin(np.concatenate([a.rows, b.rows]), np.concatenate([a.rows_cols, b.rows_cols]),
               np.concatenate([a.vals, sign * b.vals]), a.const + sign * b.const, a.unit or b.unit)


def _number(n: int, value: float) -> Lin:
    return Lin(np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.full(n, float(value)), None)


class Evaluator:
    """Evaluates a parsed constraint for the rows of one year: one row over the regions the filters select
    (`for: all`), or one per region (`for: region`). With ctx None it checks only (ids, units, linearity)."""

    def __init__(self, scenario, ctx: Context | None = None, target: np.ndarray | None = None):
        self.s = scenario
        self.ctx = ctx
        self.target = target
        self.region_ids = [r.id for r in scenario.regions]
        self.groups = np.array([r.group or "" for r in scenario.regions], dtype=object)
        self.areas = np.array([r.area or "" for r in scenario.regions], dtype=object)
        self.cat_ids = [c.id for c in scenario.categories]
        self.years = list(scenario.years)
        self.units = declared_units(scenario)
        self.to_user = np.array([u.to_input for u in self.units])  # internal unit -> the unit users write

    # ---- the rows of one year ----
    def rows(self, con: Constraint, t: int, per_region: bool) -> tuple[Lin, str]:
        """Row i is region i where `per_region`, else the one row of the year."""
        self.text, self.t, self.per_region = con.text, t, per_region
        self.n = len(self.region_ids) if per_region else 1
        left, right = self.side(con.left), self.side(con.right)
        if isinstance(left, Ratio) and isinstance(right, Ratio):
            raise ExprError("a ratio with allocations below the line on both sides is not linear", right.pos, self.text)
        if isinstance(left, Ratio) or isinstance(right, Ratio):
            ratio, other, flip = (left, right, False) if isinstance(left, Ratio) else (right, left, True)
            if not other.constant:
                raise ExprError("a ratio may only be compared with a number or a target (A / B >= k)", ratio.pos, self.text)
            expr = _add(ratio.num, ratio.den.scaled(other.const), -1.0)  # A - k B (B > 0)
            return (expr.scaled(-1.0) if flip else expr), con.sense
        _unit(left, right, 0, self.text, "the two sides are in")
        return _add(left, right, -1.0), con.sense

    def side(self, node):
        if isinstance(node, Num):
            return _number(self.n, node.value)
        if isinstance(node, Target):
            if self.target is None:
                raise ExprError("'target' is used but the constraint gives no 'target:' schedule", node.pos, self.text)
            v = self.target[self.t]
            if not np.isfinite(v):
                raise Skip
            return _number(self.n, v)
        if isinstance(node, Neg):
            v = self.side(node.operand)
            return Ratio(v.num.scaled(-1), v.den, v.pos) if isinstance(v, Ratio) else v.scaled(-1)
        if isinstance(node, Quantity):
            return self.quantity(node)
        a, b = self.side(node.left), self.side(node.right)
        if node.op in "+-":
            if isinstance(a, Ratio) or isinstance(b, Ratio):
                raise ExprError("a ratio with allocations below the line cannot be added to: not linear", node.pos, self.text)
            _unit(a, b, node.pos, self.text, f"'{node.op}' joins")
            return _add(a, b, 1.0 if node.op == "+" else -1.0)
        if node.op == "*":
            if isinstance(a, Ratio) and isinstance(b, Lin) and b.constant:
                return Ratio(a.num.scaled(b.const), a.den, a.pos)
            if isinstance(b, Ratio) and isinstance(a, Lin) and a.constant:
                return Ratio(b.num.scaled(a.const), b.den, b.pos)
            if isinstance(a, Ratio) or isinstance(b, Ratio) or not (a.constant or b.constant):
                raise ExprError("a product of two quantities that depend on the allocation is not linear", node.pos, self.text)
            k, v = (a, b) if a.constant else (b, a)
            out = v.scaled(k.const)
            out.unit = v.unit if k.unit is None else (k.unit if v.unit is None else f"{v.unit}*{k.unit}")
            return out
        # division
        if isinstance(b, Ratio) or isinstance(a, Ratio):
            raise ExprError("a ratio of ratios is not linear", node.pos, self.text)
        if b.constant:
            zero = b.const == 0
            if zero.any() and self.ctx is not None:
                raise ExprError("division by zero", node.pos, self.text)
            out = a.scaled(np.divide(1.0, b.const, out=np.ones_like(b.const), where=~zero))
            out.unit = a.unit if b.unit is None else (None if a.unit == b.unit else f"{a.unit}/{b.unit}")
            return out
        return Ratio(a, b, node.pos)

    # ---- quantities ----
    def _pick(self, q: Quantity, key: str, ids: list[str]) -> np.ndarray:
        if key not in q.filters:
            return np.ones(len(ids), bool)
        out = np.zeros(len(ids), bool)
        for v in q.filters[key]:
            if v not in ids:
                raise ExprError(f"unknown {key} '{v}'", q.pos, self.text)
            out[ids.index(v)] = True
        return out

    def _regions(self, q: Quantity) -> np.ndarray:
        sel = self._pick(q, "region", self.region_ids)
        for key, labels in (("group", self.groups), ("area", self.areas)):
            if key in q.filters:
                known = sorted({g for g in labels if g})
                bad = [v for v in q.filters[key] if v not in known]
                if bad:
                    raise ExprError(f"unknown {key} '{bad[0]}'; known: {', '.join(known)}", q.pos, self.text)
                sel &= np.isin(labels, q.filters[key])
        return sel

    def _years(self, q: Quantity) -> list[int]:
        out = []
        for v in q.filters.get("year", ["t"]):
            if v.startswith("t"):
                off = int(v[1:] or 0)
                j = self.t + off
                if not 0 <= j < len(self.years):
                    raise Skip
                out.append(j)
            else:
                try:
                    y = int(v)
                except ValueError:
                    raise ExprError(f"expected a year, t, t-1 or t+1, found '{v}'", q.pos, self.text) from None
                if y not in self.years:
                    raise ExprError(f"year {y} is not modelled ({self.years[0]}-{self.years[-1]})", q.pos, self.text)
                out.append(self.years.index(y))
        return out

    def quantity(self, q: Quantity) -> Lin:
        regions = self._regions(q)
        cats = self._pick(q, "category", self.cat_ids)
        res = self._pick(q, "resource", [u.name for u in self.units])
        if q.name in ("spend", "pcs"):
            if "resource" in q.filters and list(q.filters["resource"]) != ["fiscal"]:
                raise ExprError(f"'{q.name}' is fiscal money; drop the resource filter", q.pos, self.text)
            res = np.arange(len(self.units)) == K_FISCAL
        years = self._years(q)
        if q.name == "pop":
            unit = "10k people"
        elif q.name == "pcs":
            unit = "yuan/person"
        else:
            chosen = [self.units[k] for k in np.nonzero(res)[0]]
            if len({u.input_unit for u in chosen}) != 1:
                raise ExprError(f"'{q.name}' sums {', '.join(u.name for u in chosen)}: units differ; add resource=...",
                                q.pos, self.text)
            unit = chosen[0].input_unit
        variable = q.name not in ("pop", "need")
        if self.ctx is None:  # static check: one row, 'depends on the allocation' or not
            marker = np.array([-1]) if variable else np.zeros(0, int)
            return Lin(np.zeros(len(marker), int), marker, np.ones(len(marker)), np.zeros(self.n), unit)
        return self._numeric(q.name, regions, cats, res, years, unit)

    def _numeric(self, name, regions, cats, res, years, unit) -> Lin:
        d, lay = self.ctx.data, self.ctx.layout
        chosen = np.nonzero(regions)[0]
        r, c, k, t = (a.ravel() for a in np.meshgrid(chosen, np.nonzero(cats)[0], np.nonzero(res)[0],
                                                    np.array(years), indexing="ij"))
        row = r if self.per_region else np.zeros(len(r), int)  # a rule per region sees its own region only

        def per_row(values: np.ndarray) -> np.ndarray:
            """Each row's sum of values laid out region by region (the grid's first axis), summed as
            numpy sums a row's own array, to the last bit."""
            if not self.per_region:
                return np.array([values.sum()])
            out = np.zeros(self.n)
            out[chosen] = values.reshape(len(chosen), -1).sum(axis=1)
            return out

        def terms(coef, cumulative: bool, const=None) -> Lin:
            rows, cols, vals = level_terms(lay, row, r, c, k, t, coef, cumulative=cumulative)
            return Lin(rows, cols, vals, np.zeros(self.n) if const is None else const, unit)

        if name in ("pop", "pcs"):
            rr, tt = (a.ravel() for a in np.meshgrid(chosen, years, indexing="ij"))
            popsum = per_row(d.pop[rr, tt])
            if name == "pop":
                return Lin(np.zeros(0, int), np.zeros(0, int), np.zeros(0), popsum, unit)
        if name == "need":
            return Lin(np.zeros(0, int), np.zeros(0, int), np.zeros(0), per_row(d.need[r, c, k, t] * self.to_user[k]), unit)
        if name == "unmet":  # every band of it, under the fair objective
            col = lay.unmet_cols()[:, r, c, k, t]
            ok = col >= 0
            rows, vals = np.broadcast_to(row, col.shape), np.broadcast_to(self.to_user[k], col.shape)
            return Lin(rows[ok], col[ok], vals[ok], np.zeros(self.n), unit)
        if name in ("alloc", "spend"):
            return terms(self.to_user[k], cumulative=False)
        if name == "level":
            return terms(self.to_user[k], cumulative=True, const=per_row(d.base_level[r, c, k, t] * self.to_user[k]))
        # pcs: (baseline money + new money) / population of the selection, yuan per person
        if (popsum <= 0).any():
            raise ExprError("per-capita spending of a selection with no population", 0, self.text)
        per = INTERNAL["fiscal"] / (popsum * PEOPLE)  # per row: yuan per person for one internal money unit
        return terms(per[row], cumulative=False, const=per_row(d.base_level[r, c, K_FISCAL, t]) * per)


def _years_of(item, scenario) -> list[int]:
    chosen = set(item.years) if item.years else None
    return [t for t, y in enumerate(scenario.years) if chosen is None or y in chosen]


def _too_deep(text: str, depth: int, pos: int) -> ExprError:
    return ExprError(f"expected an expression at most {MAX_EXPR_DEPTH} levels deep (opt's limit; each bracket, "
                     f"minus sign and further + - * / adds one), found {depth}; split it into several rules", pos, text)


def _check_nesting(text: str) -> None:
    """Brackets and minus signs in a row, counted on the tokens before parsing (the parser recurses on them)."""
    depth = signs = deepest = 0
    first = None  # where the limit is first passed: the caret goes there
    for _, value, pos in tokenize(text):
        depth += (value in ("(", "[")) - (value in (")", "]"))
        signs = signs + 1 if value == "-" else 0
        deepest = max(deepest, depth + signs)
        if first is None and deepest > MAX_EXPR_DEPTH:
            first = pos
    if first is not None:
        raise _too_deep(text, deepest, first)


def _check_depth(con: Constraint) -> None:
    """The parsed tree's depth, walked without recursion (the evaluator recurses on it: a + a + ... is a chain)."""
    stack = [(con.left, 1), (con.right, 1)]
    deepest, first = 0, None
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if first is None and depth > MAX_EXPR_DEPTH:
            first = getattr(node, "pos", 0)
        if isinstance(node, BinOp):
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, Neg):
            stack.append((node.operand, depth + 1))
    if first is not None:
        raise _too_deep(con.text, deepest, first)


def check(item, scenario) -> ExprError | None:
    """Parse and check one custom constraint without data: ids, units, linearity, depth."""
    try:
        _check_nesting(item.expr)
        con = parse(item.expr)
        _check_depth(con)
        ev = Evaluator(scenario, None, np.ones(len(scenario.years)) if item.target else None)
        for t in _years_of(item, scenario):  # the first year whose rows exist (t-1 does not in the first year)
            try:
                ev.rows(con, t, per_region=False)
                break
            except Skip:
                continue
    except ExprError as e:
        return e
    return None


@dataclass(frozen=True)
class CustomInfo:
    """Per row: the rule's name, the unit its sides are in, the region or 'all'."""

    names: list[str]
    units: list[str]
    scopes: list[str]


def _explain(f, d) -> Explained:
    info = f.block.info
    years = years_of(f, d)
    gain = np.abs(f.dual) * PEOPLE  # people per unit of the constraint, loosened
    meaning = [f"loosening '{n}' by 1 {u} in {y}{'' if sc == 'all' else ' for ' + sc} would serve another {people(g)}"
               if b and g > 0.5 else f"'{n}' holds with {sl:,.4g} {u} to spare in {y}"
               for n, u, y, sc, g, b, sl in zip(info.names, info.units, years, info.scopes, gain, f.binding, f.slack)]
    return Explained(list(info.scopes), f.slack, list(info.units), -gain,
                     "people unserved per unit the constraint is loosened", np.where(f.binding, gain, 0.0), meaning,
                     "loosening the binding custom constraints by one unit each in {year} would serve another {people}",
                     summary_zh="{year}年起约束作用的自定义规则各放宽一个单位，可再服务{people}")


def _excerpt(text: str, pos: int, width: int = 76) -> tuple[str, int]:
    """The part of a long expression around `pos` and pos within it, so the caret line stays one line."""
    if len(text) <= width:
        return text, pos
    start = max(0, min(pos - width // 2, len(text) - width))
    lead, tail = ("..." if start else ""), ("..." if start + width < len(text) else "")
    return lead + text[start:start + width] + tail, len(lead) + pos - start


def _validate(s) -> list[tuple[tuple, str]]:
    """Each rule: a unique name, years in the horizon, an expression that parses, names what exists and is linear."""
    out = []
    counts = Counter(c.name for c in s.custom)
    for i, item in enumerate(s.custom):
        if counts[item.name] > 1:
            out.append((("custom", i, "name"), f"expected unique names, found '{item.name}' {counts[item.name]} times"))
            counts[item.name] = 0
        if item.years:
            bad = [y for y in item.years if y not in s.years]
            if bad:
                out.append((("custom", i, "years"), f"expected years within the horizon {min(s.years)}-{max(s.years)}, "
                                                    f"found {bad[0]}"))
        err = check(item, s)
        if err is not None:
            shown, pos = _excerpt(err.text, err.pos)
            out.append((("custom", i, "expr"), f"{err}\n        {shown}\n        {' ' * pos}^"))
    return out


def _knobs(scenario) -> list[Knob]:
    """One per custom constraint, loosened by its 'relax'."""
    return [Knob("custom", ("custom", i, "relax"), +1, math.inf, 1e-4, "its unit", f"custom constraint '{item.name}'",
                 from_zero=True) for i, item in enumerate(getattr(scenario, "custom", None) or [])]


@family("custom", explain=_explain, knobs=_knobs, validate=_validate)
def custom(ctx: Context) -> None:
    items = getattr(ctx.scenario, "custom", None) or []
    rows, cols, vals, lo, hi, names, units, scopes, years, labels_r = [], [], [], [], [], [], [], [], [], []
    n = 0
    for item in items:
        if not item.enabled:
            continue
        con = parse(item.expr)
        target = evaluate(item.target, ctx.data.years) if item.target else None
        ev = Evaluator(ctx.scenario, ctx, target)
        per_region = item.for_ == "region"
        for t in _years_of(item, ctx.scenario):
            try:
                expr, sense = ev.rows(con, t, per_region)
            except Skip:
                continue
            m = len(expr.const)
            rows.append(n + expr.rows)
            cols.append(expr.rows_cols)
            vals.append(expr.vals)
            rhs = -expr.const
            lo.append(rhs - item.relax if sense in (">=", "==") else np.full(m, -INF))
            hi.append(rhs + item.relax if sense in ("<=", "==") else np.full(m, INF))
            names += [item.name] * m
            units += [expr.unit or ""] * m
            scopes += list(ctx.data.region_names) if per_region else ["all"]
            labels_r.append(np.arange(m) if per_region else np.full(1, -1))
            years += [t] * m
            n += m
    if not n:
        return
    rules = LinRows.of(n, (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)))
    ctx.rows("custom", rules.within(np.concatenate(lo), np.concatenate(hi)),
             labels={"kind": np.array(names, dtype=object), "region": np.concatenate(labels_r), "year": np.array(years)},
             info=CustomInfo(names, units, scopes))
