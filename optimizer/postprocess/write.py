"""Writing results all-or-nothing, and only ever over what opt wrote.

Everything is written into a temporary sibling folder; only when all files are
complete is it swapped into place, in one step where the system can exchange two
paths atomically (Linux renameat2), so that at no moment is the folder missing. A crash, Ctrl-C or full disk leaves the
previous results untouched (the temporary folder is removed, or, after kill -9, left beside it
with a '.tmp-' name and a note of the process that wrote it, so a later run can prove it stale).

A folder is replaced only if it is empty or is opt's: it holds opt's manifest.json and nothing
the manifest does not list (a report.html that `opt report` wrote counts as listed). Anything
else (a user's folder, the working folder, the home folder, a file) is refused before any work.
Files and folders get the permissions of the user's umask, as any other program's would.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer import clib
from optimizer.errors import InputError, Problem, Where

FLOAT_FORMAT = "%.10g"  # stable text for byte-identical reruns; timings live only in the manifest


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM so Excel opens Chinese names; fixed float format for reproducible bytes.

    The same bytes as pandas' to_csv with these options (a test holds them equal), but for text
    that would run as a formula (_csv_text_field): each
    distinct value of a column is rendered once (a million allocation rows name 2,850 regions,
    and half their amounts are 0), and a row is its fields joined. The 1.06M-row allocation of
    2,850 counties: 7.7 s through pandas, 2.0 s here."""
    cols = [_csv_column(df[name]) for name in df.columns]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(",".join(_csv_text_field(str(c)) for c in df.columns) + "\n")
        rows = map(",".join, zip(*cols))
        while chunk := list(islice(rows, 50_000)):  # one encode per 50k lines, not per line
            f.write("\n".join(chunk))
            f.write("\n")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # where a spreadsheet reads a cell as a formula (OWASP)


def _csv_text_field(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe, as OWASP advises against
    CSV injection (a region named '=HYPERLINK(...)'); numbers are not text and keep their sign."""
    return _csv_field("'" + text if text.startswith(FORMULA_START) else text)


def _csv_field(text: str) -> str:
    """Quoted as the csv module and pandas quote: where a comma, quote or line break is inside."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_column(col: pd.Series) -> list[str]:
    """A column as CSV fields: each distinct value rendered once, then taken by its code."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _taken(_csv_text(pd.Series(col.cat.categories, dtype=object)), col.cat.codes.to_numpy())
    if isinstance(col.dtype, np.dtype) and col.dtype.kind == "f":
        # distinct by bits, not by value: -0.0 prints as "-0", as pandas prints it
        codes, unique = pd.factorize(col.to_numpy(dtype=np.float64).view(np.int64))
        return _taken(["" if math.isnan(v) else FLOAT_FORMAT % v for v in unique.view(np.float64).tolist()], codes)
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu":
        codes, unique = pd.factorize(col.to_numpy())
        return _taken([str(v) for v in unique.tolist()], codes)
    return _csv_text(col)


def _csv_text(col: pd.Series) -> list[str]:
    """A column as CSV fields, each distinct value rendered once (names repeat a million times):
    missing values empty, floats in FLOAT_FORMAT, everything else as text, quoted where needed."""
    codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
    return _taken([FLOAT_FORMAT % v if isinstance(v, float) else _csv_text_field(v) if isinstance(v, str)
                   else _csv_field(str(v)) for v in uniques], codes)


def _taken(fields: list[str], codes: np.ndarray) -> list[str]:
    """The field of each row by its code into the distinct values; code -1 (missing) is empty."""
    return np.array(fields + [""], dtype=object)[codes].tolist()


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def write_json(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False, default=_json_default, sort_keys=False) + "\n",
                    encoding="utf-8")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    renameat2 = getattr(clib.libc(), "renameat2", None)  # glibc >= 2.28
    if renameat2 is None:
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def to_disk(path: Path) -> None:
    """Wait until the file's bytes are on disk (a no-op for a file already synced)."""
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


MANIFEST = "manifest.json"
WRITER = ".opt-writer"  # in a temporary folder: the process writing it (pid, start, boot), to prove it dead later
REPORT_MARK = '<meta name="generator" content="opt">'  # in every report.html opt writes


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _follow_umask(path: Path, mode: int) -> None:
    """mkdtemp and mkstemp make 0700/0600: colleagues on a shared server could not read the results."""
    os.chmod(path, mode & ~_umask())


def _refuse(target: Path, why: str, what: str = "--out") -> InputError:
    return InputError([Problem(Where(str(target)), what, why)])


def _manifest_files(folder: Path) -> set[str] | None:
    """The files opt's manifest in `folder` lists (with the manifest), or None if it has no such manifest."""
    path = folder / MANIFEST
    try:
        if not path.is_file() or path.stat().st_size > 16 << 20:
            return None
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(m, dict) and isinstance(m.get("files"), list) and isinstance(m.get("versions"), dict)
            and "opt-planner" in m["versions"]):
        return None
    return {str(f) for f in m["files"]} | {MANIFEST}


