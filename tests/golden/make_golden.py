"""Regenerate the golden LP files after an intended model change, then read the diff:
    python tests/golden/make_golden.py
"""
from pathlib import Path

from optimizer.backend.pulp_backend import write_model_file
from optimizer.models.build import build_model
from optimizer.preprocess.data import build_data
from optimizer.preprocess.load import load_scenario

HERE = Path(__file__).parent
FAMILIES = HERE.parent / "scenarios" / "families"


def lp_for(name: str, path: Path) -> None:
    loaded = load_scenario(FAMILIES / f"{name}.yaml")
    model, _ = build_model(build_data(loaded.scenario), loaded.scenario)
    write_model_file(model, path)


if __name__ == "__main__":
    for f in sorted(FAMILIES.glob("*.yaml")):
        if f.stem != "base":
            lp_for(f.stem, HERE / f"{f.stem}.lp")
            print("wrote", f.stem)
