"""Result folders are all-or-nothing: a failure never leaves half a folder or spoils the last good one."""
from __future__ import annotations

import pytest

from optimizer.postprocess import write as write_mod
from optimizer.run import solve_scenario

from conftest import TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def test_failed_write_keeps_previous_results(tmp_path, monkeypatch):
    out = tmp_path / "res"
    solve_scenario(TINY, out=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("optimizer.run.write_xlsx", boom)
    with pytest.raises(OSError):
        solve_scenario(TINY, ["resources.fiscal.budget=9"], out=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["res"], "no temporary folder left behind"


def test_interrupt_during_write_keeps_previous_results(tmp_path, monkeypatch):
    out = tmp_path / "res"
    solve_scenario(TINY, out=out)
    before = sorted(p.name for p in out.iterdir())
    real = write_mod.write_csv
    calls = {"n": 0}

    def interrupted(df, path):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real(df, path)

    monkeypatch.setattr("optimizer.run.write_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        solve_scenario(TINY, out=out)
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["res"]


def test_successful_run_replaces_folder_whole(tmp_path):
    """An earlier result of opt's is replaced as a whole: a file only the earlier run wrote is gone."""
    out = tmp_path / "res"
    solve_scenario(TINY, ["resources.fiscal.budget=1"], out=out)  # infeasible: writes diagnosis.csv
    assert (out / "diagnosis.csv").exists()
    solve_scenario(TINY, out=out)
    assert not (out / "diagnosis.csv").exists() and (out / "allocation.csv").exists()


def test_swap_is_one_step_where_linux_allows(tmp_path):
    from optimizer.postprocess.places import _exchange

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("A")
    (b / "f").write_text("B")
    if not _exchange(a, b):
        pytest.skip("no renameat2 exchange on this system")
    assert (a / "f").read_text() == "B" and (b / "f").read_text() == "A"


def test_csv_bytes_are_pandas_bytes(tmp_path):
    """The fast writer quotes, leaves blanks and formats numbers exactly as pandas' to_csv does."""
    import numpy as np
    import pandas as pd

    from optimizer.postprocess.write import FLOAT_FORMAT, write_csv

    df = pd.DataFrame({"名称": ["x", "y,z", 'q"r', "养老", None, "line\nbreak"],
                       "b": [1.5, np.nan, 3.0, 1e-12, 123456789.123, -0.0], "c": [1, 2, 3, 4, 5, 6],
                       "d": [True, False, True, True, False, True], "e": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                       "f": ["1", "2", None, np.nan, "x", "y"],
                       "g": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
                       "h": pd.Categorical(["养老", "a,b", None, "养老", "x", "a,b"]),
                       "i": [0.0, -0.0, 0.0, -0.0, np.nan, 0.1 + 0.2], "j": [7, 7, -1, 7, 0, -1]})
    write_csv(df, tmp_path / "ours.csv")
    df.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig", float_format=FLOAT_FORMAT, lineterminator="\n")
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    write_csv(df.head(0), tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_bytes() == df.head(0).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
