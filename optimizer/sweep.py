"""Parameter sweeps: solve a grid of --set values, one row per point, in parallel on Dask.

Each point is a pure function of (scenario file, overrides), so points run on
any worker in any order; rows are put back in grid order, so the table is the
same whatever the number of workers. A failed point is reported in its row
and does not stop the sweep. A sweep folder can be resumed: points whose row
says ok are kept, the others are solved again.
"""
from __future__ import annotations

import itertools
import logging
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import InputError, Problem, Where

# KPIs reported per point (aggregate scopes only), at the last year
POINT_KPIS = ("livelihood_share_fiscal", "special_group_share_fiscal", "people_unserved_total", "fiscal_outlay")


@dataclass(frozen=True)
class Vary:
    key: str
    values: tuple[float, ...]


log = logging.getLogger("opt")
MAX_POINTS = 10_000  # points in a sweep: at ~0.1 s each on west, three hours


def parse_vary(text: str) -> Vary:
    """key.path=START:STOP:STEP (STOP included when the steps land on it) or key.path=a,b,c."""
    key, sep, spec = text.partition("=")
    where = Where("--vary")
    if not sep or not key.strip():
        raise InputError([Problem(where, text, "expected KEY.PATH=START:STOP:STEP or KEY.PATH=a,b,c")])
    try:
        if ":" in spec:
            start, stop, step = (float(v) for v in spec.split(":"))
            if step <= 0 or stop < start or not all(map(math.isfinite, (start, stop, step, (stop - start) / step))):
                raise ValueError
            n = int(math.floor((stop - start) / step + 1e-9)) + 1
            if n > MAX_POINTS:  # said before the values are made: 1:1000000:0.0001 would fill the memory
                raise InputError([Problem(where, text, f"expected at most {MAX_POINTS:,} values, found {n:,}")])
            values = tuple(round(start + i * step, 12) for i in range(n))
        else:
            values = tuple(float(v) for v in spec.split(","))
    except ValueError:
        raise InputError([Problem(where, text, f"expected START:STOP:STEP with STEP > 0 and STOP >= START, or a,b,c; found '{spec}'")]) from None
    if len(values) > MAX_POINTS:
        raise InputError([Problem(where, text, f"expected at most {MAX_POINTS:,} values, found {len(values):,}")])
    return Vary(key.strip(), values)


def grid(varies: list[Vary]) -> list[dict[str, float]]:
    return [dict(zip([v.key for v in varies], combo)) for combo in itertools.product(*[v.values for v in varies])]


def _fmt_value(v: float) -> str:
    return f"{v:.12g}"


def solve_point(scenario: str, base_overrides: tuple[str, ...], point: dict[str, float]) -> dict:
    """One grid point; never raises: a failure is a row."""
    from optimizer.postprocess.kpis import AGGREGATE_SCOPES, line_ratio_kpis
    from optimizer.run import solve_scenario

    row: dict = {**point}
    try:
        o = solve_scenario(scenario, list(base_overrides) + [f"{k}={_fmt_value(v)}" for k, v in point.items()], write=False,
                           joint=False)
    except InputError as e:
        return {**row, "status": "bad_input", "error": "; ".join(str(p) for p in e.problems)}
    except Exception as e:  # noqa: BLE001 - a crash at one point must not stop the others
        from optimizer.models.registry import fault_words

        theirs = fault_words(e)  # a researcher's family raised: bad input, as opt solve says it
        return {**row, "status": "bad_input" if theirs else "error", "error": theirs or f"{type(e).__name__}: {e}"}
    row["status"] = o.solution.status.value
    row["error"] = ""
    row["objective"] = o.solution.objective if o.solution.has_point else np.nan
    if o.results is not None:
        row["people_unserved"] = o.results.summary["people_unserved"]
        k = o.results.kpis
        last = k["year"].max()
        for name in [*line_ratio_kpis(k["kpi"].unique()), *POINT_KPIS]:  # every spending line's gap first
            part = k[(k["year"] == last) & (k["kpi"] == name)]
            part = part[part["scope"].isin(AGGREGATE_SCOPES)]
            for _, r in part.iterrows():
                row[f"{name} [{r['scope']}] {last}"] = r["value"]
    elif o.diagnosis is not None:
        row["error"] = " | ".join(o.diagnosis.lines[:2])
    return row


