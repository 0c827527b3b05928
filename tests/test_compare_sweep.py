"""opt compare and opt sweep."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import SCENARIOS, TESTS

TINY = TESTS / "scenarios" / "tiny.yaml"


def test_compare_files_and_folders(invoke, tmp_path):
    assert invoke("solve", TINY, "--out", tmp_path / "a", "--set", "resources.fiscal.budget=8").exit_code == 0
    r = invoke("compare", TINY, tmp_path / "a", "--out", tmp_path / "cmp")
    assert r.exit_code == 0, r.output
    for f in ("kpis.csv", "allocation.csv", "inputs.csv", "status.csv", "compare.xlsx"):
        assert (tmp_path / "cmp" / f).exists()
    inputs = pd.read_csv(tmp_path / "cmp" / "inputs.csv", encoding="utf-8-sig")
    assert list(inputs["key"]) == ["resources.fiscal.budget"]
    assert list(inputs.iloc[0, 1:]) == [10.0, 8.0]
    kpis = pd.read_csv(tmp_path / "cmp" / "kpis.csv", encoding="utf-8-sig")
    assert {"tiny", "a"} <= set(kpis.columns)
    row = kpis[(kpis["kpi"] == "fiscal_outlay") & (kpis["year"] == 2026)].iloc[0]
    assert row["tiny"] == pytest.approx(100000, abs=1e-3) and row["a"] == pytest.approx(80000, abs=1e-3)
    alloc = pd.read_csv(tmp_path / "cmp" / "allocation.csv", encoding="utf-8-sig")
    assert "a - tiny" in alloc.columns
    assert "fiscal outlay" in r.output


def test_compare_needs_two(invoke, tmp_path):
    assert invoke("compare", TINY, "--out", tmp_path / "c").exit_code == 1


def _sweep(invoke, out, *extra):
    r = invoke("sweep", SCENARIOS / "national.yaml", "--vary", "targets.regional_gap.cap=1.0:1.95:0.05",
               "--set", "targets.regional_gap.over=region", "--set", "targets.regional_gap.line=co_construction",
               "--out", out, *extra)
    assert r.exit_code == 0, r.output
    return pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")


@pytest.mark.slow  # two Dask workers start and stop: ~25 s
def test_sweep_same_with_one_or_two_workers_and_monotone(invoke, tmp_path):
    one = _sweep(invoke, tmp_path / "one")
    two = _sweep(invoke, tmp_path / "two", "--workers", "2")
    assert len(one) == 20 and (one["status"] == "optimal").all()
    pd.testing.assert_frame_equal(one, two)
    # loosening the cap can only lower what the LP minimises (up to solver tolerance); under the fair default
    # that is the fair objective, not the people count, which may rise while coverage evens out
    objective = one["objective"].to_numpy()
    assert all(b <= a * (1 + 1e-9) for a, b in zip(objective, objective[1:]))
    assert objective[0] > objective[-1]
    assert (tmp_path / "one" / "sweep.png").stat().st_size > 10_000
    # Dask's own messages are in the folder, not on the terminal (issue 21.5)
    log = (tmp_path / "two" / "dask.log").read_text(encoding="utf-8")
    assert "distributed.scheduler" in log and not (tmp_path / "one" / "dask.log").exists()


def test_a_sweep_with_workers_says_nothing_of_dask(invoke, tmp_path):
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--workers", "2", "--out", tmp_path / "s")
    assert r.exit_code == 0, r.output
    said = r.output.replace(str(tmp_path), "")  # the folder's name holds 'workers'
    assert not any(w in said for w in ("Scheduler", "Nanny", "worker", "jupyter", "distributed", "Port 8787")), said
    assert "distributed." in (tmp_path / "s" / "dask.log").read_text(encoding="utf-8")


def test_a_schedule_swept_as_one_value_is_said_and_all_infeasible_exits_2(invoke, tmp_path):
    """west's space target {2030: 0.5} swept as 0.4, 0.5: every year from 2024 gets it (said), none can be met
    (exit 2, as a solve's); swept as its milestone (.2030=) it keeps the schedule and solves."""
    r = invoke("sweep", SCENARIOS / "west.yaml", "--vary", "targets.facility_standard.min=0.4,0.5", "--out", tmp_path / "a")
    text = " ".join(r.output.split())
    assert r.exit_code == 2 and "every point is infeasible" in text, r.output
    assert ("--vary targets.facility_standard.min replaces the schedule {2030: 0.5} by one value for every year; to "
            "vary a milestone, --vary targets.facility_standard.min.2030=...") in text
    r = invoke("sweep", SCENARIOS / "west.yaml", "--vary", "targets.facility_standard.min.2030=0.4,0.5", "--out", tmp_path / "b")
    assert r.exit_code == 0 and "replaces the schedule" not in r.output, r.output


@pytest.mark.parametrize("address, expected", [("tcp://127.0.0.1:1", "found nothing answering there"),
                                               ("not an address", "expected a Dask scheduler's address"),
                                               ("http://127.0.0.1:8787", "not its dashboard's http address")])
def test_a_scheduler_that_is_not_there_is_said_at_once(invoke, tmp_path, address, expected):
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--scheduler", address, "--out", tmp_path / "s")
    assert r.exit_code == 1 and expected in " ".join(r.output.split()) and address in r.output, r.output
    assert not (tmp_path / "s").exists()


@pytest.fixture(params=["silent", "banner"])
def not_a_scheduler(request):
    """Something listening that is not Dask: one that never answers, one that speaks first in another protocol."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if request.param == "banner":
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in held:
        conn.close()


def test_a_listener_that_is_not_a_scheduler_is_said_not_waited_on(invoke, tmp_path, not_a_scheduler):
    """Dask bounds its connect but not its handshake: a silent listener held the sweep until Ctrl-C, an SSH
    banner gave 'internal error: MemoryError' (issue 21's new-user run)."""
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--scheduler", not_a_scheduler, "--out", tmp_path / "s")
    said = " ".join(r.output.split())
    assert r.exit_code == 1 and not_a_scheduler in said and "does not answer as one" in said, r.output
    assert not (tmp_path / "s").exists()


def test_a_scheduler_without_workers_is_said_not_waited_on(invoke, tmp_path, monkeypatch):
    """A scheduler no worker joins held the sweep for good: said, exit 1, nothing written."""
    import socket
    import subprocess
    import sys
    import time

    from optimizer import sweep

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):  # until it listens
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        address = f"tcp://127.0.0.1:{port}"
        from dask.distributed import Client

        Client(address, timeout=60).close()  # until it answers as a scheduler (slow to start on a busy machine)
        monkeypatch.setattr(sweep, "WORKER_SECONDS", 2)
        r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--scheduler", address, "--out", tmp_path / "s")
        said = " ".join(r.output.split())
        assert r.exit_code == 1 and "expected a scheduler with workers, found none within 2 s" in said, r.output
        assert f"dask worker {address}" in said and not (tmp_path / "s").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_resume_refuses_another_question_and_says_how_to_ask_it_again(invoke, tmp_path, monkeypatch):
    """The re-run line left out the sweep's --set, and --resume took it: points of two questions in one table."""
    from optimizer import sweep

    out = tmp_path / "s"
    real = sweep.solve_point

    def one_fails(scenario, overrides, point):
        return {**point, "status": "error", "error": "boom"} if point["resources.fiscal.budget"] == 10 else real(scenario, overrides, point)

    monkeypatch.setattr(sweep, "solve_point", one_fails)
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--set", "targets.livelihood_share.min={2026: 0.5}",
               "--out", out)
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())
    assert "--set 'targets.livelihood_share.min={2026: 0.5}' --out" in said and said.rstrip().endswith("--resume"), said
    monkeypatch.setattr(sweep, "solve_point", real)
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--out", out, "--resume")
    assert r.exit_code == 1 and "--resume: expected the --set lines of the sweep in" in " ".join(r.output.split()), r.output
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--set", "targets.livelihood_share.min={2026: 0.5}",
               "--out", out, "--resume")
    assert r.exit_code == 0, r.output


