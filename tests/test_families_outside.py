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


def _folder(tmp_path, name: str, code: str | None = None):
    (tmp_path / name).mkdir()
    (tmp_path / name / "per_capita_floor.py").write_text(code or _family_code(), encoding="utf-8")


def test_set_families_path_replaces_the_scenarios_folder(tmp_path):
    """`--set families_path=other` reads other instead of the file's folder: both were imported, and the family
    they both define was refused as 'registered twice' (issue 21's new-user run)."""
    _folder(tmp_path, "mine")
    _folder(tmp_path, "edited", _family_code().replace('"""Per-capita floor:', '"""Per-capita floor, edited:'))
    _scenario(tmp_path, families_path="mine")
    r = _opt("validate", "plan.yaml", "--set", "families_path=edited", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    r = _opt("validate", "plan.yaml", "--set", "families_path=nowhere", cwd=tmp_path)
    said = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 1 and "--set: families_path: expected a folder of family modules" in said, said


def test_one_family_in_two_folders_names_both(tmp_path):
    _folder(tmp_path, "a")
    _folder(tmp_path, "b")
    _scenario(tmp_path, families_path="[a, b]")
    r = _opt("validate", "plan.yaml", cwd=tmp_path)
    said = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 1 and "the family 'per_capita_floor' is already defined in" in said, said
    assert str(tmp_path / "a" / "per_capita_floor.py") in said and str(tmp_path / "b" / "per_capita_floor.py") in said


def test_a_family_edited_in_a_notebook_is_read_again(tmp_path):
    """One process (a notebook's kernel): the module edited between two solves is imported again, not kept."""
    _folder(tmp_path, "mine")
    _scenario(tmp_path, families_path="mine")
    script = """
import pathlib, optimizer
module = pathlib.Path("mine/per_capita_floor.py")
print("before", optimizer.solve("plan.yaml").status)
text = module.read_text(encoding="utf-8")
module.write_text(text.replace("new_money >= p.min * per_yuan - base", "new_money >= 1e9"), encoding="utf-8")
print("after", optimizer.solve("plan.yaml").status)
"""
    assert "new_money >= p.min * per_yuan - base" in _family_code()
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0 and "before optimal" in r.stdout and "after infeasible" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("debug", [False, True])
def test_a_family_that_raises_is_named_with_its_line(tmp_path, debug):
    """A researcher's family that raises while building is theirs to mend: its name, file and line, exit 1
    (was 'internal error: ZeroDivisionError', exit 5, and exit 1 with --debug); --debug adds the traceback only."""
    code = _family_code()
    build = re.search(r"\n(def \w+\(ctx: Context\)[^\n]*\n)", code)
    assert build, "the docs' family has a build function"
    code = code.replace(build.group(1), build.group(1) + "    1 / 0  # the researcher's slip\n")
    _folder(tmp_path, "mine", code)
    _scenario(tmp_path, families_path="mine")
    r = _opt("solve", "plan.yaml", "--out", tmp_path / "out", *(["--debug"] if debug else []), cwd=tmp_path)
    said = " ".join((r.stdout + r.stderr).split())
    line = code.splitlines().index("    1 / 0  # the researcher's slip") + 1
    assert r.returncode == 1 and "the family 'per_capita_floor'" in said, said
    assert f"per_capita_floor.py, line {line}) raised ZeroDivisionError: division by zero: code of your own" in said, said
    assert ("Traceback" in r.stderr) == debug and not (tmp_path / "out").exists()


def test_a_notebook_sees_only_the_folders_its_scenario_names(tmp_path):
    """One process: a family file deleted takes its family with it; a second scenario naming another folder with
    the same family (an edited copy) is not refused as 'already defined' by the first's."""
    _folder(tmp_path, "mine")
    _folder(tmp_path, "copy")
    _scenario(tmp_path, families_path="mine")
    (tmp_path / "other.yaml").write_text((tmp_path / "plan.yaml").read_text(encoding="utf-8").replace(
        "families_path: mine", "families_path: copy"), encoding="utf-8")
    script = """
import pathlib, optimizer
print("mine", optimizer.solve("plan.yaml").status)
print("copy", optimizer.solve("other.yaml").status)
pathlib.Path("copy/per_capita_floor.py").unlink()
try:
    optimizer.solve("other.yaml")
except optimizer.InputError as e:
    print("gone", "families.per_capita_floor: expected a family" in str(e))
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0 and "mine optimal" in r.stdout and "copy optimal" in r.stdout, r.stdout + r.stderr
    assert "gone True" in r.stdout, r.stdout + r.stderr


def test_the_family_that_raised_is_the_one_named(tmp_path):
    """Two families in one file, the first raising: it is named (the file's last one was); a family registered
    as a functools.partial does not break the message."""
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "pair.py").write_text(
        "import functools\n"
        "from optimizer.models.registry import family\n"
        "@family('fam_a')\n"
        "def fam_a(ctx):\n"
        "    raise RuntimeError('boom in A')\n"
        "@family('fam_b')\n"
        "def fam_b(ctx):\n"
        "    pass\n"
        "def _scaled(ctx, scale):\n"
        "    pass\n"
        "family('fam_c')(functools.partial(_scaled, scale=2))\n", encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(f"extends: {TESTS / 'scenarios' / 'tiny.yaml'}\nname: two\nfamilies_path: two\n",
                                        encoding="utf-8")
    r = _opt("solve", "plan.yaml", "--out", tmp_path / "out", cwd=tmp_path)
    said = " ".join((r.stdout + r.stderr).split())
    assert r.returncode == 1 and "the family 'fam_a' (" in said and "pair.py, line 5) raised RuntimeError: boom in A" in said, said
    assert "Traceback" not in said
