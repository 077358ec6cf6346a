"""Leakage: columns of the export that carry the outcome, and a screen that finds suspects."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score


def leaky_columns() -> dict[str, str]:
    """Your churn export's columns that leak the outcome, each with a one-line reason.

    Returns ``{column: reason}``; the reason says why the value would not be known at prediction time.
    Which columns leak, and their names, depend on your world (``learner.toml``).
    """
    # BEGIN SOLUTION
    # HINT: read your world's data dictionary (data.crm_fields(), docs/reference/data.md): which columns
    # HINT: are filled on the export date, after the month is over? Your world has its own names.
    from churn_baseline.data import crm_fields

    return {
        column: f"filled on the export date, after the month we predict ({meaning.split(';')[0]}).".replace(
            "`", "'"
        )
        for column, meaning in crm_fields().items()
    }
    # END SOLUTION


def drop_leaky(df: pd.DataFrame, leaky: Iterable[str]) -> pd.DataFrame:
    """``df`` without the ``leaky`` columns (columns that are absent are ignored)."""
    # BEGIN SOLUTION
    # HINT: DataFrame.drop(columns=..., errors="ignore").
    return df.drop(columns=list(leaky), errors="ignore")
    # END SOLUTION


def out_of_fold_rate(key: pd.Series, y: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Each row's category rate of ``y`` computed on the other folds (target encoding without leakage)."""
    # BEGIN SOLUTION
    # HINT: assign rows to folds at random (seeded); for each fold, rates = y.groupby(key) on the other
    # HINT: folds, mapped onto the fold's rows; unseen categories get the other folds' overall rate.
    fold = np.random.default_rng(seed).permutation(len(y)) % folds
    target = pd.Series(y, index=key.index, dtype=float)
    encoded = np.empty(len(y), dtype=float)
    for k in range(folds):
        held, rest = fold == k, fold != k
        rates = target[rest].groupby(key[rest]).mean()
        encoded[held] = key[held].map(rates).fillna(target[rest].mean()).to_numpy(dtype=float)
    return encoded
    # END SOLUTION


def single_feature_auc(df: pd.DataFrame, label_col: str, exclude: Iterable[str] = ()) -> pd.Series:
    """Screen for leaks: each column's ROC-AUC as the only predictor of ``label_col``, highest first.

    Numeric columns are scored as they are (missing values as the column's median), categorical ones by
    their category's churn rate **out of fold**: each row gets the rate of its category on the other
    ``folds`` folds (the overall rate there when the category is unseen). A rate computed on the rows it
    scores would flag any high-cardinality column (an id, a postcode) as a leak, since a category of one
    row "predicts" that row's own label. The AUC is folded (``max(auc, 1 - auc)``) so direction does not
    matter. A column near 1.0 is too good to be true: check when its value is filled.
    """
    # BEGIN SOLUTION
    # HINT: for every candidate column, roc_auc_score(label, column) folded to max(auc, 1 - auc);
    # HINT: categorical columns through out_of_fold_rate.
    known = df.loc[df[label_col].notna()]
    y = known[label_col].to_numpy(dtype=float)
    if len(np.unique(y)) < 2:
        raise ValueError(f"{label_col!r} needs both classes among known labels to screen columns")
    skip = {label_col, *exclude}
    scores: dict[str, float] = {}
    for name in known.columns:
        if name in skip or pd.api.types.is_datetime64_any_dtype(known[name].dtype):
            continue
        col = known[name]
        if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
            x = col.astype(float)
            x = x.fillna(x.median() if x.notna().any() else 0.0)
        else:
            x = pd.Series(out_of_fold_rate(col.astype(str), y), index=known.index)
        auc = roc_auc_score(y, x.to_numpy(dtype=float))
        scores[name] = float(max(auc, 1 - auc))
    return pd.Series(scores, name="single_feature_auc").sort_values(ascending=False)
    # END SOLUTION
