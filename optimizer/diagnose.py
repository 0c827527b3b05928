"""When the plan's targets cannot all be met: the least change to each that makes it feasible.

For each plan target (and each supply) present, that one is relaxed alone, every
other target held, and bisection finds the smallest uniform shift of its
schedule that makes the plan feasible: a cap raised by d, a floor lowered by d,
a budget raised by d a year. Feasibility is monotone in each shift, so the
bisection is exact to its tolerance; the shift found, applied with --set, makes
the plan feasible and a noticeably smaller one does not. Where HiGHS can compute
an irreducible infeasible subset, its row names are listed as well.

Each probe is first put to the pre-solve check (a proof of infeasibility in
numbers, no solve); only what passes it is solved. A probe the solver stops on
without a verdict (numerical trouble, time) is undecided, never taken as
feasible: the knob is then reported as not decided, or, mid-bisection, with the
bracket it got to. With a time limit the whole diagnosis stops at it.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from optimizer.backend.highs import iis_rows
from optimizer.backend.solve import solve
from optimizer.backend.status import Status
from optimizer.exact import Direction, direction, elastic, moved
from optimizer.models.build import build_model
from optimizer.models.registry import Knob, in_build_order, load_all
from optimizer.preprocess.data import build_data
from optimizer.preprocess.feasibility import check
from optimizer.preprocess.schema import CONSTANT


@dataclass
class Relaxation:
    knob: Knob
    shift: float | None  # None: relaxing this alone cannot restore feasibility (or, with `undecided`, not known)
    schedule: dict | None = None
    at_least: float | None = None  # bisection cut short: the least change lies in [at_least, shift]
    undecided: str = ""  # why the search stopped before its answer
    exact: bool = False  # the least shift from one LP (optimizer.exact), not a bisection
    step: float | None = None  # a bisection's: the least change lies within step below `shift`
    checked: str = ""  # the suggestion re-solved: as printed (feasible) and 1% short of it (infeasible)

    @property
    def how(self) -> str:
        """How exact the change is, in words: one LP, or a bisection to its step; and its check."""
        if self.shift is None or self.knob.delay:
            return ""
        how = ("exact: one LP" if self.exact else
               f"bisection, exact to {_fmt(self.step, self.knob.unit, change=True)}" if self.step is not None else "")
        return "; ".join(x for x in (how, self.checked) if x)

    @property
    def printed(self) -> dict:
        """The schedule as the --set line writes it: its fewest milestones, each rounded to six significant
        digits toward the relaxed side (so that what is printed stays feasible)."""
        assert self.schedule is not None
        up = self.knob.sign > 0
        if CONSTANT in self.schedule:
            return {CONSTANT: float(_num(self.schedule[CONSTANT], up))}
        return {y: float(_num(v, up)) for y, v in _milestones(self.schedule)}

    def as_printed(self, scenario):
        """The scenario with this knob as its --set line sets it."""
        value = self.printed
        return _with(scenario, self.knob, value if isinstance(_get(scenario, self.knob.path), dict) else value[CONSTANT])

    @property
    def set_text(self) -> str:
        if self.schedule is None:
            return ""
        key = ".".join(str(p) for p in self.knob.path)
        p = self.printed
        if CONSTANT in p:
            return f"{key}={p[CONSTANT]:.6g}"
        return f"{key}={{{', '.join(f'{y}: {v:.6g}' for y, v in p.items())}}}"

    @property
    def set_option(self) -> str:
        """The --set as a shell takes it pasted: a schedule's braces and spaces quoted."""
        import shlex

        return f"--set {shlex.quote(self.set_text)}"

    @property
    def sentence(self) -> str:
        k = self.knob
        if self.shift is None:
            if self.undecided:
                return f"whether relaxing the {k.what} alone makes the plan feasible was not decided: {self.undecided}"
            if k.delay:
                return f"moving the {k.what} later, even to the horizon's last year, cannot alone make the plan feasible"
            return f"relaxing the {k.what} alone cannot make the plan feasible"
        verb = "raised" if k.sign > 0 else "lowered"
        assert self.schedule is not None  # a shift was found, so its schedule is known
        if k.delay:
            n = _years_later(self.shift)
            when = ", ".join(f"{span}: {_fmt(v, k.unit)}" for span, v in _runs(self.schedule))
            return f"the {k.what} must come {n} year{'s' if n > 1 else ''} later ({when})"
        up = k.sign > 0  # values toward the relaxed side, amounts up: what is said stays feasible
        values = (f"to {_fmt(self.schedule[CONSTANT], k.unit, up)}" if CONSTANT in self.schedule else
                  ", ".join(f"{span}: {_fmt(v, k.unit, up)}" for span, v in _runs(self.schedule)))
        if self.at_least is not None:
            return (f"the {k.what} {verb} by {_fmt(self.shift, k.unit, True, True)} ({values}) makes the plan feasible; "
                    f"the least change is between {_fmt(self.at_least, k.unit, change=True)} and that, not narrowed "
                    f"further: {self.undecided}")
        how = f"; {self.how}" if self.how else ""
        return f"the {k.what} must be {verb} by {_fmt(self.shift, k.unit, True, True)} ({values}{how})"


