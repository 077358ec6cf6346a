"""Which columns are features: everything except ids, times, the label and what was dropped."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def feature_columns(df: pd.DataFrame, exclude: Iterable[str | None] = ()) -> tuple[list[str], list[str]]:
    """Return (numeric, categorical) feature names of ``df``, leaving out ``exclude``.

    Booleans count as numeric; strings, categories and objects as categorical; datetimes are left out
    (turn them into ages or durations first).
    """
    skip = {c for c in exclude if c is not None}
    numeric: list[str] = []
    categorical: list[str] = []
    for name in df.columns:
        if name in skip:
            continue
        dtype = df[name].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            numeric.append(name)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            continue
        else:
            categorical.append(name)
    return numeric, categorical


def band(values: pd.Series, edges: list[float], labels: list[str]) -> pd.Series:
    """Cut a numeric column into labelled bands (left-closed), as strings for slicing."""
    return pd.cut(values, bins=edges, labels=labels, right=False).astype(str)
