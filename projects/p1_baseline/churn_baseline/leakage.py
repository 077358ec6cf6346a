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
    # HINT: read your world's data dictionary (data.crm_fields(), docs/reference/data.md): which columns
    # HINT: are filled on the export date, after the month is over? Your world has its own names.
    raise NotImplementedError("leaky_columns: read your world's data dictionary (data.crm_fields(), docs/reference/data.md): which columns are filled on the export date, after the month is over? Your world has its own names.")


def drop_leaky(df: pd.DataFrame, leaky: Iterable[str]) -> pd.DataFrame:
    """``df`` without the ``leaky`` columns (columns that are absent are ignored)."""
    # HINT: DataFrame.drop(columns=..., errors="ignore").
    raise NotImplementedError('drop_leaky: DataFrame.drop(columns=..., errors="ignore").')


def out_of_fold_rate(key: pd.Series, y: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Each row's category rate of ``y`` computed on the other folds (target encoding without leakage)."""
    # HINT: assign rows to folds at random (seeded); for each fold, rates = y.groupby(key) on the other
    # HINT: folds, mapped onto the fold's rows; unseen categories get the other folds' overall rate.
    raise NotImplementedError("out_of_fold_rate: assign rows to folds at random (seeded); for each fold, rates = y.groupby(key) on the other folds, mapped onto the fold's rows; unseen categories get the other folds' overall rate.")


def single_feature_auc(df: pd.DataFrame, label_col: str, exclude: Iterable[str] = ()) -> pd.Series:
    """Screen for leaks: each column's ROC-AUC as the only predictor of ``label_col``, highest first.

    Numeric columns are scored as they are (missing values as the column's median), categorical ones by
    their category's churn rate **out of fold**: each row gets the rate of its category on the other
    ``folds`` folds (the overall rate there when the category is unseen). A rate computed on the rows it
    scores would flag any high-cardinality column (an id, a postcode) as a leak, since a category of one
    row "predicts" that row's own label. The AUC is folded (``max(auc, 1 - auc)``) so direction does not
    matter. A column near 1.0 is too good to be true: check when its value is filled.
    """
    # HINT: for every candidate column, roc_auc_score(label, column) folded to max(auc, 1 - auc);
    # HINT: categorical columns through out_of_fold_rate.
    raise NotImplementedError("single_feature_auc: for every candidate column, roc_auc_score(label, column) folded to max(auc, 1 - auc); categorical columns through out_of_fold_rate.")
