"""The corpus of runs opt must refuse (tests/bad_runs/*.json): an output place that holds what opt did
not write, an option out of range. Each case names its command, the files present before it, its exit
code and the message it must give; every file present before is still there, byte for byte, and
nothing new is written anywhere."""
from __future__ import annotations

import json

import pytest

from conftest import TESTS

CASES = sorted((TESTS / "bad_runs").glob("*.json"))


def _tree(root) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_corpus_is_large_enough():
    assert len(CASES) >= 15


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_refused(path, invoke, tmp_path, monkeypatch):
    from optimizer.run import solve_scenario

    case = json.loads(path.read_text(encoding="utf-8"))
    import matplotlib

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLCONFIGDIR", matplotlib.get_configdir())  # its font cache stays where it was
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    if "result" in case:  # an earlier result of opt's
        solve_scenario(TESTS / "scenarios" / "tiny.yaml", out=tmp_path / case["result"])
    for name, text in case.get("files", {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = _tree(tmp_path)
    args = [a.replace("{TESTS}", str(TESTS)) for a in case["args"]]
    r = invoke(*args)
    said = " ".join(r.output.split())
    assert r.exit_code == case["exit"], r.output
    assert case["message"] in said, said
    assert "Traceback" not in r.output
    assert _tree(tmp_path) == before, "a refused run changes nothing"
