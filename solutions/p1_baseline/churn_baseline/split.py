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
    # BEGIN SOLUTION
    # HINT: keep rows where the label is not NaN; with a time column drop every period that has a NaN label.
    _require(df, label_col, time_col)
    known = df[label_col].notna()
    if time_col is not None:
        complete = known.groupby(df[time_col]).transform("all")
        known = known & complete
    return df.loc[known]
    # END SOLUTION


def out_of_time_split(
    df: pd.DataFrame, time_col: str, label_col: str, test_periods: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split into (train, test): test is the latest ``test_periods`` mature periods, train all earlier ones.

    Immature periods (labels not yet known) appear in neither.
    """
    # BEGIN SOLUTION
    # HINT: keep mature rows only, sort the distinct periods, the last `test_periods` are the test set.
    if test_periods < 1:
        raise ValueError(f"test_periods must be at least 1, got {test_periods}")
    mature = mature_rows(df, label_col, time_col)
    periods = np.sort(mature[time_col].unique())
    if len(periods) <= test_periods:
        raise ValueError(
            f"only {len(periods)} mature period(s) in {time_col!r}: "
            f"need more than test_periods={test_periods}"
        )
    test_start = periods[-test_periods]
    in_test = mature[time_col] >= test_start
    return mature.loc[~in_test], mature.loc[in_test]
    # END SOLUTION


def grouped_folds(
    df: pd.DataFrame, id_col: str, n_splits: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds as (train positions, validation positions); no id is in both sides of a fold."""
    # BEGIN SOLUTION
    # HINT: each id's rows must all sit in one fold: a splitter of scikit-learn's model_selection that
    # HINT: takes groups, shuffled with the seed.
    _require(df, id_col)
    n_groups = df[id_col].nunique()
    if n_groups < n_splits:
        raise ValueError(f"{n_groups} distinct {id_col!r} values cannot fill {n_splits} folds")
    folds = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(tr, va) for tr, va in folds.split(df, groups=df[id_col].to_numpy())]
    # END SOLUTION


def grouped_holdout(
    df: pd.DataFrame, id_col: str, val_share: float = 0.25, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into (fit, validation) so that every id's rows all land on one side."""
    # BEGIN SOLUTION
    # HINT: one random split of the ids, not of the rows (val_share of the ids to validation), seeded:
    # HINT: model_selection has a group-aware splitter for it.
    _require(df, id_col)
    if not 0 < val_share < 1:
        raise ValueError(f"val_share must be in (0, 1), got {val_share}")
    splitter = GroupShuffleSplit(n_splits=1, test_size=val_share, random_state=seed)
    fit_idx, val_idx = next(splitter.split(df, groups=df[id_col].to_numpy()))
    return df.iloc[fit_idx], df.iloc[val_idx]
    # END SOLUTION


def random_holdout(
    df: pd.DataFrame, label_col: str, test_share: float = 0.25, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stratified random (train, test) split for data with no time column and one row per customer.

    Without time there is no "future" to hold out: the test set estimates performance on customers like
    the ones seen, not on next month's. Rows with an unknown label are dropped first.
    """
    # BEGIN SOLUTION
    # HINT: drop NaN labels, then split so that both sides keep the churn rate (stratify on the label).
    _require(df, label_col)
    mature = df.loc[df[label_col].notna()]
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=test_share, random_state=seed)
    tr, te = next(splitter.split(mature, mature[label_col].to_numpy()))
    return mature.iloc[tr], mature.iloc[te]
    # END SOLUTION
