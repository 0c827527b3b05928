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
from pathlib import Path

import pytest

from optimizer.postprocess.places import WRITER, claim_folder
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


def test_stale_temporary_folders_of_dead_runs_are_removed(tmp_path):
    """A temporary folder is opt's if it holds opt's note, and its writer is gone if the note's lock can be
    taken (a live writer holds it, in whatever pid namespace); nothing else is touched."""
    import fcntl

    from optimizer.postprocess.places import _NOTE

    out = tmp_path / "r"
    note = json.dumps(_NOTE)
    folders = {".r.tmp-dead": note, ".r.tmp-alive": note, ".r.tmp-unknown": None, ".q.tmp-dead": note,
               ".r.tmp-users": '{"mine": 1}'}  # another target's; and a user's folder with a note of its own
    for name, text in folders.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "allocation.csv").write_text("x")
        if text is not None:
            (tmp_path / name / WRITER).write_text(text)
    held = os.open(tmp_path / ".r.tmp-alive" / WRITER, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a live writer holds it
    stale_file = tmp_path / ".r.lp.tmp-opt-x1.lp"  # named like a temporary file of r.lp: nothing proves it opt's
    stale_file.write_text("x")
    try:
        solve_scenario(TINY, out=out)
    finally:
        os.close(held)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".q.tmp-dead", ".r.lp.tmp-opt-x1.lp", ".r.tmp-alive",
                                                          ".r.tmp-unknown", ".r.tmp-users", "r"]
    from optimizer.backend.pulp_backend import is_our_model_file
    from optimizer.postprocess.places import claim_file

    claim_file(tmp_path / "r.lp", is_our_model_file, "--write-lp")
    assert stale_file.exists(), "a file is never taken for opt's by its name alone"


def test_replaced_folder_keeps_its_mode_and_group(invoke, tmp_path):
    out = tmp_path / "r"
    assert invoke("solve", TINY, "--out", out).exit_code == 0
    os.chmod(out, 0o2750)
    assert invoke("solve", TINY, "--out", out, "--set", "resources.fiscal.budget=12").exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o2750


def test_a_run_without_an_answer_keeps_the_earlier_results(invoke, tmp_path, monkeypatch):
    from optimizer.backend.status import Solution, Status

    out = tmp_path / "r"
    assert invoke("solve", TINY, "--out", out).exit_code == 0
    before = _files(out)
    monkeypatch.setattr("optimizer.run.solve", lambda model, **k: Solution(Status.NO_SOLUTION, solver="highs",
                                                                           message="time limit reached"))
    r = invoke("solve", TINY, "--out", out)
    assert r.exit_code == 3 and "nothing was written, earlier results are untouched" in r.output, r.output
    assert _files(out) == before


def test_an_interrupt_during_the_swap_waits_for_it(invoke, tmp_path, monkeypatch):
    """Ctrl-C while the new folder is being swapped in: the swap is finished first (never half done,
    never the old results deleted with the temporary folder), and the run says the new results are in."""
    import signal

    from optimizer.postprocess import places

    out = tmp_path / "r"
    assert invoke("solve", TINY, "--out", out).exit_code == 0
    real = places._exchange

    def interrupted_exchange(a, b):
        os.kill(os.getpid(), signal.SIGINT)
        return real(a, b)

    monkeypatch.setattr(places, "_exchange", interrupted_exchange)
    r = invoke("solve", TINY, "--out", out, "--set", "resources.fiscal.budget=12")
    assert r.exit_code == 130 and "they were put in place first" in r.output, r.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["overrides"], "the new results are in"
    assert (out / "allocation.csv").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_generate_puts_the_scenario_in_place_after_its_tables(tmp_path, monkeypatch):
    """An interrupt between the renames would leave a scenario naming tables of another seed; the
    scenario, which names the tables, goes last, and the interrupt waits for all three."""
    import signal

    from optimizer.generate import bundled_population, generate_counties

    out = tmp_path / "g.yaml"
    generate_counties(31, (2024, 2026), 1, out, bundled_population())
    renamed = []
    real = os.replace

    def replace(a, b):
        renamed.append(Path(b).name)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        return real(a, b)

    monkeypatch.setattr("optimizer.postprocess.places.os.replace", replace)
    from optimizer.postprocess.places import InterruptedAfterWrite

    with pytest.raises(InterruptedAfterWrite):
        generate_counties(31, (2024, 2026), 2, out, bundled_population())
    assert renamed == ["g_regions.csv", "g_population.csv", "g.yaml"]
    assert "--seed 2" in out.read_text(encoding="utf-8")


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
        assert invoke("solve", TINY, "--out", tmp_path / "private").exit_code == 0
        assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o700
        assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "private").iterdir()} == {0o600}
        assert invoke("solve", TINY, "--out", out).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o755, "a folder replaced keeps its mode"
    finally:
        os.umask(old)


