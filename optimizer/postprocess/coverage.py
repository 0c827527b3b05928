"""Coverage from an allocation table (as written to allocation.csv, or read back from one): the share of
need met, 1 - unmet / need, per row, and per (region, category, year) the lowest over its resources
(money, staff, space), the figure the report's heat table and `opt compare` show."""
from __future__ import annotations

import pandas as pd

from optimizer.models.common import ratio

KEYS = ["region", "region_name", "category", "category_name", "year"]


def share_met(alloc: pd.DataFrame) -> pd.Series:
    """Per row: the share of its need met (NaN where it has no need)."""
    return pd.Series(1.0 - ratio(alloc["unmet"].to_numpy(dtype=float), alloc["need"].to_numpy(dtype=float)),
                     index=alloc.index)


def coverage(alloc: pd.DataFrame) -> pd.DataFrame:
    """Per (region, category, year): the lowest share of need met over its resources (rows with a need)."""
    keys = [k for k in KEYS if k in alloc.columns]
    part = alloc.assign(need_met_share=share_met(alloc)).dropna(subset=["need_met_share"])
    return part.groupby(keys, as_index=False, observed=True, sort=False).agg(need_met_share=("need_met_share", "min"))
