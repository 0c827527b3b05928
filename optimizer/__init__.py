"""opt: allocate public-service money, staff and space to leave the fewest people unserved.

The Python API (docs/api.md): optimizer.load, optimizer.solve, optimizer.Result, optimizer.InputError,
optimizer.SolverUnavailable. Imported on first use, so that `opt` itself starts as fast as before."""
from __future__ import annotations

from typing import Any

__all__ = ["InputError", "Result", "SolverUnavailable", "load", "solve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from optimizer import api

        return getattr(api, name)
    raise AttributeError(f"module 'optimizer' has no attribute '{name}'")


def __dir__() -> list[str]:
    """The API's names, for a notebook's tab completion (they are imported on first use)."""
    return sorted(__all__)
