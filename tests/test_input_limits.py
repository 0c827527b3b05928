"""Input limits and misreadings that need the command line or special files (the rest are
files in tests/bad_inputs): each exits 1 naming the input and the limit, no traceback,
nothing written."""
from __future__ import annotations

import logging
import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from optimizer.errors import InputError
from optimizer.preprocess import yamlio
from optimizer.preprocess.load import load_scenario
from optimizer.preprocess.schema import max_threads

from conftest import SCENARIOS, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


@contextmanager
def no_hang(seconds: int = 20):
    """Fail, rather than hang the suite, if a special file is read (a FIFO blocks, /dev/zero never ends)."""
    def stop(*_):
        raise AssertionError(f"still running after {seconds} s: a special file is being read")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def refused(invoke, tmp_path, scenario, *args) -> str:
    """Solve that must end as an input error: exit 1, no traceback, no result folder."""
    out = tmp_path / "out"
    with no_hang():
        r = invoke("solve", scenario, "--out", out, *args)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert not out.exists() and not list(tmp_path.glob(".out*"))
    return " ".join(r.output.split())  # the terminal wraps long lines


def tiny_with(tmp_path: Path, old: str, new: str, name: str = "s.yaml") -> Path:
    text = TINY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# ---- values misread: decimal commas, base-60 numbers, a key set twice ----

def test_decimal_comma_in_set_is_refused_not_read_as_16(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", "targets.regional_gap.cap=1,6")
    assert ("--set targets.regional_gap.cap=1,6: targets.regional_gap.cap: expected a number such as 1.6, "
            "found '1,6' (a decimal comma? write 1.6; commas are never read as thousands separators)") in text


def test_quoted_decimal_comma_in_set_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", "resources.fiscal.budget='1,6'")
    assert "expected a number such as 1.6, found '1,6'" in text


def test_base60_number_in_set_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", "solver.time_limit=1:30")
    assert "found 1:30 (YAML 1.1 reads it as the base-60 number 90); write the number, or quote '1:30'" in text


def test_years_range_string_still_works(invoke, tmp_path):
    r = invoke("validate", TINY, "--set", "years=2026:2028")
    assert r.exit_code == 0, r.output


def test_same_key_set_twice_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", "targets.regional_gap.cap=1.6", "--set", "targets.regional_gap.cap=1.4")
    assert ("targets.regional_gap.cap=1.4: duplicate key 'targets.regional_gap.cap' "
            "(first given by --set targets.regional_gap.cap=1.6)") in text


def test_same_list_item_by_id_and_by_index_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", "regions.B.priority=2", "--set", "regions.1.priority=3")
    assert "duplicate key 'regions.1.priority' (first given by --set regions.B.priority=2)" in text


def test_table_column_and_set_year_are_one_key(invoke, tmp_path):
    west = SCENARIOS / "west.yaml"
    text = refused(invoke, tmp_path, west, "--set", "population.Tibet.2024=400", "--set", "population.Tibet.2024=500")
    assert "duplicate key 'population.Tibet.2024'" in text


# ---- what an override replaced ----

def test_override_records_the_value_it_replaced_from_a_table(caplog):
    with caplog.at_level(logging.INFO, logger="opt"):
        loaded = load_scenario(SCENARIOS / "west.yaml", ["population.Tibet.2024=400", "objective.cost_weight=2e-5"])
    tibet, weight = loaded.overrides
    assert tibet.previous == "370" and weight.previous == 1e-5  # the table's cell, the schema's default
    assert "override applied: population.Tibet.2024 = 400 (was '370')" in caplog.text
    assert "(was None)" not in caplog.text
    assert loaded.raw["population"]["Tibet"] == {"2024": 400, "2023": "365", "2022": "364", "2021": "366", "2020": "366"}


def test_override_of_a_population_the_table_replaces_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, SCENARIOS / "west.yaml", "--set", "regions.Tibet.population=400")
    assert "regions.Tibet.population is not used: the 'population' mapping (or its table) gives Tibet's population" in text
    assert "set population.Tibet instead" in text


def test_override_of_a_population_for_no_region_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, SCENARIOS / "west.yaml", "--set", "population.Tibbet=400")
    assert "no item 'Tibbet' in 'regions'" in text


# ---- numbers that break KPIs or the solver ----

def test_zero_population_in_set_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", "regions.B.population.2027=0")
    assert "regions[B].population.2027: expected a positive number of people (10k), found 0" in text


def test_threads_up_to_the_cores_are_accepted_and_more_refused(invoke, tmp_path):
    assert max_threads() == (os.cpu_count() or 1)
    ok = invoke("validate", TINY, "--set", f"solver.threads={max_threads()}")
    assert ok.exit_code == 0, ok.output
    text = refused(invoke, tmp_path, TINY, "--set", f"solver.threads={max_threads() + 1}")
    assert f"solver.threads: expected at most {max_threads()} threads (this machine's cores), found {max_threads() + 1}" in text


