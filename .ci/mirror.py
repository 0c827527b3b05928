"""The package as it is installed, for the checkers: optimizer/ with the families (models/) as
optimizer/models/, in a temporary folder. In the repository optimizer/models.py points Python at models/
(issue 21.3: no top-level 'models' installed); mypy and import-linter follow files, not that pointer, so they
read this copy, and their findings are told with the repository's paths."""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


@contextmanager
def mirror() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="opt-mirror-") as tmp:
        where = Path(tmp)
        shutil.copytree(ROOT / "optimizer", where / "optimizer", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "models.py"))
        shutil.copytree(ROOT / "models", where / "optimizer" / "models", ignore=SKIP)
        shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
        yield where


def repo_path(text: str) -> str:
    """A finding's path in the mirror as the repository's."""
    return text.replace("optimizer/models/", "models/")
