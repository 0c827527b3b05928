"""Where results go, and putting them there all-or-nothing, only ever over what opt wrote.

A result folder is written in a temporary sibling folder and swapped into place when complete, in
one step where the system can exchange two paths (Linux renameat2), so that at no moment is it
missing; a file is written beside its target and renamed over it. A crash, Ctrl-C or a full disk
leaves the previous results untouched. An interrupt that arrives while the swap is being made is
held until it is done (then the results are new and complete, and the run says so).

What may be replaced: an empty folder, or one that holds opt's manifest.json and nothing else but
the regular files it lists, unchanged since (their sha256 is in the manifest), and a report.html that
`opt report` wrote; a file only where the caller
proves opt wrote it. A user's folder or file, the working folder or one above it, the home folder,
/, a read-only folder, a link to nothing, a FIFO or a device: refused, before any work, with exit 1.

Temporary folders and files are named `.NAME.tmp-*`. While it writes, opt holds a lock on a note in
the folder (or on the file itself); a later run removes a temporary whose lock it can take, which
proves its writer gone (whatever the process ids in another namespace or after a reboot). The
replaced folder keeps its mode and group; new folders and files follow the umask.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from optimizer import clib
from optimizer.errors import InputError, Problem, Where, stop_signals_noted
from optimizer.postprocess.write import to_disk

log = logging.getLogger("opt")

MANIFEST = "manifest.json"
WRITER = ".opt-writer"  # in a temporary folder: locked by the process writing it while it lives
REPORT_MARK = '<meta name="generator" content="opt">'  # in every report.html opt writes
_NOTE = {"written_by": "opt"}


class InterruptedAfterWrite(KeyboardInterrupt):
    """Ctrl-C (or a termination signal) arrived while the results were being put in place: they were
    put in place first, and are complete."""

    def __init__(self, place: Path, signum: int = signal.SIGINT):
        self.place, self.signum = place, int(signum)
        super().__init__(str(place))


@contextmanager
def interrupts_held(place: Path) -> Iterator[None]:
    """While inside, SIGINT, SIGTERM and SIGHUP wait; one that came is raised on the way out as
    InterruptedAfterWrite, so the swap it would have cut in half is made whole."""
    with stop_signals_noted() as came:
        yield
    if came:
        raise InterruptedAfterWrite(place, came[0])


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _follow_umask(path: Path, mode: int) -> None:
    """mkdtemp and mkstemp make 0700/0600: colleagues on a shared server could not read the results."""
    os.chmod(path, mode & ~_umask())


def _refuse(target: Path, why: str, what: str = "--out") -> InputError:
    return InputError([Problem(Where(str(target)), what, why)])


def _regular(path: Path) -> bool:
    """A regular file (not a folder, link, FIFO or device): the only kind opt opens to see if it is its own."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def head_holds(path: Path, mark: str, size: int = 4096) -> bool:
    """Whether the first `size` characters of a regular text file hold `mark` (how opt knows a file it wrote)."""
    if not _regular(path):
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return mark in fh.read(size)
    except OSError:
        return False


def is_our_report(path: Path) -> bool:
    return head_holds(path, REPORT_MARK)