def _milestones(schedule: dict) -> list[tuple[int, float]]:
    """The fewest milestones that give the same schedule: a year inside a run of equal values, or after
    the last change, adds nothing (values are linear between milestones and held after the last)."""
    items = sorted(schedule.items())
    keep = [(y, v) for i, (y, v) in enumerate(items)
            if i == 0 or v != items[i - 1][1] or (i + 1 < len(items) and items[i + 1][1] != v)]
    return keep


def _runs(schedule: dict) -> list[tuple[str, float]]:
    """Consecutive years with one value as a span: [('2030-2035', 1.776)], not six entries."""
    out: list[tuple[int, int, float]] = []
    for y, v in sorted(schedule.items()):
        if out and out[-1][1] == y - 1 and out[-1][2] == v:
            out[-1] = (out[-1][0], y, v)
        else:
            out.append((y, y, v))
    return [(str(a) if a == b else f"{a}-{b}", v) for a, b, v in out]


@dataclass
class Together:
    """Knobs that must be relaxed together (none does alone): which, and by how little each, with the
    others at their values here. `keeps`: what is held as written ('every target' or 'the resources')."""

    keeps: str
    relaxations: list[Relaxation]
    feasible: bool | None  # all of the kind at their most relaxed: enough, not enough, or not decided
    undecided: str = ""

    @property
    def lines(self) -> list[str]:
        if self.feasible is None:
            return [f"keeping {self.keeps}: not decided ({self.undecided})"]
        what = "the resources" if self.keeps == "every target" else "the targets"
        if not self.feasible:
            return [f"keeping {self.keeps}: relaxing all of {what} together is not enough"]
        sets = " ".join(r.set_option for r in self.relaxations if r.schedule is not None)
        changes = "; and ".join(r.sentence for r in self.relaxations)
        return [f"keeping {self.keeps}, together: {changes}   ({sets})"]


@dataclass
class Diagnosis:
    relaxations: list[Relaxation]
    iis: list[str] = field(default_factory=list)
    together: list[Together] = field(default_factory=list)

    @property
    def involved(self) -> list[str]:
        return sorted({r.knob.family for r in self.relaxations if r.shift is not None})

    @property
    def lines(self) -> list[str]:
        ok = [r for r in self.relaxations if r.shift is not None]
        out = [r.sentence + f"   ({r.set_option})" for r in ok]
        if ok:
            out[0] = "any one of these makes the plan feasible: " + out[0]
        elif any(r.undecided for r in self.relaxations):
            out.append("no single target or supply was found that makes the plan feasible alone; some were not decided")
        else:
            out.append("no single target or supply can be relaxed alone to make the plan feasible; "
                       "several conflict together")
        for t in self.together:
            out += t.lines
        out += [r.sentence for r in self.relaxations if r.shift is None]
        if self.iis:
            shown = ", ".join(self.iis[:12]) + (" ..." if len(self.iis) > 12 else "")
            out.append(f"an irreducible infeasible set of {len(self.iis)} rows: {shown}")
        return out

    def lines_in(self, lang: str) -> list[str]:
        """The lines in a language: English, or Chinese (optimizer.diagnosis_zh)."""
        if lang != "zh":
            return self.lines
        from optimizer.diagnosis_zh import lines_zh

        return lines_zh(self)

    def table(self) -> pd.DataFrame:
        """One row per knob relaxed alone; then, where none does, one per knob of each combination
        (`together`: what the combination keeps as written)."""
        rows = [(r, "") for r in self.relaxations] + [(r, f"keeping {t.keeps}") for t in self.together
                                                       for r in t.relaxations]
        return pd.DataFrame([{
            "family": r.knob.family, "parameter": ".".join(str(p) for p in r.knob.path),
            "change": "milestones later" if r.knob.delay else "value",
            "relaxes_alone": r.shift is not None and not together, "together": together,
            "least_change": _years_later(r.shift) if r.knob.delay and r.shift is not None else r.shift,
            "least_change_at_least": r.at_least if r.at_least is not None else r.shift,
            "unit": "years" if r.knob.delay else r.knob.unit, "set": r.set_text, "finding": r.sentence,
        } for r, together in rows])

    def __repr__(self) -> str:
        return f"Diagnosis(involved={self.involved})"


