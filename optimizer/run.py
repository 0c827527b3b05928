"""One solve, end to end: load, check, build, solve, explain, write."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from optimizer.backend.pulp_backend import is_our_model_file, write_model_file
from optimizer.backend.solve import pick_solver, solve
from optimizer.backend.status import Solution, Status
from optimizer.diagnose import Diagnosis, diagnose
from optimizer.diagnosis_zh import lines_zh
from optimizer.errors import InputError, Problem, Where
from optimizer.heap import heap_kept
from optimizer.models.build import build_model
from optimizer.postprocess.detail import detail_sheet, summary_rows
from optimizer.postprocess.excel import workbook_tables, write_xlsx
from optimizer.postprocess.headline import all_met, brief, headline_tables, milestone_years
from optimizer.postprocess.manifest import manifest
from optimizer.postprocess.parallel import beside
from optimizer.postprocess.places import atomic_file, atomic_folder, claim_file, claim_folder, sealed
from optimizer.postprocess.results import Results, make_results
from optimizer.postprocess.view import View, choose_lang, money_unit_written
from optimizer.postprocess.write import to_disk, write_csv, write_json
from optimizer.preprocess.data import build_data
from optimizer.preprocess.feasibility import check
from optimizer.preprocess.load import Loaded, load_scenario
from optimizer.preprocess.yamlio import where_of
from optimizer.stages import price_of_fairness, solve_objective, wants_price
from optimizer.unique import near_columns, unique_answer, wanted

log = logging.getLogger("opt")
BESIDE_ROWS = 200_000  # an allocation this long is written by a second process (fork costs ~10 ms; this, ~0.6 s)


@dataclass
class RunOutcome:
    loaded: Loaded
    solution: Solution
    results: Results | None
    diagnosis: Diagnosis | None
    out_dir: Path | None
    timings: dict
    warnings: list[str] = field(default_factory=list)
    solver: dict = field(default_factory=dict)
    view: View = field(default_factory=View)  # the language and money unit people read the answer in

    @property
    def exit_code(self) -> int:
        return self.solution.status.exit_code

    def __repr__(self) -> str:
        return f"RunOutcome({self.loaded.name}: {self.solution.status.value}, exit {self.exit_code}, out={self.out_dir})"


def solver_options(loaded: Loaded, **cli) -> dict:
    s = loaded.scenario.solver
    opts = {"solver": s.name, "backend": s.backend, "time_limit": s.time_limit, "threads": s.threads, "method": s.method,
            "integer": s.integer}
    for k, v in cli.items():
        if v is not None:
            if opts.get(k) != v:
                log.info("solver option from the command line: %s = %r (scenario: %r)", k, v, opts.get(k))
            opts[k] = v
    fair = loaded.scenario.objective
    if fair.kind == "fair" and fair.fair.form == "quadratic" and opts["solver"] not in ("auto", "clarabel"):
        raise InputError([Problem(where_of(loaded.locs, ("objective", "fair", "form")) or Where(str(loaded.path)),
                                  "objective.fair.form", f"expected solver auto or clarabel for the quadratic form "
                                  f"(HiGHS's QP solver took over 5 minutes on national; CBC solves linear programs only), "
                                  f"found solver {opts['solver']}; or write form: piecewise")])
    if opts["integer"] and fair.kind == "fair" and fair.fair.form == "quadratic":
        raise InputError([Problem(where_of(loaded.locs, ("objective", "fair", "form")) or Where(str(loaded.path)),
                                  "objective.fair.form", "expected form: piecewise with whole facilities (--integer "
                                  "or solver.integer: HiGHS's MIP takes no quadratic objective), found quadratic")])
    if opts["integer"] and opts["solver"] not in ("auto", "highs"):
        raise InputError([Problem(where_of(loaded.locs, ("solver", "integer")) or Where(str(loaded.path)),
                                  "solver.integer", f"expected solver auto or highs for whole facilities (a MIP), "
                                  f"found solver {opts['solver']}")])
    if opts["solver"] == "cbc" and opts["backend"] == "highspy":
        opts["backend"] = "pulp"
    if opts["solver"] == "clarabel" and opts["backend"] != "auto":
        log.info("solver clarabel runs through its own interface; backend %r ignored", opts["backend"])
        opts["backend"] = "auto"
    return opts


def proven_infeasible(sol: Solution, proofs: list[str]) -> Solution:
    """A solver that stopped without a verdict on a plan the pre-solve check proves infeasible (each of
    its findings is a proof, in numbers): the plan is infeasible. Clarabel, for one, can end in
    NumericalError on a plan far from feasible (333 counties with a tenth of the workers needed)."""
    if not proofs or sol.status is Status.INFEASIBLE or sol.shows_feasible:
        return sol
    said = sol.message or sol.status.value
    return sol.but(status=Status.INFEASIBLE, has_point=False, x=None, message=f"the pre-solve check proves the plan "
                   f"infeasible ({sol.solver} stopped without a verdict: {said})")


OUT_WHAT = "results/<scenario name>"


def default_out(loaded: Loaded) -> Path:
    return Path("results") / loaded.folder_name()


def solve_scenario(path, overrides: list[str] | None = None, out: Path | None = None, write: bool = True,
                   argv: list[str] | None = None, log_solver: bool = False, model_file: Path | None = None,
                   with_report: bool = False, stage=None, joint: bool = True, near: Path | None = None,
                   money_unit: str | None = None, lang: str | None = None, **cli) -> RunOutcome:
    """Load, check, build, solve, explain and (unless write=False) write one scenario.
    `stage(text)` is told what is happening, for a progress display. `joint=False` leaves out the
    diagnosis's search for changes that work only together (a sweep's point: one line of it is shown).
    `money_unit` (亿元, 万元, 元) and `lang` (zh, en): how people read the answer (View); by default the unit
    the budget is written in and the scenario's language (else the locale's)."""
    stage = stage or (lambda text: None)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    stage("loading the scenario")
    loaded = load_scenario(path, overrides)
    timings["load"] = time.perf_counter() - t
    view = View(choose_lang(lang, loaded.scenario.language), money_unit or money_unit_written(loaded.raw))
    opts = solver_options(loaded, **cli)
    if write:  # refused before any work, not after a solve of minutes
        what = "--out" if out else OUT_WHAT
        out = Path(out) if out else default_out(loaded)
        folder = claim_folder(out, what)
        if model_file is not None and folder in Path(model_file).expanduser().resolve().parents:
            raise InputError([Problem(Where(str(model_file)), "--write-lp", f"expected a file outside the result folder "
                                      f"{out} (opt replaces that folder whole), found one inside it")])
    if model_file is not None:
        claim_file(model_file, is_our_model_file, "--write-lp")

    # building frees large arrays just before the solver allocates its own: kept in the heap, they are
    # reused without page faults (see optimizer/heap.py); handed back once the solve is over
    with heap_kept():
        t = time.perf_counter()
        stage("building the model")
        data = build_data(loaded.scenario)
        warnings = check(data, loaded.scenario)
        model, ctx = build_model(data, loaded.scenario)
        reference = near_columns(near, ctx) if near is not None else None  # a wrong folder refused before the solve
        timings["build"] = time.perf_counter() - t
        log.debug("%r", model)
        if model_file is not None and model.quad is not None:
            raise InputError([Problem(Where(str(model_file)), "--write-lp", "expected a linear model, found the fair "
                                      "objective's quadratic form (objective.fair.form: quadratic), which LP and MPS "
                                      "files here cannot hold; write form: piecewise to write the model")])
        if model_file is not None:  # LP or MPS by extension, with readable names, before any solve
            with atomic_file(model_file, is_our_model_file, "--write-lp") as tmp:
                write_model_file(model, tmp)
            log.info("model written to %s", model_file)

        opts["solver"] = pick_solver(model, opts["solver"], opts["method"], opts["backend"], opts["integer"])
        stage(f"solving: {model.A.shape[1]:,} variables, {model.A.shape[0]:,} rows, {opts['solver']}")
        t = time.perf_counter()
        unique = loaded.scenario.objective.unique
        chosen, why = wanted(True if near is not None else unique.enabled, model, bool(opts["integer"]))
        # the one-answer stages start from the first solve's basis (HiGHS): kept only where they will run
        first_solve = partial(solve, keep_basis=True) if chosen else solve
        model, sol = solve_objective(model, ctx, first_solve, log=log_solver, progress=stage, **opts)
        if why:
            warnings.append(why)
        if chosen and sol.has_point:
            stage("one answer among equally good ones: each criterion held, then the allocation nearest the reference")
            sol = unique_answer(model, ctx, sol, solve, unique.tolerance, reference, **opts)
            used = sol.extra.get("unique", {}).get("tolerance", unique.tolerance)
            if used > unique.tolerance:
                warnings.append(f"one answer among equally good ones: each criterion held within {used:g} of its "
                                f"best, not {unique.tolerance:g} (the solver stalled at the tighter)")
            failed = sol.extra.get("unique", {}).get("not_chosen")
            if failed:  # the first solve's answer stands: said, since another run may then differ from it
                warnings.append(f"one answer among equally good ones could not be chosen ({failed}): the first "
                                "solve's answer is given, which another solver or row order may give differently")
            timings["unique"] = sol.extra.get("unique_timing", {}).get("seconds", 0.0)  # in the manifest, not the summary
        took = time.perf_counter() - t - timings.get("unique", 0.0)
        timings["pass"] = sol.extra.get("pass_seconds", 0.0)  # our rewriting of the arrays for the solver
        timings["solve"] = sol.seconds
        timings["recheck"] = max(0.0, took - timings["pass"] - sol.seconds)  # the point read back and rechecked
        sol = proven_infeasible(sol, warnings)

    results = diagnosis = None
    t = time.perf_counter()
    if sol.has_point:
        stage("reading the solution back: tables, KPIs, shadow prices")
        results = make_results(model, ctx, sol)
        if "unique" in sol.extra:
            results.summary["unique"] = sol.extra["unique"]
        if wants_price(loaded.scenario.objective.price_of_fairness, model):
            stage("the price of fairness: the same plan counting every person short once")
            price = price_of_fairness(model, ctx, sol, **opts)
            if price is not None:
                results.summary["price_of_fairness"] = price.as_dict(data.years)
    elif sol.status is Status.INFEASIBLE:
        stage("infeasible: finding the least change to each target that would make it feasible")
        del model, ctx  # the diagnosis builds its own; held beside them, ~0.45 GB more at 2,850 counties
        diagnosis = diagnose(loaded.scenario, opts, progress=stage, joint=joint, solve_seconds=sol.seconds)
    timings["extract"] = time.perf_counter() - t

    outcome = RunOutcome(loaded, sol, results, diagnosis, None, timings, warnings, opts, view)
    if write and (results is not None or diagnosis is not None):  # a run with no answer keeps earlier results
        outcome.out_dir = Path(out)
        stage(f"writing {outcome.out_dir}")
        write_outputs(outcome, argv or [], with_report, what)
    return outcome


def write_outputs(o: RunOutcome, argv: list[str], with_report: bool = False, what: str = "--out") -> None:
    t = time.perf_counter()
    with atomic_folder(o.out_dir, what) as tmp:
        files = []
        summary: dict[str, Any] = {"scenario": o.loaded.name, "status": o.solution.status.value,
                                   "message": o.solution.message}
        if o.results is not None:
            r = o.results
            def allocation() -> None:  # 1.06M rows at county scale: written, and synced, by a second process
                write_csv(r.allocation, tmp / "allocation.csv")
                to_disk(tmp / "allocation.csv")

            with beside(allocation, worth_it=len(r.allocation) > BESIDE_ROWS):
                write_csv(r.kpis, tmp / "kpis.csv")
                write_csv(r.constraints, tmp / "constraints.csv")
                files += ["allocation.csv", "kpis.csv", "constraints.csv"]
                for name, df in r.extra.items():  # flows, providers, communities where facilities are shared
                    write_csv(df, tmp / f"{name}.csv")
                    files.append(f"{name}.csv")
                summary.update(r.summary)
                scenario = o.loaded.scenario
                headline = headline_tables(r.headline, r.kpis, milestone_years(scenario, scenario.years), o.view)
                files += write_headline(o, headline, tmp, summary)
                summary["binding_targets"] = r.binding
                summary["not_proven_optimal"] = not o.solution.status.is_ok
                rows = summary_rows(o.loaded.name, o.solution.status.value, float(r.summary["people_unserved"]),
                                    float(o.solution.objective), r.summary.get("objective_unit", "weighted 10k people"),
                                    r.binding, o.warnings, o.view)
                sheets, notes = workbook_tables(r.allocation, named_kpis(r.kpis, o.view), r.constraints, r.extra)
                sheets = {name: detail_sheet(df, o.view) for name, df in sheets.items()}
                brief_sheet = brief(headline, r.kpis, o.loaded.name, o.solution.status.value, r.binding, o.view,
                                    scenario.title)
                write_xlsx(tmp / "results.xlsx", rows + notes, sheets, brief=brief_sheet, view=o.view)
                files.append("results.xlsx")
        if o.diagnosis is not None:
            write_csv(o.diagnosis.table(), tmp / "diagnosis.csv")
            files.append("diagnosis.csv")
            summary["diagnosis"] = o.diagnosis.lines
            summary["diagnosis_zh"] = lines_zh(o.diagnosis)
        summary["warnings"] = o.warnings
        write_json(summary, tmp / "summary.json")
        # the scenario as solved (after extends, tables and overrides): compare and report read it back
        write_json(o.loaded.scenario.model_dump(mode="json"), tmp / "scenario.json")
        files.append("scenario.json")
        o.timings["write"] = time.perf_counter() - t
        write_json(sealed(tmp, manifest(o.loaded, o.solver, o.solution.status.value, o.timings, argv,
                                        files + ["summary.json"] + (["report.html"] if with_report else []))),
                   tmp / "manifest.json")
        if with_report:
            from optimizer.postprocess.report import write_report

            write_report(tmp, tmp / "report.html", o.view.lang, o.view.money_unit)


HEADLINE_FILES = {"services": "headline.csv", "money": "money_by_region.csv", "money_by_category": "money_by_category.csv",
                  "targets": "targets.csv"}


def named_kpis(kpis, view: View):
    """The KPI table with the plan's name of each KPI beside its id (results.xlsx)."""
    return kpis.assign(kpi_name=[view.kpi_name(k) for k in kpis["kpi"]])[
        ["year", "kpi", "kpi_name", *[c for c in kpis.columns if c not in ("year", "kpi")]]]


