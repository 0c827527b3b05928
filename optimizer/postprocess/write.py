"""Writing a result folder all-or-nothing.

Everything is written into a temporary sibling folder; only when all files are
complete is it swapped into place. A crash, Ctrl-C or full disk leaves the
previous results untouched (the temporary folder is removed or left beside it
with a '.tmp-' name, never half inside the real one).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

FLOAT_FORMAT = "%.10g"  # stable text for byte-identical reruns; timings live only in the manifest


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM so Excel opens Chinese names; fixed float format for reproducible bytes."""
    df.to_csv(path, index=False, encoding="utf-8-sig", float_format=FLOAT_FORMAT, lineterminator="\n")


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


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces `target` as a whole."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
        for f in tmp.iterdir():  # make sure the bytes are on disk before the swap
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