def _num(v: float, up: bool) -> str:
    """Six significant digits, rounded toward the relaxed side."""
    if v == 0:
        return "0"
    step = 10 ** (math.floor(math.log10(abs(v))) - 5)
    q = (math.ceil if up else math.floor)(v / step - (1e-9 if up else -1e-9)) * step
    return f"{q:.6g}"


def _toward(v: float, decimals: int, up: bool | None) -> float:
    """v at `decimals` places, rounded toward `up` (True: up, False: down, None: nearest)."""
    if up is None:
        return round(v, decimals)
    f = 10.0 ** decimals
    return (math.ceil if up else math.floor)(v * f - (1e-9 if up else -1e-9)) / f


MONEY_KNOB_UNITS = ("100m yuan", "100m yuan in all")


def _number(v: float, unit: str, up: bool | None = None) -> str:
    """A knob's amount as shown, at its unit's precision, rounded toward `up` (the side that keeps a suggestion
    feasible: "2,095.49", never the infeasible 2,095.48 of 2,095.4816): a share in percent to 0.01, a ratio
    to 0.001, money to 0.01 (100m yuan), 10,000 or more whole, else four significant digits (8, not 8.000)."""
    if unit == "share":
        return f"{_toward(v * 100, 2, up):.2f}"
    if unit == "x":
        return f"{_toward(v, 3, up):.3f}"
    if unit in MONEY_KNOB_UNITS:
        return f"{_toward(v, 2, up):,.2f}"
    if abs(v) >= 1e4:
        return f"{_toward(v, 0, up):,.0f}"  # 200,000 FTE, not 2e+05 FTE
    decimals = max(3 - math.floor(math.log10(abs(v))), 0) if v else 0
    text = f"{_toward(v, decimals, up):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fmt(v: float, unit: str, up: bool | None = None, change: bool = False) -> str:
    """A knob's amount with its unit in words (optimizer.diagnosis_zh says the same number in Chinese); a
    `change` of a share is in percentage points (lowered by 2.06 points to 67.94%)."""
    n = _number(v, unit, up)
    if unit == "share":
        return n + (" percentage points" if change else "%")
    if unit == "x":
        return n + "x"
    if unit in MONEY_KNOB_UNITS:
        return f"{n} (100m yuan) " + ("a year" if unit == "100m yuan" else "in all")
    return f"{n} {unit}"


def _get(scenario, path):
    """The value at an attribute path; a step into a list is an index, into a mapping (a family's
    parameters under `families:`) a key."""
    node = scenario
    for p in path:
        if node is None:
            return None
        node = node[p] if isinstance(p, int) else node.get(p) if isinstance(node, dict) else getattr(node, p, None)
    return node


def _with(scenario, knob: Knob, value):
    """A copy of the scenario with the knob set to value (None: no limit, for supplies)."""
    s = scenario.model_copy(deep=True)
    parent = _get(s, knob.path[:-1])
    if isinstance(parent, dict):
        parent[knob.path[-1]] = value
    else:
        object.__setattr__(parent, knob.path[-1], value)
    return s


def _years_later(delta: float) -> int:
    """A delay's shift in whole years: a part of a year delays to the next."""
    return math.ceil(delta - 1e-9)


def _within(schedule: dict, last: int) -> dict:
    """A schedule moved later, its milestones past the horizon's last year replaced by its value in that year
    (on the line between its milestones): the same targets in every year of the horizon, and a --set line the
    scenario takes (a year beyond the horizon is refused)."""
    if max(schedule) <= last:
        return schedule
    kept = {y: v for y, v in schedule.items() if y < last}
    return {**kept, last: float(np.interp(last, sorted(schedule), [schedule[y] for y in sorted(schedule)]))}


def _schedule(scenario, knob: Knob) -> dict:
    """The knob's value as a schedule: its milestones, or {CONSTANT: v} for one value."""
    value = _get(scenario, knob.path)
    return value if isinstance(value, dict) else {CONSTANT: value}


