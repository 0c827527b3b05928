"""mypy on optimizer/ and models/, held to a baseline that may only shrink.

The baseline (.ci/mypy-baseline.txt: errors per file) was taken when the check came in (183 errors in
38 files, mostly pydantic types built by calls that mypy cannot read). A file with more errors than
its baseline fails; a file with fewer is reported, so the baseline can be lowered in the same change.
`python .ci/typecheck.py --update` writes the current counts as the new baseline.
"""
from __future__ import annotations

import collections
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mirror import mirror, repo_path  # noqa: E402 - .ci/ is not a package

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"


def counts() -> tuple[collections.Counter, str]:
    """mypy on the package as installed (.ci/mirror.py: the families as optimizer.models, which is how every
    module imports them), its paths told as the repository's."""
    with mirror() as where:
        r = subprocess.run([sys.executable, "-m", "mypy", "optimizer"], cwd=where, capture_output=True, text=True)
    out = repo_path(r.stdout)
    found = collections.Counter(m.group(1) for m in re.finditer(r"^([\w/.]+\.py):\d+: error:", out, re.M))
    return found, out


def main() -> int:
    found, text = counts()
    if "--update" in sys.argv:
        BASELINE.write_text("".join(f"{n} {f}\n" for f, n in sorted(found.items())), encoding="utf-8")
        print(f"baseline: {sum(found.values())} errors in {len(found)} files")
        return 0
    base = {f: int(n) for n, f in (line.split() for line in BASELINE.read_text(encoding="utf-8").splitlines() if line)}
    worse = {f: (n, base.get(f, 0)) for f, n in found.items() if n > base.get(f, 0)}
    better = {f: (found.get(f, 0), n) for f, n in base.items() if found.get(f, 0) < n}
    for f, (n, b) in sorted(worse.items()):
        print(f"mypy: {f}: {n} errors, baseline {b}")
        for line in text.splitlines():
            if line.startswith(f + ":"):
                print("  " + line)
    for f, (n, b) in sorted(better.items()):
        print(f"mypy: {f}: {n} errors, below its baseline {b}: lower it (python .ci/typecheck.py --update)")
    print(f"mypy: {sum(found.values())} errors in {len(found)} files (baseline {sum(base.values())})")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
