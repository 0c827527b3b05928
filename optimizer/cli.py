"""The `opt` command line: parse, call optimizer, print. Nothing else lives here."""
from __future__ import annotations

import logging
import math
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click
import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from optimizer.errors import InputError, SolverUnavailable, Terminated, interrupt_for
from optimizer.postprocess.places import InterruptedAfterWrite


def _chosen_metavar_alone(cls: type) -> None:
    """typer (0.16+) prints a type beside a metavar we chose (an argument's `<list[Path]>`) and `<bool>` beside
    --help: a reader sees the metavar, or nothing for a flag."""
    typed = getattr(cls, "display_type_rich", None)
    if typed is None:  # older typer: no type column
        return

    def shown(self: typer.core.TyperArgument | typer.core.TyperOption, ctx: click.Context) -> str | None:
        if getattr(self, "is_flag", False) or (self.metavar is not None and isinstance(self, typer.core.TyperArgument)):
            return None  # a flag takes no value; an argument's metavar is already its name
        return typed(self, ctx)  # type: ignore[no-any-return]

    cls.display_type_rich = shown  # type: ignore[attr-defined]


for _cls in (typer.core.TyperArgument, typer.core.TyperOption):
    _chosen_metavar_alone(_cls)

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False,
                  help="opt: allocate public-service money, personnel and facilities to leave the fewest people unserved.")


def _version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("opt-planner")
        except PackageNotFoundError:  # run from a checkout that was never installed
            number = "not installed"
        typer.echo(f"opt {number} (Python {sys.version.split()[0]})")
        raise typer.Exit(0)


@app.callback()
def _root(show_version: bool = typer.Option(False, "--version", metavar="", callback=_version, is_eager=True,
                                            help="print opt's version and exit")) -> None:
    """opt: allocate public-service money, personnel and facilities to leave the fewest people unserved."""
out_console = Console()
if not out_console.is_terminal:  # piped or captured: do not squeeze tables to 80 columns
    out_console = Console(width=140)


def _pipe_closed() -> None:
    """rich's own handler exits 1 ("bad input" here): told to _shown instead, which keeps the run's code."""
    out_console.quiet = True
    raise BrokenPipeError


out_console.on_broken_pipe = _pipe_closed  # type: ignore[method-assign]
err_console = Console(stderr=True)
if not err_console.is_terminal:
    err_console = Console(stderr=True, width=140)
# every code opt returns; README's table lists the same (a test holds them equal)
EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_STOPPED, EXIT_FILES, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 3, 4, 5, 130
MAX_GENERATED_REGIONS = 100_000  # China has ~2,850 county-level regions; 100,000 builds in minutes, not hours
MAX_WORKERS = 64
EXIT_HANGUP, EXIT_TERMINATED = 128 + signal.SIGHUP, 128 + signal.SIGTERM  # 129, 143

# A mistyped option or value is bad input like a bad scenario: click's usage code 2 means "infeasible"
# here. Typer >= 0.2x parses with its own copy of click (typer.core._click), older ones with click.
getattr(typer.core, "_click", click).exceptions.UsageError.exit_code = EXIT_BAD_INPUT


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(message)s", stream=sys.stderr,
                        force=True)


def _trace(debug: bool) -> None:
    """--debug: the traceback, then the same message and exit code as without it."""
    if debug:
        import traceback

        traceback.print_exc()


