"""The wheel holds exactly optimizer, models and cli."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_contains_exactly_our_packages(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "cli.py"):
        shutil.copy(ROOT / name, src / name)
    for pkg in ("optimizer", "models"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wheel = next((tmp_path / "dist").glob("*.whl"))
    tops = {n.split("/")[0] for n in zipfile.ZipFile(wheel).namelist()}
    # no top-level 'models' or 'cli' (issue 21.3): the families are optimizer/_families, the command line optimizer/cli
    assert {t for t in tops if not t.endswith(".dist-info")} == {"optimizer"}
    names = zipfile.ZipFile(wheel).namelist()
    assert "optimizer/backend/highs.py" in names and "optimizer/_families/regional_gap.py" in names
    assert "optimizer/cli.py" in names and "optimizer/models.py" in names
    assert "optimizer/data/province_population.csv" in names  # opt generate needs it installed
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "opt = optimizer.cli:main" in entry
