"""Scenario loading: YAML + extends + tables + --set overrides, validated once.

Every problem found is gathered and reported together, each with file, line
(row and column for tables), key path, what was expected and what was found.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from optimizer.errors import InputError, Problem, Where
from optimizer.preprocess import tables
from optimizer.preprocess.assembled import declared_types, scenario_model
from optimizer.preprocess.checks import cross_check
from optimizer.preprocess.overrides import Override, apply_overrides, parse_override
from optimizer.preprocess.schema import CONSTANT, Scenario, comma_number, plain_name, schedule_context
from optimizer.preprocess.schemawalk import nearest_keys
from optimizer.preprocess.workbook import PROBLEMS, read_workbook
from optimizer.preprocess.yamlio import Locations, key_text, load_yaml, pretty_path, where_of

log = logging.getLogger("opt")


@dataclass
class Loaded:
    scenario: Scenario
    path: Path
    locs: Locations
    raw: dict
    inputs: dict[str, str] = field(default_factory=dict)  # file -> sha256
    overrides: list[Override] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.scenario.name or self.path.stem

    def folder_name(self) -> str:
        """The name as a result folder's (results/<name>): the scenario's `name:` (checked by the schema),
        else its file's name, which must be as plain."""
        try:
            return plain_name(self.name)
        except ValueError as e:
            raise InputError([Problem(Where(str(self.path)), "name", f"the scenario gives no 'name:', so its file name "
                                      f"would name the result folder: {e}; give it a 'name:' or use --out")]) from None

    @property
    def sha256(self) -> str:
        """Hash of the resolved scenario (after extends, tables and overrides)."""
        blob = json.dumps(self.scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _merge(base: dict, child: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in child.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and "file" not in v:
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _read_with_extends(path: Path, chain: tuple[Path, ...], inputs: dict) -> tuple[dict, Locations]:
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p) for p in chain + (path,))
        raise InputError([Problem(Where(str(chain[-1])), "extends", f"expected a chain of scenarios, found a cycle: {cycle}")])
    if path.suffix.lower() in (".xls", ".xlsm", ".xlsb", ".ods"):
        raise InputError([Problem(Where(str(path)), "", f"expected a YAML scenario or an .xlsx workbook (opt template "
                                  f"writes one), found a {path.suffix} file: save it as .xlsx")])
    if path.suffix.lower() == ".xlsx":  # a workbook opt template wrote (optimizer/preprocess/workbook.py)
        data, locs = read_workbook(path)
    else:
        data, locs = load_yaml(path)
    inputs[str(path)] = _sha(path)
    return _tables_and_base(data, locs, path.parent, inputs, chain + (path,), Where(str(path)))


def _tables_and_base(data: dict, locs: Locations, folder: Path, inputs: dict, chain: tuple[Path, ...],
                     here: Where) -> tuple[dict, Locations]:
    """A scenario's tables read (relative to `folder`) and its `extends:` base merged under it (a file's folder
    is its own; a mapping's, the working folder)."""
    _resolve_tables(data, locs, folder, inputs)
    parent = data.pop("extends", None)
    if parent is None:
        return data, locs
    where = locs.get(("extends",)) or here
    if not isinstance(parent, (str, Path)):
        raise InputError([Problem(where, "extends", f"expected a file name, found {parent!r}")])
    ppath = folder / parent
    if not ppath.exists():
        raise InputError([Problem(where, "extends", f"expected an existing scenario file, found no file '{ppath}'")])
    try:
        pdata, plocs = _read_with_extends(ppath, chain, inputs)
    except InputError as e:
        raise _told_at(e, where, "extends") from None
    merged = _merge(pdata, data)
    return merged, {**plocs, **locs}


def _told_at(e: InputError, where: Where | None, key: str) -> InputError:
    """A whole-file problem (no line: too large, a folder, empty) told also at the line that names the file."""
    return InputError([p if p.where is None or p.where.line is not None
                       else Problem(where, key, f"{p.where.file}: {p.message}") for p in e.problems])