def run_sweep(scenario: Path, varies: list[Vary], overrides: list[str], workers: int = 1, scheduler: str | None = None,
              previous: pd.DataFrame | None = None, progress=None) -> pd.DataFrame:
    points = grid(varies)
    keys = [v.key for v in varies]
    done: dict[tuple, dict] = {}
    if previous is not None and set(keys) <= set(previous.columns):
        for rec in previous.to_dict("records"):
            if rec.get("status") in ("optimal", "infeasible"):
                done[tuple(float(rec[k]) for k in keys)] = rec
    todo = [(i, p) for i, p in enumerate(points) if tuple(p[k] for k in keys) not in done]
    rows: dict[int, dict] = {i: done[tuple(p[k] for k in keys)] for i, p in enumerate(points) if tuple(p[k] for k in keys) in done}
    if todo:
        if workers <= 1 and scheduler is None:
            for i, p in todo:
                rows[i] = solve_point(str(scenario), tuple(overrides), p)
                if progress:
                    progress()
        else:
            solved, log_text = _dask(scenario, overrides, todo, workers, scheduler, progress)
            rows.update(solved)
    table = pd.DataFrame([{"point": i, **rows[i]} for i in range(len(points))])
    table.attrs["dask_log"] = log_text if todo and (workers > 1 or scheduler) else ""
    return table


def plan_value(scenario: Path, overrides: list[str], key: str) -> float | None:
    """The scenario's own value of a swept key (its last milestone), to mark on the chart."""
    from optimizer.preprocess.load import load_scenario

    node = load_scenario(scenario, overrides).scenario
    for p in key.split("."):
        node = getattr(node, p, None) if not isinstance(node, dict) else node.get(int(p) if p.isdigit() else p)
    if isinstance(node, dict) and node:
        node = node[max(node)]
    return float(node) if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def _short(schedule: dict) -> str:
    return "{" + ", ".join(f"{k}: {w}" for k, w in list(schedule.items())[:4]) + (", ...}" if len(schedule) > 4 else "}")


def prepare(scenario: Path, vary: list[str], overrides: list[str]):
    """The --vary grid, checked: every varied key must be a valid override (tried on the first point)."""
    from optimizer.preprocess.load import load_scenario

    varies = [parse_vary(v) for v in vary]
    if len(varies) > 2:
        raise InputError([Problem(Where("--vary"), "", f"expected one or two --vary, found {len(varies)}")])
    base = load_scenario(scenario, overrides).raw
    for v in varies:  # a schedule varied as one value: every year gets it (say so; a milestone is KEY.YEAR=)
        node: object = base
        for part in v.key.split("."):
            node = node.get(part, node.get(int(part)) if part.isdigit() else None) if isinstance(node, dict) else None
        if isinstance(node, dict) and node and not any(isinstance(x, (dict, list)) for x in node.values()):
            first = min(node, key=str)
            log.warning("--vary %s replaces the schedule %s by one value for every year; to vary a milestone, "
                        "--vary %s.%s=...", v.key, _short(node), v.key, first)
    points = math.prod(len(v.values) for v in varies)
    if points > MAX_POINTS:
        raise InputError([Problem(Where("--vary"), "", f"expected at most {MAX_POINTS:,} points in all, found {points:,}")])
    loaded = load_scenario(scenario, overrides + [f"{v.key}={_fmt_value(v.values[0])}" for v in varies])
    return varies, loaded


def previous_table(folder: Path, varies: list[Vary], overrides: list[str] | None = None, loaded=None) -> pd.DataFrame | None:
    """The points an earlier sweep into FOLDER solved, checked (a damaged sweep.csv is bad input); refused where
    that sweep had other --set lines or other input files (its points and these would answer two questions)."""
    from optimizer.postprocess.places import read_manifest
    from optimizer.postprocess.readback import read_result_csv

    path = folder / "sweep.csv"
    keys = [v.key for v in varies]
    if not path.exists():
        return None
    table = read_result_csv(path, columns=["status", *keys], numeric=keys)
    before = read_manifest(folder)
    if before is None:  # claim_folder let the folder be resumed: a sweep.csv without opt's manifest compares with nothing
        return table
    then = sorted(o["set"] for o in before.get("overrides", []) if o.get("path") not in keys)
    now = sorted(o for o in overrides or [])
    if then != now:
        raise InputError([Problem(Where("--resume"), "", f"expected the --set lines of the sweep in {folder} "
                                  f"({', '.join(then) or 'none'}), found {', '.join(now) or 'none'}: resume what was begun, "
                                  "or sweep into another --out")])
    if loaded is not None and before.get("input_files") not in (None, loaded.inputs):
        raise InputError([Problem(Where("--resume"), "", f"expected the input files of the sweep in {folder} as they "
                                  "were, found them changed since (their sha256 differ): sweep into another --out")])
    return table


