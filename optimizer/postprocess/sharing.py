"""Sharing results: flows, provider utilisation, community coverage, and their KPIs."""
from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.preprocess.data import K_FACILITY
from optimizer.units import INTERNAL, PEOPLE

M2 = INTERNAL["facility"]  # internal space unit in m2


def sharing_tables(ctx, x: np.ndarray, a) -> dict[str, pd.DataFrame]:
    """flows, providers, communities (m2, people) and the sharing KPIs, per year."""
    net, d, lay = ctx.network, ctx.data, ctx.layout
    T = d.T
    P, Q = len(net.providers), len(net.communities)
    flow = x[lay.flows].reshape(net.n_pairs, T) if net.n_pairs else np.zeros((0, T))
    flow = np.where(flow < 1e-9, 0.0, flow)
    pp, tt = np.nonzero(flow > 0)
    flows = pd.DataFrame({
        "provider": [net.providers[net.pair_p[i]].id for i in pp],
        "provider_kind": [net.providers[net.pair_p[i]].kind for i in pp],
        "community": [net.communities[net.pair_q[i]].id for i in pp],
        "year": d.years[tt],
        "amount_m2": flow[pp, tt] * M2,
        "travel_minutes": net.minutes[pp],
    })
    used = np.zeros((P, T))
    got = np.zeros((Q, T))
    np.add.at(used, net.pair_p, flow)
    np.add.at(got, net.pair_q, flow)
    po, pt = np.meshgrid(np.arange(P), np.arange(T), indexing="ij")
    providers = pd.DataFrame({
        "provider": [net.providers[i].id for i in po.ravel()],
        "kind": [net.providers[i].kind for i in po.ravel()],
        "region": [net.providers[i].region for i in po.ravel()],
        "year": d.years[pt.ravel()],
        "capacity_m2": net.capacity[po.ravel()] * M2,
        "shared_m2": used.ravel() * M2,
        "utilisation": np.divide(used.ravel(), net.capacity[po.ravel()], out=np.zeros(P * T), where=net.capacity[po.ravel()] > 0),
    })
    # space built in a region is reported against its communities' remaining need, in proportion
    region_index = {rid: i for i, rid in enumerate(d.region_ids)}
    comm_region = np.array([region_index[c.region] for c in net.communities], dtype=int)
    remaining = np.maximum(net.need[:, None] - got, 0.0)  # (Q,T)
    built_region = (a.level[:, :, K_FACILITY, :] - a.base[:, :, K_FACILITY, :] - a.shared[:, :, K_FACILITY, :]).sum(axis=1)
    rem_region = np.zeros((d.R, T))
    np.add.at(rem_region, comm_region, remaining)
    share = np.divide(remaining, rem_region[comm_region], out=np.zeros_like(remaining), where=rem_region[comm_region] > 0)
    built = np.minimum(share * built_region[comm_region], remaining)
    qo, qt = np.meshgrid(np.arange(Q), np.arange(T), indexing="ij")
    communities = pd.DataFrame({
        "community": [net.communities[j].id for j in qo.ravel()],
        "region": [net.communities[j].region for j in qo.ravel()],
        "year": d.years[qt.ravel()],
        "population": np.array([c.population for c in net.communities])[qo.ravel()] * PEOPLE,
        "need_m2": net.need[qo.ravel()] * M2,
        "shared_m2": got.ravel() * M2,
        "built_m2": built.ravel() * M2,
        "unmet_m2": (remaining - built).ravel() * M2,
    })
    pop = np.array([c.population for c in net.communities]) * PEOPLE
    covered = (pop[:, None] * np.divide(np.minimum(got, net.need[:, None]), net.need[:, None],
                                        out=np.zeros_like(got), where=net.need[:, None] > 0)).sum(axis=0)
    limit = ctx.scenario.sharing.max_travel_minutes
    kpis = pd.DataFrame(
        [(int(y), f"people_with_space_within_{limit:g}_minutes", "shared facilities", float(v), "people", np.nan, "")
         for y, v in zip(d.years, covered)]
        + [(int(y), "m2_building_avoided_by_sharing", "shared facilities", float(v), "m2", np.nan, "")
           for y, v in zip(d.years, a.shared[:, :, K_FACILITY, :].sum(axis=(0, 1)) * M2)],
        columns=["year", "kpi", "scope", "value", "unit", "target", "met"])
    return {"flows": flows, "providers": providers, "communities": communities, "kpis": kpis}