def _resolve_tables(data: dict, locs: Locations, folder: Path, inputs: dict) -> None:
    for at in tables.TABLE_KEYS:
        parent = data
        for p in at[:-1]:
            parent = parent.get(p) if isinstance(parent, dict) else None
        ref = parent.get(at[-1]) if isinstance(parent, dict) else None
        if not (isinstance(ref, dict) and "file" in ref):
            continue
        key = ".".join(at)
        wide = at == ("population",)
        allowed = {"file", "sheet"} | ({"ignore_unknown"} if wide else set())
        extra = set(ref) - allowed
        where = locs.get(at)
        if extra:
            raise InputError([Problem(where, key, f"a table reference takes {sorted(allowed)}, found also {sorted(extra)}")])
        tpath = folder / str(ref["file"])
        if not tpath.exists():
            raise InputError([Problem(where, f"{key}.file", f"expected a table file, found no file '{tpath}'")])
        try:
            if wide:
                parent[at[-1]] = tables.wide(tpath, ref.get("sheet"), at, locs)
                if ref.get("ignore_unknown") is True:  # a national table used by a regional scenario
                    data["_population_ignore_unknown"] = True
            else:
                parent[at[-1]] = tables.records(tpath, ref.get("sheet"), at, locs)
        except InputError as e:
            raise _told_at(e, where, f"{key}.file") from None
        inputs[str(tpath.resolve())] = _sha(tpath)  # once read: the table reader refuses a folder or a device


# pydantic error types in the words of this project's messages: "expected ..., found ..."
_PLAIN = {
    "too_short": "at least {min_length} item(s)",
    "list_type": "a list (such as [a, b] or, for years, '2024:2030')",
    "dict_type": "a mapping of keys (such as {{2026: 0.15, 2030: 0.25}})",
    "float_parsing": "a number", "float_type": "a number", "int_parsing": "a whole number", "int_type": "a whole number",
    "int_from_float": "a whole number", "bool_parsing": "true or false", "bool_type": "true or false",
    "string_type": "text", "model_type": "a mapping of keys", "model_attributes_type": "a mapping of keys",
    "literal_error": "one of {expected}", "greater_than_equal": "a value greater than or equal to {ge}",
    "greater_than": "a value greater than {gt}", "less_than_equal": "a value less than or equal to {le}",
    "less_than": "a value less than {lt}", "finite_number": "a finite number",
    "string_pattern_mismatch": "text matching {pattern}",
}


def _at(raw, loc: tuple):
    node = raw
    for p in loc:
        try:
            node = node[p] if not isinstance(node, dict) else node.get(p, node.get(str(p)))
        except (IndexError, KeyError, TypeError):
            return None
    return node


def _found(value) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) < 60 else text[:57] + "..."


# the names pydantic gives the branches of a union in an error's location: not the user's keys
_BRANCH = re.compile(r"^(function-\w+\[|dict\[|list\[|literal\[|[A-Z]\w*$|(float|int|str|bool|none)$)")


def _branches_out(errors, raw) -> list[dict]:
    """Errors with union-branch names taken out of their locations (attrition: a number, or by area), keeping for
    each place only the branch that matches what was written (a mapping, or not); and '[key]' taken out."""
    kept: list[dict] = []
    by_place: dict[tuple, list[tuple[bool, dict]]] = {}
    for e in errors:
        loc: list = []
        node, branch = raw, None
        for p in e["loc"]:
            present = isinstance(node, dict) and (p in node or str(p) in node) or isinstance(node, list)
            if p == "[key]" or (isinstance(p, str) and not present and _BRANCH.match(p)):
                if p != "[key]":
                    mapping = not re.match(r"^(function-|float$|int$|str$|bool$|none$|literal)", p)
                    branch = (tuple(loc), mapping, isinstance(node, dict))
                continue
            loc.append(p)
            node = _at(node, (p,)) if isinstance(node, dict | list) else None
        e = {**e, "loc": tuple(loc)}
        if branch is None:
            kept.append(e)
        else:
            by_place.setdefault(branch[0], []).append((branch[1] == branch[2], e))
    for found in by_place.values():
        matching = [e for ok, e in found if ok]
        kept += matching or [e for _, e in found]
    return kept


