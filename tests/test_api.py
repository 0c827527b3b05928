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
