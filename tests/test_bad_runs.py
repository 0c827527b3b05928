"""The corpus of runs opt must refuse (tests/bad_runs/*.json): an output place that holds what opt did
not write, an option out of range. Each case names its command, the files present before it, its exit
code and the message it must give; every file present before is still there, byte for byte, and
nothing new is written anywhere."""
from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import TESTS

CASES = sorted((TESTS / "bad_runs").glob("*.json"))


def _tree(root) -> dict[str, object]:
    """Every path below root with its bytes (files), its mode (everything), where links point."""
    out: dict[str, object] = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        kind = "link " + os.readlink(p) if p.is_symlink() else p.read_bytes() if stat.S_ISREG(st.st_mode) else stat.S_IFMT(st.st_mode)
        out[str(p.relative_to(root))] = (kind, stat.S_IMODE(st.st_mode))
    return out


def _set_up(case: dict, tmp_path) -> None:
    """The places a case starts from: an earlier result of opt's, files, FIFOs, modes, links, copies."""
    from optimizer.run import solve_scenario

    if "result" in case:
        solve_scenario(TESTS / "scenarios" / "tiny.yaml", out=tmp_path / case["result"])
    for name in case.get("remove", []):
        (tmp_path / name).unlink()
    for name, text in case.get("files", {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name, text in case.get("append", {}).items():  # a file of opt's, edited since
        with open(tmp_path / name, "a", encoding="utf-8") as fh:
            fh.write(text)
    for name in case.get("manifest_lists", []):  # a manifest edited by hand to list a file
        manifest = tmp_path / case["result"] / "manifest.json"
        m = json.loads(manifest.read_text(encoding="utf-8"))
        manifest.write_text(json.dumps({**m, "files": m["files"] + [name]}), encoding="utf-8")
    for name in case.get("fifos", []):
        os.mkfifo(tmp_path / name)
    for name, to in case.get("links", {}).items():
        (tmp_path / name).symlink_to(to)
    for name, what in case.get("copies", {}).items():
        assert what == "tiny-no-name"
        text = (TESTS / "scenarios" / "tiny.yaml").read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("name: tiny\n", ""), encoding="utf-8")
    for name, mode in case.get("modes", {}).items():
        os.chmod(tmp_path / name, int(mode, 8))


def test_corpus_is_large_enough():
    assert len(CASES) >= 15


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_refused(path, invoke, tmp_path, monkeypatch):
    case = json.loads(path.read_text(encoding="utf-8"))
    import matplotlib

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLCONFIGDIR", matplotlib.get_configdir())  # its font cache stays where it was
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    _set_up(case, tmp_path)
    before = _tree(tmp_path)
    args = [a.replace("{TESTS}", str(TESTS)) for a in case["args"]]
    r = invoke(*args)
    said = " ".join(r.output.split())
    assert r.exit_code == case["exit"], r.output
    assert case["message"].replace("{TMP}", str(tmp_path)) in said, said
    assert "Traceback" not in r.output
    assert _tree(tmp_path) == before, "a refused run changes nothing"
