"""Writing beside: a forked child writes one file while the parent writes the rest."""
from __future__ import annotations

import os

import pytest

from optimizer.heap import heap_kept
from optimizer.postprocess.parallel import _can_fork, beside
from optimizer.run import solve_scenario

from conftest import TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"
forks = pytest.mark.skipif(not _can_fork(), reason="needs fork and two cores")


@forks
def test_job_runs_in_a_child_while_the_body_runs(tmp_path):
    mark = tmp_path / "pid"
    with beside(lambda: mark.write_text(str(os.getpid()))):
        here = os.getpid()
    assert int(mark.read_text()) != here


def test_not_worth_it_runs_here_first(tmp_path):
    mark = tmp_path / "pid"
    with beside(lambda: mark.write_text(str(os.getpid())), worth_it=False):
        assert mark.exists()
    assert int(mark.read_text()) == os.getpid()


@forks
def test_childs_error_is_raised_after_the_body():
    body_done = []

    def fail():
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left on device"), beside(fail):
        body_done.append(True)
    assert body_done


@forks
def test_bodys_error_wins_and_the_child_is_stopped(tmp_path):
    import time

    pid_file = tmp_path / "pid"

    def slow():
        # published by rename: the parent must never see the file before its pid is in it
        (tmp_path / "pid.part").write_text(str(os.getpid()))
        os.replace(tmp_path / "pid.part", pid_file)
        time.sleep(30)
        (tmp_path / "late").write_text("too late")

    with pytest.raises(ValueError, match="parent"), beside(slow):
        while not pid_file.exists():
            time.sleep(0.01)
        raise ValueError("parent")
    assert not (tmp_path / "late").exists(), "the child was stopped, not waited out"
    with pytest.raises(ChildProcessError):  # and reaped: no zombie left
        os.waitpid(int(pid_file.read_text()), os.WNOHANG)


@forks
def test_failed_allocation_writer_keeps_previous_results(tmp_path, monkeypatch):
    out = tmp_path / "res"
    solve_scenario(TINY, out=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from optimizer.postprocess import write as write_mod
    real = write_mod.write_csv

    def no_room(df, path):
        if path.name == "allocation.csv":
            raise OSError(28, "No space left on device")
        real(df, path)

    monkeypatch.setattr("optimizer.run.BESIDE_ROWS", 0)  # the tiny allocation goes to a child too
    monkeypatch.setattr("optimizer.run.write_csv", no_room)
    with pytest.raises(OSError, match="No space left"):
        solve_scenario(TINY, ["resources.fiscal.budget=9"], out=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["res"], "no temporary folder left behind"


@forks
def test_written_beside_is_the_same_folder(tmp_path, monkeypatch):
    solve_scenario(TINY, out=tmp_path / "here")
    monkeypatch.setattr("optimizer.run.BESIDE_ROWS", 0)
    solve_scenario(TINY, out=tmp_path / "beside")
    for f in ("allocation.csv", "kpis.csv", "constraints.csv"):
        assert (tmp_path / "here" / f).read_bytes() == (tmp_path / "beside" / f).read_bytes()


def test_heap_kept_leaves_malloc_working():
    import numpy as np

    with heap_kept():
        with heap_kept():
            a = np.ones(10_000_000)
        b = np.ones(10_000_000)
    assert a.sum() + b.sum() == 20_000_000
