"""opt report and opt compare on damaged or foreign result folders: each exits 1 naming the file
and what was expected and found, no traceback, and writes nothing (no report.html, no compare folder)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def _cli(*args):
    from typer.testing import CliRunner

    from optimizer.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    """One real result folder of opt solve, solved once for the module; cases damage copies of it."""
    out = tmp_path_factory.mktemp("solved") / "tiny"
    r = _cli("solve", TINY, "--out", out)
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def compared(tmp_path_factory, solved) -> Path:
    out = tmp_path_factory.mktemp("compared") / "cmp"
    r = _cli("compare", solved, solved, "--out", out)
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("swept") / "sw"
    r = _cli("sweep", TINY, "--vary", "resources.fiscal.budget=9:10:1", "--out", out)
    assert r.exit_code == 0, r.output
    return out


def _rewrite_csv(path: Path, edit) -> None:
    df = pd.read_csv(path, encoding="utf-8-sig")
    edit(df).to_csv(path, index=False, encoding="utf-8-sig")


def _non_utf8(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2][:3] + b"\xff\xfe" + lines[2][3:]  # line 3
    path.write_bytes(b"\n".join(lines))


def _drop_kpis_value(folder: Path) -> None:
    _rewrite_csv(folder / "kpis.csv", lambda df: df.drop(columns=["value"]))


def _year_not_a_number(folder: Path) -> None:
    _rewrite_csv(folder / "kpis.csv", lambda df: df.assign(year=["twenty"] + list(df["year"].astype(str))[1:]))


def _extra_field(folder: Path) -> None:
    lines = (folder / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[3] += ",1,2"  # line 4: two fields too many
    (folder / "kpis.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def _truncate_summary(folder: Path) -> None:
    text = (folder / "summary.json").read_text(encoding="utf-8")  # {"scenario": "tiny", "status": ... one key a line
    (folder / "summary.json").write_text(text[: text.index('"status"') + 4], encoding="utf-8")  # line 3: "sta


def _json_edit(name: str, edit):
    def damage(folder: Path) -> None:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        (folder / name).write_text(json.dumps(edit(data)), encoding="utf-8")
    return damage


def _unrelated(folder: Path) -> None:
    for p in folder.iterdir():
        p.unlink()
    (folder / "notes.txt").write_text("my thesis\n", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")


def _empty(folder: Path) -> None:
    for p in folder.iterdir():
        p.unlink()


def _kpis_a_folder(folder: Path) -> None:
    (folder / "kpis.csv").unlink()
    (folder / "kpis.csv").mkdir()


# (damage, the file the message names, what the message must say): for opt report and opt compare alike
CASES = {
    "kpis_not_utf8": (lambda f: _non_utf8(f / "kpis.csv"), "kpis.csv:3",
                      "expected a CSV table with a header row (year, kpi, scope, value, unit, target, met) in UTF-8, "
                      "found bytes that are not UTF-8"),
    "summary_not_utf8": (lambda f: _non_utf8(f / "summary.json"), "summary.json:3",
                         "expected JSON (summary.json of opt solve) in UTF-8, found bytes that are not UTF-8"),
    "allocation_empty": (lambda f: (f / "allocation.csv").write_bytes(b""), "allocation.csv",
                         "expected a CSV table with a header row (region, region_name, category, category_name, "
                         "resource, year, unit, allocated, people_unserved), found an empty file"),
    "kpis_missing_column": (_drop_kpis_value, "kpis.csv:1", "found no column 'value' (the header has: year, kpi, scope, unit,"),
    "kpis_year_not_a_number": (_year_not_a_number, "kpis.csv:2 (column 'year')", "expected a whole number, found 'twenty'"),
    "kpis_extra_field": (_extra_field, "kpis.csv:4", "found a malformed row (Expected 7 fields in line 4, saw 9)"),
    "kpis_a_folder": (_kpis_a_folder, "kpis.csv", "expected the file kpis.csv of a result folder written by opt solve, "
                                                  "found a folder"),
    "summary_truncated": (_truncate_summary, "summary.json:3",
                          "expected JSON (summary.json of opt solve), found the file ending before the JSON is complete "
                          "(cut short?): Unterminated string starting at line 3 column 3"),
    "summary_empty": (lambda f: (f / "summary.json").write_text("", encoding="utf-8"), "summary.json",
                      "expected JSON (summary.json of opt solve), found an empty file"),
    "manifest_a_list": (lambda f: (f / "manifest.json").write_text("[1, 2]", encoding="utf-8"), "manifest.json",
                        "expected a JSON object (manifest.json of opt solve), found a list of 2 items"),
    "manifest_without_files": (_json_edit("manifest.json", lambda d: {k: v for k, v in d.items() if k != "files"}),
                               "manifest.json: files", "expected a list of text, found nothing (the key is missing)"),
    "summary_status_a_number": (_json_edit("summary.json", lambda d: {**d, "status": 3}), "summary.json: status",
                                "expected text, found the number 3"),
    "summary_sentence_not_text": (_json_edit("summary.json", lambda d: {**d, "binding_targets": [{"sentence": None}]}),
                                  "summary.json: binding_targets[0].sentence", "expected text, found null"),
    "scenario_regions_a_number": (_json_edit("scenario.json", lambda d: {**d, "regions": 5}), "scenario.json: regions",
                                  "expected a list of objects, found the number 5"),
    "scenario_region_id_a_number": (_json_edit("scenario.json", lambda d: {**d, "regions": [{"id": 5}]}),
                                    "scenario.json: regions[0].id", "expected text, found the number 5"),
    "kpis_deleted": (lambda f: (f / "kpis.csv").unlink(), "tiny",
                     "expected a result folder written by opt solve (with manifest.json, summary.json, kpis.csv, "
                     "allocation.csv, scenario.json, ...), found a folder of 11 files (allocation.csv, constraints.csv, "
                     "headline.csv, manifest.json, ...), missing kpis.csv (listed in its manifest.json)"),
    "empty_folder": (_empty, "tiny", "expected a result folder written by opt solve (with manifest.json, summary.json, "
                                     "kpis.csv, allocation.csv, scenario.json, ...), found an empty folder, missing "
                                     "manifest.json, summary.json"),
    "unrelated_files": (_unrelated, "tiny", "found a folder of 2 files (notes.txt, photo.jpg), missing manifest.json, "
                                            "summary.json"),
}


def _damaged(solved: Path, tmp_path: Path, damage) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(solved, folder)
    damage(folder)
    return folder


def _bad_input(r, name: str, phrase: str) -> str:
    text = r.output
    assert r.exit_code == 1, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert "1 problem in the input" in text, text
    assert name in text, text
    assert phrase in " ".join(text.split()), text
    return text


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_of_a_damaged_folder(case, solved, tmp_path):
    damage, name, phrase = CASES[case]
    folder = _damaged(solved, tmp_path, damage)
    before = sorted(p.name for p in folder.iterdir())
    _bad_input(_cli("report", folder), name, phrase)
    assert not (folder / "report.html").exists()
    assert sorted(p.name for p in folder.iterdir()) == before, "nothing written into the folder"


@pytest.mark.parametrize("case", sorted(CASES))
def test_compare_with_a_damaged_folder(case, solved, tmp_path):
    damage, name, phrase = CASES[case]
    folder = _damaged(solved, tmp_path, damage)
    out = tmp_path / "cmp"
    _bad_input(_cli("compare", solved, folder, "--out", out), name, phrase)
    assert not out.exists()


def test_report_of_a_foreign_folder_says_what_report_reads(tmp_path):
    (tmp_path / "notes.txt").write_text("x\n", encoding="utf-8")
    text = _bad_input(_cli("report", tmp_path), "notes.txt", "missing manifest.json, summary.json; opt report also "
                                                             "reads the folders of opt compare")
    assert "opt sweep (sweep.csv, sweep.png, manifest.json)" in " ".join(text.split())
    assert not (tmp_path / "report.html").exists()


def test_compare_names_a_compare_folder_for_what_it_is(solved, compared, tmp_path):
    _bad_input(_cli("compare", solved, compared, "--out", tmp_path / "c"), "cmp",
               "found a folder written by opt compare, missing summary.json, scenario.json")
    assert not (tmp_path / "c").exists()


def test_scenario_json_is_needed_by_compare_and_by_report_where_listed(solved, tmp_path):
    folder = _damaged(solved, tmp_path, lambda f: (f / "scenario.json").unlink())
    _bad_input(_cli("compare", solved, folder, "--out", tmp_path / "c"), "tiny", "missing scenario.json")
    _bad_input(_cli("report", folder), "tiny", "missing scenario.json (listed in its manifest.json)")
    assert not (folder / "report.html").exists()


@pytest.mark.parametrize("case, damage, name, phrase", [
    ("status_empty", lambda f: (f / "status.csv").write_bytes(b""), "status.csv",
     "expected a CSV table with a header row (scenario, status), found an empty file"),
    ("status_header_alone", lambda f: (f / "status.csv").write_text("scenario,status\n", encoding="utf-8"), "status.csv",
     "and at least one row, found the header alone"),
    ("kpis_without_a_scenario_column", lambda f: _rewrite_csv(f / "kpis.csv", lambda df: df.drop(columns=["tiny (2)"])),
     "kpis.csv:1",
     "found no column 'tiny (2)'"),
    ("kpis_deleted", lambda f: (f / "kpis.csv").unlink(), "cmp",
     "expected a result folder written by opt compare (with status.csv, inputs.csv, kpis.csv, allocation.csv, "
     "need_met.csv, compare.xlsx, ...), found a folder of 7 files (allocation.csv, compare.xlsx, inputs.csv, manifest.json, "
     "...), missing kpis.csv"),
])
def test_report_of_a_damaged_compare_folder(case, damage, name, phrase, compared, tmp_path):
    _report_of_damaged_copy(compared, tmp_path / "cmp", damage, name, phrase)


@pytest.mark.parametrize("case, damage, name, phrase", [
    ("png_not_a_png", lambda f: (f / "sweep.png").write_bytes(b"GIF89a"), "sweep.png",
     "expected the PNG image opt sweep draws, found a file that is not a PNG image"),
    ("sweep_csv_without_status", lambda f: _rewrite_csv(f / "sweep.csv", lambda df: df.drop(columns=["status"])),
     "sweep.csv:1", "found no column 'status'"),
    ("manifest_truncated", lambda f: (f / "manifest.json").write_text('{"files": [', encoding="utf-8"),
     "manifest.json:1",
     "expected JSON (manifest.json of opt sweep), found the file ending before the JSON is complete (cut short?): "
     "Expecting value at line 1 column 12"),
])
def test_report_of_a_damaged_sweep_folder(case, damage, name, phrase, swept, tmp_path):
    _report_of_damaged_copy(swept, tmp_path / "sw", damage, name, phrase)


def _report_of_damaged_copy(source: Path, folder: Path, damage, name: str, phrase: str) -> None:
    shutil.copytree(source, folder)
    damage(folder)
    _bad_input(_cli("report", folder), name, phrase)
    assert not (folder / "report.html").exists()


def test_intact_folders_still_report_and_compare(solved, compared, swept, tmp_path):
    """The controls: the folders the cases damage are read without complaint."""
    for src in (solved, compared, swept):
        folder = tmp_path / src.name
        shutil.copytree(src, folder)
        r = _cli("report", folder)
        assert r.exit_code == 0, r.output
        assert (folder / "report.html").stat().st_size > 1000
    r = _cli("compare", solved, tmp_path / "tiny", "--out", tmp_path / "c")
    assert r.exit_code == 0, r.output


def test_a_solve_that_wrote_no_tables_reports_and_compares(solved, tmp_path):
    """Targets that cannot all be met: no kpis.csv, and the manifest does not list one; not a damaged folder."""
    out = tmp_path / "infeasible"
    assert _cli("solve", TINY, "--set", "targets.personnel_density.min=1000", "--out", out).exit_code == 2
    assert not (out / "kpis.csv").exists()
    r = _cli("report", out)
    assert r.exit_code == 0, r.output
    assert "cannot all be met" in (out / "report.html").read_text(encoding="utf-8")
    r = _cli("compare", solved, out, "--out", tmp_path / "c")
    assert r.exit_code == 0, r.output
    status = pd.read_csv(tmp_path / "c" / "status.csv", encoding="utf-8-sig")
    assert list(status["status"]) == ["optimal", "infeasible"]


def test_read_result_json_shapes(tmp_path):
    from optimizer.errors import InputError
    from optimizer.postprocess.readback import NUMBER, Maybe, read_result_json

    p = tmp_path / "x.json"
    shape = {"a": [{"b": NUMBER}], "c": Maybe((None, str))}
    p.write_text('{"a": [{"b": 1}, {"b": 2.5}], "c": null}', encoding="utf-8")
    assert read_result_json(p, shape)["a"][1]["b"] == 2.5
    for text, where, message in [
        ('{"a": [{"b": 1}, {"b": true}]}', "a[1].b", "expected a number, found true"),
        ('{"a": [], "c": 4}', "c", "expected null or text, found the number 4"),
        ('{"c": "x"}', "a", "expected a list of objects, found nothing (the key is missing)"),
        ('"text"', "", "expected a JSON object (x.json as opt writes it), found the text 'text'"),
        ('{"a": [}', "", "found text that does not parse: Expecting value at line 1 column 8"),
        ("[" * 100_000, "", "expected JSON (x.json as opt writes it), found "),
    ]:
        p.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as e:
            read_result_json(p, shape)
        (problem,) = e.value.problems
        assert problem.where.file == str(p) and problem.path == where and message in problem.message, problem


def test_read_result_csv_reads_what_opt_wrote_as_numbers(tmp_path):
    from optimizer.errors import InputError
    from optimizer.postprocess.readback import read_result_csv

    p = tmp_path / "t.csv"
    p.write_text("\ufeffyear,value,name\n2026,1.5,甲\n2027,,乙\n", encoding="utf-8")
    df = read_result_csv(p, ["year", "value", "name"])
    assert str(df["year"].dtype) == "int64" and df["value"].isna().tolist() == [False, True]
    p.write_text("year,value\n2026,1\n,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t.csv:3 \(column 'year'\): expected a whole number, found a blank"):
        read_result_csv(p, ["year", "value"])
    p.write_text("year,value\n2026.5,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected a whole number, found '2026.5'"):
        read_result_csv(p, ["year", "value"])


@pytest.mark.parametrize("damage, phrase", [
    (lambda f: _non_utf8(f / "sweep.csv"), "found bytes that are not UTF-8"),
    (lambda f: _rewrite_csv(f / "sweep.csv", lambda df: df.assign(**{"resources.fiscal.budget": "lots"})),
     "(column 'resources.fiscal.budget'): expected a number, found 'lots'"),
])
def test_sweep_resume_on_a_damaged_sweep(damage, phrase, swept, tmp_path):
    """--resume reads the earlier sweep.csv: damaged, it is bad input, and the sweep is left as it was."""
    folder = tmp_path / "sw"
    shutil.copytree(swept, folder)
    damage(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    _bad_input(_cli("sweep", TINY, "--vary", "resources.fiscal.budget=9:10:1", "--out", folder, "--resume"),
               "sweep.csv", phrase)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