def problems_from_validation(errors: list, raw: dict, locs: Locations, model=None, schema=None) -> list[Problem]:
    """Pydantic errors as Problems with file, line and key path. `model`: the schema the
    errors' keys belong to, for suggesting near keys (default: the scenario, `schema` where given)."""
    out = []
    for e in _branches_out(errors, raw):
        loc = tuple(e["loc"])
        if loc and loc[-1] == CONSTANT and not isinstance(_at(raw, loc[:-1]), dict):
            loc = loc[:-1]  # a schedule given as one number: the internal key is not the user's
        path = pretty_path(raw, loc)
        where = where_of(locs, loc)
        kind = e["type"]
        if kind == "missing":
            in_table = where is not None and where.file.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm"))
            msg = (f"required column '{loc[-1]}' is missing or empty" if in_table
                   else f"required key '{loc[-1]}' is missing")
        elif kind == "extra_forbidden":
            sugg = nearest_keys(loc, model=schema or scenario_model()) if model is None else difflib.get_close_matches(
                str(loc[-1]), list(model.model_fields), n=3, cutoff=0.5)
            msg = f"unknown key '{loc[-1]}'" + (f"; did you mean {' or '.join(repr(s) for s in sugg)}?" if sugg else "")
            if len(loc) == 2 and loc[0] == "resources":
                msg += (" (a staff or space type's id is a plain name: letters, digits and _, not starting with a "
                        "digit, and not staff, social_workers or community_space, whose KPIs are personnel's and "
                        "facility's)")
            if len(loc) >= 2 and loc[-2] in ("standard", "bounds", "base_stock"):  # keyed by resource
                msg += (f" (a staff or space type is declared first, under resources: "
                        f"{{{loc[-1]}: {{kind: staff}}}} or {{kind: space}})")
        elif kind == "value_error":
            msg = str(e.get("ctx", {}).get("error", e["msg"]))
        elif kind in ("float_parsing", "int_parsing") and comma_number(e.get("input")):
            msg = comma_number(e.get("input"))
        elif kind in _PLAIN:
            msg = f"expected {_PLAIN[kind].format(**(e.get('ctx') or {}))}, found {_found(e.get('input'))}"
        else:
            text = e["msg"]
            text = text[len("Input should be "):] if text.startswith("Input should be ") else text[0].lower() + text[1:]
            msg = f"expected {text}, found {_found(e.get('input'))}"
        out.append(Problem(where, path, msg))
    return out


def _load_families(raw: dict, locs: Locations, folder: Path, given_by: str | None = None) -> None:
    """The families of the scenario's families_path folders (relative to its own folder), imported before the
    schema is made: a family may declare its own entry under targets:. `given_by`: the --set that gave them."""
    from optimizer.models.registry import FamilyImportError, load_all, load_paths

    try:  # the families of installed packages (entry points): one that does not import is bad input, said
        load_all()
    except FamilyImportError as e:
        raise InputError([Problem(Where(e.where), "", e.why)]) from None
    given = raw.get("families_path")
    paths = [] if given is None else given if isinstance(given, list) else [given]
    problems, folders = [], []
    for i, p in enumerate(paths):
        at = ("families_path",) + ((i,) if isinstance(given, list) else ())
        where = Where("--set") if given_by else where_of(locs, at)
        if not isinstance(p, str) or not (folder / p).is_dir():
            problems.append(Problem(where, "families_path", f"expected a folder of family modules, "
                                    f"found {'no folder ' + repr(str((folder / p).resolve())) if isinstance(p, str) else repr(p)}"))
            continue
        folders.append(((folder / p).resolve(), where))
    if problems:
        raise InputError(problems)
    try:  # only this scenario's folders: another scenario's, read earlier in this process, are forgotten
        load_paths([f for f, _ in folders])
    except FamilyImportError as e:
        where = next((w for f, w in folders if Path(e.where).resolve().parent == f), folders[0][1] if folders else None)
        raise InputError([Problem(where, "families_path", f"{e.where} {e.why}")]) from None


