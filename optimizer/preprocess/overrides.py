"""--set key.path=value overrides, checked against the schema before they are applied.

List items are addressed by id (regions.Sichuan.priority=2) or by index.
Values are read as YAML scalars or flow collections ('1.6', 'null', '{2030: 1.6}'),
with the checks a scenario file gets (yamlio.load_value). A key set twice is an
error, as a duplicate key in a file is, and so is a key that would never be read.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from optimizer.errors import InputError, Problem, Where
from optimizer.preprocess.schema import Scenario
from optimizer.preprocess.schemawalk import _unwrap, is_model, nearest_keys, step
from optimizer.preprocess.yamlio import Locations, load_value


@dataclass
class Override:
    text: str
    path: str
    value: Any
    previous: Any = None  # what the scenario had there: its value, or the schema's default
    loc: tuple = ()  # the key path resolved (list items by index), to tell a key set twice


def parse_override(text: str) -> Override:
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError("expected KEY.PATH=VALUE, found no '='" if not sep else "expected KEY.PATH=VALUE, found an empty key")
    try:
        parsed = load_value(value, f"--set {text}") if value.strip() else ""
    except InputError as e:
        raise ValueError(f"cannot read the value '{value}': {e.problems[0].message}") from None
    return Override(text, key, parsed)


def _list_index(items: list, seg: str) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, dict) and (str(item.get("id")) == seg or str(item.get("name")) == seg):
            return i
    if seg.lstrip("-").isdigit() and -len(items) <= int(seg) < len(items):
        return int(seg) % len(items)
    return None


def _dict_key(node: dict | None, seg: str) -> Any:
    """The key `seg` names in a mapping: one already there in either spelling (a table's
    column '2024', YAML's 2024), else a year as a number."""
    for k in node or {}:
        if str(k) == seg:
            return k
    return int(seg) if seg.lstrip("-").isdigit() else seg


def _default(model: type[BaseModel], key: str) -> Any:
    """The schema's default for a key the scenario does not give (None if it has none), as plain data."""
    value = model.model_fields[key].get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    return None if value is PydanticUndefined else value


def _no_item(seg: str, where: str, items) -> str:
    ids = [str(it.get("id")) for it in items if isinstance(it, dict)] if isinstance(items, list) else []
    return f"no item '{seg}' in '{where}'; known ids: {', '.join(ids[:12])}" + (" ..." if len(ids) > 12 else "")


def _unread(raw: dict, loc: tuple) -> str | None:
    """Why a key the override would set is never read, or None. A region's own population
    gives way to the 'population' mapping (often a table); a population for no region is dropped."""
    table = raw.get("population")
    if len(loc) >= 3 and loc[0] == "regions" and loc[2] == "population" and isinstance(table, dict):
        item = raw["regions"][loc[1]]
        rid = str(item.get("id")) if isinstance(item, dict) else None
        given = [v for k, v in table.items() if str(k) == rid]
        if given:
            return (f"regions.{rid}.population is not used: the 'population' mapping (or its table) gives "
                    f"{rid}'s population ({given[0]!r}); set population.{rid} instead")
    regions = raw.get("regions")
    ids = {str(it.get("id")) for it in regions if isinstance(it, dict)} if isinstance(regions, list) else set()
    if len(loc) >= 2 and loc[0] == "population" and str(loc[1]) not in ids:
        return _no_item(loc[1], "regions", regions)
    return None


def _apply_one(raw: dict, o: Override, locs: Locations, model: Any = Scenario) -> str | None:
    """Apply in place; return an error message or None."""
    segs = o.path.split(".")
    tp: Any = model
    node: Any = raw
    loc: tuple = ()
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        utp = _unwrap(tp)
        if is_model(utp):
            if seg not in utp.model_fields:
                near = nearest_keys(loc + (seg,), model=model)
                return f"unknown key '{seg}' under '{'.'.join(segs[:i]) or 'the top level'}'" + (
                    f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else "")
            key: Any = seg
        elif isinstance(node, list):
            idx = _list_index(node, seg)
            if idx is None:
                return _no_item(seg, ".".join(segs[:i]), node)
            key = idx
        elif isinstance(node, dict) or node is None:
            key = _dict_key(node, seg)
            mixed = _mixed_milestone(node, key, ".".join(segs[:i])) if last else None
            if mixed:
                return mixed
        else:
            return (f"'{'.'.join(segs[:i])}' is a single value ({node!r}); set it whole, "
                    f"e.g. --set {'.'.join(segs[:i])}='{{2030: ...}}'")
        try:
            nxt_tp = step(tp, key)
        except KeyError:
            return f"'{'.'.join(segs[:i])}' has no key '{seg}'"
        loc = loc + (key,)
        if last:
            unread = _unread(raw, loc)
            if unread:
                return unread
            if isinstance(node, list) or key in node:
                o.previous = copy.deepcopy(node[key])
            elif is_model(utp):
                o.previous = _default(utp, key)
            node[key] = o.value
            o.loc = loc
            locs[loc] = Where(f"--set {o.text}")
            return None
        if isinstance(node, dict):
            if node.get(key) is None:
                node[key] = {}
        node = node[key]
        tp = nxt_tp
    return None


def _mixed_milestone(node: dict | None, key: Any, where: str) -> str | None:
    """A year set on a schedule keyed by phase ids, or a phase on one keyed by years: said at the --set, with the
    form that works (the schema would say 'found both' at the file's line)."""
    if not node or key in node or any(isinstance(v, dict | list) for v in node.values()):
        return None  # not a schedule: a mapping of coverage types, pools, ... (the schema says what it takes)
    years = [k for k in node if isinstance(k, int) or (isinstance(k, str) and k.isdigit())]
    if isinstance(key, int) and not years:
        phases = ", ".join(map(str, node))
        return (f"'{where}' is keyed by phase ids ({phases}), not years: set a phase, e.g. --set {where}."
                f"{next(iter(node))}=..., or the whole schedule, --set {where}='{{{key}: ...}}'")
    if not isinstance(key, int) and years and len(years) == len(node):
        return (f"'{where}' is keyed by years ({', '.join(map(str, years))}), not phase ids: set a year, e.g. "
                f"--set {where}.{years[-1]}=..., or the whole schedule, --set {where}='{{{key}: ...}}'")
    return None


def apply_overrides(raw: dict, overrides: list[Override], problems: list[Problem], locs: Locations,
                    model: Any = Scenario):
    raw = copy.deepcopy(raw)
    applied: list[Override] = []
    for o in overrides:
        err = _apply_one(raw, o, locs, model)
        first = next((a for a in applied if a.loc == o.loc), None) if not err else None
        if first is not None:  # as the YAML loader refuses a duplicate key: the last must not silently win
            err = f"duplicate key '{o.path}' (first given by --set {first.text}); give each key once"
        if err:
            problems.append(Problem(Where("--set"), o.text, err))
        else:
            applied.append(o)
    return raw, applied
