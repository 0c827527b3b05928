"""Back ends: known optima and duals, both paths give the same model and optimum."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from optimizer.backend.clarabel_ipm import GAP_TOL
from optimizer.backend.lp import INF, ModelBuilder, row_block
from optimizer.backend.pulp_backend import write_model_file
from optimizer.backend.solve import solve
from optimizer.backend.status import Status
from optimizer.models.build import build_model
from optimizer.preprocess.data import build_data
from optimizer.preprocess.load import load_scenario

import lpfile
from conftest import SCENARIOS

HAS_CBC = shutil.which("cbc") is not None or hasattr(__import__("pulp"), "PULP_CBC_CMD")
SOLVERS = [("highs", "highspy"), ("highs", "pulp"), ("clarabel", "auto")] + ([("cbc", "pulp")] if HAS_CBC else [])


def _model(nvars_labels, rows, cost, lb=0.0, ub=INF):
    b = ModelBuilder()
    cols = b.add_vars("v", {"unit": np.array(nvars_labels, dtype=object)}, lb=lb, ub=ub, cost=cost)
    for i, (terms, lo, hi) in enumerate(rows):
        r = np.zeros(len(terms), int)
        b.add_rows(row_block(f"r{i}", r, [cols[j] for j, _ in terms], [v for _, v in terms], [lo], [hi],
                             labels={"unit": np.array([f"row{i}"], dtype=object)}))
    return b.assemble()


@pytest.mark.parametrize("solver,backend", SOLVERS)
def test_beer_distribution_transportation(solver, backend):
    """PuLP's case study (two warehouses, five bars): published optimum 8600."""
    supply = {"A": 1000, "B": 4000}
    demand = [500, 900, 1800, 200, 700]
    cost = {"A": [2, 4, 5, 2, 1], "B": [3, 1, 3, 2, 3]}
    names = [f"{w}{j}" for w in "AB" for j in range(5)]
    c = [cost[w][j] for w in "AB" for j in range(5)]
    rows = [([(i * 5 + j, 1.0) for j in range(5)], -INF, supply[w]) for i, w in enumerate("AB")]
    rows += [([(j, 1.0), (5 + j, 1.0)], demand[j], INF) for j in range(5)]
    sol = solve(_model(names, rows, c), solver=solver, backend=backend)
    assert sol.status is Status.OPTIMAL
    assert sol.objective == pytest.approx(8600, rel=GAP_TOL if solver == "clarabel" else 1e-9)


@pytest.mark.parametrize("solver,backend", SOLVERS)
def test_known_duals(solver, backend):
    """min x + 2y + 3z; x + y >= 3 (dual 2), x <= 1 (dual -1), z >= 1 (dual 3): unique, nondegenerate."""
    m = _model(["x", "y", "z"], [([(0, 1), (1, 1)], 3, INF), ([(0, 1)], -INF, 1), ([(2, 1)], 1, INF)], [1, 2, 3])
    sol = solve(m, solver=solver, backend=backend)
    assert sol.status is Status.OPTIMAL
    assert sol.objective == pytest.approx(8)
    assert np.allclose(sol.x, [1, 2, 1])
    assert np.allclose(sol.row_dual, [2, -1, 3], atol=1e-7)


def test_infeasible_is_reported():
    m = _model(["x"], [([(0, 1)], 3, INF), ([(0, 1)], -INF, 1)], [1])
    for solver, backend in SOLVERS:
        assert solve(m, solver=solver, backend=backend).status is Status.INFEASIBLE


def _scenario_model(name):
    loaded = load_scenario(SCENARIOS / f"{name}.yaml")
    return build_model(build_data(loaded.scenario), loaded.scenario)[0]


def test_pulp_model_equals_arrays(tmp_path):
    """The PuLP problem built from the arrays is the arrays: every row, term, bound and cost."""
    model = _scenario_model("west")
    path = tmp_path / "west.lp"
    write_model_file(model, path)
    obj, rows, _ = lpfile.read(path.read_text())
    names, cols = model.row_names(), model.col_names()
    A = model.A.tocsr()
    assert len(rows) == A.shape[0]
    for i in range(0, A.shape[0], 7):  # a spread sample keeps this quick
        s, e = A.indptr[i], A.indptr[i + 1]
        terms = frozenset((cols[j], lpfile._num(v)) for j, v in zip(A.indices[s:e], A.data[s:e]))
        got_terms, sense, rhs = rows[names[i]]
        assert got_terms == terms, names[i]
        bound = model.row_lower[i] if sense in (">=", "=") else model.row_upper[i]
        assert rhs == lpfile._num(bound)
    assert dict(obj) == {cols[j]: lpfile._num(v) for j, v in enumerate(model.cost) if v != 0}


@pytest.mark.parametrize("name", ["west", "national", "city-sharing"])
def test_solvers_agree_on_bundled_scenarios(name):
    model = _scenario_model(name)
    objs = {}
    for solver, backend in SOLVERS:
        sol = solve(model, solver=solver, backend=backend)
        assert sol.status is Status.OPTIMAL, (solver, backend, sol.message)
        objs[(solver, backend)] = sol.objective
    ref = objs[("highs", "highspy")]
    for key, v in objs.items():
        assert v == pytest.approx(ref, rel=1e-6), key


def test_time_limit_never_reported_optimal():
    model = _scenario_model("national")
    sol = solve(model, time_limit=1e-4)
    assert sol.status in (Status.TIME_LIMIT, Status.NO_SOLUTION)
    assert not sol.status.is_ok and sol.status.exit_code == 3


def test_integer_labels_are_kept_small_and_unchanged():
    """Labels live through the solve: integer ones shrink to the smallest signed type, same values."""
    from optimizer.backend.lp import compact_labels

    out = compact_labels({"region": np.array([-1, 0, 2849]), "year": [0, 11], "kind": np.array(["floor", "cap"], dtype=object),
                          "big": np.array([0, 2**40])})
    assert out["region"].dtype == np.int16 and out["region"].tolist() == [-1, 0, 2849]
    assert out["year"].dtype == np.int8 and (out["year"] - 1).tolist() == [-1, 10]  # signed: one less is still right
    assert out["kind"].tolist() == ["floor", "cap"] and out["big"].tolist() == [0, 2**40]
