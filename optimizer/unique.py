"""One answer among equally good ones (objective.unique; docs/model.md, "One answer").

An LP's optimum is often a face, not a point: many allocations serve the same people at the same cost, and
which one a solver returns depends on the solver, the row order and the last bit of a tolerance. After the
scenario's objective is solved, its criteria are held one after another, each within `tolerance` of its
best, and among the allocations that remain the one closest to a reference is chosen:

1. people: the objective's people term (the fair penalty's bands, or every person short once, or the
   maximin stage's), held at its value in the first solve;
2. cost: the tie-breaker costs (money, salaries, construction, works: cost_weight x cost), minimised with
   people held (a stage of its own, not a tiny weight a solver's tolerance could lose);
3. travel: facility sharing's m2 x minutes (travel_weight), minimised with people and cost held;
4. the answer: min sum_j w_j (x_j - ref_j)^2 / 2 with every criterion held, a strictly convex objective over
   every column, so its minimum is one point, whichever solver found the first optimum. The reference of an
   allocation column is the cell's need not met by its baseline, g = max(N - base, 0), with weight 1 / g
   (floored at 1% of the mean of its resource and year): sum g (1 - x/g)^2, so among equally good allocations
   the one whose cells meet their need in the most even shares (need-proportional where nothing else binds).
   Other columns (unmet need, flows, credits, pool and works columns) are drawn to 0 with weight 1e-6. With
   `--near RESULT_DIR` the reference is that folder's allocation instead (weight 1 / max(|ref|, floor)).

Held: on the optimal face of each criterion in turn, read from HiGHS's duals (optimizer.backend.face), where
the tolerance is at most FACE_TOLERANCE and HiGHS's simplex can take the model; otherwise as a row,
criterion . x <= v + tolerance |v| + 1e-9 |c|.|x| + 1e-12 max|c| (v its value at the stage that set it), every
stage after the first on Clarabel. The distance is Clarabel's either way. Either way the answer is the same
whichever solver found the first optimum."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from optimizer.backend.face import optimal_face
from optimizer.backend.lp import LinearModel, RowBlock, VarBlock, compact_labels
from optimizer.backend.solve import AUTO_IPM_COLUMNS
from optimizer.backend.status import Solution
from optimizer.models.common import Context
from optimizer.models.objective import objective_cost

AUX_WEIGHT = 1e-6  # columns that are not allocations: drawn to 0 only so that the minimum is one point
FLOOR = 0.01  # a reference's weight is 1 / max(ref, FLOOR x its group's mean)
ABS_SLACK = 1e-9  # held rows: beside the relative tolerance, of the size of the criterion's terms
LADDER_TOP = 1e-6  # where the stages stall, the tolerance is raised 100-fold at a time up to this
GAP = 1e-10  # the stages' relative duality gap: at 1e-9 (the first solve's) a cell was 5e-6 of itself off
AUTO_COLUMNS = AUTO_IPM_COLUMNS  # `auto` chooses a unique answer below this size (bench/results.md)
FACE_TOLERANCE = 1e-6  # up to this a criterion is held on its optimal face exactly, above as a row
# without the first solve's basis (Clarabel solved it), stage 1 is HiGHS's simplex from nothing: 2.4 s at 100
# counties (105k columns; held rows took 10.5 s), 52 s at 333 counties (248k), where held rows are faster
FACE_COLUMNS = 200_000


@dataclass(frozen=True)
class Held:
    """A criterion held at its best: cost . x <= value + slack."""

    name: str
    cost: np.ndarray
    value: float
    slack: float


@dataclass(frozen=True)
class Reference:
    """What the answer is drawn to: per column a reference and a weight; `plan`: the columns a given plan sets
    (--near), whose sum of weighted absolute changes is held least before the distance is taken."""

    ref: np.ndarray
    weight: np.ndarray
    name: str = "need"
    plan: np.ndarray | None = None


def wanted(setting: bool | str, model: LinearModel, integer: bool = False) -> tuple[bool, str]:
    """Whether to choose the unique answer, and why not where it is not chosen though asked or by `auto`."""
    if setting is False:
        return False, ""
    if model.quad is not None:  # a held criterion must be linear: the quadratic penalty is not
        return False, ("one answer among equally good ones was not chosen: the fair objective's quadratic form is "
                       "not held as a row (write form: piecewise for it)") if setting is True else ""
    if integer and model.integer is not None:
        return False, "one answer among equally good ones was not chosen: whole facilities (a MIP) keep their own"
    n = model.A.shape[1]
    if setting is True:
        return True, ""
    if n < AUTO_COLUMNS:
        return True, ""
    return False, (f"one answer among equally good ones was not chosen: {n:,} columns, where its stages would take "
                   f"more than the first solve again (objective.unique.enabled: on chooses it)")


def criteria(model: LinearModel, ctx: Context) -> list[tuple[str, np.ndarray]]:
    """The objective's criteria in the order they are held: people, cost, travel (those the model has)."""
    scenario: Any = ctx.scenario
    kind = scenario.objective.kind
    travel = np.zeros(model.A.shape[1])
    if ctx.layout.travel is not None:
        cols, minutes = ctx.layout.travel
        np.add.at(travel, cols, minutes)
    if kind == "min_cost":
        return [(name, c) for name, c in (("cost", model.cost - travel), ("travel", travel)) if np.any(c)]
    people = objective_cost(ctx, "unserved" if kind == "maximin" else kind, tiebreak=False)
    rest = model.cost - people - travel
    return [(name, c) for name, c in (("people", people), ("cost", rest), ("travel", travel)) if np.any(c)]


