"""The sharing network alone (no budget decisions): most space shared, then least travel.

Solved two ways that must agree: as our LP (two stages: maximise the space shared;
then, holding that, minimise m2 x minutes) and as a min-cost maximum flow in
networkx (source -> providers -> communities -> sink), which needs integer
capacities and weights: space is rounded to whole m2 and minutes to hundredths,
and the LP is given the same rounded data.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from optimizer.backend.lp import INF, ModelBuilder, row_block
from optimizer.backend.solve import solve
from optimizer.backend.status import Status
from optimizer.errors import InputError, Problem
from optimizer.models.sharing import network
from optimizer.preprocess.data import build_data
from optimizer.units import INTERNAL, PEOPLE

M2 = INTERNAL["facility"]
MINUTE_SCALE = 100  # networkx weights are integers: hundredths of a minute


@dataclass
class ShareResult:
    shared_m2: float
    travel_m2_minutes: float
    nx_shared_m2: float
    nx_travel_m2_minutes: float
    flows: pd.DataFrame
    providers: pd.DataFrame
    communities: pd.DataFrame
    people_covered: float
    people_uncovered: float
    pairs: int

    @property
    def agree(self) -> bool:
        def close(a, b):
            return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
        return close(self.shared_m2, self.nx_shared_m2) and close(self.travel_m2_minutes, self.nx_travel_m2_minutes)


def _lp(cap, need, pp, qq, minutes):
    """Two-stage LP on integer data; returns flows per pair."""
    def build(objective, floor=None):
        b = ModelBuilder()
        n = len(pp)
        y = b.add_vars("y", {"unit": np.arange(n).astype(str).astype(object)}, cost=objective)
        for name, idx, limit in (("provider", pp, cap), ("community", qq, need)):
            b.add_rows(row_block(name, idx, y, np.ones(n), np.full(len(limit), -INF), limit,
                                 labels={"unit": np.arange(len(limit)).astype(str).astype(object)}))
        if floor is not None:
            b.add_rows(row_block("total", np.zeros(n, int), y, np.ones(n), [floor], [INF],
                                 labels={"unit": np.array(["all"], dtype=object)}))
        return b.assemble()

    first = solve(build(-np.ones(len(pp))))
    if first.status is not Status.OPTIMAL:
        raise RuntimeError(f"sharing LP: {first.status.value}")
    best = -first.objective
    second = solve(build(minutes, floor=best * (1 - 1e-12)))
    if second.status is not Status.OPTIMAL:
        raise RuntimeError(f"sharing LP (travel stage): {second.status.value}")
    return second.x


def _networkx(cap, need, pp, qq, minutes):
    g = nx.DiGraph()
    for i, c in enumerate(cap):
        g.add_edge("source", ("p", i), capacity=int(c))
    for j, c in enumerate(need):
        g.add_edge(("q", j), "sink", capacity=int(c))
    for i, j, m in zip(pp, qq, minutes):
        g.add_edge(("p", int(i)), ("q", int(j)), weight=int(round(m * MINUTE_SCALE)))  # no capacity: unbounded
    flow = nx.max_flow_min_cost(g, "source", "sink")
    value = sum(flow["source"].values())
    return float(value), nx.cost_of_flow(g, flow) / MINUTE_SCALE


def solve_sharing(scenario) -> ShareResult:
    sh = scenario.sharing
    if sh is None:
        raise InputError([Problem(None, "sharing", "expected a 'sharing:' section in the scenario, found none")])
    net = network(sh, build_data(scenario))
    cap = np.round(net.capacity * M2)  # whole m2
    need = np.round(net.need * M2)
    minutes = np.round(net.minutes * MINUTE_SCALE) / MINUTE_SCALE
    pp, qq = net.pair_p, net.pair_q
    y = _lp(cap, need, pp, qq, minutes) if len(pp) else np.zeros(0)
    y = np.where(y < 1e-9, 0.0, y)
    nx_value, nx_cost = _networkx(cap, need, pp, qq, minutes) if len(pp) else (0.0, 0.0)
    used = np.bincount(pp, weights=y, minlength=len(cap)).astype(float)  # int when there are no pairs
    got = np.bincount(qq, weights=y, minlength=len(need)).astype(float)
    pop = np.array([c.population for c in net.communities]) * PEOPLE
    covered = pop * np.divide(got, need, out=np.zeros_like(got), where=need > 0)
    on = y > 0
    flows = pd.DataFrame({"provider": [net.providers[i].id for i in pp[on]], "community": [net.communities[j].id for j in qq[on]],
                          "amount_m2": y[on], "travel_minutes": minutes[on]})
    providers = pd.DataFrame({"provider": [p.id for p in net.providers], "kind": [p.kind for p in net.providers],
                              "capacity_m2": cap, "shared_m2": used,
                              "utilisation": np.divide(used, cap, out=np.zeros_like(used), where=cap > 0)})
    communities = pd.DataFrame({"community": [c.id for c in net.communities], "population": pop, "need_m2": need,
                                "shared_m2": got, "people_covered": covered})
    return ShareResult(float(y.sum()), float((y * minutes).sum()), nx_value, nx_cost, flows, providers, communities,
                       float(covered.sum()), float(pop.sum() - covered.sum()), len(pp))