def test_horizon_of_fifty_years_is_accepted(invoke):
    r = invoke("validate", TINY, "--set", "years=2026:2075")
    assert r.exit_code == 0, r.output


def test_name_escaping_results_in_set_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", f"name={tmp_path / 'elsewhere'}")
    assert "name: expected a plain file name" in text and "it names the folder results/<name>" in text
    assert not (tmp_path / "elsewhere").exists()


# ---- special files: read nothing from them ----

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_extends_dev_zero_is_refused_without_reading(invoke, tmp_path):
    path = tiny_with(tmp_path, "name: tiny\n", "name: tiny\nextends: /dev/zero\n")
    text = refused(invoke, tmp_path, path)
    assert f"{path}:3: extends: /dev/zero: expected a regular file, found a device" in text


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_table_dev_zero_is_refused(invoke, tmp_path):
    path = tiny_with(tmp_path, "years: [2026, 2027, 2028]\n", "years: [2026, 2027, 2028]\npopulation: {file: /dev/zero}\n")
    text = refused(invoke, tmp_path, path)
    assert f"{path}:4: population.file: /dev/zero: expected a regular file, found a device" in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_table_fifo_is_refused_without_blocking(invoke, tmp_path):
    os.mkfifo(tmp_path / "pop.csv")
    path = tiny_with(tmp_path, "years: [2026, 2027, 2028]\n", "years: [2026, 2027, 2028]\npopulation: {file: pop.csv}\n")
    text = refused(invoke, tmp_path, path)
    assert "pop.csv: expected a regular file, found a named pipe (FIFO)" in text


def test_table_folder_is_refused_at_its_line(invoke, tmp_path):
    (tmp_path / "regions.csv").mkdir()
    path = tiny_with(tmp_path, "years: [2026, 2027, 2028]\n", "years: [2026, 2027, 2028]\npopulation: {file: regions.csv}\n")
    text = refused(invoke, tmp_path, path)
    assert f"{path}:4: population.file: {tmp_path / 'regions.csv'}: expected a regular file, found a folder" in text


def test_scenario_that_is_a_folder_is_refused(invoke, tmp_path):
    (tmp_path / "d.yaml").mkdir()
    text = refused(invoke, tmp_path, tmp_path / "d.yaml")
    assert "expected a regular file, found a folder" in text


# ---- sizes: refused from the file's size, before it is read ----

def test_50mb_yaml_is_refused_by_its_size_at_once(invoke, tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.write(b"name: big\nitems: [")
        fh.write(b"1," * (25 * 2**20))  # 50 MiB of values: minutes and GBs if it were parsed
        fh.write(b"1]\n")
    start = time.monotonic()
    text = refused(invoke, tmp_path, path)
    assert "expected a file of at most 16 MiB (opt's limit), found 50.0 MiB; put large data in a table file" in text
    assert time.monotonic() - start < 10


def test_oversized_table_is_refused_by_its_size(invoke, tmp_path):
    table = tmp_path / "pop.csv"
    with table.open("wb") as fh:
        fh.write(b"region,2026\nA,100\nB,200\n")
        fh.truncate(65 * 2**20)  # sparse: the size is all that is looked at
    path = tiny_with(tmp_path, "years: [2026, 2027, 2028]\n", "years: [2026, 2027, 2028]\npopulation: {file: pop.csv}\n")
    text = refused(invoke, tmp_path, path)
    assert f"{path}:4: population.file: {table}: expected a file of at most 64 MiB (opt's limit), found 65 MiB" in text


def test_many_values_without_aliases_do_not_blame_aliases(monkeypatch, tmp_path):
    monkeypatch.setattr(yamlio, "MAX_NODES", 100)
    path = tmp_path / "many.yaml"
    path.write_text("name: many\nitems: [" + ", ".join(["1"] * 200) + "]\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        yamlio.load_yaml(path)
    text = str(e.value)
    assert f"{path}:2: expected at most 100 values (keys, items, numbers) in one file (opt's limit), found more; " \
           "put large data in a table file" in text
    assert "anchors/aliases" not in text


def test_values_repeated_by_aliases_are_blamed_on_aliases(monkeypatch, tmp_path):
    monkeypatch.setattr(yamlio, "MAX_NODES", 100)
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: [" + ", ".join(["*a"] * 20) + "]\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        yamlio.load_yaml(path)
    assert "expands to more than 100 values (anchors/aliases used as a bomb?)" in str(e.value)


def test_deep_value_in_set_is_refused(invoke, tmp_path):
    text = refused(invoke, tmp_path, TINY, "--set", "families={x: " + "[" * 1000 + "]" * 1000 + "}")
    assert "expected lists and mappings nested at most 50 deep (opt's limit" in text
