"""How the process asks glibc for memory during a run."""
from __future__ import annotations

import ctypes
import os
import threading
from contextlib import contextmanager

from optimizer import clib

_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4  # mallopt's parameters (malloc.h)
_kept = 0  # how many heap_kept() are open


def _libc():
    """glibc with the prototypes used here, or None where malloc is not glibc's (or OPT_HEAP=off, to
    measure without: bench/bench_tuning.py)."""
    if os.environ.get("OPT_HEAP") == "off":
        return None
    libc = clib.libc()
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    return libc


@contextmanager
def heap_kept():
    """While inside, glibc's malloc serves every block from its heap and keeps what is freed.

    Blocks over 32 MB are otherwise each a fresh mmap, and the memory returned on free:
    every new one costs page faults and the kernel zeroing its pages. At 2,850 counties
    the arrays of the build and the split are freed just before Clarabel allocates its KKT
    system, and Clarabel allocates vectors of the KKT's size (46 MB) as it iterates;
    page clearing was ~6% of the solver's profile. Kept, the solver's set-up took ~7 s
    instead of ~8.5 s and its iterations ~44 s instead of ~47 s, for ~100 MB more peak
    memory. On the way out (of the outermost) the defaults are restored and the free
    memory handed back. A no-op where malloc is not glibc's."""
    global _kept
    libc = _libc()
    if libc is None:
        yield
        return
    libc.mallopt(_M_MMAP_MAX, 0)
    libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    _kept += 1
    try:
        yield
    finally:
        _kept -= 1
        if not _kept:
            libc.mallopt(_M_MMAP_MAX, 65536)  # glibc's defaults
            libc.mallopt(_M_TRIM_THRESHOLD, 128 * 1024)
            libc.malloc_trim(0)


@contextmanager
def prefaulted(nbytes: int):
    """While inside, a second thread has the kernel fault in (and zero) `nbytes` of heap; on the
    way out the block is freed into the kept heap, where the next large allocations find pages
    that are already there.

    Clarabel's first iterations allocate ~1.5 GB at 2,850 counties; faulting those pages in
    cost its first three iterations ~1.1 s (5.8 s against 4.7 s with the pages there). The
    block is taken by this thread (glibc's main heap: another thread's arena would map it
    apart and unmap it on free) and touched by the other, on the second core, while this one
    rewrites the arrays. A no-op outside heap_kept() (the block would be handed back at once)."""
    nbytes = min(int(nbytes), 3 << 29)  # 1.5 GB: a free block over the trim threshold (2 GB) would go back at once
    libc = _libc() if _kept and nbytes > 0 else None
    block = libc.malloc(nbytes) if libc is not None else None
    if not block:
        yield
        return
    toucher = threading.Thread(target=libc.memset, args=(block, 0, nbytes), daemon=True)  # ctypes lets go of the GIL
    toucher.start()
    try:
        yield
    finally:
        toucher.join()
        libc.free(block)
