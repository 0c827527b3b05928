"""When the plan is infeasible: which targets are involved.

Each plan target (and the supply limits) is dropped in turn and the rest
re-solved. A family whose removal makes the plan feasible is named as one that
must give; the least change to each is the subject of the diagnosis issue.
"""
from __future__ import annotations

from dataclasses import dataclass

from models.build import build_model
from models.registry import FAMILIES
from optimizer.backend.solve import solve
from optimizer.backend.status import Status

STRUCTURAL = {"shortfall"}


@dataclass
class Diagnosis:
    involved: list[str]  # families that alone restore feasibility when dropped
    present: list[str]  # policy families in the model
    lines: list[str]

    def __repr__(self) -> str:
        return f"Diagnosis(involved={self.involved})"


def diagnose(data, scenario, model, solver_opts: dict) -> Diagnosis:
    present = sorted({b.family for b in model.row_blocks if b.policy} & set(FAMILIES))
    involved = []
    for fam in present:
        m, _ = build_model(data, scenario, skip=frozenset({fam}))
        if solve(m, **solver_opts).status is not Status.INFEASIBLE:
            involved.append(fam)
    if involved:
        lines = [f"dropping '{f}' alone makes the plan feasible" for f in involved]
    else:
        lines = ["no single target family explains it: several conflict together (" + ", ".join(present) + ")"]
    return Diagnosis(involved, present, lines)