def _shifted(scenario, knob: Knob, delta: float):
    """A copy of the scenario with the knob moved by delta; and the knob's new schedule."""
    value = _get(scenario, knob.path)
    if knob.delay:
        moved = _within({y + _years_later(delta): v for y, v in value.items()}, max(scenario.years))
        return _with(scenario, knob, moved), moved
    sched = _schedule(scenario, knob)
    new = {}
    for y, v in sched.items():
        nv = v + knob.sign * delta
        new[y] = min(nv, knob.limit) if knob.sign > 0 else max(nv, knob.limit)
    return _with(scenario, knob, new if isinstance(value, dict) else new[CONSTANT]), new


def feasibility_form(scenario):
    """The scenario as the diagnosis builds it: feasibility does not depend on how people short are counted,
    so the fair and maximin objectives are built as unserved (one unmet column, no maximin rows: at 2,850
    counties, 4.2M fewer columns); min_cost, which fixes unmet need to 0, is kept."""
    obj = scenario.objective
    if obj.kind not in ("fair", "maximin"):
        return scenario
    return scenario.model_copy(update={"objective": obj.model_copy(update={"kind": "unserved"})})


class Prober:
    """Tells whether a scenario is feasible: True, False, or None where it could not be decided
    (`why` then says why). Shares one deadline over all its probes."""

    def __init__(self, solver_opts: dict, time_limit: float | None = None, progress: Callable[[str], None] | None = None):
        self.opts = {k: v for k, v in solver_opts.items() if k != "time_limit"}
        self.deadline = time.monotonic() + time_limit if time_limit else None
        self.progress = progress or (lambda text: None)
        self.why = ""
        self.solves = 0

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def __call__(self, scenario, what: str = "") -> bool | None:
        left = self.left()
        if left is not None and left <= 0:
            self.why = "the time limit was reached"
            return None
        data = build_data(scenario)
        if check(data, scenario):  # proven infeasible in numbers: no solve needed
            return False
        self.progress(f"infeasible: trying {what} (solve {self.solves + 1})" if what else "infeasible: trying a relaxation")
        self.solves += 1
        model, _ = build_model(data, feasibility_form(scenario))
        sol = solve(model, time_limit=left, **self.opts)
        if sol.status is Status.INFEASIBLE:
            return False
        if sol.shows_feasible:
            return True
        left = self.left()
        out_of_time = sol.status is Status.TIME_LIMIT or (left is not None and left <= 0)
        self.why = ("the time limit was reached" if out_of_time else
                    f"{sol.solver} stopped without a verdict ({sol.message or sol.status.value})")
        return None


def _applies(scenario, knob: Knob) -> bool:
    parent = _get(scenario, knob.path[:-1])
    if parent is None or _get(parent, ("enabled",)) not in (None, True):
        return False
    return knob.from_zero or bool(_get(parent, knob.path[-1:]))


def knobs(scenario) -> list[Knob]:
    """What every family declares the diagnosis may relax, in the families' build order; after each target
    written with milestone years, the same target reached later ("how late a milestone")."""
    load_all()
    last = max(scenario.years)
    out = []
    for k in (k for fam in in_build_order() for k in fam.knobs_for(scenario)):
        out.append(k)
        sched = _get(scenario, k.path)
        if k.resource or k.from_zero or not isinstance(sched, dict) or not sched or CONSTANT in sched:
            continue
        if last - min(sched) >= 1:  # at most until the first milestone falls in the last year
            out.append(replace(k, sign=+1, limit=float(last - min(sched)), tol=1.0, what=f"{k.what}'s milestones",
                               none_is_unlimited=False, delay=True))
    return out


def _feasible_at(scenario, knob: Knob, probe: Prober, delta: float) -> bool | None:
    verb = "raised" if knob.sign > 0 else "lowered"
    return probe(_shifted(scenario, knob, delta)[0], f"the {knob.what} {verb} by {_fmt(delta, knob.unit)}")


def bracket(scenario, knob: Knob, probe: Prober) -> Relaxation:
    """The knob at its most relaxed (an unbounded one, budgets, doubled until enough): a shift that
    makes the plan feasible, with the largest shift known not to (`at_least`); or that none does."""
    if math.isinf(knob.limit):  # an unbounded one: from its largest value, doubled below until enough
        hi = max(max(_schedule(scenario, knob).values()), 1.0)
    else:
        hi = _to_limit(scenario, knob)
    lo = 0.0  # the plan as it stands is infeasible
    if knob.none_is_unlimited:  # else 40 doublings, each a solve, to learn that no amount is enough
        found = probe(_with(scenario, knob, None), f"the {knob.what} unlimited")
        if not found:
            return Relaxation(knob, None, undecided=probe.why if found is None else "")
    for _ in range(40):
        found = _feasible_at(scenario, knob, probe, hi)
        if found is None:
            return Relaxation(knob, None, undecided=probe.why)
        if found:
            return Relaxation(knob, hi, _shifted(scenario, knob, hi)[1], at_least=lo)
        if not math.isinf(knob.limit):
            return Relaxation(knob, None)
        lo, hi = hi, hi * 2
    return Relaxation(knob, None)