def test_generate_never_writes_through_a_link_to_a_users_file(tmp_path):
    from optimizer.errors import InputError
    from optimizer.generate import bundled_population, generate_counties

    out = tmp_path / "gen" / "g.yaml"
    generate_counties(31, (2024, 2026), 1, out, bundled_population())
    mine = tmp_path / "important.csv"
    mine.write_text("mine", encoding="utf-8")
    (out.parent / "g_regions.csv").unlink()
    (out.parent / "g_regions.csv").symlink_to(mine)
    with pytest.raises(InputError, match="refusing to replace a file opt did not write"):
        generate_counties(31, (2024, 2026), 2, out, bundled_population())
    assert mine.read_text(encoding="utf-8") == "mine"


def test_a_users_file_linked_as_opts_note_is_left_as_it_was(invoke, tmp_path):
    out = tmp_path / "D"
    assert invoke("solve", TINY, "--out", out).exit_code == 0
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("thesis", encoding="utf-8")
    os.link(thesis, out / WRITER)  # in opt's folder, named as opt's note: opt unlinks it, never writes it
    assert invoke("solve", TINY, "--out", out, "--set", "resources.fiscal.budget=12").exit_code == 0
    assert thesis.read_text(encoding="utf-8") == "thesis"


INTERRUPTED = """
import os, signal, sys
import optimizer.backend.solve as s
IGNORED = sys.argv[3].endswith("-ignored")  # started under nohup: a hang-up is ignored, the run goes on
SIG = getattr(signal, sys.argv[3].removesuffix("-ignored"))
# as in a terminal (CI may start us with hang-ups ignored), or as under nohup
signal.signal(signal.SIGHUP, signal.SIG_IGN if IGNORED else signal.SIG_DFL)
real = s.solve_clarabel

def solve_clarabel(model, progress=None, **kw):
    def tell(text):  # Ctrl-C (or TERM) arrives while Clarabel is in its callback
        if "iteration" in text:
            os.kill(os.getpid(), SIG)
    return real(model, progress=tell, **kw)

s.solve_clarabel = solve_clarabel
sys.argv = ["opt", "solve", sys.argv[1], "--solver", "clarabel", "--out", sys.argv[2], "--set", "resources.fiscal.budget=12"]
from optimizer.cli import main
main()
"""


@pytest.mark.parametrize("signame,code", [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129), ("SIGHUP-ignored", 0)])
def test_ctrl_c_during_clarabel_exits_130_and_keeps_the_earlier_result(tmp_path, signame, code):
    out = tmp_path / "D"
    solve_scenario(TINY, out=out)
    before = _files(out)
    r = subprocess.run([sys.executable, "-c", INTERRUPTED, str(TINY), str(out), signame], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == code, r.stdout + r.stderr
    if code == 0:  # nohup's hang-up: ignored, the run finished and wrote its results
        assert "results written" in r.stdout and _files(out) != before
        return
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
