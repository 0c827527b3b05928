"""Writing two things at once: one in a forked child while the parent writes the rest.

Large result folders spend most of their time formatting text (allocation.csv of 2,850
counties: 1.06M rows, ~3 s), single-threaded; the workbook and the other tables take as long
again. A forked child inherits the tables without copying or pickling them, so the two
halves run on two cores. Where fork is missing (Windows) or there is one core, the job
runs first, in this process."""
from __future__ import annotations

import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress


def _can_fork() -> bool:
    if os.environ.get("OPT_FORK") == "off":  # to measure without: bench/bench_tuning.py
        return False
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):  # macOS: fork is unsafe with its frameworks
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2


@contextmanager
def beside(job: Callable[[], None], worth_it: bool = True) -> Iterator[None]:
    """Run `job()` in a child process while the body runs here; on the way out wait for it and
    raise its error (as OSError, so the caller's handling of a failed write applies) if it failed.
    If the body fails, the child is stopped and waited for, and the body's error is raised."""
    if not (worth_it and _can_fork()):
        job()
        yield
        return
    read, write = os.pipe()
    with warnings.catch_warnings():
        # Python >= 3.12 warns about forking with threads alive (HiGHS's or BLAS's pools, idle by now):
        # the child only formats text and writes one file, and glibc's malloc is reset across fork
        warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: do the job, say what went wrong, leave without running the parent's exit handlers
        os.close(read)
        code = 1
        try:
            job()
            code = 0
        except BaseException as e:  # noqa: BLE001 - anything, even Ctrl-C, goes back to the parent as text
            os.write(write, f"{type(e).__name__}: {e}".encode("utf-8", "replace")[:4000])
        finally:
            os._exit(code)
    os.close(write)
    done = False
    try:
        yield
        done = True
    finally:
        if not done:  # the body failed (or Ctrl-C): the child's file is of no use now
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        with os.fdopen(read, "rb") as f:
            said = f.read().decode("utf-8", "replace")
        status = os.waitpid(pid, 0)[1]
    if status != 0:
        raise OSError(said or f"a writer process ended with status {status}")
