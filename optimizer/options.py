"""The options a run takes beside its scenario (solver, method, back end, time limit, threads, language, money
unit), checked in one place for the command line and the Python API, so both refuse the same values with the
same words: (option, what was expected, what was found)."""
from __future__ import annotations

from numbers import Integral, Real

SOLVER_CHOICES = {"--solver": ("auto", "highs", "cbc", "clarabel"), "--method": ("auto", "simplex", "ipm", "pdlp"),
                  "--backend": ("auto", "highspy", "pulp")}
Refusal = tuple[str, str, str]  # option, expected, found


def solver_refusals(time_limit: object = None, threads: object = None, **chosen: object) -> list[Refusal]:
    """--solver, --method, --backend (by their names without dashes), --time-limit and --threads."""
    from optimizer.preprocess.schema import max_threads

    out = []
    for key, value in chosen.items():
        name = f"--{key}"
        if value is not None and value not in SOLVER_CHOICES[name]:
            out.append((name, f"one of {', '.join(SOLVER_CHOICES[name])}", f"'{value}'"))
    if time_limit is not None:
        number = isinstance(time_limit, Real) and not isinstance(time_limit, bool)
        if not number or not float(time_limit) > 0:  # type: ignore[arg-type]
            out.append(("--time-limit", "a positive number of seconds", f"{time_limit:g}" if number else repr(time_limit)))
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, Integral) or not 1 <= int(threads) <= max_threads()):
        out.append(("--threads", f"a whole number from 1 to {max_threads()} (this machine's cores)", str(threads)))
    return out


def view_choice(money_unit: object, lang: object) -> tuple[str | None, str | None, list[Refusal]]:
    """--money-unit normalised (100m yuan -> 亿元) and --lang, with what is refused."""
    from optimizer.postprocess.view import LANGS, MONEY_UNITS

    out = []
    if lang is not None and lang not in LANGS:
        out.append(("--lang", " or ".join(LANGS), repr(lang)))
        lang = None
    if money_unit is not None:
        names = {**{k: k for k in MONEY_UNITS}, **{en: k for k, (_, en) in MONEY_UNITS.items()}}
        key = money_unit.strip().lower() if isinstance(money_unit, str) else None
        if key not in names:
            out.append(("--money-unit", "one of " + ", ".join(names), repr(money_unit)))
            money_unit = None
        else:
            money_unit = names[key]
    return money_unit, lang, out  # type: ignore[return-value]
