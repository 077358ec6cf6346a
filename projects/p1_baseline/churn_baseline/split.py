"""Leakage-free splits: out-of-time test, validation grouped by customer, immature labels excluded."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, GroupShuffleSplit, StratifiedShuffleSplit


def _require(df: pd.DataFrame, *columns: str | None) -> None:
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not found; available: {list(df.columns)}")


def mature_rows(df: pd.DataFrame, label_col: str, time_col: str | None = None) -> pd.DataFrame:
    """Rows whose label is known at export.

    An unknown (NaN) label means "not yet known", never "no churn". With ``time_col``, a period with any
    unknown label is dropped entirely: its known labels are a biased sample (the early churners).
    """
    # HINT: keep rows where the label is not NaN; with a time column drop every period that has a NaN label.
    raise NotImplementedError("mature_rows: keep rows where the label is not NaN; with a time column drop every period that has a NaN label.")


def out_of_time_split(
    df: pd.DataFrame, time_col: str, label_col: str, test_periods: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split into (train, test): test is the latest ``test_periods`` mature periods, train all earlier ones.

    Immature periods (labels not yet known) appear in neither.
    """
    # HINT: keep mature rows only, sort the distinct periods, the last `test_periods` are the test set.
    raise NotImplementedError("out_of_time_split: keep mature rows only, sort the distinct periods, the last `test_periods` are the test set.")


def grouped_folds(
    df: pd.DataFrame, id_col: str, n_splits: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds as (train positions, validation positions); no id is in both sides of a fold."""
    # HINT: each id's rows must all sit in one fold: a splitter of scikit-learn's model_selection that
    # HINT: takes groups, shuffled with the seed.
    raise NotImplementedError("grouped_folds: each id's rows must all sit in one fold: a splitter of scikit-learn's model_selection that takes groups, shuffled with the seed.")


def grouped_holdout(
    df: pd.DataFrame, id_col: str, val_share: float = 0.25, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into (fit, validation) so that every id's rows all land on one side."""
    # HINT: one random split of the ids, not of the rows (val_share of the ids to validation), seeded:
    # HINT: model_selection has a group-aware splitter for it.
    raise NotImplementedError("grouped_holdout: one random split of the ids, not of the rows (val_share of the ids to validation), seeded: model_selection has a group-aware splitter for it.")


def random_holdout(
    df: pd.DataFrame, label_col: str, test_share: float = 0.25, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stratified random (train, test) split for data with no time column and one row per customer.

    Without time there is no "future" to hold out: the test set estimates performance on customers like
    the ones seen, not on next month's. Rows with an unknown label are dropped first.
    """
    # HINT: drop NaN labels, then split so that both sides keep the churn rate (stratify on the label).
    raise NotImplementedError("random_holdout: drop NaN labels, then split so that both sides keep the churn rate (stratify on the label).")