def need_reference(ctx: Context, n: int) -> Reference:
    """(reference, weight) per column: allocations toward the need their baseline leaves, the rest toward 0."""
    d, lay = ctx.data, ctx.layout
    ref, weight = np.zeros(n), np.full(n, AUX_WEIGHT)
    gap = np.maximum(d.need - d.base_level, 0.0)  # (R,C,K,T) what the column must reach to meet the need
    on = lay.x >= 0
    mean = np.array([[gap[:, :, k, t][on[:, :, k, t]].mean() if on[:, :, k, t].any() else 1.0
                      for t in range(d.T)] for k in range(d.K)])  # (K,T)
    r, c, k, t = np.nonzero(on)
    scale = np.maximum(gap[r, c, k, t], FLOOR * np.maximum(mean[k, t], 1e-9))
    ref[lay.x[r, c, k, t]] = gap[r, c, k, t]
    weight[lay.x[r, c, k, t]] = 1.0 / scale  # sum of ref (1 - share met)^2: equal shares where nothing binds
    return Reference(ref, weight)


def near_reference(ctx: Context, n: int, columns: np.ndarray) -> Reference:
    """(reference, weight) from a given plan's columns (R,C,K,T, internal units; NaN where it has none)."""
    d, lay = ctx.data, ctx.layout
    ref, weight = np.zeros(n), np.full(n, AUX_WEIGHT)
    on = (lay.x >= 0) & np.isfinite(columns)
    mean = np.array([[np.abs(columns[:, :, k, t][on[:, :, k, t]]).mean() if on[:, :, k, t].any() else 1.0
                      for t in range(d.T)] for k in range(d.K)])
    r, c, k, t = np.nonzero(on)
    v = columns[r, c, k, t]
    ref[lay.x[r, c, k, t]] = v
    weight[lay.x[r, c, k, t]] = 1.0 / np.maximum(np.abs(v), FLOOR * np.maximum(mean[k, t], 1e-9))
    return Reference(ref, weight, "given plan", lay.x[r, c, k, t])


