"""Installing opt puts no top-level module named 'models' or 'cli' (issue 21.3): the families are
optimizer.models (models/ in a checkout, optimizer/_families in a wheel), the command line optimizer.cli; a
folder with its own models.py and cli.py imports optimizer and solves, and keeps its own modules."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import SCENARIOS

NOTEBOOK = f"""
import models, cli                      # the researcher's own
assert models.MINE == "mine" and cli.MINE == "cli"
import optimizer
from optimizer.run import solve_scenario
o = solve_scenario({str(SCENARIOS / 'west.yaml')!r}, write=False)
assert o.solution.status.value == "optimal"
import models as again
assert again.MINE == "mine" and "optimizer.models.regional_gap" in __import__("sys").modules
print("ok", round(o.solution.objective, 4))
"""


def test_a_folder_with_its_own_models_and_cli(tmp_path):
    (tmp_path / "models.py").write_text('MINE = "mine"\n', encoding="utf-8")
    (tmp_path / "cli.py").write_text('MINE = "cli"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # opt as installed, the folder first
    r = subprocess.run([sys.executable, "-c", NOTEBOOK], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and r.stdout.startswith("ok 1120687.8907"), r.stdout + r.stderr
