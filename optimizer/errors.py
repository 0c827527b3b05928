"""Errors users see: every input problem carries where it is and what was wrong."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Where:
    """A place in an input file: a YAML line, or a table row and column."""

    file: str
    line: int | None = None
    column: str | None = None  # table column name (tables only)
    cell: str | None = None  # a workbook's sheet and cell, 区域!C7 (scenarios given as workbooks)

    def __str__(self) -> str:
        if self.cell is not None:
            return f"{self.file}, {self.cell}"
        if self.line is None:
            return self.file
        if self.column is not None:
            return f"{self.file}:{self.line} (column '{self.column}')"
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    where: Where | None
    path: str  # key path such as regions[SC].population.2024
    message: str  # what was expected and what was found

    def __str__(self) -> str:
        loc = f"{self.where}: " if self.where else ""
        key = f"{self.path}: " if self.path else ""
        return f"{loc}{key}{self.message}"


class InputError(Exception):
    """Bad input. Holds every problem found, so the user fixes them all in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.problems)
        head = "1 problem in the input:" if n == 1 else f"{n} problems in the input:"
        return "\n".join([head] + [f"  - {p}" for p in self.problems])


class SolverUnavailable(Exception):
    """The chosen solver cannot run here; the message says how to get it."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled as Ctrl-C is (temporary files removed, earlier results kept), and the
    exit code says which signal it was (128 + its number), as a shell's would."""

    def __init__(self, signum: int):
        import signal

        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def interrupt_for(signum: int) -> KeyboardInterrupt:
    """The exception a signal that stops a run becomes: KeyboardInterrupt for Ctrl-C, Terminated else."""
    import signal

    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


@contextmanager
def stop_signals_noted() -> Iterator[list[int]]:
    """While inside, SIGINT, SIGTERM and SIGHUP are only noted (in the list yielded), not acted on; the
    caller decides after. Signals the process ignores (a hang-up under nohup) stay ignored, and off the main
    thread, which signals never reach, nothing changes."""
    import signal
    import threading

    came: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield came
        return
    stopping = [s for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) if signal.getsignal(s) is not signal.SIG_IGN]
    previous = {s: signal.signal(s, lambda signum, frame: came.append(signum)) for s in stopping}
    try:
        yield came
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
