"""Every exit code the README lists is one opt returns, for the reason it gives; and no other."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def _readme_codes() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("Exit codes"):].split("\n\n")[1]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.+) \|$", table, re.M)}


def _raise(exc):
    def fail(*a, **k):
        raise exc
    return fail


def _trigger(code: int, monkeypatch, tmp_path) -> tuple[list, str]:
    """Arguments (and patches) that end a run with `code`, and a phrase the output must hold."""
    from optimizer.errors import SolverUnavailable

    out = ["--out", tmp_path / "r"]
    if code == 0:
        return ["solve", TINY, *out], "results written"
    if code == 1:
        return ["solve", tmp_path / "nothing.yaml", *out], "file not found"
    if code == 2:
        return ["solve", TINY, *out, "--set", "resources.fiscal.budget=1"], "infeasible"
    if code == 3:
        monkeypatch.setattr("optimizer.run.solve", _raise(SolverUnavailable("solver 'highs' is not available")))
        return ["solve", TINY, *out], "solver error"
    if code == 4:
        monkeypatch.setattr("optimizer.run.write_xlsx", _raise(OSError(28, "No space left on device")))
        return ["solve", TINY, *out], "No space left on device"
    if code == 5:
        monkeypatch.setattr("optimizer.run.build_model", _raise(RuntimeError("a bug")))
        return ["solve", TINY, *out], "internal error: RuntimeError: a bug"
    if code == 130:
        monkeypatch.setattr("optimizer.run.write_csv", _raise(KeyboardInterrupt()))
        return ["solve", TINY, *out], "interrupted"
    if code in (129, 143):

        from optimizer.errors import Terminated

        monkeypatch.setattr("optimizer.run.write_csv", _raise(Terminated(code - 128)))
        return ["solve", TINY, *out], "interrupted"
    raise AssertionError(f"README lists exit code {code}: add how to reach it here")


def test_readme_lists_the_codes_the_cli_knows():
    from optimizer import cli

    known = {v for k, v in vars(cli).items() if k.startswith("EXIT_")} | {0}
    assert set(_readme_codes()) == known


@pytest.mark.parametrize("code", sorted(_readme_codes()))
def test_each_code(code, invoke, monkeypatch, tmp_path):
    args, said = _trigger(code, monkeypatch, tmp_path)
    r = invoke(*args)
    assert r.exit_code == code, r.output
    assert said in r.output and "Traceback" not in r.output