REL_STEP = 1e-3  # a bisection stops within this share of the knob's own value (of the target, not a fixed step)


def step_of(scenario, knob: Knob, hi: float) -> float:
    """Where a bisection of the knob stops: 0.1% of the largest value of its schedule (a cap of 1.5x: 0.0015x;
    a floor of 15 per 10k: 0.015), whole years for a delay, the knob's own step for one written as 0."""
    if knob.delay:
        return knob.tol
    size = max((abs(v) for v in _schedule(scenario, knob).values() if isinstance(v, (int, float))), default=0.0)
    return REL_STEP * size if size > 0 else knob.tol * max(1.0, hi)


def _done(step: float, lo: float, hi: float) -> bool:
    return hi - lo <= step


def _proven_short(scenario, knob: Knob, lo: float, hi: float, step: float) -> float:
    """The largest shift in [lo, hi] that the pre-solve check proves is not enough (to the knob's
    tolerance), by the check alone: ~70 ms a step at 2,850 counties, where a solve takes ~50 s."""
    while not _done(step, lo, hi):
        mid = (lo + hi) / 2
        s = _shifted(scenario, knob, mid)[0]
        lo, hi = (mid, hi) if check(build_data(s), s) else (lo, mid)
    return lo


def narrow(scenario, r: Relaxation, probe: Prober, max_steps: int = 60, exact: bool = True) -> Relaxation:
    """Bisection between r.at_least (infeasible) and r.shift (feasible) to the knob's tolerance;
    cut short (time, a probe without a verdict), the bracket it got to."""
    knob, lo, hi = r.knob, r.at_least, r.shift
    assert lo is not None and hi is not None  # a bracket: known short, known enough
    exactly = least_shift_exact(scenario, r, probe) if exact else None
    if exactly is not None:
        return exactly
    step = step_of(scenario, knob, hi)
    for _ in range(max_steps):
        if _done(step, lo, hi):
            break
        mid = (lo + hi) / 2
        found = _feasible_at(scenario, knob, probe, mid)
        if found is None:  # hi still makes it feasible: said, with how far the search (and the check) got
            return Relaxation(knob, hi, _shifted(scenario, knob, hi)[1], at_least=_proven_short(scenario, knob, lo, mid, step),
                              undecided=probe.why, step=step)
        if found:
            hi = mid
        else:
            lo = mid
    return Relaxation(knob, hi, _shifted(scenario, knob, hi)[1], step=step)


def _model_of(scenario):
    return build_model(build_data(scenario), feasibility_form(scenario))[0]


RESOLVE_CHECK_COLUMNS = 200_000  # below: a suggestion is checked by two re-solves; above, by its residual


def least_shift_exact(scenario, r: Relaxation, probe: Prober) -> Relaxation | None:
    """The knob's least shift from one elastic LP (optimizer.exact), where its shift moves only bounds, in
    proportion, up to the shift r found enough. None where the knob has no such direction or the LP gives no
    answer: bisect it."""
    knob, hi = r.knob, r.shift
    if knob.delay or hi is None or hi <= 0:
        return None
    base = _model_of(scenario)
    g = direction(lambda d: _model_of(_shifted(scenario, knob, d)[0]), hi, base)
    found = _exact(scenario, knob, probe, base, g, complete=True) if g is not None else None
    return found[1]() if found is not None else None


Checked = Callable[[], Relaxation]  # the relaxation with its check done (re-solves): run once all are decided


def decide_exact(scenario, knob: Knob, probe: Prober, base) -> tuple[Relaxation, Checked] | None:
    """A knob that moves only bounds, decided by one LP with no bracket first: its least shift, or that no shift
    up to its most relaxed is enough (a supply or budget: any; a floor written with one value: to its limit).
    None where it has no direction, or the LP leaves it open (a floor whose years reach 0 at different
    shifts, not enough before the first does): the caller brackets and bisects it."""
    if knob.delay:
        return None
    g = _exact_direction(scenario, knob, base)
    if g is None:
        return None
    most = _most_relaxed(scenario, knob)
    if most is not None and check(build_data(most), most):  # the pre-solve check proves it in numbers: no LP
        r = Relaxation(knob, None)
        return r, lambda: r
    values = [v for v in _schedule(scenario, knob).values() if v is not None]
    complete = math.isinf(knob.limit) or len(set(values)) == 1  # the LP's range is the knob's whole range
    return _exact(scenario, knob, probe, base, g, complete)