def test_workers_get_the_scenario_by_its_whole_path(monkeypatch, tmp_path):
    """A worker started in another folder read a relative scenario path from its own folder: every point failed."""
    from optimizer import sweep

    sent = []

    class Client:
        def submit(self, fn, scenario, *args, **kw):
            sent.append(scenario)
            raise RuntimeError("enough")

        def close(self):
            pass

    monkeypatch.chdir(TESTS)
    with pytest.raises(RuntimeError):
        sweep._gathered(Client(), None, "scenarios/tiny.yaml", [], [(0, {"resources.fiscal.budget": 8.0})], None)
    assert sent == [str(TINY.resolve())]


def test_a_sweep_with_no_point_solved_says_so(invoke, tmp_path, monkeypatch):
    """Every point failed (here: a worker's error): exit 5 and said; the chart says no point was solved (it raised
    KeyError: 'objective'); the manifest's overrides are the user's, not the first point's (the vary lists all)."""
    from optimizer import sweep

    monkeypatch.setattr(sweep, "solve_point", lambda scenario, overrides, point: {**point, "status": "error", "error": "boom"})
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8,10", "--set", "resources.personnel.supply=5",
               "--out", tmp_path / "s")
    assert r.exit_code == 5 and "no point was solved" in r.output and "boom" in r.output, r.output
    assert (tmp_path / "s" / "sweep.png").exists()
    import json

    m = json.loads((tmp_path / "s" / "manifest.json").read_text(encoding="utf-8"))
    assert [o["path"] for o in m["overrides"]] == ["resources.personnel.supply"]
    assert m["vary"] == [{"key": "resources.fiscal.budget", "values": [8.0, 10.0]}]


