"""manifest.json: what is needed to reproduce a result and to trust it."""
from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from importlib import metadata

PACKAGES = ("opt-planner", "pulp", "highspy", "clarabel", "numpy", "scipy", "pandas", "networkx", "pydantic", "typer", "pyyaml", "xlsxwriter")


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def command_manifest(argv: list[str], files: list[str], **about) -> dict:
    """The manifest of a folder that no single scenario made (opt compare): what ran, with what, and
    which files it wrote (opt replaces such a folder only while it holds nothing else)."""
    return {**about, "versions": versions(), "command": argv,
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"), "files": files}


def manifest(loaded, solver: dict, status: str, timings: dict, argv: list[str], files: list[str]) -> dict:
    return {
        "scenario": str(loaded.path),
        "scenario_name": loaded.name,
        "scenario_sha256": loaded.sha256,
        "input_files": loaded.inputs,
        "overrides": [{"set": o.text, "path": o.path, "value": o.value, "previous": o.previous} for o in loaded.overrides],
        "solver": solver,
        "status": status,
        "timings_seconds": {k: round(v, 4) for k, v in timings.items()},
        "versions": versions(),
        "command": argv,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
