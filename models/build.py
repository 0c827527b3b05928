"""One function from scenario arrays to the linear program."""
from __future__ import annotations

from optimizer.backend.lp import LinearModel, ModelBuilder
from optimizer.models.allocation import add_allocation
from optimizer.models.common import Context, Layout, label_names
from optimizer.models.objective import bands, set_objective
from optimizer.models.registry import in_build_order, load_all
from optimizer.models.sharing import add_sharing
from optimizer.preprocess.data import ModelData


def build_model(data: ModelData, scenario, skip: frozenset[str] = frozenset()) -> tuple[LinearModel, Context]:
    """The LP for a scenario; families named in skip are left out (for diagnosis)."""
    load_all()
    b = ModelBuilder(label_names(data))
    layout: Layout = add_allocation(b, data, bands=len(bands(scenario)[1]))
    ctx = Context(b, data, layout, scenario)
    ctx.network = add_sharing(ctx)
    for fam in in_build_order():
        if fam.name not in skip:
            fam.build(ctx)
    set_objective(ctx)
    return b.assemble(), ctx
