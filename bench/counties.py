"""The generated county scenario the benchmarks solve (`opt generate counties`, seed 1)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def generate(regions: int, out: Path, years: str = "2024:2035", seed: int = 1) -> Path:
    subprocess.run([sys.executable, "-m", "optimizer", "generate", "counties", "--regions", str(regions),
                    "--years", years, "--seed", str(seed), "--out", str(out)], check=True, capture_output=True)
    return out
