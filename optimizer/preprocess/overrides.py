"""--set key.path=value overrides, checked against the schema before they are applied.

List items are addressed by id (regions.Sichuan.priority=2) or by index.
Values are read as YAML scalars or flow collections ('1.6', 'null', '{2030: 1.6}').
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import yaml

from optimizer.errors import Problem, Where
from optimizer.preprocess.schema import Scenario
from optimizer.preprocess.schemawalk import _unwrap, is_model, nearest_keys, step
from optimizer.preprocess.yamlio import Locations


@dataclass
class Override:
    text: str
    path: str
    value: Any
    previous: Any = None


def parse_override(text: str) -> Override:
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError("expected KEY.PATH=VALUE, found no '='" if not sep else "expected KEY.PATH=VALUE, found an empty key")
    try:
        parsed = yaml.safe_load(value) if value.strip() else ""
    except yaml.YAMLError as e:
        raise ValueError(f"cannot read the value '{value}': {str(e).splitlines()[0]}") from None
    return Override(text, key, parsed)


def _list_index(items: list, seg: str) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, dict) and (str(item.get("id")) == seg or str(item.get("name")) == seg):
            return i
    if seg.lstrip("-").isdigit() and -len(items) <= int(seg) < len(items):
        return int(seg) % len(items)
    return None


def _apply_one(raw: dict, o: Override, locs: Locations) -> str | None:
    """Apply in place; return an error message or None."""
    segs = o.path.split(".")
    tp: Any = Scenario
    node: Any = raw
    loc: tuple = ()
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        utp = _unwrap(tp)
        if is_model(utp):
            if seg not in utp.model_fields:
                near = nearest_keys(loc + (seg,))
                return f"unknown key '{seg}' under '{'.'.join(segs[:i]) or 'the top level'}'" + (
                    f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else "")
            key: Any = seg
        elif isinstance(node, list):
            idx = _list_index(node, seg)
            if idx is None:
                ids = [str(it.get("id")) for it in node if isinstance(it, dict)]
                return f"no item '{seg}' in '{'.'.join(segs[:i])}'; known ids: {', '.join(ids[:12])}" + (" ..." if len(ids) > 12 else "")
            key = idx
        elif isinstance(node, dict) or node is None:
            key = int(seg) if seg.lstrip("-").isdigit() else seg
        else:
            return (f"'{'.'.join(segs[:i])}' is a single value ({node!r}); set it whole, "
                    f"e.g. --set {'.'.join(segs[:i])}='{{2030: ...}}'")
        try:
            nxt_tp = step(tp, key)
        except KeyError:
            return f"'{'.'.join(segs[:i])}' has no key '{seg}'"
        loc = loc + (key,)
        if last:
            if isinstance(node, list):
                o.previous = copy.deepcopy(node[key])
                node[key] = o.value
            else:
                o.previous = copy.deepcopy(node.get(key))
                node[key] = o.value
            locs[loc] = Where(f"--set {o.text}")
            return None
        if isinstance(node, dict):
            if node.get(key) is None:
                node[key] = {}
        node = node[key]
        tp = nxt_tp
    return None


def apply_overrides(raw: dict, overrides: list[Override], problems: list[Problem], locs: Locations):
    raw = copy.deepcopy(raw)
    applied = []
    for o in overrides:
        err = _apply_one(raw, o, locs)
        if err:
            problems.append(Problem(Where("--set"), o.text, err))
        else:
            applied.append(o)
    return raw, applied
