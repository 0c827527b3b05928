"""A researcher's family outside the repository (issue 21.2): in a folder the scenario names (families_path:)
or in an installed package's 'opt.families' entry point, found by `opt` however it was installed; errors name
where opt looked. Each run is a fresh process, so that the family registered does not stay for other tests."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, TESTS


def _family_code() -> str:
    text = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    return next(block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "@family(" in block)


def _opt(*args, cwd, pythonpath: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (pythonpath, str(ROOT)) if p)}
    return subprocess.run([sys.executable, "-m", "optimizer", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def _scenario(folder, **extra) -> None:
    lines = [f"extends: {TESTS / 'scenarios' / 'tiny.yaml'}", "name: floor", "families:", "  per_capita_floor: {min: 780}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    (folder / "plan.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_family_in_the_scenarios_own_folder(tmp_path):
    (tmp_path / "my_families").mkdir()
    (tmp_path / "my_families" / "per_capita_floor.py").write_text(_family_code(), encoding="utf-8")
    _scenario(tmp_path, families_path="my_families")
    r = _opt("solve", "plan.yaml", "--out", tmp_path / "out", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = (tmp_path / "out" / "constraints.csv").read_text(encoding="utf-8-sig")
    assert rows.count("per_capita_floor.") >= 2  # its rows, one per region and year


def test_a_family_that_is_not_found_names_where_opt_looked(tmp_path):
    _scenario(tmp_path)
    r = _opt("validate", "plan.yaml", cwd=tmp_path)
    said = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 1 and "families.per_capita_floor: expected a family with parameters" in said, said
    assert "looked in models/ (" in said and "'opt.families' entry points" in said and "families_path (none given)" in said


@pytest.mark.parametrize("folder, expected", [("nowhere", "expected a folder of family modules, found no folder"),
                                              ("broken", "could not be imported: SyntaxError")])
def test_a_bad_families_path_is_bad_input(tmp_path, folder, expected):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x.py").write_text("def broken(:\n", encoding="utf-8")
    _scenario(tmp_path, families_path=folder)
    r = _opt("validate", "plan.yaml", cwd=tmp_path)
    said = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 1 and expected in said and "plan.yaml:5: families_path" in said and "Traceback" not in said, said


def test_a_family_of_an_installed_package(tmp_path):
    """A package on the path with an 'opt.families' entry point (as `pip install` of the researcher's own
    package leaves it: a module and its dist-info)."""
    site = tmp_path / "site"
    (site / "my_opt_families-0.1.dist-info").mkdir(parents=True)
    (site / "my_opt_families.py").write_text(_family_code(), encoding="utf-8")
    (site / "my_opt_families-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: my-opt-families\nVersion: 0.1\n", encoding="utf-8")
    (site / "my_opt_families-0.1.dist-info" / "entry_points.txt").write_text(
        "[opt.families]\nper_capita_floor = my_opt_families\n", encoding="utf-8")
    _scenario(tmp_path)
    r = _opt("solve", "plan.yaml", "--out", tmp_path / "out", cwd=tmp_path, pythonpath=str(site))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "per_capita_floor." in (tmp_path / "out" / "constraints.csv").read_text(encoding="utf-8-sig")
    (site / "my_opt_families.py").write_text("raise RuntimeError('not today')\n", encoding="utf-8")
    r = _opt("validate", "plan.yaml", cwd=tmp_path, pythonpath=str(site))
    said = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 1 and "entry point 'per_capita_floor = my_opt_families' (opt.families)" in said, said
    assert "RuntimeError: not today" in said and "Traceback" not in said