def test_failed_point_reported_and_resumed(invoke, tmp_path):
    out = tmp_path / "s"
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=10,-1,12", "--out", out)
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert list(t["status"]) == ["optimal", "bad_input", "optimal"]
    assert "greater than or equal to 0" in t.loc[1, "error"]
    assert "--resume" in r.output
    # a resumed sweep keeps solved points and retries the others
    t.loc[2, "status"] = "error"
    t.loc[2, "objective"] = -1.0
    t.to_csv(out / "sweep.csv", index=False, encoding="utf-8-sig")
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=10,-1,12", "--out", out, "--resume")
    t2 = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert list(t2["status"]) == ["optimal", "bad_input", "optimal"] and t2.loc[2, "objective"] > 0


def test_two_parameter_grid(invoke, tmp_path):
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=8:10:1", "--vary", "targets.regional_gap.cap=1.2,1.5",
               "--out", tmp_path / "g")
    assert r.exit_code == 0, r.output
    t = pd.read_csv(tmp_path / "g" / "sweep.csv", encoding="utf-8-sig")
    assert len(t) == 6 and list(t.columns[:3]) == ["point", "resources.fiscal.budget", "targets.regional_gap.cap"]


def test_bad_vary_is_bad_input(invoke, tmp_path):
    r = invoke("sweep", TINY, "--vary", "targets.regional_gap.cpa=1:2:0.5", "--out", tmp_path / "x")
    assert r.exit_code == 1 and "did you mean 'cap'" in r.output
    r = invoke("sweep", TINY, "--vary", "targets.regional_gap.cap=2:1:0.5", "--out", tmp_path / "x")
    assert r.exit_code == 1 and "STOP >= START" in r.output


def test_a_sweep_with_no_optimal_point_and_a_failed_one_is_not_exit_0(invoke, tmp_path):
    r = invoke("sweep", TINY, "--vary", "resources.fiscal.budget=0.001,-1", "--out", tmp_path / "s")
    assert r.exit_code == 1 and "no point was solved" in r.output, r.output


def test_the_sweep_chart_gives_each_input_its_unit(tmp_path, monkeypatch):
    """The x axis said 'resources.fiscal.budget (input)' with no unit (issue 21: 'with units')."""
    import matplotlib.figure

    from optimizer.preprocess.load import load_scenario
    from optimizer.sweep import chart, key_units, parse_vary

    keys = ["resources.fiscal.budget", "targets.facility_standard.min.2030", "targets.personnel_density.min.mid",
            "regions.Sichuan.priority"]
    units = key_units(load_scenario(SCENARIOS / "west.yaml").scenario, keys)
    assert units == {keys[0]: "100m yuan", keys[1]: "m2/person", keys[2]: "per 10k", keys[3]: ""}
    seen = {}
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda fig, path, **kw: seen.update(
        x=fig.axes[0].get_xlabel(), legend=fig.axes[0].get_legend().get_title().get_text()))
    varies = [parse_vary(f"{keys[0]}=2400,2800"), parse_vary(f"{keys[1]}=0.4,0.5")]
    table = pd.DataFrame([{"point": i, keys[0]: b, keys[1]: m, "status": "optimal", "people_unserved": 1.0 + i}
                          for i, (b, m) in enumerate([(2400, 0.4), (2800, 0.4), (2400, 0.5), (2800, 0.5)])])
    chart(table, varies, tmp_path / "c.png", None, units)
    assert seen == {"x": "resources.fiscal.budget (100m yuan, input)", "legend": "targets.facility_standard.min.2030 (m2/person, input)"}