def _exact(scenario, knob: Knob, probe: Prober, base, g: Direction, complete: bool) -> tuple[Relaxation, Checked] | None:
    """The knob's least shift from the elastic LP, and the check of it to run later (it re-solves)."""
    left = probe.left()
    if left is not None and left <= 0:
        return None
    probe.progress(f"infeasible: the least change of the {knob.what}, in one LP")
    probe.solves += 1
    sol = solve(elastic(base, [g], [1.0]), time_limit=left, **probe.opts)
    if sol.status is Status.INFEASIBLE:  # no shift in the LP's range is enough: a proof where that range is all
        none = Relaxation(knob, None, exact=True)
        return (none, lambda: none) if complete else None
    if sol.status is not Status.OPTIMAL or sol.x is None:
        return None
    least = min(max(float(sol.x[-1]), 0.0), g.hi)
    schedule = _shifted(scenario, knob, least)[1]
    x = sol.x
    return Relaxation(knob, least, schedule, exact=True), lambda: _checked(scenario, knob, probe, base, g, least, x)


def _checked(scenario, knob: Knob, probe: Prober, base, g: Direction, least: float, x) -> Relaxation:
    """The least shift re-solved as printed (feasible) and 1% short (infeasible); on a model too large to
    re-solve twice, the LP's own point checked against the plan as printed."""
    schedule = _shifted(scenario, knob, least)[1]
    found = Relaxation(knob, least, schedule, exact=True)
    if base.A.shape[1] < RESOLVE_CHECK_COLUMNS:
        as_printed = probe(found.as_printed(scenario), f"the {knob.what} as suggested")
        short = probe(_shifted(scenario, knob, 0.99 * least)[0], f"the {knob.what} 1% short of the suggestion")
        checked = ("checked: feasible as printed, infeasible 1% short" if as_printed and short is False else
                   f"check: as printed {_verdict(as_printed)}, 1% short {_verdict(short, False)}")
    else:  # a re-solve costs a full solve here: the LP's own point is checked against the plan as printed
        worst = moved(base, [g], [_printed_shift(scenario, knob, least)]).violation(x[:-1])
        checked = (f"checked: the LP's point meets the plan as printed (worst row off by {worst:.0e}); less is "
                   f"infeasible by the LP's optimum")
    return Relaxation(knob, least, schedule, exact=True, checked=checked)


def _verdict(found: bool | None, want: bool = True) -> str:
    return "not decided" if found is None else ("feasible" if found else "infeasible") + ("" if found == want else " (!)")


def least_shift(scenario, knob: Knob, probe: Prober) -> Relaxation:
    r = bracket(scenario, knob, probe)
    return narrow(scenario, r, probe) if r.shift is not None else r


def _most_relaxed(scenario, knob: Knob):
    """The scenario with the knob at its most relaxed (None: no limit), or None where it has no such end."""
    if knob.none_is_unlimited:
        return _with(scenario, knob, None)
    if math.isinf(knob.limit) or knob.delay:
        return None
    return _shifted(scenario, knob, _to_limit(scenario, knob))[0]


def _to_limit(scenario, knob: Knob) -> float:
    """The shift that takes a knob with a finite limit to it everywhere (a floor lowered to 0, a cap raised to its
    most), or the delay that puts its first milestone in the last year."""
    if knob.delay:
        return knob.limit
    sched = _schedule(scenario, knob)
    shift = max(sched.values()) - knob.limit if knob.sign < 0 else knob.limit - min(sched.values())
    return max(shift, 0.0)


