"""A linear program as arrays: variable blocks, row blocks, one sparse matrix.

Constraint families emit rows once, vectorised, as COO triplets with bounds
and labels; the assembler stacks them. Names are made only when asked for
(LP/MPS files, the PuLP back end, reports), from the labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

INF = np.inf
_UNSAFE = re.compile(r"[^\w.]", re.UNICODE)


@dataclass
class VarBlock:
    name: str
    start: int
    size: int
    labels: dict[str, np.ndarray]  # per variable: integer indices (named by the model's label_names) or text


@dataclass
class RowBlock:
    family: str
    n: int
    rows: np.ndarray  # local row of each nonzero
    cols: np.ndarray  # global column
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    labels: dict[str, np.ndarray] = field(default_factory=dict)  # per row
    policy: bool = True  # a plan target: listed in constraints.csv, relaxed in diagnosis
    info: object = None  # what the family's explanation needs beside the row: a dataclass of its own
    start: int = 0


class ModelBuilder:
    """Collects variables and row blocks from the constraint families. `label_names` names the integer
    labels, for LP/MPS files and reports: {label key: name of index 0, 1, ...}."""

    def __init__(self, label_names: dict[str, list[str]] | None = None):
        self.label_names = dict(label_names or {})
        self.var_blocks: dict[str, VarBlock] = {}
        self.row_blocks: list[RowBlock] = []
        self._lb: list[np.ndarray] = []
        self._ub: list[np.ndarray] = []
        self._cost: list[np.ndarray] = []
        self._quad: list[tuple[np.ndarray, np.ndarray]] = []
        self._integer: list[np.ndarray] = []
        self.nvars = 0

    def add_vars(self, name: str, labels: dict[str, np.ndarray], lb=0.0, ub=INF, cost=0.0,
                 integer: bool = False) -> np.ndarray:
        """`integer`: whole numbers where the solve asks for them (opt solve --integer); else continuous."""
        size = len(next(iter(labels.values())))
        idx = np.arange(self.nvars, self.nvars + size)
        if integer:
            self._integer.append(idx)
        self.var_blocks[name] = VarBlock(name, self.nvars, size, compact_labels(labels))
        self._lb.append(np.broadcast_to(np.asarray(lb, float), (size,)).copy())
        self._ub.append(np.broadcast_to(np.asarray(ub, float), (size,)).copy())
        self._cost.append(np.broadcast_to(np.asarray(cost, float), (size,)).copy())
        self.nvars += size
        return idx

    @staticmethod
    def _flat(parts: list[np.ndarray]) -> np.ndarray:
        if len(parts) != 1:
            parts[:] = [np.concatenate(parts) if parts else np.zeros(0)]
        return parts[0]

    def add_cost(self, cols: np.ndarray, cost) -> None:
        np.add.at(self._flat(self._cost), cols, cost)

    def add_quad(self, cols: np.ndarray, values: np.ndarray) -> None:
        """A convex quadratic term q_j x_j^2 / 2 on each column (q_j >= 0)."""
        self._quad.append((np.asarray(cols, dtype=np.int64), np.asarray(values, dtype=float)))

    def set_upper(self, cols: np.ndarray, value) -> None:
        self._flat(self._ub)[cols] = value

    def add_rows(self, block: RowBlock) -> RowBlock:
        if block.n:
            self.row_blocks.append(block)
        return block

    def assemble(self) -> LinearModel:
        start = 0
        for b in self.row_blocks:
            b.start = start
            start += b.n
        nrows = start
        if self.row_blocks:
            r = np.concatenate([b.rows + b.start for b in self.row_blocks])
            c = np.concatenate([b.cols for b in self.row_blocks])
            v = np.concatenate([b.vals for b in self.row_blocks])
        else:
            r = c = np.zeros(0, int)
            v = np.zeros(0)
        keep = v != 0
        if not keep.all():
            r, c, v = r[keep], c[keep], v[keep]
        # CSR straight from the triplets: each block emits its terms in a few runs sorted by row, which
        # a stable sort merges quickly (scipy's COO route checked and copied the 8M indices several times)
        order = np.argsort(r, kind="stable")
        indptr = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=nrows))])
        index = np.int32 if max(nrows, self.nvars, len(v)) < 2**31 else np.int64  # indptr holds up to nnz
        A = sp.csr_matrix((v[order], c[order].astype(index), indptr.astype(index)), shape=(nrows, self.nvars))
        A.sum_duplicates()  # sorts each row's columns, adds repeated terms
        A.eliminate_zeros()  # terms that cancel (a stock added in one year, taken back the next, summed over years)
        del r, c, v, keep, order
        for b in self.row_blocks:  # the matrix holds them now; a second copy is 200 MB at county scale
            b.rows = b.cols = np.zeros(0, dtype=np.int64)
            b.vals = np.zeros(0)
        lower = np.concatenate([b.lower for b in self.row_blocks]) if self.row_blocks else np.zeros(0)
        upper = np.concatenate([b.upper for b in self.row_blocks]) if self.row_blocks else np.zeros(0)
        return LinearModel(
            A=A, row_lower=lower, row_upper=upper,
            col_lower=np.concatenate(self._lb), col_upper=np.concatenate(self._ub),
            cost=np.concatenate(self._cost), var_blocks=self.var_blocks, row_blocks=self.row_blocks,
            label_names=self.label_names, quad=self._quad_array(),
            integer=np.concatenate(self._integer) if self._integer else None,
        )

    def _quad_array(self) -> np.ndarray | None:
        if not self._quad:
            return None
        q = np.zeros(self.nvars)
        for cols, values in self._quad:
            np.add.at(q, cols, values)
        return q


def row_block(family: str, rows, cols, vals, lower, upper, labels=None, policy=True, info=None) -> RowBlock:
    lower = np.asarray(lower, float)
    return RowBlock(family, len(lower), np.asarray(rows, int), np.asarray(cols, int), np.asarray(vals, float),
                    lower, np.asarray(upper, float), compact_labels(labels or {}), policy, info)


def compact_labels(labels: dict) -> dict[str, np.ndarray]:
    """Labels as arrays, integer ones (indices into regions, years...) in the smallest type that
    holds them: they are kept through the solve, and at 2,850 counties int64 labels took ~120 MB
    of the peak. Labels are only indexed with and compared, never computed on."""
    out = {}
    for key, v in labels.items():
        a = np.asarray(v)
        if a.dtype.kind in "iu" and a.size:  # signed, so that a label minus one is still what it says
            lo, hi = int(a.min()), int(a.max())
            a = a.astype(next((t for t in (np.int8, np.int16, np.int32, np.int64)
                               if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max), a.dtype), copy=False)
        out[key] = a
    return out


@dataclass
class LPArrays:
    """min cost.x  s.t.  row_lower <= A x <= row_upper,  col_lower <= x <= col_upper."""

    A: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray


@dataclass
class LinearModel(LPArrays):
    var_blocks: dict[str, VarBlock]
    row_blocks: list[RowBlock]
    label_names: dict[str, list[str]] = field(default_factory=dict)
    objective_offset: float = 0.0
    quad: np.ndarray | None = None  # diagonal q of a convex quadratic term: the objective adds sum_j q_j x_j^2 / 2
    integer: np.ndarray | None = None  # columns that may be made whole numbers (made so only when a solve asks)

    def objective_at(self, x: np.ndarray) -> float:
        value = float(self.cost @ x + self.objective_offset)
        return value if self.quad is None else value + 0.5 * float(self.quad @ (x * x))

    def __repr__(self) -> str:
        fams = ", ".join(f"{b.family}:{b.n}" for b in self.row_blocks)
        return f"LinearModel({self.A.shape[1]} vars, {self.A.shape[0]} rows, {self.A.nnz} nonzeros; {fams})"

    def _label_text(self, key: str, idx: np.ndarray) -> np.ndarray:
        table = self.label_names.get(key)
        if table is None:
            return np.asarray(idx).astype(str)
        arr = np.asarray(table, dtype=object)
        return np.where(np.asarray(idx) >= 0, arr[np.clip(idx, 0, len(arr) - 1)], "all")

    def _names(self, prefix: str, n: int, labels: dict) -> list[str]:
        parts = [np.full(n, prefix, dtype=object)]
        for key in ("kind", "resource", "category", "region", "unit", "year"):
            if key in labels:
                parts.append(self._label_text(key, labels[key]).astype(object))
        out = parts[0]
        for p in parts[1:]:
            out = out + "." + p
        return [_UNSAFE.sub("_", s) for s in out]

    def col_names(self) -> list[str]:
        names: list[str] = []
        for b in self.var_blocks.values():
            names += self._names(b.name, b.size, b.labels)
        return names

    def row_names(self) -> list[str]:
        names: list[str] = []
        for b in self.row_blocks:
            names += self.block_row_names(b)
        return names

    def block_row_names(self, block: RowBlock) -> list[str]:
        return self._names(block.family, block.n, block.labels)

    def violation(self, x: np.ndarray) -> float:
        """Worst bound violation of x, relative to the size of the row (|A||x|) or bound."""
        ax = self.A @ x
        mag = abs(self.A) @ np.abs(x)

        def worst(v, scale):
            return float(np.max(v / np.maximum(1.0, scale))) if v.size else 0.0

        lo = np.isfinite(self.row_lower)
        hi = np.isfinite(self.row_upper)
        clo = np.isfinite(self.col_lower)
        chi = np.isfinite(self.col_upper)
        return max(0.0,
                   worst(self.row_lower[lo] - ax[lo], np.maximum(np.abs(self.row_lower[lo]), mag[lo])),
                   worst(ax[hi] - self.row_upper[hi], np.maximum(np.abs(self.row_upper[hi]), mag[hi])),
                   worst(self.col_lower[clo] - x[clo], np.abs(self.col_lower[clo])),
                   worst(x[chi] - self.col_upper[chi], np.abs(self.col_upper[chi])))
