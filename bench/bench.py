"""Benchmark: opt end to end against HiGHS alone on the MPS file opt exports.

    python bench/bench.py [--sizes 31 333 2850] [--solver auto] [--method auto] [--threads N] [--time-limit S]

For each size a synthetic county scenario is generated (opt generate counties),
then, each in a fresh process so that peak memory is the run's own:
  1. opt: the command `python -m optimizer solve` end to end (interpreter start, imports, load,
     build, solve, extract, write), its phases from the manifest; peak resident memory of it
     and the writer process it forks, added up;
  2. the answer rechecked: every enabled target recomputed from allocation.csv and the scenario
     alone (tests/recheck.py, no code of opt's results), failures counted;
  3. HiGHS alone: read the exported MPS and solve it (dual simplex below 500k columns, else IPM).
It prints a table of seconds and ratios and writes it to bench/results.md with a
description of the machine. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from counties import generate

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

MODEL_RUN = r"""
import json, sys
from optimizer.preprocess.load import load_scenario
from optimizer.preprocess.data import build_data
from optimizer.models.build import build_model
from optimizer.backend.highs import new_highs, to_highs
path, mps = sys.argv[1:3]
loaded = load_scenario(path)
model, _ = build_model(build_data(loaded.scenario), loaded.scenario)
h = new_highs(); h.setOptionValue("output_flag", False); to_highs(model, h); h.writeModel(mps)
print(json.dumps({"vars": model.A.shape[1], "rows": model.A.shape[0], "nnz": int(model.A.nnz)}))
"""

RECHECK_RUN = r"""
import json, sys, time
import pandas as pd
sys.path.insert(0, sys.argv[3])
import recheck
from optimizer.preprocess.load import load_scenario
t = time.perf_counter()
fails = recheck.violations(load_scenario(sys.argv[1]).scenario, pd.read_csv(sys.argv[2], encoding="utf-8-sig"))
print(json.dumps({"failures": len(fails), "first": fails[:3], "seconds": time.perf_counter() - t}))
"""

HIGHS_RUN = r"""
import json, sys, time, highspy
mps, method, threads, limit = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
h = highspy.Highs(); h.setOptionValue("output_flag", False)
t = time.perf_counter(); h.readModel(mps); read = time.perf_counter() - t
h.setOptionValue("solver", method)  # HiGHS's own method for this size (what opt's `auto` would give HiGHS)
if method == "ipm": h.setOptionValue("run_crossover", "on")
if int(threads): h.setOptionValue("threads", int(threads))
if float(limit): h.setOptionValue("time_limit", float(limit))
t = time.perf_counter(); h.run(); solve = time.perf_counter() - t
print(json.dumps({"read": read, "solve": solve, "status": h.modelStatusToString(h.getModelStatus()),
                  "objective": h.getInfo().objective_function_value}))
"""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import version

    import highspy  # noqa: F401
    return (f"{os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()}; "
            f"highspy {version('highspy')}; {platform.platform()}")


def _json_line(text: str) -> dict:
    return json.loads([ln for ln in text.splitlines() if ln.startswith("{")][-1])


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, added up: an upper bound (pages a forked
    child shares with its parent count twice), read from /proc/<pid>/statm, which costs the
    process nothing (/proc/<pid>/smaps_rollup, exact, walks its page tables and slowed the
    measured run by 4-6 s when read 10 times a second)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total / 2**20


def timed_command(cmd: list[str]) -> dict:
    """Wall time of a command as a user runs it (interpreter start and imports included), and the
    peak memory of it and the processes it forks, sampled 10 times a second (Linux /proc)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    th.join()
    return {"wall": wall, "peak_mb": peak[0], "code": proc.returncode, "stderr": err}


