"""The fast path: the assembled arrays handed to HiGHS through highspy."""
from __future__ import annotations

import os
import time

import numpy as np

from optimizer.backend.lp import LinearModel
from optimizer.backend.status import Solution, Status, decide
from optimizer.errors import SolverUnavailable

_banner_done = False


def new_highs():
    """A Highs instance; its one-off copyright banner goes to /dev/null, not our tables."""
    global _banner_done
    try:
        import highspy
    except ImportError as e:
        raise SolverUnavailable(f"solver 'highs' is not available ({e}): pip install highspy, "
                                "or run with --solver cbc") from None

    if _banner_done:
        return highspy.Highs()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _banner_done = True
    return h


def choose_method(model: LinearModel, method: str) -> str:
    if method != "auto":
        return method
    return "simplex" if model.A.shape[1] < 200_000 else "ipm"


def to_highs(model: LinearModel, h, integer: bool = False) -> None:
    import highspy

    A = model.A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = model.cost
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = model.col_upper
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.offset_ = model.objective_offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    if integer and model.integer is not None:
        kinds = np.full(A.shape[1], highspy.HighsVarType.kContinuous)
        kinds[model.integer] = highspy.HighsVarType.kInteger
        lp.integrality_ = list(kinds)
    h.passModel(lp)


def _basis_in(h, basis: tuple[np.ndarray, np.ndarray]) -> None:
    import highspy

    status = list(highspy.HighsBasisStatus.__members__.values())  # by value: kLower 0, kBasic 1, kUpper 2, ...
    b = highspy.HighsBasis()
    b.col_status = [status[v] for v in basis[0].tolist()]
    b.row_status = [status[v] for v in basis[1].tolist()]
    b.valid = True
    h.setBasis(b)


def _basis_out(h) -> tuple[np.ndarray, np.ndarray] | None:
    b = h.getBasis()
    if not b.valid:
        return None
    return (np.array(b.col_status, dtype=object).astype(np.int8), np.array(b.row_status, dtype=object).astype(np.int8))


def solve_highs(model: LinearModel, time_limit: float | None = None, threads: int | None = None,
                method: str = "auto", log: bool = False, tol: float = 1e-6, integer: bool = False,
                basis: tuple[np.ndarray, np.ndarray] | None = None, keep_basis: bool = False) -> Solution:
    """`basis` (column and row statuses, as `keep_basis` returns them in extra["basis"]): the simplex starts
    from it (optimizer.unique: the same rows with another objective start where the first solve ended)."""
    h = new_highs()  # first: says how to install HiGHS where it is missing
    import highspy

    h.setOptionValue("output_flag", bool(log))
    meth = choose_method(model, method)
    if not integer:  # a MIP chooses its own way through its relaxations
        h.setOptionValue("solver", {"simplex": "simplex", "ipm": "ipm", "pdlp": "pdlp"}[meth])
    if meth == "ipm":
        h.setOptionValue("run_crossover", "on")
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    if threads:
        # HiGHS keeps one global thread pool per process; a different size needs it rebuilt,
        # else run() fails with status "Not Set" (seen with highspy 1.16)
        h.resetGlobalScheduler(True)
        h.setOptionValue("threads", int(threads))
    t0 = time.perf_counter()
    to_highs(model, h, integer)
    if basis is not None and not integer:
        _basis_in(h, basis)
    passed = time.perf_counter() - t0
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    ms = h.getModelStatus()
    info = h.getInfo()
    M = highspy.HighsModelStatus
    has_point = info.primal_solution_status == 2  # kSolutionStatusFeasible
    said = {M.kOptimal: Status.OPTIMAL, M.kInfeasible: Status.INFEASIBLE, M.kUnbounded: Status.UNBOUNDED,
            M.kUnboundedOrInfeasible: Status.INFEASIBLE, M.kTimeLimit: Status.TIME_LIMIT,
            M.kIterationLimit: Status.TIME_LIMIT, M.kInterrupt: Status.TIME_LIMIT,
            M.kHighsInterrupt: Status.TIME_LIMIT, M.kSolutionLimit: Status.TIME_LIMIT}.get(ms, Status.ERROR)
    x = row_value = row_dual = col_dual = None
    kept = {}
    if said is Status.OPTIMAL or (said is Status.TIME_LIMIT and has_point):
        s = h.getSolution()
        x, row_value = np.asarray(s.col_value), np.asarray(s.row_value)
        if s.dual_valid:
            row_dual, col_dual = np.asarray(s.row_dual), np.asarray(s.col_dual)
        if keep_basis and said is Status.OPTIMAL and not integer:
            kept = {"basis": _basis_out(h)}
    return decide(said, model, x, tol, solver="highs", method="mip" if integer else meth, seconds=seconds,
                  message=h.modelStatusToString(ms),
                  row_activity=row_value, row_dual=row_dual, col_dual=col_dual,
                  extra={"pass_seconds": passed, **kept, **({"mip_gap": float(info.mip_gap)} if integer else {})})


def iis_rows(model: LinearModel, time_limit: float = 60.0) -> list[int] | None:
    """Rows of an irreducible infeasible subset (every row of it in conflict) that HiGHS finds
    within time_limit; None where it finds none. Out of time, HiGHS falls back to every row of
    the model (197,645 at 333 counties): no help to anyone, so not returned.

    iis_strategy is a bit map since HiGHS PR #2644 (late 2025; an enum 0-4 before): 2 forms a
    subset from the LP (elasticity filter), 4 reduces it to an irreducible one. 2 alone gave 16
    rows on tests' tiny plan, where the reduced sets have 5-6. The search has its own limit,
    iis_time_limit (PR #2870, 2026; in highspy 1.16): time_limit does not bound it (232 s at
    333 counties with time_limit 60)."""
    h = new_highs()
    import highspy  # there, since new_highs() was

    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit) / 2)  # the solve that finds the plan infeasible, then the
    try:                                                   # search: half of time_limit each
        if h.setOptionValue("iis_strategy", 2 | 4) != highspy.HighsStatus.kOk:  # older: 0-4, an enum
            h.setOptionValue("iis_strategy", 2)
        h.setOptionValue("iis_time_limit", float(time_limit) / 2)
    except Exception:  # noqa: BLE001 - older highspy, without IIS options, raises its own types
        return None
    to_highs(model, h)
    h.run()
    try:
        status, iis = h.getIis()
    except Exception:  # noqa: BLE001 - as above: no IIS in this highspy
        return None
    if not iis.valid_ or not len(iis.row_index_):
        return None
    rows = sorted(int(i) for i in iis.row_index_)
    in_conflict = getattr(getattr(highspy, "IisStatus", None), "kIisStatusInConflict", None)
    status = list(iis.row_status_)  # one per row of the model
    irreducible = in_conflict is not None and len(status) == model.A.shape[0] and \
        all(int(status[i]) == int(in_conflict) for i in rows)
    return rows if irreducible else None