RESUMED = frozenset({"sweep.csv"})  # a resumed sweep carries the earlier sweep.csv into the new one, edits and all


def write_sweep(folder: Path, table: pd.DataFrame, varies: list[Vary], loaded, scenario: Path, overrides: list[str],
                options: dict, seconds: float, argv: list[str], resumed: bool = False) -> None:
    """sweep.csv, sweep.png and manifest.json, all or nothing."""
    from optimizer.postprocess.manifest import manifest
    from optimizer.postprocess.places import atomic_folder, sealed
    from optimizer.postprocess.write import write_csv, write_json

    mark = plan_value(scenario, overrides, varies[0].key)
    log_text = table.attrs.get("dask_log", "")
    with atomic_folder(folder, carried=RESUMED if resumed else frozenset()) as tmp:
        write_csv(table, tmp / "sweep.csv")
        chart(table, varies, tmp / "sweep.png", mark, key_units(loaded.scenario, [v.key for v in varies]))
        files = ["sweep.csv", "sweep.png"]
        if log_text:  # Dask's own messages, out of the terminal
            (tmp / "dask.log").write_text(log_text, encoding="utf-8")
            files.append("dask.log")
        m = manifest(loaded, options, "sweep", {"sweep": seconds}, argv, files)
        swept = {v.key for v in varies}  # the first point's value was set to check the grid: the vary says them all
        m["overrides"] = [o for o in m["overrides"] if o["path"] not in swept]
        m["vary"] = [{"key": v.key, "values": list(v.values)} for v in varies]
        write_json(sealed(tmp, m), tmp / "manifest.json")


SCHEDULER_SECONDS = 3  # a scheduler that does not answer within this is said to be missing (issue 21: within 5 s in all)
WORKER_SECONDS = 30  # a scheduler with no worker joining within this is said to have none
DASK_LOGGERS = ("distributed", "dask", "tornado", "bokeh")


class _DaskLog:
    """Dask's own logging (workers joining, the scheduler closing, a dashboard hint) kept out of the terminal,
    in a text the sweep writes beside its table (dask.log)."""

    def __enter__(self) -> _DaskLog:
        import io

        self.buffer = io.StringIO()
        handler = self.handler = logging.StreamHandler(self.buffer)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
        self.saved = {}
        for name in DASK_LOGGERS:
            lg = logging.getLogger(name)
            self.saved[name] = (lg.handlers[:], lg.propagate, lg.level)
            lg.handlers, lg.propagate = [handler], False
            lg.setLevel(logging.INFO)
        self.shown = warnings.showwarning  # "Port 8787 is already in use" is a warning, not a log record
        warnings.showwarning = self._warned
        return self

    def _warned(self, message, category, *rest, **kw) -> None:
        self.buffer.write(f"{category.__name__}: {message}\n")

    def keep_scheduler_records(self) -> None:
        """LocalCluster silences every 'distributed' logger of this process too: the scheduler's records are
        wanted in the log (the workers' stay silent, in their own processes)."""
        logging.getLogger("distributed").setLevel(logging.INFO)
        self.handler.setLevel(logging.NOTSET)  # silence_logs raised every StreamHandler's level, ours too

    def __exit__(self, *exc) -> None:
        warnings.showwarning = self.shown
        for name, (handlers, propagate, level) in self.saved.items():
            lg = logging.getLogger(name)
            lg.handlers, lg.propagate = handlers, propagate
            lg.setLevel(level)

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