def _guard(fn, debug: bool):
    """Run fn; turn known failures into messages and exit codes, never a traceback (unless --debug)."""
    try:
        return fn()
    except InputError as e:
        _trace(debug)
        err_console.print(f"[bold red]error:[/] {escape(e.render())}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except SolverUnavailable as e:
        _trace(debug)
        err_console.print(f"[bold red]solver error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_STOPPED) from None
    except OSError as e:  # disk full, permissions: the atomic writer left earlier results as they were
        _trace(debug)
        where = f" ({e.filename})" if getattr(e, "filename", None) else ""
        err_console.print(f"[bold red]could not read or write a file{escape(where)}:[/] {escape(e.strerror or str(e))}; "
                          "earlier results are untouched", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_FILES) from None
    except InterruptedAfterWrite as e:
        err_console.print(f"interrupted while the results were being put in place: they were put in place first, "
                          f"and {escape(str(e.place))} holds this run's complete results", highlight=False, soft_wrap=True)
        raise typer.Exit(128 + e.signum) from None
    except KeyboardInterrupt as e:
        err_console.print("interrupted before the results were written: earlier results are untouched")
        raise typer.Exit(128 + e.signum if isinstance(e, Terminated) else EXIT_INTERRUPTED) from None
    except typer.Exit:
        raise
    except Exception as e:  # noqa: BLE001 - last resort: say what happened, the traceback under --debug
        _trace(debug)
        from optimizer.models.registry import fault_words

        said = escape(f"{type(e).__name__}: {e}")
        theirs = fault_words(e)
        if theirs is not None:  # a researcher's own family raised: theirs to mend, not a bug of opt's
            err_console.print(f"[bold red]error:[/] {escape(theirs)}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        err_console.print(f"[bold red]internal error:[/] {said} "
                          "(run again with --debug for the traceback)", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INTERNAL) from None


def _shown(show_it, code: int) -> None:
    """Print the answer; a reader that stops reading (`opt solve ... | head`) ends the printing, not the run:
    the exit code stays the run's (the results are written), not click's 1 ("bad input")."""
    try:
        show_it()
    except BrokenPipeError:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's advice: no error at exit
        except OSError:
            pass
        raise typer.Exit(code) from None


def _bad_option(name: str, expected: str, found) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {name}: expected {expected}, found {found}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _check_solver_options(time_limit: float | None = None, threads: int | None = None, **chosen: str | None) -> None:
    """The solver options a command takes, checked as the API checks them (optimizer/options.py)."""
    from optimizer.options import solver_refusals

    refused = solver_refusals(time_limit, threads, **chosen)
    if refused:  # the first one: the command says one option at a time
        _bad_option(*refused[0])


SetOpt = typer.Option(None, "--set", "-s", metavar="KEY=VALUE",
                      help="override a scenario key: key.path=value (repeatable); a milestone year: key.path.2030=value")
MoneyOpt = typer.Option(None, "--money-unit", metavar="UNIT", help="the money unit of every table and sentence people "
                        "read: 100m yuan, 10k yuan or yuan (or the same in Chinese); default: the "
                        "unit the budget is written in")  # no CJK here: rich cuts a wrapped help line that holds some
SolverOpt = typer.Option(None, "--solver", metavar="NAME",
                         help="auto (default: HiGHS; Clarabel from 100k columns), highs, cbc or clarabel")
LangOpt = typer.Option(None, "--lang", metavar="zh|en", help="zh or en: the language of the tables and sentences; default: the "
                       "scenario's language:, else the locale's")


def _view_options(money_unit: str | None, lang: str | None) -> tuple[str | None, str | None]:
    """--money-unit and --lang checked and normalised (100m yuan -> 亿元)."""
    from optimizer.options import view_choice

    money_unit, lang, refused = view_choice(money_unit, lang)
    if refused:
        _bad_option(*refused[0])
    return money_unit, lang


DebugOpt = typer.Option(False, "--debug", metavar="", help="show tracebacks")


@app.command()
def solve(
    scenario: Path = typer.Argument(..., help="scenario YAML file, or a workbook opt template wrote"),
    set_: list[str] | None = SetOpt,
    solver: str | None = SolverOpt,
    time_limit: float | None = typer.Option(None, "--time-limit", help="seconds for the solve; an infeasible plan's diagnosis gets as many again"),
    threads: int | None = typer.Option(None, "--threads", metavar="N",
                                       help="solver threads (default: the solver's own choice; at most this machine's cores)"),
    method: str | None = typer.Option(None, "--method", metavar="NAME", help="auto, simplex, ipm or pdlp (HiGHS)"),
    backend: str | None = typer.Option(None, "--backend", metavar="NAME", help="auto, highspy or pulp"),
    out: Path | None = typer.Option(None, "--out", help="result folder (default results/<scenario name>)"),
    solver_log: bool = typer.Option(False, "--solver-log", metavar="", help="show the solver's own progress log"),
    write_lp: Path | None = typer.Option(None, "--write-lp", help="also write the model as an LP (or, ending .mps, MPS) file"),
    with_report: bool = typer.Option(False, "--report", metavar="", help="also write report.html (charts, targets, shadow prices)"),
    integer: bool = typer.Option(False, "--integer", metavar="", help="whole facilities for coverage targets (a MIP, HiGHS)"),
    near: Path | None = typer.Option(None, "--near", help="a result folder (a plan already announced): among the "
                                     "optimal allocations, choose the one closest to it"),
    money_unit: str | None = MoneyOpt,
    lang: str | None = LangOpt,
    verbose: bool = typer.Option(False, "--verbose", "-v", metavar="", help="say each stage as it happens (loading, building, solving, ...)"),
    debug: bool = DebugOpt,
) -> None:
    """Solve a scenario and write allocation, KPIs, constraints, summary and manifest."""
    from optimizer.postprocess.terminal import show
    from optimizer.run import solve_scenario

    _setup_logging(verbose)
    _check_solver_options(time_limit, threads, solver=solver, method=method, backend=backend)
    money_unit, lang = _view_options(money_unit, lang)
    # the stage on the terminal (stderr, so piped tables stay clean); HiGHS's own log with --solver-log
    with err_console.status("starting") as status:
        outcome = _guard(lambda: solve_scenario(scenario, set_ or [], out=out, argv=sys.argv, log_solver=solver_log,
                                                model_file=write_lp, with_report=with_report, stage=status.update,
                                                solver=solver, time_limit=time_limit, threads=threads, method=method,
                                                backend=backend, integer=integer or None, near=near,
                                                money_unit=money_unit, lang=lang), debug)
    try:
        _shown(lambda: show(outcome, out_console), outcome.exit_code)
    except KeyboardInterrupt:
        where = f": the results are written to {outcome.out_dir}" if outcome.out_dir is not None else ""
        err_console.print(f"interrupted while printing{escape(where)}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    raise typer.Exit(outcome.exit_code)


@app.command()
def explain(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    set_: list[str] | None = SetOpt,
    solver: str | None = SolverOpt,
    top: int = typer.Option(20, "--top", help="how many binding targets to list"),
    combine: list[str] | None = typer.Option(
        None, "--combine", metavar="KEY=WEIGHT",
        help="where the plan is infeasible, the cheapest combination of changes to these knobs (repeatable): a "
             "budget, a supply or a floor by its key, weighted per unit of its change, e.g. "
             "--combine resources.fiscal.budget=1 --combine targets.personnel_density.min=100"),
    curve: str | None = typer.Option(
        None, "--curve", metavar="KEY",
        help="the price of one target or supply: person-services unserved against its value, re-solved point after "
             "point on one model; curve.csv and curve.png in --out (e.g. --curve targets.personnel_density.min)"),
    points: int = typer.Option(11, "--points", help="points of --curve, from half the value written tighter to half looser"),
    money_needed: bool = typer.Option(False, "--money-needed", metavar="",
                                      help="with --curve KEY: the least yearly budget against the year KEY's milestones "
                                           "are reached (one LP a year later), instead of its price"),
    out: Path | None = typer.Option(None, "--out", help="folder for --curve's files (default results/<scenario>-curve)"),
    debug: bool = DebugOpt,
) -> None:
    """Why the plan looks as it does: binding targets with their shadow prices in words,
    or, when the targets cannot all be met, the least change to each that would make them."""
    from optimizer.postprocess.terminal import show_explanation
    from optimizer.run import solve_scenario

    _setup_logging(False)
    _check_solver_options(solver=solver)
    if top < 1:
        _bad_option("--top", "a whole number of at least 1", top)
    weights = _weights(combine or [])
    if curve is not None:
        _price_curve(scenario, set_ or [], curve, points, out, solver, debug, money_needed)
        return
    if money_needed:
        _bad_option("--money-needed", "--curve KEY beside it (the target whose milestones move)", "it alone")
    if weights:  # a knob the plan does not have is said before any solve
        from optimizer.diagnose import combination, linear_knobs
        from optimizer.preprocess.load import load_scenario

        known = linear_knobs(_guard(lambda: load_scenario(scenario, set_ or []), debug).scenario)
        unknown = [k for k in weights if k not in known]
        if unknown:
            _bad_option("--combine", f"a knob of this plan ({', '.join(known)})", f"'{unknown[0]}'")
    outcome = _guard(lambda: solve_scenario(scenario, set_ or [], write=False, solver=solver), debug)
    _shown(lambda: show_explanation(outcome, out_console, top), outcome.exit_code)
    if weights and outcome.diagnosis is not None:
        try:
            found = combination(outcome.loaded.scenario, weights, outcome.solver)
        except ValueError as e:
            _bad_option("--combine", "a budget, a supply or a floor whose change moves only bounds", str(e))
        def said() -> None:
            for line in found.lines:
                out_console.print(f"  - {line}", soft_wrap=True)

        _shown(said, outcome.exit_code)
    elif weights:
        out_console.print("the plan is feasible: no combination of changes is needed")
    raise typer.Exit(outcome.exit_code)


def _price_curve(scenario: Path, sets: list[str], key: str, points: int, out: Path | None, solver: str | None,
                 debug: bool, money_needed: bool = False) -> None:
    """opt explain --curve KEY: the curve's table and chart, all or nothing, and the table on the terminal;
    with --money-needed, the least budget against the year KEY's milestones are reached."""
    import time

    from optimizer.curve import default_shifts, draw, price_curve, write_curve
    from optimizer.diagnose import linear_knobs
    from optimizer.postprocess.places import claim_folder
    from optimizer.preprocess.load import load_scenario
    from optimizer.run import solver_options

    if points < 3:
        _bad_option("--points", "a whole number of at least 3", points)
    loaded = _guard(lambda: load_scenario(scenario, sets), debug)
    known = linear_knobs(loaded.scenario)
    if key not in known:
        _bad_option("--curve", f"a target or supply this plan has ({', '.join(known)})", f"'{key}'")
    target = out or Path("results") / f"{loaded.name}-curve"
    _guard(lambda: claim_folder(target), debug)
    knob = known[key]
    opts = _guard(lambda: solver_options(loaded, solver=solver), debug)
    if money_needed:
        _money_curve(loaded, key, target, opts, debug)
        return
    t = time.perf_counter()
    found = _guard(lambda: price_curve(loaded.scenario, knob, default_shifts(loaded.scenario, knob, points), opts), debug)
    seconds = time.perf_counter() - t

    written = float(found.table.loc[found.table["shift"].abs().idxmin(), "value"])
    _guard(lambda: write_curve(target, loaded, opts, found.table, lambda png: draw(found, written, png),
                               {"curve": seconds, "solves": found.solve_seconds},
                               {"key": key, "points": points, "parametric": found.parametric}, sys.argv), debug)
    how = "one model, bounds moved" if found.parametric else "each point built (its matrix changes)"
    out_console.print(f"the price of the {knob.what} ({how}; each solve from the last one's basis; person-services "
                      f"of one optimal answer, which may differ from opt solve's chosen one where answers tie):")
    for r in found.table.itertuples(index=False):
        shown = (f"objective {r.objective:,.4f} ({found.objective_unit}); {r.person_services_unserved:,.0f} "
                 f"person-services unserved" if r.status == "optimal" else r.status)
        out_console.print(f"  {r.value:,.6g} {knob.unit}: {shown}")
    out_console.print(f"curve written to {target}")


def _money_curve(loaded, key: str, target: Path, opts: dict, debug: bool) -> None:
    from optimizer.curve import draw_money, money_needed, write_curve
    from optimizer.diagnose import _get, knobs, linear_knobs

    later = [k for k in knobs(loaded.scenario) if k.delay and ".".join(map(str, k.path)) == key]
    budget = linear_knobs(loaded.scenario).get("resources.fiscal.budget")
    if not later:
        _bad_option("--curve", "with --money-needed, a target written with milestone years before the horizon's last",
                    f"'{key}'")
    if budget is None:
        _bad_option("--money-needed", "a scenario with a fiscal budget (resources.fiscal.budget)", "none")
    table = _guard(lambda: money_needed(loaded.scenario, later[0], budget, {k: v for k, v in opts.items()
                                                                            if k not in ("integer",)}), debug)
    written = _get(loaded.scenario, budget.path)
    written = min(written.values()) if isinstance(written, dict) else written

    _guard(lambda: write_curve(target, loaded, opts, table,
                               lambda png: draw_money(table, later[0], budget.unit, float(written), png), {},
                               {"key": key, "money_needed": True}, sys.argv), debug)
    out_console.print(f"the least yearly budget against when the {later[0].what} are reached (one LP each):")
    for r in table.itertuples(index=False):
        shown = (f"{r.least_budget:,.2f} {budget.unit}" if r.status == "optimal" else
                 "no budget is enough (a supply or another target binds)" if r.status == "infeasible" else r.status)
        out_console.print(f"  first milestone in {r.first_milestone}: {shown}")
    out_console.print(f"curve written to {target}")


def _weights(items: list[str]) -> dict[str, float]:
    """--combine KEY=WEIGHT, each weight a number of at least 0 (per unit of the knob's change)."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, text = item.partition("=")
        try:
            w = float(text)
        except ValueError:
            w = math.nan
        if not sep or not key.strip() or not (w >= 0 and math.isfinite(w)):
            _bad_option("--combine", "KEY=WEIGHT with a weight of at least 0 (per unit of the knob's change)", f"'{item}'")
        if key.strip() in out:
            _bad_option("--combine", "each knob once", f"'{key.strip()}' twice")
        out[key.strip()] = w
    return out


@app.command()
def share(
    scenario: Path = typer.Argument(..., help="scenario YAML file with a 'sharing:' section"),
    set_: list[str] | None = SetOpt,
    debug: bool = DebugOpt,
) -> None:
    """The facility-sharing network alone: most space shared within the travel limit, then least travel;
    solved as our LP and as a networkx min-cost flow, which must agree."""
    from rich.table import Table

    from optimizer.preprocess.load import load_scenario
    from optimizer.share import solve_sharing

    _setup_logging(False)
    loaded = _guard(lambda: load_scenario(scenario, set_ or []), debug)
    r = _guard(lambda: solve_sharing(loaded.scenario), debug)
    limit = loaded.scenario.sharing.max_travel_minutes
    out_console.print(f"{loaded.name}: {r.pairs:,} provider-community pairs within {limit:g} minutes")
    out_console.print(f"space shared: {r.shared_m2:,.0f} m2 (networkx min-cost flow: {r.nx_shared_m2:,.0f}); "
                      f"travel {r.travel_m2_minutes:,.1f} m2-minutes (networkx: {r.nx_travel_m2_minutes:,.1f})")
    out_console.print(f"people with community space within {limit:g} minutes: {r.people_covered:,.0f}; "
                      f"left uncovered by sharing: {r.people_uncovered:,.0f}")
    table = Table(title="providers", title_justify="left")
    for col in ("provider", "kind", "capacity m2", "shared m2", "utilisation"):
        table.add_column(col, justify="left" if col in ("provider", "kind") else "right")
    for _, p in r.providers.sort_values("utilisation", ascending=False).iterrows():
        table.add_row(p["provider"], p["kind"], f"{p['capacity_m2']:,.0f}", f"{p['shared_m2']:,.0f}", f"{p['utilisation']:.0%}")
    out_console.print(table)
    if not r.agree:
        err_console.print("[bold red]the LP and networkx disagree[/]: please report this scenario")
        raise typer.Exit(EXIT_INTERNAL)
    out_console.print("[green]LP and networkx agree[/] to 1e-6")


@app.command()
def compare(
    items: list[Path] = typer.Argument(..., metavar="SCENARIO|RESULT_DIR...",
                                       help="scenario files (solved here) or result folders from opt solve"),
    out: Path | None = typer.Option(None, "--out", help="folder for compare.xlsx and the CSVs (default results/compare)"),
    near: bool = typer.Option(False, "--near", metavar="", help="the first item is the plan announced (a result folder): solve "
                              "each scenario nearest it and write which changes are forced and which are choice"),
    money_unit: str | None = MoneyOpt,
    lang: str | None = LangOpt,
    debug: bool = DebugOpt,
) -> None:
    """Side-by-side KPIs, allocation differences and input differences of two or more scenarios."""
    from optimizer.compare import compare_to_folder
    from optimizer.postprocess.places import claim_folder
    from optimizer.postprocess.terminal import show_comparison

    _setup_logging(False)
    money_unit, lang = _view_options(money_unit, lang)
    if len(items) < 2:
        err_console.print("[bold red]error:[/] compare: expected at least two scenarios or result folders")
        raise typer.Exit(EXIT_BAD_INPUT)
    target = out or Path("results") / "compare"
    folder = _guard(lambda: claim_folder(target), debug)  # refused before any scenario is solved
    if any(Path(i).expanduser().resolve() == folder for i in items):
        _bad_option("--out", "a folder other than the ones compared (it is replaced whole)", f"'{target}'")
    from optimizer.postprocess.view import View, choose_lang

    view = View(choose_lang(lang), money_unit or "亿元")
    tables = _guard(lambda: compare_to_folder(items, target, sys.argv, near=near, view=view), debug)
    def said() -> None:
        show_comparison(tables, out_console, view)
        out_console.print(f"{'对比结果已写入' if view.lang == 'zh' else 'comparison written to'} {target}")

    _shown(said, 0)


@app.command()
def sweep(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    vary: list[str] = typer.Option(..., "--vary", metavar="KEY=VALUES", help="key.path=START:STOP:STEP or key.path=a,b,c (one or two)"),
    set_: list[str] | None = SetOpt,
    workers: int = typer.Option(1, "--workers", help="local Dask worker processes (1: no Dask)"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="address of an existing Dask scheduler"),
    out: Path | None = typer.Option(None, "--out", help="sweep folder (default results/<scenario>-sweep)"),
    resume: bool = typer.Option(False, "--resume", metavar="", help="keep the solved points of OUT, run only failed or missing ones"),
    debug: bool = DebugOpt,
) -> None:
    """Solve a grid of parameter values; write one row per point and the trade-off chart."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from optimizer.postprocess.places import claim_folder
    from optimizer.sweep import RESUMED, grid, prepare, previous_table, run_sweep, write_sweep

    _setup_logging(False)
    if not 1 <= workers <= MAX_WORKERS:
        _bad_option("--workers", f"a whole number from 1 to {MAX_WORKERS}", workers)
    logging.getLogger("opt").setLevel(logging.WARNING)  # one line per override per point would drown the bar
    overrides = set_ or []
    varies, loaded = _guard(lambda: prepare(scenario, vary, overrides), debug)
    target = out or Path("results") / f"{loaded.name}-sweep"
    if out is None:
        _guard(loaded.folder_name, debug)
    _guard(lambda: claim_folder(target, carried=RESUMED if resume else frozenset()), debug)  # before any point is solved
    previous = _guard(lambda: previous_table(target, varies, overrides, loaded), debug) if resume else None
    n = len(grid(varies))
    t0 = time.perf_counter()
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task(f"sweep {loaded.name}" + (" (resumed)" if previous is not None else ""), total=n)
        table = _guard(lambda: run_sweep(scenario, varies, overrides, workers, scheduler, previous,
                                         progress=lambda: bar.advance(task)), debug)
    seconds = time.perf_counter() - t0
    _guard(lambda: write_sweep(target, table, varies, loaded, scenario, overrides,
                               {"workers": workers, "scheduler": scheduler}, seconds, sys.argv, resume), debug)
    counts = table["status"].value_counts().to_dict()
    out_console.print(f"{n} points in {seconds:.1f}s ({', '.join(f'{v} {k}' for k, v in counts.items())}); written to {target}")
    failed = table[~table["status"].isin(["optimal", "infeasible"])]
    for _, r in failed.head(5).iterrows():
        out_console.print(f"  point {int(r['point'])} {r['status']}: {r.get('error', '')}")
    if len(failed):
        import shlex

        again = ["opt", "sweep", str(scenario), *(a for v in vary for a in ("--vary", v)),
                 *(a for o in overrides for a in ("--set", o)), "--out", str(target), "--resume"]
        out_console.print(f"re-run only these with: {shlex.join(again)}", highlight=False, soft_wrap=True)
    if n and len(failed) and not (table["status"] == "optimal").any():  # none solved to an optimum, some failed
        out_console.print("no point was solved (sweep.csv's error column says why for each)")
        raise typer.Exit(EXIT_BAD_INPUT if (failed["status"] == "bad_input").all() else EXIT_INTERNAL)
    if n and (table["status"] == "infeasible").all():  # no point can be met: as a solve of each would say
        out_console.print("every point is infeasible: the targets cannot be met anywhere on this grid (opt solve with "
                          "one point's --set gives the least change that would)")
        raise typer.Exit(EXIT_INFEASIBLE)


@app.command()
def report(
    folder: Path = typer.Argument(..., help="a result folder from opt solve, opt compare or opt sweep"),
    out: Path | None = typer.Option(None, "--out", help="HTML file to write (default FOLDER/report.html)"),
    money_unit: str | None = MoneyOpt,
    lang: str | None = LangOpt,
    debug: bool = DebugOpt,
) -> None:
    """A self-contained HTML report (charts embedded; opens without a network); by default in the language and
    money unit the solve was shown in."""
    from optimizer.postprocess.report import write_report

    _setup_logging(False)
    money_unit, lang = _view_options(money_unit, lang)
    if not folder.is_dir():
        err_console.print(f"[bold red]error:[/] {folder}: expected a result folder, found {'a file' if folder.exists() else 'nothing'}")
        raise typer.Exit(EXIT_BAD_INPUT)
    target = out or folder / "report.html"
    _guard(lambda: write_report(folder, target, lang, money_unit), debug)
    out_console.print(f"report written to {target}")


@app.command()
def template(
    scenario: Path = typer.Argument(..., help="scenario YAML file (or a workbook)"),
    out: Path = typer.Option(..., "--out", help="the workbook to write (.xlsx); an existing file is never replaced"),
    set_: list[str] | None = SetOpt,
    debug: bool = DebugOpt,
) -> None:
    """The scenario as a workbook a bureau fills in (regions, categories, population, resources, targets; one
    sheet each); opt solve and opt validate read it back."""
    from optimizer.errors import InputError, Problem, Where
    from optimizer.postprocess.places import atomic_file
    from optimizer.postprocess.template import is_our_template, write_template
    from optimizer.preprocess.load import load_scenario

    _setup_logging(False)
    if out.suffix.lower() != ".xlsx":
        _bad_option("--out", "a workbook file name ending .xlsx", f"'{out}'")

    def run() -> None:
        loaded = load_scenario(scenario, set_ or [])
        if out.exists() or out.is_symlink():
            raise InputError([Problem(Where(str(out)), "--out", "refusing to replace an existing file (a workbook "
                                      "may hold a bureau's numbers); choose a new file name")])
        with atomic_file(out, is_our_template, "--out") as tmp:
            write_template(loaded.raw, tmp)

    _guard(run, debug)
    out_console.print(f"wrote {out}: fill it in and run opt solve {out}")


@app.command()
def validate(
    scenario: Path = typer.Argument(..., help="scenario YAML file, or a workbook opt template wrote"),
    set_: list[str] | None = SetOpt,
    debug: bool = DebugOpt,
) -> None:
    """Check a scenario (schema, ids, horizons) and cheap feasibility in numbers, without solving."""
    from optimizer.preprocess.data import build_data
    from optimizer.preprocess.feasibility import check
    from optimizer.preprocess.load import load_scenario

    _setup_logging(False)

    def run():
        loaded = load_scenario(scenario, set_ or [])
        data = build_data(loaded.scenario)
        return loaded, data, check(data, loaded.scenario)

    loaded, data, findings = _guard(run, debug)
    out_console.print(f"{scenario}: valid scenario '{loaded.name}': {data.R} regions, {data.C} categories, "
                      f"years {data.years[0]}-{data.years[-1]}")
    if findings:
        out_console.print("[bold red]the targets cannot all be met (cheap checks, before any solve):[/]")
        for f in findings:
            out_console.print(f"  - {f}")
        raise typer.Exit(EXIT_INFEASIBLE)
    out_console.print("cheap feasibility checks passed (a solve is still needed to prove feasibility)")


generate_app = typer.Typer(help="Write synthetic scenarios for benchmarks and experiments.", no_args_is_help=True)
app.add_typer(generate_app, name="generate")


@generate_app.command("counties")
def generate_counties_cmd(
    regions: int = typer.Option(2850, "--regions", help="number of county-level regions (>= 31)"),
    years: str = typer.Option("2024:2035", "--years", help="FIRST:LAST"),
    seed: int = typer.Option(0, "--seed", help="the random seed: one seed, one scenario, byte for byte"),
    out: Path = typer.Option(..., "--out", help="scenario YAML to write; tables go beside it"),
    debug: bool = DebugOpt,
) -> None:
    """A reproducible county-level scenario: county populations add up to the NBS provincial totals."""
    from optimizer.generate import bundled_population, generate_counties
    from optimizer.preprocess.schema import FIRST_YEAR, LAST_YEAR, MAX_YEARS

    try:
        y0, y1 = (int(v) for v in years.split(":"))
        if not FIRST_YEAR <= y0 <= y1 <= LAST_YEAR or y1 - y0 + 1 > MAX_YEARS:
            raise ValueError
    except ValueError:
        _bad_option("--years", f"FIRST:LAST such as 2024:2035, from {FIRST_YEAR} to {LAST_YEAR} and at most "
                               f"{MAX_YEARS} years (opt's horizon)", f"'{years}'")
    if not 31 <= regions <= MAX_GENERATED_REGIONS:
        _bad_option("--regions", f"31 (one per province) to {MAX_GENERATED_REGIONS:,} (opt's limit)", regions)
    if seed < 0:
        _bad_option("--seed", "a whole number of at least 0", seed)
    path = _guard(lambda: generate_counties(regions, (y0, y1), seed, out, bundled_population()), debug)
    out_console.print(f"wrote {path} and its tables ({regions} regions, {y0}-{y1}, seed {seed})")


def _terminated(signum, frame) -> None:
    raise interrupt_for(signum)


def main() -> None:
    for s in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(s) is not signal.SIG_IGN:  # under nohup, a hang-up stays ignored
            signal.signal(s, _terminated)
    app()


if __name__ == "__main__":
    main()