def run(sizes: list[int], solver: str, method: str, threads: int, limit: float, highs_limit: float,
        years: str) -> list[dict]:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        scen = OUT / f"counties{n}.yaml"
        generate(n, scen, years)
        mps = OUT / f"counties{n}.mps"
        r = subprocess.run([sys.executable, "-c", MODEL_RUN, str(scen), str(mps)], capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(r.stderr)
        opt = _json_line(r.stdout)
        res = OUT / f"counties{n}-result"
        cmd = [sys.executable, "-m", "optimizer", "solve", str(scen), "--out", str(res), "--solver", solver, "--method", method]
        cmd += (["--threads", str(threads)] if threads else []) + (["--time-limit", str(limit)] if limit else [])
        took = timed_command(cmd)
        if not (res / "manifest.json").exists():  # a plan that is not optimal still writes its folder
            raise SystemExit(f"{' '.join(cmd)} failed ({took['code']}):\n{took['stderr']}")
        man = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
        summ = json.loads((res / "summary.json").read_text(encoding="utf-8"))
        checked = {"failures": "-"}  # no allocation.csv: no plan to recheck
        if (res / "allocation.csv").exists():
            r = subprocess.run([sys.executable, "-c", RECHECK_RUN, str(scen), str(res / "allocation.csv"),
                                str(HERE.parent / "tests")], capture_output=True, text=True)
            if r.returncode:
                raise SystemExit(r.stderr)
            checked = _json_line(r.stdout)
            for f in checked["first"]:
                print(f"  recheck, {n} regions: {f}", file=sys.stderr)
        shutil.rmtree(res)
        tm = man["timings_seconds"]
        opt.update({"build": tm["load"] + tm["build"], "pass": tm.get("pass", 0.0), "solve": tm["solve"],
                    "extract": tm.get("recheck", 0.0) + tm["extract"], "write": tm.get("write", 0.0), "wall": took["wall"],
                    "peak_mb": took["peak_mb"], "status": summ["status"], "objective": summ["objective"],
                    "solver": summ["solver"], "method": summ["method"], "iterations": summ.get("iterations"),
                    "recheck_failures": checked["failures"]})
        # HiGHS alone: plain dual simplex (the reference the fast path must match to 1e-6) where it finishes
        # in minutes; interior point beyond (simplex at 2,850 counties ran for over an hour here)
        hm = opt["method"] if opt["solver"] == "highs" else ("simplex" if opt["vars"] < 500_000 else "ipm")
        if highs_limit < 0:  # asked not to run it
            hi = {"solve": float("nan"), "status": "not run", "objective": float("nan")}
        else:
            r = subprocess.run([sys.executable, "-c", HIGHS_RUN, str(mps), hm, str(threads), str(highs_limit or limit)],
                               capture_output=True, text=True)
            if r.returncode:
                raise SystemExit(r.stderr)
            hi = _json_line(r.stdout)
        own = opt["build"] + opt["pass"] + opt["extract"]
        row = {"regions": n, **opt, "highs_method": hm, "highs_solve": hi["solve"], "highs_status": hi["status"],
               "highs_objective": hi["objective"], "overhead_share": own / max(opt["solve"], 1e-9),
               "end_to_end": opt["wall"], "ratio_to_highs": opt["wall"] / max(hi["solve"], 1e-9),
               "objective_gap": abs(opt["objective"] - hi["objective"]) / max(1.0, abs(hi["objective"]))
               if hi["status"] == "Optimal" else float("nan")}
        rows.append(row)
        print(_fmt_row(row), flush=True)
    return rows


HEAD = ("| regions | vars | rows | nonzeros | solver | build s | pass s | solve s | extract s | write s "
        "| opt end-to-end s | peak MiB | HiGHS alone s | opt / HiGHS alone | (build+pass+extract) / solve "
        "| objective vs HiGHS | targets failed on recheck | status (opt / HiGHS) |")


def _fmt_row(r: dict) -> str:
    its = f", {r['iterations']} it." if r.get("iterations") else ""
    gap = "-" if r["objective_gap"] != r["objective_gap"] else f"{r['objective_gap']:.1e}"
    return (f"| {r['regions']:,} | {r['vars']:,} | {r['rows']:,} | {r['nnz']:,} | {r['solver']}/{r['method']}{its} | "
            f"{r['build']:.2f} | {r['pass']:.2f} | {r['solve']:.2f} | {r['extract']:.2f} | {r['write']:.2f} | "
            f"{r['end_to_end']:.2f} | {r['peak_mb']:,.0f} | {r['highs_solve']:.2f} ({r['highs_method']}) | "
            f"{r['ratio_to_highs']:.2f} | {r['overhead_share']:.1%} | {gap} | {r['recheck_failures']} | {r['status']} / {r['highs_status']} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[31, 333, 2850])
    ap.add_argument("--solver", default="auto", choices=["auto", "highs", "clarabel", "cbc"])
    ap.add_argument("--method", default="auto", choices=["auto", "simplex", "ipm", "pdlp"])
    ap.add_argument("--threads", type=int, default=0, help="0: HiGHS default")
    ap.add_argument("--time-limit", type=float, default=0, help="seconds, 0: none")
    ap.add_argument("--highs-limit", type=float, default=600, help="seconds for HiGHS alone (0: --time-limit; -1: do not run it)")
    ap.add_argument("--years", default="2024:2035")
    ap.add_argument("--write", default=str(HERE / "results.md"), help="markdown table to write ('' for none)")
    a = ap.parse_args()
    print(HEAD)
    print("|" + "---|" * (HEAD.count("|") - 1))
    rows = run(a.sizes, a.solver, a.method, a.threads, a.time_limit, a.highs_limit, a.years)
    if a.write:
        lines = [f"# Benchmark: `python bench/bench.py {' '.join(sys.argv[1:])}`".rstrip(), "",
                 f"Machine: {machine()}.", f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
                 f"years {a.years}; solver {a.solver}; method {a.method}; threads {a.threads or 'default'}.", "",
                 "opt end-to-end = wall time of the command `python -m optimizer solve <scenario> --out <folder>` "
                 "as a user runs it: interpreter start and imports, then build (load, arrays, LP) + pass (our "
                 "rewriting of the arrays for the solver) + solve (the solver's own setup and run) + extract (the "
                 "point read back and rechecked against every row; tables, KPIs, explanations) + write (CSV, xlsx, "
                 "JSON, swapped in whole; the allocation CSV by a second process), from manifest.json. Peak MiB (2^20 bytes) = the "
                 "largest resident memory of the command and the process it forks, added up (an upper bound), "
                 "sampled 10 times a second. HiGHS alone = the MPS that opt "
                 "exports (the model as written), read by highspy and run with dual simplex below 500k columns, "
                 "interior point above (reading not counted), stopped at --highs-limit. Targets failed on recheck = "
                 "enabled targets that allocation.csv breaks by more than 1e-6 (relative), recomputed from the file "
                 "and the scenario alone by tests/recheck.py.", "", HEAD, "|" + "---|" * (HEAD.count("|") - 1)]
        lines += [_fmt_row(r) for r in rows]
        out = Path(a.write)
        notes = ""  # the written-by-hand sections after the table ("## ...") are kept
        if out.exists():
            old = out.read_text(encoding="utf-8")
            at = old.find("\n## ")
            notes = old[at:] if at >= 0 else ""
        out.write_text("\n".join(lines) + "\n" + notes, encoding="utf-8")
        print(f"written to {a.write}")


if __name__ == "__main__":
    main()
