"""The interior-point back end: long rows rewritten with per-region aux columns, Clarabel's answers
against HiGHS's, and `auto` choosing between them."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.linalg import spsolve

from optimizer.backend.linking import split_linking_rows
from optimizer.backend.lp import INF, ModelBuilder, row_block
from optimizer.backend.solve import AUTO_IPM_COLUMNS, pick_solver, solve
from optimizer.backend.status import Status
from optimizer.generate import bundled_population, generate_counties
from optimizer.models.build import build_model
from optimizer.preprocess.data import build_data
from optimizer.preprocess.load import load_scenario

from conftest import SCENARIOS

pytest.importorskip("clarabel")


def _scenario_model(path):
    loaded = load_scenario(path)
    return build_model(build_data(loaded.scenario), loaded.scenario)[0]


def _aux_values(split, x):
    """The aux columns' values implied by x: the defining rows solved for them."""
    m, n = split.A.shape[0] - split.n_aux, split.A.shape[1] - split.n_aux
    return spsolve(split.A[m:, n:].tocsc(), -(split.A[m:, :n] @ x))


def _regions_model(R: int, rows):
    """Two columns per region (same year and resource); rows given as per-column coefficient pairs."""
    b = ModelBuilder()
    region = np.repeat(np.arange(R), 2)
    cols = b.add_vars("v", {"region": region, "year": np.zeros(2 * R, int), "resource": np.zeros(2 * R, int)})
    for i, (c1, c2, hi) in enumerate(rows):
        vals = np.tile([c1, c2], R)
        b.add_rows(row_block(f"r{i}", np.zeros(2 * R, int), cols, vals, [-INF], [hi]))
    return b.assemble()


def test_split_keeps_every_row():
    model = _scenario_model(SCENARIOS / "national.yaml")
    split = split_linking_rows(model)
    assert split.n_aux > 0
    m, n = model.A.shape
    x = np.random.default_rng(1).random(n)
    full = np.concatenate([x, _aux_values(split, x)])
    assert np.allclose(split.A[:m] @ full, model.A @ x, rtol=1e-12, atol=1e-9)
    longest = np.diff(model.A.tocsr().indptr).max()
    assert np.diff(split.A.tocsr().indptr)[:m].max() < longest / 4


def test_proportional_parts_share_one_aux():
    """Row 2 is row 1 times 3 region by region: one aux per region serves both."""
    model = _regions_model(20, [(1.0, 2.0, 10.0), (3.0, 6.0, 50.0)])
    split = split_linking_rows(model)
    assert split.n_aux == 20
    x = np.random.default_rng(2).random(model.A.shape[1])
    full = np.concatenate([x, _aux_values(split, x)])
    assert np.allclose(split.A[:2] @ full, model.A @ x)


def test_a_second_level_for_many_regions():
    model = _regions_model(1200, [(1.0, 1.0, 10.0)])
    split = split_linking_rows(model)
    assert np.diff(split.A.tocsr().indptr)[0] <= 1200 // 32 + 1  # blocks of 32 regions
    x = np.random.default_rng(3).random(model.A.shape[1])
    full = np.concatenate([x, _aux_values(split, x)])
    assert np.allclose(split.A[:1] @ full, model.A @ x)


def test_interior_point_matches_simplex_on_generated_counties(tmp_path):
    scen = tmp_path / "c31.yaml"
    generate_counties(31, (2024, 2035), 1, scen, bundled_population())
    model = _scenario_model(scen)
    ipm = solve(model, solver="clarabel")
    spx = solve(model, solver="highs", method="simplex")
    assert ipm.status is Status.OPTIMAL and spx.status is Status.OPTIMAL
    assert ipm.objective == pytest.approx(spx.objective, rel=1e-6)
    assert ipm.max_violation < 1e-6
    # the budget is a linking row: its shadow price from the interior point is HiGHS's
    budget = [b for b in model.row_blocks if b.family == "supply"][0]
    rows = slice(budget.start, budget.start + budget.n)
    assert np.allclose(ipm.row_dual[rows], spx.row_dual[rows], rtol=1e-4, atol=1e-6 * np.abs(spx.row_dual[rows]).max())


def test_progress_is_told_each_iteration():
    model = _scenario_model(SCENARIOS / "national.yaml")
    heard: list[str] = []
    sol = solve(model, solver="clarabel", progress=heard.append)
    assert sol.status is Status.OPTIMAL
    assert len(heard) >= 5 and all(h.startswith("interior point: iteration") for h in heard)
    assert sol.extra["iterations"] >= len(heard) - 1


def test_auto_picks_by_size():
    small = _regions_model(5, [(1.0, 1.0, 1.0)])
    assert pick_solver(small) == "highs"

    class Big:
        quad = None

        class A:
            shape = (10, AUTO_IPM_COLUMNS)

    assert pick_solver(Big) == "clarabel"
    assert pick_solver(Big, method="simplex") == "highs"  # a HiGHS method asks for HiGHS
    assert pick_solver(Big, backend="pulp") == "highs"
    assert pick_solver(Big, solver="cbc") == "cbc"


def test_identical_segments_share_a_number_and_only_they():
    from optimizer.backend.linking import _identical

    # segments 0 and 2 equal; 1 differs from 0 in one value; 3 is 0 cut short; 4 equals 1
    seg = np.array([0, 0, 1, 1, 2, 2, 3, 4, 4])
    col = np.array([5, 7, 5, 7, 5, 7, 5, 5, 7])
    val = np.array([1.0, 2.0, 1.0, 2.5, 1.0, 2.0, 1.0, 1.0, 2.5])
    number = _identical(seg, col, val, 5)
    assert number[0] == number[2] and number[1] == number[4]
    assert len(set(number[[0, 1, 3]])) == 3