def near_columns(folder, ctx: Context) -> Reference:
    """The reference of `--near RESULT_DIR`: that folder's allocation as columns of this model, with weights.
    The folder must be a result of a scenario with the same regions, categories, resources and years."""
    from pathlib import Path

    import pandas as pd

    from optimizer.errors import InputError, Problem, Where

    folder = Path(folder)

    def refuse(msg: str):
        return InputError([Problem(Where(str(folder)), "--near", msg)])

    table = folder / "allocation.csv"
    if not folder.is_dir():
        raise refuse("expected a result folder of opt solve, found " + ("a file" if folder.exists() else "nothing there"))
    if not (folder / "manifest.json").is_file() or not table.is_file():
        raise refuse("expected a result folder of opt solve (with manifest.json and allocation.csv), found "
                     + ("no allocation.csv file" if not table.is_file() else "no manifest.json"))
    try:
        a = pd.read_csv(table, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        need = {"region", "category", "resource", "unit", "year", "allocated", "baseline", "shared", "level"}
        if not need <= set(a.columns):
            raise ValueError(f"columns {', '.join(sorted(need - set(a.columns)))} missing")
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise refuse(f"expected a readable allocation.csv, found: {e}") from None
    if a.empty:
        raise refuse("expected an allocation.csv with rows, found none")
    for col in ("allocated", "baseline", "shared", "level", "year"):  # every cell a finite number, said where not
        v = pd.to_numeric(a[col], errors="coerce")
        bad = ~np.isfinite(v.to_numpy(dtype=float)) | (v.to_numpy(dtype=float) < 0)  # amounts are never negative
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise refuse(f"expected a finite number, 0 or more, in {table}:{i + 2} (column '{col}'), "
                         f"found '{a[col].iloc[i]}'")
        a[col] = v
    d = ctx.data
    unit = {u.name: u.output_unit for u in d.resources}
    for rid, theirs_unit in a.groupby("resource")["unit"].first().items():
        if rid in unit and theirs_unit != unit[rid]:
            raise refuse(f"expected {rid} in {unit[rid]}, as here, found it in {theirs_unit} there (another kind of "
                         f"resource of the same id)")
    differ = []
    for what, mine, theirs in (("regions", d.region_ids, a["region"]), ("categories", d.cat_ids, a["category"]),
                               ("resources", d.res_ids, a["resource"]), ("years", [int(y) for y in d.years], a["year"])):
        theirs_set, mine_set = set(pd.unique(theirs)), set(mine)
        if not theirs_set <= mine_set or (what != "resources" and theirs_set != mine_set):
            extra = sorted(map(str, theirs_set - mine_set))[:5]
            missing = sorted(map(str, mine_set - theirs_set))[:5] if what != "resources" else []
            differ.append(f"{what}: " + "; ".join(
                ([f"only there: {', '.join(extra)}"] if extra else []) + ([f"only here: {', '.join(missing)}"] if missing else [])))
    if differ:
        raise refuse("expected a result of a scenario with the same regions, categories, resources and years, found "
                     "them different (" + " | ".join(differ) + ")")
    r = a["region"].map({v: i for i, v in enumerate(d.region_ids)}).to_numpy()
    c = a["category"].map({v: i for i, v in enumerate(d.cat_ids)}).to_numpy()
    k = a["resource"].map({v: i for i, v in enumerate(d.res_ids)}).to_numpy()
    t = a["year"].map({int(v): i for i, v in enumerate(d.years)}).to_numpy()
    to_internal = np.array([u.output_scale / u.internal for u in d.resources])[k]
    stock = d.stock[k]
    value = np.where(stock, a["level"] - a["baseline"] - a["shared"], a["allocated"]).astype(float) * to_internal
    columns = np.full(ctx.layout.x.shape, np.nan)
    columns[r, c, k, t] = value
    return near_reference(ctx, ctx.builder.nvars, columns)


def with_held(model: LinearModel, held: list[Held], cost: np.ndarray, quad: np.ndarray | None = None) -> LinearModel:
    """The model with each held criterion as a row (scaled to a largest coefficient of 1) and a new objective."""
    if not held:
        return replace(model, cost=cost, quad=quad, objective_offset=0.0)
    scale = np.array([max(np.abs(h.cost).max(), 1e-300) for h in held])
    rows = sp.csr_matrix(np.vstack([h.cost / s for h, s in zip(held, scale)]))
    upper = np.array([(h.value + h.slack) / s for h, s in zip(held, scale)])
    block = RowBlock("held", len(held), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                     np.full(len(held), -np.inf), upper, compact_labels({"unit": np.array([h.name for h in held],
                                                                                        dtype=object)}),
                     policy=False, start=model.A.shape[0])
    return replace(model, A=sp.vstack([model.A, rows], format="csr"), row_lower=np.concatenate([model.row_lower,
                   block.lower]), row_upper=np.concatenate([model.row_upper, upper]), cost=cost, quad=quad,
                   row_blocks=[*model.row_blocks, block], objective_offset=0.0)


def _held(name: str, cost: np.ndarray, x: np.ndarray, tolerance: float) -> Held:
    """The slack beside the relative tolerance is in the criterion's own scale (its terms' size, and a 1e-12
    of one unit of its largest coefficient): criteria weighted 1e-5 would be let go by an absolute one."""
    # math.fsum, not a BLAS dot product: that sums in an order set by its threads (a sweep's workers run with
    # one), and a held row's last digit moved the answer in its 9th
    v = math.fsum(cost * x)
    return Held(name, cost, v, tolerance * abs(v) + ABS_SLACK * math.fsum(np.abs(cost * x))
                + 1e-12 * float(np.abs(cost).max()))


def with_changes(model: LinearModel, plan: np.ndarray, ref: np.ndarray) -> LinearModel:
    """The model with a column d_i >= |x_i - ref_i| for each column i of a given plan (rows x - d <= ref and
    -x - d <= -ref), after the model's own columns; the objective is left to the caller."""
    n, m = model.A.shape[1], len(plan)
    eye = sp.csr_matrix((np.ones(m), (np.arange(m), plan)), shape=(m, n))
    minus = -sp.identity(m, format="csr")
    A = sp.vstack([sp.hstack([model.A, sp.csr_matrix((model.A.shape[0], m))]),
                   sp.hstack([eye, minus]), sp.hstack([-eye, minus])], format="csr")
    from optimizer.backend.linking import column_labels

    region, _ = column_labels(model)
    blocks = {**model.var_blocks, "change": VarBlock("change", n, m, compact_labels({"region": region[plan]}))}
    rows = RowBlock("change", 2 * m, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                    np.full(2 * m, -np.inf), np.concatenate([ref[plan], -ref[plan]]), {}, policy=False,
                    start=model.A.shape[0])
    return replace(model, A=A, row_lower=np.concatenate([model.row_lower, rows.lower]),
                   row_upper=np.concatenate([model.row_upper, rows.upper]),
                   col_lower=np.concatenate([model.col_lower, np.zeros(m)]),
                   col_upper=np.concatenate([model.col_upper, np.full(m, np.inf)]),
                   cost=np.concatenate([model.cost, np.zeros(m)]), var_blocks=blocks,
                   row_blocks=[*model.row_blocks, rows], quad=None, integer=None)


def unique_answer(model: LinearModel, ctx: Context, first: Solution, run, tolerance: float,
                  reference: Reference | None = None, **opts) -> Solution:
    """The first solve's answer replaced by the one point the stages choose (the first solve's objective,
    duals and status kept: they are the LP's); the first answer itself where no stage gives one, with why.

    Up to FACE_TOLERANCE, and where HiGHS's simplex can give the duals (its basis from the first solve, or a
    model below FACE_COLUMNS), each criterion is held on its optimal face exactly (optimizer.backend.face): 0.2 s
    of stages on national where rows holding the criteria took 2.4 s. Otherwise, or where the face's answer
    fails its check, the criteria are held as rows; where Clarabel stalls on the thin set those rows leave
    (InsufficientProgress: 1 of 16 runs on 100 counties at 1e-10, though not at 1e-9 or 1e-6), the stages run
    again with 100 times the tolerance, up to 1e-6; the tolerance used is reported."""
    if not first.has_point or first.x is None or not first.status.is_ok:
        return first.but(extra=_without_basis(first.extra))
    t0 = time.perf_counter()
    out = None
    if tolerance <= FACE_TOLERANCE and (first.extra.get("basis") is not None or model.A.shape[1] < FACE_COLUMNS):
        out = _face_stages(model, ctx, first, run, tolerance, reference, **opts)
    tried = tolerance
    while out is None:
        got = _stages(model, ctx, first, run, tried, reference, **opts)
        if "not_chosen" not in got.extra.get("unique", {}) or tried >= max(tolerance, LADDER_TOP):
            out = got
        tried = min(max(tolerance, LADDER_TOP), tried * 100 if tried > 0 else 1e-10)
    if "seconds" in out.extra.get("unique_timing", {}):
        out.extra["unique_timing"]["seconds"] = time.perf_counter() - t0
    return out


def _on_clarabel(opts: dict) -> dict:
    # one thread unless told otherwise: a parallel factorisation sums in an order that varies with the threads,
    # and the answer moved in its 9th digit between a sweep's one and two workers
    return {**opts, "solver": "clarabel", "method": "auto", "backend": "auto", "integer": False, "gap": GAP,
            "threads": opts.get("threads") or 1, "basis": None}


def _solved(run, m: LinearModel, name: str, stages: list, opts: dict) -> np.ndarray | None:
    """m's answer on Clarabel; where the tight gap stalls (InsufficientProgress: 1 of 16 runs on 100
    counties), again at the first solve's gap."""
    for gap in (GAP, None):
        s = run(m, **{**_on_clarabel(opts), "gap": gap})
        if s.has_point and s.x is not None:
            stages.append({"stage": name, "seconds": s.seconds})
            return s.x
    return None


def _closest(run, m: LinearModel, ref: np.ndarray, weight: np.ndarray, stages: list, opts: dict) -> np.ndarray | None:
    """min sum w (x - ref)^2 / 2 over m's rows and bounds (m's objective is replaced)."""
    # solved for y = x - ref: the objective is then the distance itself, sum w y^2 / 2, with no constant
    # -sum w ref^2 / 2 beside it for the solver's relative gap to be measured against (x was 4e-5 off at 1e-9)
    qp = replace(m, cost=np.zeros(len(ref)), quad=weight, objective_offset=0.0)
    shift = qp.A @ ref
    y = _solved(run, replace(qp, row_lower=qp.row_lower - shift, row_upper=qp.row_upper - shift,
                             col_lower=qp.col_lower - ref, col_upper=qp.col_upper - ref), "closest to the reference",
                stages, opts)
    if y is not None:
        return np.clip(y + ref, m.col_lower, m.col_upper)
    # shifted, every column bound is a row of its own and Clarabel stalled on one small plan: unshifted
    return _solved(run, replace(qp, cost=-weight * ref), "closest to the reference (unshifted)", stages, opts)


def _face_stages(model: LinearModel, ctx: Context, first: Solution, run, tolerance: float,
                 reference: Reference | None = None, **opts) -> Solution | None:
    """The stages on optimal faces (HiGHS's simplex for each criterion, Clarabel for the distance); None where
    a stage gives no answer or the answer fails its check (the caller then holds the criteria as rows)."""
    t0 = time.perf_counter()
    n = model.A.shape[1]
    on_highs = {**opts, "solver": "highs", "method": "simplex", "backend": "highspy", "integer": False, "gap": None}
    stages: list[dict] = []
    held: list[Held] = []
    face = None
    for name, c in criteria(model, ctx):
        if face is not None and not np.any(c[face.free]):  # constant on the face: held already
            held.append(_held(name, c, face.values, tolerance))
            continue
        parent = model if face is None else face.model
        cost = c if face is None else c[face.free]
        m = replace(parent, cost=cost / max(np.abs(cost).max(), 1e-300), quad=None, objective_offset=0.0)
        # the first criterion from the first solve's basis: the first solve had the later criteria beside it as
        # small weights, so its own duals can name a face narrower than the first criterion's
        s = run(m, **on_highs, **({"basis": first.extra.get("basis")} if face is None else {}))
        if not (s.status.is_ok and s.x is not None and s.col_dual is not None and s.row_dual is not None):
            return None
        stages.append({"stage": name, "seconds": s.seconds})
        inner = optimal_face(m, s.x, s.col_dual, s.row_dual, s.row_activity)
        face = inner if face is None else face.within(inner)
        held.append(_held(name, c, face.values, tolerance))
    assert face is not None  # every objective has a criterion
    reference = reference if reference is not None else need_reference(ctx, n)
    ref, weight = reference.ref[face.free], reference.weight[face.free]
    if reference.plan is None:
        y = _closest(run, face.model, ref, weight, stages, opts)
        if y is None:
            return None
        x = face.full(y)
    else:  # least weighted sum of absolute changes from the given plan on the face, then the distance on its face
        where = np.full(n, -1)
        where[face.free] = np.arange(len(face.free))
        plan = where[reference.plan]
        plan = plan[plan >= 0]  # a plan's column fixed on the face changes as it must
        ext = with_changes(face.model, plan, ref)
        k = len(face.free)
        changes = np.concatenate([np.zeros(k), weight[plan]])
        m = replace(ext, cost=changes / max(float(changes.max()) if changes.size else 0.0, 1e-300))
        s = run(m, **on_highs)
        if not (s.status.is_ok and s.x is not None and s.col_dual is not None and s.row_dual is not None):
            return None
        stages.append({"stage": "fewest changes from the given plan", "seconds": s.seconds})
        inner = optimal_face(m, s.x, s.col_dual, s.row_dual, s.row_activity)
        y = _closest(run, inner.model, np.concatenate([ref, np.zeros(len(plan))])[inner.free],
                     np.concatenate([weight, np.full(len(plan), AUX_WEIGHT)])[inner.free], stages, opts)
        if y is None:
            return None
        x = face.full(inner.full(y)[:k])
        p, best = reference.plan, face.full(s.x[:k])
        held.append(Held("changes", np.zeros(n), math.fsum(reference.weight[p] * np.abs(best[p] - reference.ref[p])),
                         0.0))  # reported beside the others, checked by the face it was read into
    answers = {h.name: math.fsum(h.cost * x) for h in held if h.name != "changes"}
    if reference.plan is not None:
        p = reference.plan
        answers["changes"] = math.fsum(reference.weight[p] * np.abs(x[p] - reference.ref[p]))
    if any(answers[h.name] > h.value + h.slack for h in held if h.name != "changes") or model.violation(x) > 1e-6:
        return None
    info = {"tolerance": tolerance, "reference": reference.name, "route": "optimal face",
            "held": {h.name: {"best": h.value, "answer": answers[h.name]} for h in held},
            "stages": [s["stage"] for s in stages], "solver": "highs, then clarabel"}
    seconds = {"seconds": time.perf_counter() - t0, "stage_seconds": [s["seconds"] for s in stages]}
    info["objective_of_answer"] = math.fsum(model.cost * x) + model.objective_offset  # fsum: see _held
    return first.but(x=x, row_activity=model.A @ x, max_violation=model.violation(x),
                     extra={**_without_basis(first.extra), "unique": info, "unique_timing": seconds})


def _without_basis(extra: dict) -> dict:
    return {k: v for k, v in extra.items() if k != "basis"}


def _stages(model: LinearModel, ctx: Context, first: Solution, run, tolerance: float,
            reference: Reference | None = None, **opts) -> Solution:
    t0 = time.perf_counter()
    x: np.ndarray = first.x  # type: ignore[assignment]  # has_point: a point
    held: list[Held] = []
    stages: list[dict] = []

    def stage(m: LinearModel, cost: np.ndarray, name: str) -> np.ndarray | None:
        return _solved(run, with_held(m, held, cost), name, stages, opts)

    for i, (name, c) in enumerate(criteria(model, ctx)):
        if i:  # least of this criterion with the earlier held: its own stage, at full weight
            got = stage(model, c / max(np.abs(c).max(), 1e-300), name)
            if got is None:
                return _kept(first, f"the {name} stage gave no answer")
            x = got
        held.append(_held(name, c, x, tolerance))
    n = model.A.shape[1]
    reference = reference if reference is not None else need_reference(ctx, n)
    ref, weight, last = reference.ref, reference.weight, model
    if reference.plan is not None:  # least weighted sum of absolute changes from the given plan, held too
        last = with_changes(model, reference.plan, ref)
        m = len(reference.plan)
        held = [replace(h, cost=np.concatenate([h.cost, np.zeros(m)])) for h in held]
        changes = np.concatenate([np.zeros(n), weight[reference.plan]])
        xc = stage(last, changes / max(changes.max(), 1e-300), "fewest changes from the given plan")
        if xc is None:
            return _kept(first, "the fewest-changes stage gave no answer")
        held.append(_held("changes", changes, xc, tolerance))
        ref = np.concatenate([ref, np.zeros(m)])
        weight = np.concatenate([weight, np.full(m, AUX_WEIGHT)])
    xq = _closest(run, with_held(last, held, np.zeros(len(ref))), ref, weight, stages, opts)
    if xq is None:
        return _kept(first, "the closest-answer stage gave no answer")
    info = {"tolerance": tolerance, "reference": reference.name, "route": "held rows",
            "held": {h.name: {"best": h.value, "answer": math.fsum(h.cost * xq)} for h in held},
            "stages": [s["stage"] for s in stages], "solver": "clarabel"}
    seconds = {"seconds": time.perf_counter() - t0, "stage_seconds": [s["seconds"] for s in stages]}
    xq = xq[:n]
    info["objective_of_answer"] = math.fsum(model.cost * xq) + model.objective_offset  # fsum: see _held
    return first.but(x=xq, row_activity=model.A @ xq, max_violation=model.violation(xq),
                     extra={**_without_basis(first.extra), "unique": info, "unique_timing": seconds})


def _kept(first: Solution, why: str) -> Solution:
    return first.but(extra={**_without_basis(first.extra), "unique": {"not_chosen": why}})