def write_headline(o: RunOutcome, tables: dict, tmp: Path, summary: dict) -> list[str]:
    """The headline's tables (headline_tables, in the run's language and money unit), and its numbers in
    summary.json (fixed units: people, 10k yuan; the same bytes whatever the view)."""
    r = o.results
    assert r is not None
    scenario = o.loaded.scenario
    years = milestone_years(scenario, scenario.years)
    for name, file in HEADLINE_FILES.items():
        write_csv(tables[name], tmp / file)
    write_csv(r.headline["money"], tmp / "money.csv")  # fixed units, for programs (opt compare)
    met, missed, judged = all_met(r.kpis)
    cov = r.headline["services"]
    cov = cov[cov["year"].isin(years)]
    summary["headline"] = {
        "milestone_years": years, "all_targets_met": met, "target_rows_not_met": missed, "target_rows": judged,
        "lang": o.view.lang, "money_unit": o.view.money_unit,  # how it was shown: opt report shows it so again
        "services": [{"category": c, "year": int(y), "people_for": float(f), "people_without": float(w),
                      "share_with_standard": float(s)} for c, y, f, w, s in
                     zip(cov["category"], cov["year"], cov["people_for"], cov["people_without"], cov["share_with_standard"])],
        "money_10k_yuan_by_year": {int(y): float(v) for y, v in
                                   r.headline["money"].groupby("year")["money_10k_yuan"].sum().items()},
    }
    return [*HEADLINE_FILES.values(), "money.csv"]
