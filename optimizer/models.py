"""The constraint families (the repository's top-level models/) under one name, optimizer.models, so that
installing opt puts no top-level module named 'models' where a user's own models.py would shadow it or be
shadowed (issue 21.3). In a checkout or an editable install its submodules are read from models/; an installed
wheel carries them as optimizer/_families/ (pyproject.toml's package-dir)."""
from __future__ import annotations

from pathlib import Path

_installed = Path(__file__).resolve().parent / "_families"
_checkout = Path(__file__).resolve().parents[1] / "models"
__path__ = [str(_installed if _installed.is_dir() else _checkout)]  # a package: its submodules are found there
