"""import-linter's layer contract (pyproject.toml) on the package as installed (.ci/mirror.py): the families
are optimizer.models there, so every edge into and out of them is seen."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mirror import mirror, repo_path  # noqa: E402 - .ci/ is not a package

if __name__ == "__main__":
    with mirror() as where:
        r = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=where, capture_output=True, text=True)
    print(repo_path(r.stdout + r.stderr).strip())
    sys.exit(r.returncode)