def together(scenario, chosen: list[Knob], keeps: str, probe: Prober) -> Together:
    """Where no knob relaxes the plan alone: all the chosen knobs at their most relaxed; then, in their
    order, each put back as written where the plan stays feasible without it (a deletion filter: what is
    left must be relaxed together); then each left narrowed in turn to its least shift, the others at
    their values so far. The answer depends on the order (the families' build order): one feasible
    combination, each change least given the others, not the least combination over all."""
    current, used = scenario, list[Knob]()
    for k in chosen:
        relaxed = _most_relaxed(current, k)
        if relaxed is not None:
            current, used = relaxed, used + [k]
    found = probe(current, f"{len(used)} relaxed together") if used else False
    if not found:
        return Together(keeps, [], found, probe.why if found is None else "")
    needed = []
    for k in used:
        restored = _with(current, k, _get(scenario, k.path))
        back = probe(restored, f"the {k.what} as written, the others relaxed")
        if back is None:
            return Together(keeps, [], None, probe.why)
        if back:
            current = restored
        else:
            needed.append(k)
    out: list[Relaxation] = []
    for k in needed:
        base = _with(current, k, _get(scenario, k.path))
        r = least_shift(base, k, probe)
        if r.shift is None or r.schedule is None:  # cannot happen short of a probe without a verdict
            return Together(keeps, out + [r], None, r.undecided or probe.why)
        out.append(r)
        current = r.as_printed(base)  # the next knob's least is taken against this one as printed
    return Together(keeps, out, True)


IIS_SECONDS = 60.0
IIS_LEAST_SECONDS = 5.0


def diagnose(scenario, solver_opts: dict, progress: Callable[[str], None] | None = None, joint: bool = True,
             solve_seconds: float | None = None) -> Diagnosis:
    """With solver_opts' time_limit, the diagnosis as a whole stops there and says how far it got. A knob
    that moves only bounds is decided by one LP on the plan's model, built once; the others are bracketed,
    every one of them first, then narrowed as far as the time allows. The irreducible infeasible set gets
    the first solve's time (`solve_seconds`; at least 5 s, at most 60)."""
    probe = Prober(solver_opts, solver_opts.get("time_limit"), progress)
    every = [k for k in knobs(scenario) if _applies(scenario, k)]
    base = _model_of(scenario)
    exact = {id(k): decide_exact(scenario, k, probe, base) for k in every}
    found = [e[0] if (e := exact[id(k)]) is not None else bracket(scenario, k, probe) for k in every]
    relax = [r if r.exact or r.shift is None else narrow(scenario, r, probe, exact=False) for r in found]
    relax = [e[1]() if (e := exact[id(r.knob)]) is not None else r for r in relax]  # the checks, last
    del base  # the combinations and the IIS build their own
    combos: list[Together] = []
    if joint and relax and all(r.shift is None and not r.undecided for r in relax):  # several conflict together
        combos = [together(scenario, [k for k in every if k.resource], "every target", probe),
                  together(scenario, [k for k in every if not (k.resource or k.delay)], "the resources", probe)]
    left = probe.left()
    rows = None
    budget = min(IIS_SECONDS, max(IIS_LEAST_SECONDS, solve_seconds or IIS_SECONDS))
    if solver_opts.get("solver", "auto") != "cbc" and (left is None or left > 1):
        probe.progress("infeasible: looking for an irreducible infeasible set of rows")
        model = _model_of(scenario)
        rows = iis_rows(model, budget if left is None else min(budget, left))
    if not rows:
        return Diagnosis(relax, together=combos)
    names = model.row_names()  # all 1.7M of them at 2,850 counties: only when there are rows to name
    return Diagnosis(relax, [names[i] for i in rows], combos)


@dataclass
class Combination:
    """The cheapest combination of changes under the user's weights (cost per unit of each knob's change), from
    one elastic LP over the knobs named; `relaxations` those it changes, `checked` the re-solve as printed."""

    weights: dict[str, float]
    relaxations: list[Relaxation]
    feasible: bool | None  # the knobs named, as far as they go: enough, not enough, or not decided
    checked: str = ""
    why: str = ""

    @property
    def lines(self) -> list[str]:
        said = ", ".join(f"{k} x{w:g}" for k, w in self.weights.items())
        if self.feasible is None:
            return [f"cheapest combination ({said}): not decided ({self.why})"]
        if not self.feasible:
            within = f" ({self.why})" if self.why else ""
            return [f"cheapest combination ({said}): changing these together cannot make the plan feasible{within}"]
        changed = [r for r in self.relaxations if r.shift]
        sets = " ".join(r.set_option for r in changed)
        said_changes = "; ".join(r.sentence for r in changed) or "no change"
        return [f"cheapest combination ({said}; exact: one LP; {self.checked}): {said_changes}   ({sets})"]


def linear_knobs(scenario) -> dict[str, Knob]:
    """The knobs a combination may change, by their key: those that apply and are not a milestone's delay."""
    return {".".join(str(p) for p in k.path): k for k in knobs(scenario) if _applies(scenario, k) and not k.delay}


