"""When the plan's targets cannot all be met: the least change to each that makes it feasible.

For each plan target (and each supply) present, that one is relaxed alone, every
other target held, and bisection finds the smallest uniform shift of its
schedule that makes the plan feasible: a cap raised by d, a floor lowered by d,
a budget raised by d a year. Feasibility is monotone in each shift, so the
bisection is exact to its tolerance; the shift found, applied with --set, makes
the plan feasible and a noticeably smaller one does not. Where HiGHS can compute
an irreducible infeasible subset, its row names are listed as well.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from models.build import build_model
from optimizer.backend.highs import iis_rows
from optimizer.backend.solve import solve
from optimizer.backend.status import Status
from optimizer.preprocess.data import build_data
from optimizer.preprocess.schema import CONSTANT
from optimizer.units import fmt_money_yuan


@dataclass(frozen=True)
class Knob:
    """One relaxable parameter: where it lives, which way relaxes it, its bounds."""

    family: str  # the constraint family it belongs to
    path: tuple[str, ...]  # attribute path in the Scenario
    sign: int  # +1: raising relaxes (caps, budgets); -1: lowering relaxes (floors)
    limit: float  # the most relaxed value (1e9 for 'no limit')
    tol: float  # bisection stops when the shift is known to this (absolute)
    unit: str
    what: str


KNOBS = (
    Knob("regional_gap", ("targets", "regional_gap", "cap"), +1, 1e3, 1e-3, "x", "regional gap cap"),
    Knob("urban_rural_gap", ("targets", "urban_rural_gap", "cap"), +1, 1e3, 1e-3, "x", "urban-rural gap cap"),
    Knob("livelihood_share", ("targets", "livelihood_share", "min"), -1, 0.0, 1e-4, "share", "livelihood share floor"),
    Knob("special_groups_share", ("targets", "special_groups_share", "min"), -1, 0.0, 1e-4, "share", "special-group share floor"),
    Knob("personnel_density", ("targets", "personnel_density", "min"), -1, 0.0, 1e-3, "per 10k", "social-worker density target"),
    Knob("facility_standard", ("targets", "facility_standard", "min"), -1, 0.0, 1e-4, "m2/person", "community space target"),
    Knob("supply", ("resources", "fiscal", "budget"), +1, math.inf, 1e-3, "100m yuan", "fiscal budget"),
    Knob("supply", ("resources", "personnel", "supply"), +1, math.inf, 1e-1, "FTE", "personnel supply"),
    Knob("supply", ("resources", "facility", "supply"), +1, math.inf, 1e-3, "10k m2", "build capacity"),
)


@dataclass
class Relaxation:
    knob: Knob
    shift: float | None  # None: relaxing this alone cannot restore feasibility
    schedule: dict | None = None

    @property
    def set_text(self) -> str:
        if self.schedule is None:
            return ""
        key = ".".join(str(p) for p in self.knob.path)
        up = self.knob.sign > 0  # round toward the relaxed side so the printed value stays feasible
        if CONSTANT in self.schedule:
            return f"{key}={_num(self.schedule[CONSTANT], up)}"
        return f"{key}={{{', '.join(f'{y}: {_num(v, up)}' for y, v in sorted(self.schedule.items()))}}}"

    @property
    def sentence(self) -> str:
        k = self.knob
        if self.shift is None:
            return f"relaxing the {k.what} alone cannot make the plan feasible"
        verb = "raised" if k.sign > 0 else "lowered"
        values = ", ".join(f"{'every year' if y == CONSTANT else y}: {_fmt(v, k.unit)}" for y, v in sorted(self.schedule.items()))
        return f"the {k.what} must be {verb} by {_fmt(self.shift, k.unit)} ({values})"


@dataclass
class Diagnosis:
    relaxations: list[Relaxation]
    iis: list[str] = field(default_factory=list)

    @property
    def involved(self) -> list[str]:
        return sorted({r.knob.family for r in self.relaxations if r.shift is not None})

    @property
    def lines(self) -> list[str]:
        ok = [r for r in self.relaxations if r.shift is not None]
        out = [r.sentence + f"   (--set {r.set_text})" for r in ok]
        if ok:
            out[0] = "any one of these makes the plan feasible: " + out[0]
        else:
            out.append("no single target or supply can be relaxed alone to make the plan feasible; "
                       "several conflict together")
        out += [r.sentence for r in self.relaxations if r.shift is None]
        if self.iis:
            shown = ", ".join(self.iis[:12]) + (" ..." if len(self.iis) > 12 else "")
            out.append(f"an irreducible infeasible set of {len(self.iis)} rows: {shown}")
        return out

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "family": r.knob.family, "parameter": ".".join(str(p) for p in r.knob.path), "relaxes_alone": r.shift is not None,
            "least_change": r.shift, "unit": r.knob.unit, "set": r.set_text, "finding": r.sentence,
        } for r in self.relaxations])

    def __repr__(self) -> str:
        return f"Diagnosis(involved={self.involved})"


def _num(v: float, up: bool) -> str:
    """Six significant digits, rounded toward the relaxed side."""
    if v == 0:
        return "0"
    step = 10 ** (math.floor(math.log10(abs(v))) - 5)
    q = (math.ceil if up else math.floor)(v / step - (1e-9 if up else -1e-9)) * step
    return f"{q:.6g}"


def _fmt(v: float, unit: str) -> str:
    if unit == "share":
        return f"{v:.2%}"
    if unit == "x":
        return f"{v:.3f}x"
    if unit == "100m yuan":
        return fmt_money_yuan(v * 1e8) + " a year"
    return f"{v:,.4g} {unit}"


def _get(scenario, path):
    node = scenario
    for p in path:
        if node is None:
            return None
        node = node[p] if isinstance(p, int) else getattr(node, p, None)
    return node


def _shifted(scenario, knob: Knob, delta: float):
    """A copy of the scenario with the knob moved by delta; and the knob's new schedule."""
    s = scenario.model_copy(deep=True)
    parent = _get(s, knob.path[:-1])
    value = getattr(parent, knob.path[-1])
    sched = value if isinstance(value, dict) else {CONSTANT: value}
    new = {}
    for y, v in sched.items():
        nv = v + knob.sign * delta
        new[y] = min(nv, knob.limit) if knob.sign > 0 else max(nv, knob.limit)
    object.__setattr__(parent, knob.path[-1], new if isinstance(value, dict) else new[CONSTANT])
    return s, new