def _answers(address: str) -> None:
    """A scheduler's address that nothing listens on is said at once (a TCP connect, 3 s at most), not after
    Dask's own 30 s."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port or parts.scheme not in ("tcp", "tls", "ws", "wss", "ucx"):
        raise InputError([Problem(Where("--scheduler"), address, "expected a Dask scheduler's address, tcp://host:port "
                                  "(tcp, tls, ws, wss or ucx: not its dashboard's http address)")])
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as e:
        raise InputError([Problem(Where("--scheduler"), address, f"expected the address of a running Dask scheduler, "
                                  f"found nothing answering there ({e.strerror or type(e).__name__})")]) from None


def _client(address: str):
    """A Client of the scheduler at ADDRESS within SCHEDULER_SECONDS, or bad input. Dask bounds the TCP connect but
    not its handshake: a listener that never answers held the sweep for good, and one that speaks another protocol
    (an SSH banner read as a frame length) raised MemoryError. The connect runs in a daemon thread, so a hung one
    cannot hold the exit either."""
    import threading

    from dask.distributed import Client

    got: dict = {}

    def connect() -> None:
        try:
            got["client"] = Client(address, timeout=SCHEDULER_SECONDS)
        except BaseException as e:  # noqa: BLE001 - whatever the far end made Dask raise, it is not a scheduler
            got["error"] = e

    worker = threading.Thread(target=connect, name="opt-scheduler-connect", daemon=True)
    worker.start()
    worker.join(SCHEDULER_SECONDS + 0.5)
    if "client" in got:
        client = got["client"]
        try:  # a scheduler with no worker would hold every point for good
            client.wait_for_workers(1, timeout=WORKER_SECONDS)
        except (TimeoutError, OSError):
            client.close()
            raise InputError([Problem(Where("--scheduler"), address, f"expected a scheduler with workers, found none "
                                      f"within {WORKER_SECONDS} s (start some: dask worker {address})")]) from None
        return client
    why = f"{type(got['error']).__name__}" if "error" in got else f"no answer within {SCHEDULER_SECONDS} s"
    raise InputError([Problem(Where("--scheduler"), address, "expected the address of a running Dask scheduler "
                              f"(tcp://host:8786), found something there that does not answer as one ({why})")])


def _dask(scenario, overrides, todo, workers, scheduler, progress) -> tuple[dict[int, dict], str]:
    with _DaskLog() as log:
        from dask.distributed import Client, LocalCluster

        cluster = None
        if scheduler:
            _answers(scheduler)
            client = _client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.CRITICAL)
            log.keep_scheduler_records()
            client = Client(cluster)
        return _gathered(client, cluster, scenario, overrides, todo, progress), log.text


def _gathered(client, cluster, scenario, overrides, todo, progress) -> dict[int, dict]:
    from dask.distributed import as_completed

    try:
        where = str(Path(scenario).resolve())  # a worker of another machine or folder reads it from its own
        futures = {client.submit(solve_point, where, tuple(overrides), p, pure=False): i for i, p in todo}
        out = {}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                out[i] = fut.result()
            except Exception as e:  # noqa: BLE001 - the worker died: the point fails, the sweep goes on
                out[i] = {**dict(todo)[i], "status": "error", "error": f"{type(e).__name__}: {e}"}
            if progress:
                progress()
        return out
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def key_units(scenario, keys: list[str]) -> dict[str, str]:
    """Each varied key's unit where a family says it (its diagnosis knob: 100m yuan, FTE, x, share, ...): a
    milestone's key (min.2030, min.mid) is its schedule's."""
    from optimizer.models.registry import in_build_order, load_all

    load_all()
    known = {".".join(map(str, k.path)): k.unit for f in in_build_order() for k in f.knobs_for(scenario) if not k.delay}
    out = {}
    for key in keys:
        head = key.rsplit(".", 1)[0]
        out[key] = known.get(key) or known.get(head) or ""
    return out


def _label(key: str, units: dict[str, str]) -> str:
    unit = units.get(key, "")
    return f"{key} ({unit}, input)" if unit else f"{key} (input)"


def chart(table: pd.DataFrame, varies: list[Vary], path: Path, target: float | None = None,
          units: dict[str, str] | None = None) -> None:
    """The trade-off curve: people unserved (or the objective) against the first varied parameter."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    units = units or {}
    ycol = "people_unserved" if "people_unserved" in table.columns else "objective"
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    x = varies[0].key
    if ycol not in table.columns:  # no point solved: the chart says so, sweep.csv's error column says why
        ax.text(0.5, 0.5, "no point was solved: see the error column of sweep.csv", ha="center", transform=ax.transAxes)
    elif len(varies) == 1:
        ok = table[table["status"] == "optimal"]
        ax.plot(ok[x], ok[ycol], marker="o")
    else:
        for v2, part in table[table["status"] == "optimal"].groupby(varies[1].key):
            ax.plot(part[x], part[ycol], marker="o", label=f"{v2:g}")
        ax.legend(title=_label(varies[1].key, units))
    bad = table[table["status"] != "optimal"]
    for v in bad[x]:
        ax.axvline(v, color="0.85", lw=4, zorder=0)
    if target is not None:
        ax.axvline(target, color="tab:red", ls="--", label=f"as the scenario writes it: {target:g}")
        ax.legend(title=_label(varies[1].key, units) if len(varies) > 1 else None)
    ax.set_xlabel(_label(x, units))
    ax.set_ylabel("person-services unserved, all years (output)" if ycol != "objective" else "objective (output)")
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title("trade-off: " + x + ("" if bad.empty else " (grey: infeasible or failed points)"))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