def combination(scenario, weights: dict[str, float], solver_opts: dict, progress=None) -> Combination:
    """The least weighted sum of changes (weight per unit of each knob) that makes the plan feasible, the other
    targets as written: one elastic LP with a column per knob. Every knob named must move only bounds, in
    proportion (optimizer.exact); one that changes the matrix (a ratio cap, a share floor) raises ValueError
    naming it. A floor goes at most to where its lowest year reaches its limit; a supply or budget without end."""
    probe = Prober(solver_opts, solver_opts.get("time_limit"), progress)
    every = linear_knobs(scenario)
    base = _model_of(scenario)
    dirs: list[Direction] = []
    chosen: list[Knob] = []
    for key in weights:
        k = every[key]
        g = _exact_direction(scenario, k, base)
        if g is None:
            raise ValueError(f"{key}: its change multiplies a variable of the plan (or moves its years unevenly), "
                             f"so it has no exact combination; combine {', '.join(linear_knobs_exact(scenario, base))}")
        dirs.append(g)
        chosen.append(k)
    probe.progress("infeasible: the cheapest combination, in one LP")
    top = max(weights.values()) or 1.0  # the weights' scale is the user's: the LP sees them at most 1
    sol = solve(elastic(base, dirs, [weights[".".join(str(p) for p in k.path)] / top for k in chosen]),
                time_limit=probe.left(), **probe.opts)
    if sol.status is Status.INFEASIBLE:
        floors = [k.what for k in chosen if not math.isinf(k.limit)]
        return Combination(weights, [], False, why=(f"each floor at most to where its lowest year reaches its limit "
                                                    f"({', '.join(floors)}); a bisection of one knob alone may go further"
                                                    if floors else ""))
    if sol.status is not Status.OPTIMAL or sol.x is None:
        return Combination(weights, [], None, why=sol.message or sol.status.value)
    shifts = [max(float(v), 0.0) for v in sol.x[-len(chosen):]]
    # each change made least given the others as printed (one LP each): a knob of a small weight whose
    # amount the weighted LP left loose within its tolerance is taken down to what is needed
    for i, g in enumerate(dirs):
        if shifts[i] <= 0:
            continue
        others = moved(base, [h for j, h in enumerate(dirs) if j != i],
                       [_printed_shift(scenario, kk, shifts[j]) for j, kk in enumerate(chosen) if j != i])
        alone = solve(elastic(others, [g], [1.0]), time_limit=probe.left(), **probe.opts)
        if alone.status is Status.OPTIMAL and alone.x is not None:
            shifts[i] = min(shifts[i], max(float(alone.x[-1]), 0.0))
    out, current = [], scenario
    for k, d in zip(chosen, shifts):
        r = Relaxation(k, d, _shifted(scenario, k, d)[1], exact=True)
        if d > 0:
            current = r.as_printed(current)
        out.append(r)
    found = probe(current, "the combination as suggested")
    return Combination(weights, out, True, checked=f"checked: {_verdict(found)} as printed")


def _printed_shift(scenario, k: Knob, d: float) -> float:
    """The shift the knob's --set line makes (its milestones rounded toward the relaxed side): at least d, the
    least over its milestones (every year of the line lies between two of them)."""
    if d <= 0:
        return 0.0
    now = _schedule(scenario, k)
    return min(k.sign * (v - now[y]) for y, v in Relaxation(k, d, _shifted(scenario, k, d)[1]).printed.items())


def _exact_direction(scenario, k: Knob, base) -> Direction | None:
    """The knob's direction over its reach: a floor to the first year that reaches its limit (beyond it the
    years move apart), a supply or budget without end (checked to its largest value)."""
    values = [v for v in _schedule(scenario, k).values() if v is not None]
    if math.isinf(k.limit):
        g = direction(lambda d: _model_of(_shifted(scenario, k, d)[0]), max(max(map(abs, values), default=1.0), 1.0), base)
        return replace(g, hi=math.inf) if g is not None else None
    reach = min((v - k.limit if k.sign < 0 else k.limit - v for v in values), default=0.0)
    return direction(lambda d: _model_of(_shifted(scenario, k, d)[0]), reach, base) if reach > 0 else None


def linear_knobs_exact(scenario, base) -> list[str]:
    """The keys of the knobs a combination can take: those whose change moves bounds alone."""
    return [key for key, k in linear_knobs(scenario).items() if _exact_direction(scenario, k, base) is not None]
