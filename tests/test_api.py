"""The Python API as docs/api.md documents it (issue 21.1): every example on the page runs, in order, from the
repository folder; and what the page promises beyond them."""
from __future__ import annotations

import re

import pytest

import optimizer

from conftest import ROOT


def _examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(encoding="utf-8"), flags=re.S)


def test_the_pages_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    blocks = _examples()
    assert len(blocks) >= 5
    namespace: dict = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/api.md example {i + 1}", "exec"), namespace)  # noqa: S102 - our own page


def test_the_api_gives_what_the_command_gives(tmp_path, invoke, monkeypatch):
    """The same objective and the same files as `opt solve`; write refuses a folder opt did not write."""
    monkeypatch.chdir(ROOT)
    r = optimizer.solve("scenarios/west.yaml", ["resources.fiscal.budget=2800"])
    cli = invoke("solve", "scenarios/west.yaml", "--set", "resources.fiscal.budget=2800", "--out", tmp_path / "cli")
    assert cli.exit_code == 0
    r.write(tmp_path / "api")
    for name in ("allocation.csv", "kpis.csv", "constraints.csv", "headline.csv"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(optimizer.InputError):
        r.write(mine)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_the_api_raises_the_commands_message(invoke, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(optimizer.InputError) as e:
        optimizer.load("scenarios/west.yaml", ["targets.regional_gap.cap=-1", "no.such.key=1"])
    cli = invoke("validate", "scenarios/west.yaml", "--set", "targets.regional_gap.cap=-1", "--set", "no.such.key=1")
    assert cli.exit_code == 1 and " ".join(str(e.value).split()) in " ".join(cli.output.split())
    with pytest.raises(optimizer.InputError, match="expected a YAML scenario or an .xlsx workbook"):
        optimizer.solve("scenarios/west.xls")
    with pytest.raises(AttributeError):
        optimizer.no_such_thing  # noqa: B018


@pytest.mark.parametrize("option, value, flag", [
    ("solver", "nonsense", ["--solver", "nonsense"]), ("lang", "fr", ["--lang", "fr"]),
    ("threads", 1000, ["--threads", "1000"]), ("time_limit", -1, ["--time-limit", "-1"]),
    ("money_unit", "dollars", ["--money-unit", "dollars"]), ("time_limit", "abc", None)])
def test_the_apis_options_are_checked_as_the_commands(invoke, monkeypatch, option, value, flag):
    """solve(solver="nonsense") solved with PuLP's default, lang="fr" and threads=1000 were taken, money_unit=
    "dollars" failed later in write with a KeyError (issue 21's new-user run): now the command's refusal."""
    monkeypatch.chdir(ROOT)
    with pytest.raises(optimizer.InputError) as e:
        optimizer.solve("tests/scenarios/tiny.yaml", **{option: value})
    said = str(e.value).splitlines()[-1].strip().removeprefix("- ")
    if flag is not None:
        cli = invoke("solve", "tests/scenarios/tiny.yaml", *flag, "--out", "/nonexistent/never")
        assert cli.exit_code == 1 and said in " ".join(cli.output.split()), (said, cli.output)
    else:
        assert said == "--time-limit: expected a positive number of seconds, found 'abc'"


def test_the_api_takes_what_load_gave_and_refuses_a_bare_string(monkeypatch):
    monkeypatch.chdir(ROOT)
    loaded = optimizer.load("tests/scenarios/tiny.yaml", ["resources.fiscal.budget=8"])
    assert optimizer.solve(loaded).objective == optimizer.solve("tests/scenarios/tiny.yaml", ["resources.fiscal.budget=8"]).objective
    assert optimizer.solve(loaded).objective != optimizer.solve("tests/scenarios/tiny.yaml").objective
    with pytest.raises(optimizer.InputError, match="overrides: expected a list of 'key.path=value' strings"):
        optimizer.solve("tests/scenarios/tiny.yaml", "resources.fiscal.budget=8")
    assert dir(optimizer) == ["InputError", "Result", "SolverUnavailable", "load", "solve"]


def test_the_api_reads_a_generator_once_numpy_numbers_and_the_runs_language(monkeypatch):
    """A generator of overrides was used up by the check and solved as none; numpy's 1 was 'expected a whole
    number, found 1'; lang='zh' gave the diagnosis in English (the command prints it in Chinese)."""
    import numpy as np

    monkeypatch.chdir(ROOT)
    r = optimizer.solve("tests/scenarios/tiny.yaml", (s for s in ["resources.fiscal.budget=0.0001"]),
                        threads=np.int64(1), time_limit=np.float64(60))
    assert r.status == "infeasible"
    short = optimizer.solve("scenarios/west.yaml", ["resources.fiscal.budget=2000"], lang="zh")
    assert short.diagnosis[0].startswith("以下任一项可使方案可行") and "亿元" in " ".join(short.diagnosis)