MAPPING = Path("<mapping>")  # a scenario given as a mapping (optimizer.api.load), not a file


def _read_mapping(mapping: Mapping, inputs: dict) -> tuple[dict, Locations]:
    """A scenario given as a mapping (the API's): its tables and `extends:` found from the working folder,
    as a file's are from its own folder; no line numbers, so problems name the key path alone."""
    return _tables_and_base(copy.deepcopy(dict(mapping)), {}, Path.cwd(), inputs, (), Where(str(MAPPING)))


def load_scenario(path: str | Path | Mapping, overrides: list[str] | None = None) -> Loaded:
    """A scenario from its file (YAML or a workbook) or a mapping, with `--set` style overrides: checked, every
    problem in one InputError."""
    inputs: dict[str, str] = {}
    if isinstance(path, Mapping):
        raw, locs = _read_mapping(path, inputs)
        path = MAPPING
    else:
        path = Path(path)
        raw, locs = _read_with_extends(path, (), inputs)
    parsed = []
    problems: list[Problem] = []
    for text in overrides or []:
        try:
            parsed.append(parse_override(text))
        except ValueError as e:
            problems.append(Problem(Where("--set"), text, str(e)))
    if problems:
        raise InputError(problems)
    home = path.parent if path != MAPPING else Path.cwd()
    replaced = [o for o in parsed if o.path == "families_path"]  # --set families_path=: instead of the file's, not beside
    _load_families({**raw, "families_path": replaced[-1].value} if replaced else raw, locs, home,
                   given_by=replaced[-1].text if replaced else None)
    schema = scenario_model(declared_types(raw))
    raw, applied = apply_overrides(raw, parsed, problems, locs, schema)
    if problems:
        raise InputError(problems)
    schema = scenario_model(declared_types(raw))  # an override may declare a type (resources.x.kind=staff)
    if raw.pop("_population_ignore_unknown", False) and isinstance(raw.get("population"), dict):
        known = {str(r.get("id")) for r in raw.get("regions") or [] if isinstance(r, dict)}
        raw["population"] = {k: v for k, v in raw["population"].items() if k in known}
    read_problems = raw.pop(PROBLEMS, [])  # a workbook's cells that were not values (read_workbook)
    try:
        scenario = schema.model_validate(raw, context=schedule_context(raw))
    except ValidationError as err:
        raise InputError(read_problems + problems_from_validation(err.errors(), raw, locs, schema=schema)) from None
    problems = read_problems + cross_check(scenario, raw, locs)  # a workbook's problems with the rest, at once
    if problems:
        raise InputError(problems)
    for o in applied:
        log.info("override applied: %s = %r (was %s)", o.path, o.value, "not set" if o.previous is None else repr(o.previous))
    for key in ignored_objective_keys(raw.get("objective"), scenario.objective):
        log.warning("objective.%s is given but not used under objective.kind %s%s", key, scenario.objective.kind,
                    f" (form {scenario.objective.fair.form})" if key.startswith("fair.") else "")
    return Loaded(scenario, path, locs, raw, inputs, applied)


def ignored_objective_keys(given, obj) -> list[str]:
    """Keys of `objective:` written in the scenario that its kind (and the fair form) does not read."""
    if not isinstance(given, dict):
        return []
    fair = obj.kind == "fair"
    unused = {"fair": not fair, "maximin_tolerance": obj.kind != "maximin",
              "price_of_fairness": obj.kind not in ("fair", "maximin")}
    out = [k for k, off in unused.items() if off and k in given]
    if fair and isinstance(given.get("fair"), dict):
        quadratic = obj.fair.form == "quadratic"
        out += [f"fair.{k}" for k in ("breakpoints", "slopes") if quadratic and k in given["fair"]]
        out += ["fair.curvature"] if not quadratic and "curvature" in given["fair"] else []
    return out


__all__ = ["Loaded", "load_scenario", "key_text", "problems_from_validation"]
