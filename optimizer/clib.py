"""The process's C library, for the few calls Python does not wrap (malloc tuning, renameat2)."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def libc() -> ctypes.CDLL | None:
    """The C library, loaded once; None where it cannot be. Callers look up what they need on it
    (a missing function is an AttributeError: not glibc, or too old)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
