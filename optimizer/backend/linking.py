"""Rows that tie many regions together, rewritten so each region enters them once.

A national budget row holds every region's money for every category (34,000 terms
at 2,850 counties), and so do the share rows and the group gap rows. For a direct
factorisation (the interior-point back end) such long rows are what slows the
ordering and widens the factor's fronts. Writing each region's part of a long row
(for one year and resource) as one auxiliary variable,

    z = sum of that part's terms / scale,      row: sum over parts of scale * z,

gives the same feasible set (z is free and fixed by its defining row) with the long
rows reduced to a few terms per region. Parts equal up to the scale share one z.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.backend.lp import INF, LinearModel, LPArrays

MIN_REGIONS = 16  # a row over fewer regions is left as it is
FANOUT = 32  # regions per block at the next level


@dataclass
class Split(LPArrays):
    """The rewritten model: the original rows first (same order), then the defining rows;
    the original columns first, then the aux columns."""

    n_aux: int
    label: np.ndarray  # region (or block) of each column, -1 for none


def column_labels(model: LinearModel) -> tuple[np.ndarray, np.ndarray]:
    """Per column: its region (-1 for none) and a part key (year and resource; -1 for none)."""
    n = model.A.shape[1]
    reg = np.full(n, -1, dtype=np.int64)
    part = np.full(n, -1, dtype=np.int64)
    for b in model.var_blocks.values():
        sl = slice(b.start, b.start + b.size)
        if "region" in b.labels:
            reg[sl] = b.labels["region"]
        if "year" in b.labels:
            # a key per (year, resource): resources declared in a scenario go beyond the three defaults
            part[sl] = np.asarray(b.labels["year"], dtype=np.int64) * 1024 + np.asarray(
                b.labels.get("resource", np.full(b.size, 1023)), dtype=np.int64)
    return reg, part


def split_linking_rows(model: LinearModel, min_regions: int = MIN_REGIONS, fanout: int = FANOUT) -> Split:
    """Level 1: one aux per (long row, region, year, resource). Level 2 and up: the long rows, now
    a few terms per region, are split again over blocks of `fanout` consecutive regions, so that no
    row is longer than a few dozen terms (a row of 2,850 terms still slows the factorisation's ordering).

    Splitting by year and resource too keeps each aux inside one year: a budget row's part
    "salaries of the workers of region r in year t" is the same sum as the region's parts of the
    supply rows of years t and t+1, up to a factor, so they share one aux, and no aux couples two
    years (which would widen the factorisation's fronts)."""
    label, part = column_labels(model)
    split = _split(model, label, part, min_regions)
    while split.n_aux and label.max() >= fanout * min_regions:
        label = np.where(split.label >= 0, split.label // fanout, -1)
        finer = _split(split, label, np.full(len(label), -1, dtype=np.int64), min_regions)
        if not finer.n_aux:
            break
        finer.n_aux += split.n_aux
        split = finer
    return split


def _split(lp: LPArrays, label: np.ndarray, part: np.ndarray, min_regions: int) -> Split:
    A = lp.A.tocsr()
    row_lower, row_upper, col_lower, col_upper, cost = lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper, lp.cost
    m, n = A.shape
    # only rows with at least min_regions terms can span that many regions
    cand = np.flatnonzero(np.diff(A.indptr) >= min_regions)
    sub = A[cand]
    sub.sort_indices()  # columns in order within each row: so within each segment after a stable sort
    sub = sub.tocoo()
    row, col, val = cand[sub.row].astype(np.int64), sub.col.astype(np.int64), sub.data
    r = label[col] + 1  # 0: no region
    nreg = int(label.max()) + 2
    npart = int(part.max()) + 2
    seg = (row * nreg + r) * npart + (part[col] + 1)  # one segment per (row, region, part)
    seg_ids, seg_of = _sorted_codes(seg)
    seg_row = seg_ids // (nreg * npart)
    seg_reg = (seg_ids // npart) % nreg - 1
    seg_len = np.bincount(seg_of)
    pair = seg_ids // npart  # (row, region), sorted: distinct where it changes
    first_of_pair = np.r_[True, pair[1:] != pair[:-1]]
    regions_in_row = np.bincount(seg_row[first_of_pair & (seg_reg >= 0)], minlength=m)
    long_row = regions_in_row >= min_regions
    to_aux = long_row[seg_row] & (seg_len >= 2) & (seg_reg >= 0)
    if not to_aux.any():
        return Split(A, row_lower, row_upper, col_lower, col_upper, cost, 0, label)

    # the moved terms, grouped by segment and sorted by column within it
    take = to_aux[seg_of]
    e_seg = seg_of[take]
    order = np.argsort(e_seg, kind="stable")
    e_seg, e_col, e_val = e_seg[order], col[take][order], val[take][order]
    aux_segs = np.flatnonzero(to_aux)
    local = (np.cumsum(to_aux) - 1)[e_seg]  # 0..n_segments-1, non-decreasing
    # each segment as scale x (terms / scale), scale = its first value: proportional parts share an aux
    starts = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
    scale = e_val[starts]
    e_norm = e_val / scale[local]
    aux_of_seg = _identical(local, e_col, e_norm, len(aux_segs))
    na = int(aux_of_seg.max()) + 1
    first = np.unique(aux_of_seg, return_index=True)[1]  # a representative segment per aux

    # long rows: kept terms + scale x aux per segment; defining rows: z - terms / scale = 0
    is_rep = np.zeros(len(aux_segs), dtype=bool)
    is_rep[first] = True
    rep = is_rep[local]
    is_long = np.zeros(m, dtype=bool)
    is_long[seg_row[to_aux]] = True
    rest = (sp.diags((~is_long).astype(float)) @ A).tocsr()  # every row but the long ones, as it was
    rest.eliminate_zeros()
    rest.resize((m + na, n + na))
    keep = ~take & is_long[row]  # terms of long rows left as they are (regionless, or a part's only term)
    rows = np.concatenate([row[keep], seg_row[aux_segs], m + aux_of_seg[local[rep]], m + np.arange(na)])
    cols = np.concatenate([col[keep], n + aux_of_seg, e_col[rep], n + np.arange(na)])
    vals = np.concatenate([val[keep], scale, -e_norm[rep], np.ones(na)])
    A2 = (rest + sp.csr_matrix((vals, (rows, cols)), shape=(m + na, n + na))).tocsr()
    zeros = np.zeros(na)
    aux_label = seg_reg[aux_segs][first]
    return Split(A2, np.concatenate([row_lower, zeros]), np.concatenate([row_upper, zeros]),
                 np.concatenate([col_lower, np.full(na, -INF)]), np.concatenate([col_upper, np.full(na, INF)]),
                 np.concatenate([cost, zeros]), na, np.concatenate([label, aux_label]))


def _sorted_codes(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(keys, return_inverse=True), by hashing (pandas) and sorting only the distinct keys:
    at 2,850 counties 4M keys fall into ~400k distinct ones, and this takes a third of the time."""
    codes, uniques = pd.factorize(keys, sort=True)
    return np.asarray(uniques), codes


def _identical(seg: np.ndarray, col: np.ndarray, val: np.ndarray, nseg: int) -> np.ndarray:
    """Number the segments so that identical ones (same columns and values) share a number.

    Candidates are grouped by a hash of a fingerprint (length and moments of columns and
    values), then every term is compared with the group's first segment; a segment that
    differs anywhere (a collision) keeps a number of its own."""
    length = np.bincount(seg, minlength=nseg)
    start = np.cumsum(length) - length
    fcol = col.astype(float)
    key = length.astype(np.uint64)
    for w in (fcol, fcol * fcol, val, val * fcol):  # one uint64 per segment: sorting it is 10x faster than rows
        key = key * np.uint64(0x9E3779B97F4A7C15) ^ np.bincount(seg, w, minlength=nseg).view(np.uint64)
    group = _sorted_codes(key)[1]
    rep = np.unique(group, return_index=True)[1][group]  # first segment of each group
    pos = np.arange(len(seg)) - start[seg]
    other = np.minimum(start[rep[seg]] + pos, len(seg) - 1)
    mismatch = (col != col[other]) | (val != val[other])
    differs = (length != length[rep]) | (np.bincount(seg, mismatch, minlength=nseg) > 0)
    number = np.where(differs, nseg + np.arange(nseg), rep)  # collisions: a number of their own
    return _sorted_codes(number)[1]
