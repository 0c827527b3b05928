"""How the process asks glibc for memory during a run."""
from __future__ import annotations

import ctypes
import ctypes.util
from contextlib import contextmanager

_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4  # mallopt's parameters (malloc.h)


@contextmanager
def heap_kept():
    """While inside, glibc's malloc serves every block from its heap and keeps what is freed.

    Blocks over 32 MB are otherwise each a fresh mmap, and the memory returned on free:
    every new one costs page faults and the kernel zeroing its pages. At 2,850 counties
    the arrays of the build and the split are freed just before Clarabel allocates its KKT
    system, and Clarabel allocates vectors of the KKT's size (46 MB) as it iterates;
    page clearing was ~6% of the solver's profile. Kept, the solver's set-up took ~7 s
    instead of ~8.5 s and its iterations ~44 s instead of ~47 s, for ~100 MB more peak
    memory. On the way out the defaults are restored and the free memory handed back.
    A no-op where malloc is not glibc's."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        yield
        return
    mallopt(_M_MMAP_MAX, 0)
    mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    try:
        yield
    finally:
        mallopt(_M_MMAP_MAX, 65536)  # glibc's defaults
        mallopt(_M_TRIM_THRESHOLD, 128 * 1024)
        trim(0)
