"""The command line as users meet it: exit codes, outputs, messages."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SCENARIOS, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def test_solve_west_writes_every_output(invoke, tmp_path):
    out = tmp_path / "west"
    r = invoke("solve", SCENARIOS / "west.yaml", "--out", out)
    assert r.exit_code == 0, r.output
    assert "optimal" in r.output and "2030" in r.output
    for f in ("allocation.csv", "kpis.csv", "constraints.csv", "summary.json", "manifest.json", "results.xlsx"):
        assert (out / f).exists(), f
    raw = (out / "allocation.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV needs a BOM for Excel"
    assert "四川".encode() in raw
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["people_unserved"] > 0
    assert "objective" in summary and not {"build_seconds", "solve_seconds"} & set(summary), "timings live in the manifest"
    assert {"build", "solve"} <= set(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["timings_seconds"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["scenario_sha256"]) == 64
    assert manifest["solver"]["solver"] == "highs" and manifest["status"] == "optimal"
    assert "pulp" in manifest["versions"] and "highspy" in manifest["versions"]
    cons = pd.read_csv(out / "constraints.csv", encoding="utf-8-sig")
    assert {"family", "name", "year", "slack", "binding", "shadow_price", "meaning"} <= set(cons.columns)
    assert cons["binding"].any()


def test_overrides_are_applied_and_recorded(invoke, tmp_path):
    out = tmp_path / "o"
    r = invoke("solve", TINY, "--out", out, "--set", "resources.fiscal.budget=8", "--set", "regions.B.priority=2")
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [o["set"] for o in manifest["overrides"]] == ["resources.fiscal.budget=8", "regions.B.priority=2"]
    assert manifest["overrides"][0]["previous"] == {0: 10} or manifest["overrides"][0]["previous"] == 10


def test_override_to_unknown_key_names_nearest(invoke, tmp_path):
    r = invoke("solve", TINY, "--out", tmp_path / "x", "--set", "targets.regional_gap.cpa=1.6")
    assert r.exit_code == 1
    assert "cap" in r.output and "cpa" in r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "x").exists()


def test_bad_scenario_exits_1_with_location_and_writes_nothing(invoke, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text(encoding="utf-8").replace("base_spending_pc: 400", "base_spending_pc: lots"), encoding="utf-8")
    out = tmp_path / "never"
    r = invoke("solve", bad, "--out", out)
    assert r.exit_code == 1
    assert f"{bad}:6" in r.output and "regions[B].base_spending_pc" in r.output
    assert "lots" in r.output and "Traceback" not in r.output
    assert not out.exists() and not list(tmp_path.glob(".never*"))


def test_infeasible_exits_2_and_names_families(invoke, tmp_path):
    r = invoke("solve", TINY, "--out", tmp_path / "inf", "--set", "resources.fiscal.budget=1")
    assert r.exit_code == 2, r.output
    assert "regional_gap" in r.output or "supply" in r.output
    summary = json.loads((tmp_path / "inf" / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible" and summary["diagnosis"]


def test_time_limit_exits_3(invoke, tmp_path):
    r = invoke("solve", SCENARIOS / "national.yaml", "--out", tmp_path / "t", "--time-limit", "0.0001")
    assert r.exit_code == 3, r.output


def test_validate_reports_cheap_infeasibility_in_numbers(invoke):
    ok = invoke("validate", SCENARIOS / "west.yaml")
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = invoke("validate", SCENARIOS / "west.yaml", "--set", "resources.fiscal.budget=400")
    assert bad.exit_code == 2
    assert "category floors need" in bad.output and "40.0 bn yuan" in bad.output


def test_unknown_solver_is_bad_input(invoke, tmp_path):
    r = invoke("solve", TINY, "--solver", "gurobi", "--out", tmp_path / "g")
    assert r.exit_code == 1 and "highs" in r.output


@pytest.mark.parametrize("entry", [["-m", "optimizer"], ["-m", "cli"]])
def test_python_dash_m_runs_the_same_app(entry):
    r = subprocess.run([sys.executable, *entry, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "solve" in r.stdout and "validate" in r.stdout


def test_outputs_are_byte_identical_across_runs(invoke, tmp_path):
    for n in ("a", "b"):
        assert invoke("solve", SCENARIOS / "west.yaml", "--out", tmp_path / n).exit_code == 0
    for f in ("allocation.csv", "kpis.csv", "constraints.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_outputs_identical_with_one_or_two_threads(invoke, tmp_path):
    for n in ("1", "2"):
        assert invoke("solve", SCENARIOS / "national.yaml", "--threads", n, "--out", tmp_path / n).exit_code == 0
    for f in ("allocation.csv", "kpis.csv", "constraints.csv"):
        assert (tmp_path / "1" / f).read_bytes() == (tmp_path / "2" / f).read_bytes(), f


def test_disk_full_is_a_clear_message(invoke, tmp_path, monkeypatch):
    out = tmp_path / "r"
    assert invoke("solve", TINY, "--out", out).exit_code == 0
    before = (out / "allocation.csv").read_bytes()

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("optimizer.run.write_xlsx", full)
    r = invoke("solve", TINY, "--out", out, "--set", "resources.fiscal.budget=9")
    assert r.exit_code == 4 and "No space left on device" in r.output and "untouched" in r.output
    assert "Traceback" not in r.output
    assert (out / "allocation.csv").read_bytes() == before


def test_missing_solver_is_a_clear_message(invoke, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_highspy(name, *a, **k):
        if name == "highspy":
            raise ImportError("No module named 'highspy'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_highspy)
    r = invoke("solve", TINY, "--out", tmp_path / "x")
    assert r.exit_code == 3 and "pip install highspy" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("args,said", [
    (["--time-limit", "-5"], "--time-limit: expected a positive number of seconds, found -5"),
    (["--time-limit", "0"], "--time-limit: expected a positive number of seconds, found 0"),
    (["--threads", "0"], "--threads: expected a whole number from 1 to"),
    (["--time-limit", "abc"], "--time-limit"),
    (["--bogus"], "No such option"),
])
def test_bad_options_are_bad_input_not_infeasible(invoke, tmp_path, args, said):
    """Exit 1 as for a bad scenario (click's usage code 2 would read as 'infeasible'); nothing written."""
    r = invoke("solve", TINY, "--out", tmp_path / "never", *args)
    assert r.exit_code == 1, r.output
    assert said in " ".join(r.output.split()) and "Traceback" not in r.output
    assert not (tmp_path / "never").exists()


def test_version_and_help_texts(invoke):
    """opt --version; completion offered; every option of every command has help text and no '<bool>' or
    '<list[...]>' metavar of typer's own (issue 21.6)."""
    import re
    from importlib.metadata import version

    r = invoke("--version")
    assert r.exit_code == 0 and r.output.startswith(f"opt {version('opt-planner')} (Python ")
    top = invoke("--help").output
    assert "--install-completion" in top and "--version" in top
    option = re.compile(r"^│\s+(?:\*\s+)?(--[a-z-]+)(?:\s+-[a-zA-Z])?\s+(\S.*?)\s*│$")
    for command in ("solve", "validate", "explain", "compare", "sweep", "report", "template", "share"):
        shown = invoke(command, "--help").output
        assert not re.search(r"<bool>|<list\[", shown), command  # options, arguments and --help itself
        lines = [ln for ln in shown.splitlines() if "--help" not in ln]
        rows = [m for ln in lines if (m := option.match(ln))]
        assert rows, command
        for m in rows:  # the option's words follow its name (a metavar in capitals may stand between)
            assert re.sub(r"^(?:[A-Z][A-Z_=|.]*|<[a-z]+>)\s+", "", m.group(2)).strip(), (command, m.group(1))
