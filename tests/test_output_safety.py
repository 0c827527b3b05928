"""Output safety: opt replaces only what it wrote, keeps earlier results through an interrupt, cleans
the temporary folders of dead runs it can prove are its own, follows the umask, and writes no
formulas. The refusals themselves are the corpus in tests/bad_runs/."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest

from optimizer.postprocess.write import WRITER, claim_folder
from optimizer.run import solve_scenario

from conftest import ROOT, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_opt_replaces_its_own_folder_with_its_report(invoke, tmp_path):
    out = tmp_path / "r"
    assert invoke("solve", TINY, "--out", out).exit_code == 0
    assert invoke("report", out).exit_code == 0 and (out / "report.html").exists()
    r = invoke("solve", TINY, "--out", out, "--set", "resources.fiscal.budget=12")
    assert r.exit_code == 0, r.output
    assert not (out / "report.html").exists(), "the whole folder is the new run's"
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["overrides"]


def test_compare_replaces_its_own_folder(invoke, tmp_path):
    out = tmp_path / "c"
    for _ in range(2):
        r = invoke("compare", TINY, TINY, "--out", out)
        assert r.exit_code == 0, r.output
    assert "compare.xlsx" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_an_empty_folder_is_taken(invoke, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert invoke("solve", TINY, "--out", out).exit_code == 0 and (out / "allocation.csv").exists()


def test_a_file_the_manifest_does_not_list_is_not_ours(tmp_path):
    out = tmp_path / "r"
    solve_scenario(TINY, out=out)
    claim_folder(out)  # ours as written
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].remove("kpis.csv")
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(Exception, match=r"holds files opt did not write \(kpis.csv\)"):
        claim_folder(out)
    (out / "manifest.json").write_text("{}", encoding="utf-8")  # not opt's manifest: nothing in it is ours
    with pytest.raises(Exception, match=r"holds files opt did not write \(allocation.csv, constraints.csv"):
        claim_folder(out)


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stale_temporary_folders_of_dead_runs_are_removed(tmp_path):
    from optimizer.postprocess.write import _process_id

    out = tmp_path / "r"
    dead = tmp_path / ".r.tmp-dead"
    alive = tmp_path / ".r.tmp-alive"
    unknown = tmp_path / ".r.tmp-unknown"  # no note of its writer: not provably ours
    other = tmp_path / ".q.tmp-dead"  # another target's
    for folder, writer in ((dead, _process_id(_dead_pid())), (alive, _process_id(os.getpid())), (unknown, None),
                           (other, _process_id(_dead_pid()))):
        folder.mkdir()
        (folder / "allocation.csv").write_text("x")
        if writer is not None:
            (folder / WRITER).write_text(json.dumps(writer))
    reused = tmp_path / ".r.tmp-reused"  # our pid, but a process that started at another time
    reused.mkdir()
    (reused / WRITER).write_text(json.dumps({**_process_id(os.getpid()), "start": "1"}))
    solve_scenario(TINY, out=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".q.tmp-dead", ".r.tmp-alive", ".r.tmp-unknown", "r"]


def test_results_follow_the_umask(invoke, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "r"
        assert invoke("solve", TINY, "--out", out, "--report").exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o755
        assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o644}
        assert invoke("report", out, "--out", tmp_path / "page.html").exit_code == 0
        assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == 0o644
        os.umask(0o077)
        assert invoke("solve", TINY, "--out", out).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o700
        assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}
    finally:
        os.umask(old)


INTERRUPTED = """
import os, signal, sys
import optimizer.backend.solve as s
real = s.solve_clarabel

def solve_clarabel(model, progress=None, **kw):
    def tell(text):  # Ctrl-C arrives while Clarabel is in its callback
        if "iteration" in text:
            os.kill(os.getpid(), signal.SIGINT)
    return real(model, progress=tell, **kw)

s.solve_clarabel = solve_clarabel
sys.argv = ["opt", "solve", sys.argv[1], "--solver", "clarabel", "--out", sys.argv[2], "--set", "resources.fiscal.budget=12"]
from cli import main
main()
"""


def test_ctrl_c_during_clarabel_exits_130_and_keeps_the_earlier_result(tmp_path):
    out = tmp_path / "D"
    solve_scenario(TINY, out=out)
    before = _files(out)
    r = subprocess.run([sys.executable, "-c", INTERRUPTED, str(TINY), str(out)], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 130, r.stdout + r.stderr
    assert "interrupted" in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["D"], "no temporary folder left"


def test_names_are_never_formulas(invoke, tmp_path):
    text = TINY.read_text(encoding="utf-8").replace("name: 甲区", """name: '=HYPERLINK("http://example.org","x")'""")
    text = text.replace("name: 养老", "name: '@SUM(1)'").replace("name: 乙区", "name: '-1+2'")
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "r"
    r = invoke("solve", scenario, "--out", out)
    assert r.exit_code == 0, r.output
    import openpyxl

    with zipfile.ZipFile(out / "results.xlsx") as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")), \
            "a formula cell in results.xlsx"
    wb = openpyxl.load_workbook(out / "results.xlsx")
    texts = {c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type != "n"}
    assert {'=HYPERLINK("http://example.org","x")', "@SUM(1)", "-1+2"} <= texts
    alloc = (out / "allocation.csv").read_text(encoding="utf-8-sig")
    assert '"\'=HYPERLINK(""http://example.org"",""x"")"' in alloc and "'@SUM(1)" in alloc and "'-1+2" in alloc


def test_two_runs_give_the_same_bytes(invoke, tmp_path):
    for n in ("a", "b"):
        assert invoke("solve", TINY, "--out", tmp_path / n).exit_code == 0
    for f in ("allocation.csv", "kpis.csv", "constraints.csv", "summary.json", "results.xlsx", "scenario.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
