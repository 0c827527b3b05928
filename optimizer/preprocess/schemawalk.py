"""Walking the scenario schema by key path: which keys exist where, and the nearest ones."""
from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Union

from pydantic import BaseModel

from optimizer.preprocess.schema import Scenario


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def step(tp: Any, key: Any) -> Any:
    """The type one key further down, or KeyError."""
    tp = _unwrap(tp)
    if is_model(tp):
        if key not in tp.model_fields:
            raise KeyError(key)
        return tp.model_fields[key].annotation
    if tp is dict or tp is Any:  # free-form: a family's parameters, checked by the family's own model after
        return Any
    origin = typing.get_origin(tp)
    if origin is list:
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    raise KeyError(key)


def type_at(path: tuple, model: Any = Scenario) -> Any:
    tp: Any = model
    for key in path:
        tp = step(tp, key)
    return _unwrap(tp)


def keys_at(path: tuple, model: Any = Scenario) -> list[str]:
    try:
        tp = type_at(path, model)
    except KeyError:
        return []
    return list(tp.model_fields) if is_model(tp) else []


def nearest_keys(loc: tuple, n: int = 3, model: Any = Scenario) -> list[str]:
    """Valid keys close to the last element of loc, among the keys of its parent (in `model`, the
    scenario's full schema, optimizer.preprocess.assembled)."""
    valid = keys_at(loc[:-1], model)
    return difflib.get_close_matches(str(loc[-1]), valid, n=n, cutoff=0.5) or (valid if len(valid) <= 6 else [])