def _feasible(scenario, solver_opts: dict) -> bool:
    model, _ = build_model(build_data(scenario), scenario)
    opts = {k: v for k, v in solver_opts.items() if k != "time_limit"}
    return solve(model, **opts).status is not Status.INFEASIBLE


def _applies(scenario, knob: Knob) -> bool:
    parent = _get(scenario, knob.path[:-1])
    if parent is None or not getattr(parent, "enabled", True):
        return False
    return knob.family == "custom" or bool(getattr(parent, knob.path[-1], None))


def knobs(scenario) -> list[Knob]:
    """The plan's knobs, and one per custom constraint (loosened by its 'relax')."""
    out = list(KNOBS)
    for i, item in enumerate(scenario.custom):
        out.append(Knob("custom", ("custom", i, "relax"), +1, math.inf, 1e-4, "its unit", f"custom constraint '{item.name}'"))
    return out


def least_shift(scenario, knob: Knob, solver_opts: dict, max_steps: int = 60) -> Relaxation:
    sched = _get(scenario, knob.path)
    sched = sched if isinstance(sched, dict) else {CONSTANT: sched}
    if knob.sign < 0:
        hi = max(max(sched.values()) - knob.limit, 0.0)  # lowering by this reaches the limit everywhere
    else:
        hi = max(max(sched.values()), 1.0) if math.isinf(knob.limit) else knob.limit - min(sched.values())
    # for unbounded knobs (budgets), double until feasible
    for _ in range(40):
        if _feasible(_shifted(scenario, knob, hi)[0], solver_opts):
            break
        if not math.isinf(knob.limit):
            return Relaxation(knob, None)
        hi *= 2
    else:
        return Relaxation(knob, None)
    lo = 0.0
    for _ in range(max_steps):
        if hi - lo <= knob.tol * (max(1.0, hi) if math.isinf(knob.limit) else 1.0):
            break
        mid = (lo + hi) / 2
        if _feasible(_shifted(scenario, knob, mid)[0], solver_opts):
            hi = mid
        else:
            lo = mid
    _, new = _shifted(scenario, knob, hi)
    return Relaxation(knob, hi, new)


def diagnose(data, scenario, model, solver_opts: dict) -> Diagnosis:
    relax = [least_shift(scenario, k, solver_opts) for k in knobs(scenario) if _applies(scenario, k)]
    rows = iis_rows(model) if solver_opts.get("solver", "auto") != "cbc" else None
    names = model.row_names()
    return Diagnosis(relax, [names[i] for i in rows] if rows else [])
