"""Facility sharing: schools, hospitals, enterprises and government units open
space to communities within a travel-time limit (15 minutes in the plan).

Flows y[p,q,t] >= 0 exist only for pairs whose shortest travel time on the road
graph is within the limit (found by a Dijkstra search with a cutoff from each
provider, not all pairs). Rows: a provider shares at most its capacity; a
community receives at most its need; a region credits what its communities
receive to its categories' facility levels, shared[r,c,t] (sum over c at most
the inflow). Credited space counts in the facility shortfall and the facility
standard exactly like space built. Travel minutes and the cost of sharing are
a tie-breaker in the objective, so among equal-coverage plans the nearer
provider is used.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import networkx as nx

from optimizer.models.common import Context, grid
from optimizer.preprocess.data import K_FACILITY
from optimizer.units import INTERNAL


@dataclass
class Network:
    """Reachable provider-community pairs, ready for the LP."""

    providers: list  # schema Provider objects
    communities: list
    pair_p: np.ndarray  # provider index per pair
    pair_q: np.ndarray  # community index per pair
    minutes: np.ndarray
    capacity: np.ndarray  # (P,) 10k m2
    need: np.ndarray  # (Q,) 10k m2

    @property
    def n_pairs(self) -> int:
        return len(self.pair_p)


def road_graph(sharing) -> nx.Graph:
    import networkx as nx  # here, not at the top: 0.15 s of every run's start, needed only with sharing

    g = nx.Graph()
    for r in sharing.roads or []:
        if g.has_edge(r.source, r.target):  # parallel roads: the faster one counts
            g[r.source][r.target]["minutes"] = min(g[r.source][r.target]["minutes"], r.minutes)
        else:
            g.add_edge(r.source, r.target, minutes=r.minutes)
    return g


def reachable_pairs(sharing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(provider index, community index, minutes) for every pair within the limit."""
    limit = sharing.max_travel_minutes
    if sharing.travel_times:
        pid = {p.id: i for i, p in enumerate(sharing.providers)}
        cid = {c.id: j for j, c in enumerate(sharing.communities)}
        best: dict[tuple[int, int], float] = {}
        for tt in sharing.travel_times:
            key = (pid[tt.provider], cid[tt.community])
            best[key] = min(best.get(key, np.inf), tt.minutes)
        keep = [(p, q, m) for (p, q), m in sorted(best.items()) if m <= limit]
    else:
        import networkx as nx

        g = road_graph(sharing)
        at_node: dict[str, list[int]] = {}
        for j, c in enumerate(sharing.communities):
            at_node.setdefault(c.node, []).append(j)
        keep, dist_cache = [], {}
        for i, p in enumerate(sharing.providers):
            if p.node not in dist_cache:
                dist_cache[p.node] = nx.single_source_dijkstra_path_length(g, p.node, cutoff=limit, weight="minutes")
            for node, m in dist_cache[p.node].items():
                for j in at_node.get(node, ()):
                    keep.append((i, j, m))
        keep.sort()
    if not keep:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    a = np.array(keep, dtype=float)
    return a[:, 0].astype(int), a[:, 1].astype(int), a[:, 2]


def sharing_categories(sharing, data) -> np.ndarray:
    """(C,) which categories shared space may serve."""
    has_std = data.has_std[:, K_FACILITY]
    if sharing.categories is None:
        return has_std
    return np.array([cid in set(sharing.categories) for cid in data.cat_ids]) & has_std


def network(sharing, data) -> Network:
    p, q, m = reachable_pairs(sharing)
    cats = sharing_categories(sharing, data)
    per_person = float(data.std_user[cats, K_FACILITY, 0].sum())  # m2 per person, the first year's standards
    need = np.array([c.need if c.need is not None else c.population * per_person for c in sharing.communities])
    cap = np.array([pr.capacity for pr in sharing.providers], dtype=float)
    return Network(list(sharing.providers), list(sharing.communities), p, q, m, cap, need)


def credit_bound(scenario, data) -> np.ndarray | None:
    """(R,) the most shared space a region's facility levels can be credited in a year (10k m2): its
    communities' need, and no more than the capacity of the providers that reach any of them; None without
    sharing. The cheap checks take it off what the facility targets need built (the LP counts it as built)."""
    sh = scenario.sharing
    if sh is None or not sh.enabled:
        return None
    net = network(sh, data)
    index = {rid: i for i, rid in enumerate(data.region_ids)}
    region = np.array([index[c.region] for c in net.communities], dtype=int)
    need = np.bincount(region, weights=net.need, minlength=data.R)
    reach = np.unique(np.stack([net.pair_p, region[net.pair_q]]), axis=1) if net.n_pairs else np.zeros((2, 0), int)
    cap = np.bincount(reach[1], weights=net.capacity[reach[0]], minlength=data.R)
    return np.minimum(need, cap)


def add_sharing(ctx: Context) -> Network | None:
    """Flows, provider and community rows, and the per-category credits the facility levels use."""
    sh = ctx.scenario.sharing
    if sh is None or not sh.enabled:
        return None
    d, b = ctx.data, ctx.builder
    net = network(sh, d)
    T = d.T
    region_index = {rid: i for i, rid in enumerate(d.region_ids)}
    pp, tt = grid(net.n_pairs, T)
    pair_names = np.array([f"{net.providers[i].id}>{net.communities[j].id}" for i, j in zip(net.pair_p, net.pair_q)], dtype=object)
    y = b.add_vars("y", {"unit": pair_names[pp] if net.n_pairs else np.zeros(0, dtype=object), "year": tt})
    cost_per_unit = np.array([pr.cost for pr in net.providers]) * INTERNAL["facility"] / INTERNAL["fiscal"]
    travel = sh.travel_weight * net.minutes[pp]
    b.add_cost(y, travel + ctx.scenario.objective.cost_weight * cost_per_unit[net.pair_p[pp]])
    ctx.layout.travel = (y, travel)  # a criterion of its own where one answer is chosen (optimizer.unique)

    P, Q = len(net.providers), len(net.communities)
    # provider capacity and community need, one row per (node, year)
    for name, idx, count, cap, labels in (
            ("sharing_provider", net.pair_p, P, net.capacity, [pr.id for pr in net.providers]),
            ("sharing_community", net.pair_q, Q, net.need, [c.id for c in net.communities])):
        oo, ot = grid(count, T)
        flows = ctx.var(idx[pp] * T + tt, y, n=count * T)  # each node's flows, by year
        ctx.rows(name, flows <= cap[oo], labels={"unit": np.array(labels, dtype=object)[oo], "year": ot}, policy=False)

    # credits: shared[r,c,t] for categories shared space serves; sum_c shared <= inflow of region r
    cats = np.nonzero(sharing_categories(sh, d))[0]
    rr, ci, ty = grid(d.R, len(cats), T)
    c = cats[ci]
    credit = b.add_vars("shared", {"category": c, "region": rr, "year": ty})
    shared = np.full((d.R, d.C, T), -1, dtype=np.int64)
    shared[rr, c, ty] = credit
    comm_region = np.array([region_index[cm.region] for cm in net.communities], dtype=int)
    rows_credit = rr * T + ty
    rows_flow = comm_region[net.pair_q[pp]] * T + tt
    credited = ctx.var(rows_credit, credit, n=d.R * T) - ctx.var(rows_flow, y, n=d.R * T)
    ctx.rows("sharing_credit", credited <= 0,
             labels={"region": np.repeat(np.arange(d.R), T), "year": np.tile(np.arange(T), d.R)}, policy=False)
    ctx.layout.shared = shared
    ctx.layout.flows = y
    return net