def head_holds(path: Path, mark: str, size: int = 4096) -> bool:
    """Whether the first `size` characters of a text file hold `mark` (how opt knows a file it wrote)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return mark in fh.read(size)
    except OSError:
        return False


def is_our_report(path: Path) -> bool:
    return head_holds(path, REPORT_MARK)


def foreign_entries(folder: Path) -> list[str]:
    """What in `folder` opt did not write: every entry if it has no manifest of opt's."""
    listed = _manifest_files(folder)
    names = sorted(e.name for e in folder.iterdir())
    if listed is None:
        return names
    return [n for n in names if n not in listed and not (n == "report.html" and is_our_report(folder / n))]


def _protected(target: Path) -> str | None:
    """Folders no result may replace, whatever they hold."""
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        return "it is the working folder or holds it"
    if target == Path.home().resolve() or target == Path(target.anchor):
        return "it is the home folder or the root of the file system"
    return None


def claim_folder(target: Path, what: str = "--out") -> Path:
    """The resolved folder results may go to, after proving that replacing it loses nothing of the user's.
    Stale temporary folders of dead opt runs beside it are removed on the way."""
    target = Path(target).expanduser().resolve()
    why = _protected(target)
    if why is None and target.exists():
        if not target.is_dir():
            why = "it is a file, not a result folder"
        else:
            foreign = foreign_entries(target)
            if foreign:
                shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
                why = f"the folder holds files opt did not write ({shown})"
    if why is not None:
        raise _refuse(target, f"refusing to write results there: {why}; choose a new folder (opt only ever "
                              "replaces an empty folder or one it wrote, with its manifest.json)", what)
    _remove_stale(target)
    return target


def _process_id(pid: int) -> dict:
    """pid with its start time and the boot: the three name one process (a pid alone may be reused)."""
    me: dict = {"pid": pid}
    try:
        me["start"] = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        me["boot"] = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except (OSError, IndexError):
        pass
    return me


def _dead(writer: dict) -> bool:
    pid = writer.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    now = _process_id(pid)
    if "boot" in writer and "boot" in now:
        return writer["boot"] != now["boot"] or writer.get("start") != now.get("start")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _remove_stale(target: Path) -> None:
    """Temporary folders of this target left by an opt run that was killed (kill -9, power loss):
    removed only where the folder names its writer and that process is gone."""
    for tmp in target.parent.glob(f".{glob_escape(target.name)}.tmp-*"):
        try:
            writer = json.loads((tmp / WRITER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not provably ours: left alone
        if isinstance(writer, dict) and _dead(writer):
            shutil.rmtree(tmp, ignore_errors=True)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


@contextmanager
def atomic_folder(target: Path, what: str = "--out") -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces `target` as a whole.
    `target` must be claimable (claim_folder); it is checked again just before the swap."""
    target = claim_folder(target, what)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        _follow_umask(tmp, 0o777)
        (tmp / WRITER).write_text(json.dumps(_process_id(os.getpid())), encoding="utf-8")
        yield tmp
        (tmp / WRITER).unlink()
        for f in tmp.iterdir():  # make sure the bytes are on disk before the swap
            to_disk(f)
        claim_folder(target, what)  # a user may have put files there while we solved
        if target.exists() and _exchange(tmp, target):
            shutil.rmtree(tmp, ignore_errors=True)  # now holds the previous results
        else:
            old = None
            if target.exists():  # no atomic exchange here: two renames, the old folder kept until the new is in place
                old = target.parent / f".{target.name}.old-{os.getpid()}"
                os.replace(target, old)
            os.replace(tmp, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def claim_file(target: Path, ours: Callable[[Path], bool], what: str = "--out") -> Path:
    """`target` if a file may be written there: new, or an existing file that `ours` proves opt wrote."""
    target = Path(target).expanduser()
    if target.is_dir():
        raise _refuse(target, "refusing to write there: it is a folder; name a file", what)
    if target.exists() and not ours(target):
        raise _refuse(target, "refusing to replace a file opt did not write; choose a new file name", what)
    if not target.parent.is_dir():
        raise _refuse(target, f"expected an existing folder to write into, found no folder '{target.parent}'", what)
    return target


@contextmanager
def atomic_file(target: Path, ours: Callable[[Path], bool], what: str = "--out") -> Iterator[Path]:
    """Yield a temporary path beside `target` (with its extension); on success it replaces `target` in one
    rename. An existing `target` is replaced only where `ours(target)` proves opt wrote it."""
    target = claim_file(target, ours, what)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        _follow_umask(tmp, 0o666)
        yield tmp
        to_disk(tmp)
        claim_file(target, ours, what)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