def sha256_of(folder: Path, names: list[str]) -> dict[str, str]:
    """The sha256 of each regular file named, as the manifest records them: a file changed since (a
    workbook annotated by hand) is then the user's, and not replaced."""
    out = {}
    for name in names:
        if _regular(folder / name):
            h = hashlib.sha256()
            with open(folder / name, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
            out[name] = h.hexdigest()
    return out


def sealed(folder: Path, manifest: dict) -> dict:
    """The manifest with the sha256 of each file it lists that is already written (report.html, written
    after the manifest, is known by its mark instead)."""
    return {**manifest, "sha256": sha256_of(folder, [f for f in manifest["files"] if f != "report.html"])}


def read_manifest(folder: Path) -> dict | None:
    """opt's manifest in `folder`, or None if it has none. OSError where it is there but cannot be read."""
    path = folder / MANIFEST
    if not _regular(path) or path.stat().st_size > 16 << 20:
        return None
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if not (isinstance(m, dict) and isinstance(m.get("files"), list) and isinstance(m.get("versions"), dict)
            and "opt-planner" in m["versions"]):
        return None
    return m


def foreign_entries(folder: Path, carried: frozenset[str] = frozenset()) -> list[str]:
    """What in `folder` opt did not write: every entry if it has no manifest of opt's; else what is not a
    regular file its manifest lists (a folder named like one of its files is not one of them), and what
    has changed since opt wrote it (the manifest holds each file's sha256), but for the files `carried`
    into the new folder (a resumed sweep's sweep.csv, edits and all)."""
    m = read_manifest(folder)
    names = sorted(e.name for e in folder.iterdir())
    if m is None:
        return names
    ours = {str(f) for f in m["files"]} | {MANIFEST, WRITER}  # a run killed just after its swap leaves its note
    sealed_with = m.get("sha256")
    recorded: dict = sealed_with if isinstance(sealed_with, dict) else {}
    now = sha256_of(folder, [n for n in names if n in recorded])  # older manifests seal nothing: listed is ours
    out = []
    for n in names:
        if not (_regular(folder / n) and (n in ours or (n == "report.html" and is_our_report(folder / n))
                                          or (n.startswith(".report.html.tmp-opt-") and _writer_gone(folder / n)))):
            out.append(n)
        elif n not in carried and n not in (MANIFEST, WRITER, "report.html") and recorded \
                and (n not in recorded or now.get(n) != recorded[n]):  # a sealed manifest vouches only for what it sealed
            out.append(f"{n}, changed since opt wrote it" if n in recorded else f"{n}, not sealed by the manifest")
    return out


def _protected(target: Path) -> str | None:
    """Folders no result may replace, whatever they hold."""
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        return "it is the working folder or holds it"
    if target == Path.home().resolve() or target == Path(target.anchor):
        return "it is the home folder or the root of the file system"
    return None


def parent_problem(target: Path) -> str | None:
    """Why no folder can be made or written at `target`'s place, or None: the nearest existing folder
    above it must be a folder we may write in."""
    up = target.parent
    while not up.exists() and up != up.parent:
        if up.is_symlink():
            return f"'{up}' is a link to nothing"
        up = up.parent
    if not up.is_dir():
        return f"'{up}' is a file, not a folder"
    if not os.access(up, os.W_OK | os.X_OK):
        return f"the folder '{up}' cannot be written in (permissions)"
    return None


def claim_folder(target: Path, what: str = "--out", carried: frozenset[str] = frozenset()) -> Path:
    """The resolved folder results may go to, after proving that replacing it loses nothing of the user's
    (`carried`: files whose content the new folder takes over, edited or not).
    Stale temporary folders of dead opt runs beside it are removed on the way."""
    given = Path(target).expanduser()
    if given.is_symlink() and not given.exists():
        raise _refuse(given, "refusing to write results there: it is a link to nothing; name a folder", what)
    target = given.resolve()
    why = _protected(target) or parent_problem(target) or _too_long(target)
    if why is None and target.exists():
        if not target.is_dir():
            why = "it is a file, not a result folder"
        elif not target.stat().st_mode & stat.S_IWUSR:
            why = f"it is read-only (mode {stat.S_IMODE(target.stat().st_mode):o}); make it writable to let opt replace it"
        else:
            try:
                foreign = foreign_entries(target, carried)
            except OSError as e:
                foreign, why = [], f"its {MANIFEST} or its list of files cannot be read ({e.strerror})"
            if foreign:
                shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
                why = f"the folder holds files opt did not write ({shown})"
    if why is not None:
        raise _refuse(target, f"refusing to write results there: {why}; choose a new folder (opt only ever "
                              "replaces an empty folder or one it wrote, with its manifest.json)", what)
    _remove_stale(target)
    return target


def _too_long(target: Path) -> str | None:
    """A name whose temporary sibling (.NAME.tmp-opt-XXXXXXXX plus its extension) the file system could
    not hold: said before any work, not after a solve."""
    if len(os.fsencode(target.name)) + 30 > 255:
        return f"its name is too long ({len(os.fsencode(target.name))} bytes; opt needs it under 225)"
    return None


def claim_file(target: Path, ours: Callable[[Path], bool], what: str = "--out") -> Path:
    """Where a file may be written for `target`: new, or an existing regular file that `ours` proves opt
    wrote. A link is followed (the link stays, the file it names is written); a link to nothing is refused."""
    target = Path(target).expanduser()
    if target.is_symlink():
        if not target.exists():
            raise _refuse(target, "refusing to write there: it is a link to nothing; name a file", what)
        target = target.resolve()
    if target.is_dir():
        raise _refuse(target, "refusing to write there: it is a folder; name a file", what)
    if target.exists() and not _regular(target):
        raise _refuse(target, "refusing to write there: it is not a regular file (a FIFO, a device or a socket)", what)
    if target.exists() and not ours(target):
        raise _refuse(target, "refusing to replace a file opt did not write; choose a new file name", what)
    if not target.parent.is_dir():
        raise _refuse(target, f"expected an existing folder to write into, found no folder '{target.parent}'", what)
    why = parent_problem(target) or _too_long(target)
    if why is not None:
        raise _refuse(target, f"refusing to write there: {why}", what)
    _remove_stale(target)
    return target


def _locked_note(folder: Path) -> int:
    """A fresh note in `folder` that this process holds locked while it lives (its fd: keep it open). A note
    already there (another run's, or a link a user made to a file of theirs) is unlinked, never opened."""
    with suppress(FileNotFoundError):
        os.unlink(folder / WRITER)
    fd = os.open(folder / WRITER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a file this process just made: no one else holds it
    os.write(fd, json.dumps(_NOTE).encode())
    return fd


def _writer_gone(path: Path) -> bool:
    """True if `path` (a note or a temporary file) is opt's and no process holds its lock any more."""
    if not _regular(path):
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        if path.name == WRITER:
            try:
                if json.loads(os.read(fd, 200) or b"null") != _NOTE:
                    return False
            except ValueError:
                return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # held: its writer is alive
        return True
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove a folder of opt's (or a file) even where its mode is read-only; say so if it stays."""
    def writable_then_retry(func, p, _exc):
        with suppress(OSError):
            for q in (os.path.dirname(p), p):
                if not os.path.islink(q):  # never through a link: it may name a file of the user's
                    os.chmod(q, 0o700)
            func(p)

    if path.is_dir() and not path.is_symlink():
        if sys.version_info >= (3, 12):  # the hook's new name (onerror still works there, with a warning)
            shutil.rmtree(path, onexc=writable_then_retry)
        else:
            shutil.rmtree(path, onerror=writable_then_retry)
    else:
        path.unlink(missing_ok=True)
    if os.path.lexists(path):
        log.warning("could not remove opt's temporary %s; remove it by hand", path)


def _remove_stale(target: Path) -> None:
    """Temporary folders and files of this target left by an opt run that was killed (kill -9, power
    loss): removed where their lock proves the writer gone."""
    for tmp in target.parent.glob(f".{glob_escape(target.name)}.tmp-*"):
        # a folder is ours by its note; a temporary file carries nothing that proves it (a user's file may
        # be named alike), so a dead run's is left where it is (inside a result folder it goes with it)
        if tmp.is_dir() and not tmp.is_symlink() and _writer_gone(tmp / WRITER):
            _remove(tmp)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    renameat2 = getattr(clib.libc(), "renameat2", None)  # glibc >= 2.28
    if renameat2 is None:
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def _keep_mode_and_group(tmp: Path, target: Path) -> None:
    """The new folder takes the replaced one's mode (setgid included) and group: a folder a user made
    private stays private, a shared one stays shared."""
    st = target.stat()
    with suppress(OSError):
        os.chown(tmp, -1, st.st_gid)  # only where we may; before chmod, which chown may clear setgid after
        if st.st_mode & stat.S_ISGID:  # files made in a setgid folder take its group: these were made elsewhere
            for f in tmp.iterdir():
                os.chown(f, -1, st.st_gid, follow_symlinks=False)
    os.chmod(tmp, stat.S_IMODE(st.st_mode))


@contextmanager
def atomic_folder(target: Path, what: str = "--out", carried: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces `target` as a whole.
    `target` must be claimable (claim_folder); it is checked again just before the swap."""
    target = claim_folder(target, what, carried)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    note = -1
    try:
        _follow_umask(tmp, 0o777)
        note = _locked_note(tmp)
        yield tmp
        for f in tmp.iterdir():  # make sure the bytes are on disk before the swap
            if f.name != WRITER:
                to_disk(f)
        with interrupts_held(target):
            claim_folder(target, what, carried)  # a user may have put files there while we solved
            if target.exists():
                _keep_mode_and_group(tmp, target)
            if target.exists() and _exchange(tmp, target):
                (target / WRITER).unlink(missing_ok=True)  # another run may have replaced target since
                os.close(_locked_note(tmp))  # tmp now holds the previous results: mark it ours till it is gone
                _remove(tmp)
            else:
                old = None
                if target.exists():  # no atomic exchange here: two renames, the old folder kept until the new is in place
                    old = target.parent / f".{target.name}.tmp-old-{os.getpid()}"
                    os.replace(target, old)
                    os.close(_locked_note(old))
                os.replace(tmp, target)
                (target / WRITER).unlink(missing_ok=True)
                if old is not None:
                    _remove(old)
    except BaseException as e:
        if not isinstance(e, InterruptedAfterWrite):
            _remove(tmp)
        raise
    finally:
        if note >= 0:
            os.close(note)


@contextmanager
def atomic_files(targets: list[Path], ours: Callable[[Path], bool], what: str = "--out") -> Iterator[list[Path]]:
    """Yield temporary paths beside `targets` (each with its target's extension); on success each replaces
    its target by a rename, all of them before an interrupt is let through. An existing target is
    replaced only where `ours(target)` proves opt wrote it. The renames go in the order given: name
    last the file that refers to the others."""
    places = [claim_file(t, ours, what) for t in targets]
    temps: list[tuple[Path, int]] = []
    try:
        for place in places:
            fd, name = tempfile.mkstemp(prefix=f".{place.name}.tmp-opt-", suffix=place.suffix, dir=place.parent)
            fcntl.flock(fd, fcntl.LOCK_EX)  # held while we live: a later run can tell a dead run's leftover
            temps.append((Path(name), fd))
            _follow_umask(Path(name), 0o666)
        yield [tmp for tmp, _ in temps]
        for tmp, _ in temps:
            to_disk(tmp)
        with interrupts_held(places[-1]):
            for place, (tmp, _) in zip(places, temps):
                claim_file(place, ours, what)
                os.replace(tmp, place)
    except BaseException as e:
        if not isinstance(e, InterruptedAfterWrite):
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
        raise
    finally:
        for _, fd in temps:
            os.close(fd)


@contextmanager
def atomic_file(target: Path, ours: Callable[[Path], bool], what: str = "--out") -> Iterator[Path]:
    """atomic_files for one file."""
    with atomic_files([target], ours, what) as temps:
        yield temps[0]
