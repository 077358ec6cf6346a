"""Error analysis: metrics by slice, the worst slice, and the churners the policy missed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score


def slice_report(
    df: pd.DataFrame, slice_cols: Sequence[str], label_col: str, score_col: str, selected_col: str
) -> pd.DataFrame:
    """One row per (slice column, value) with ``slice``, ``value``, ``n``, ``positives``, ``base_rate``,
    ``selected_rate``, ``precision`` (churners among the contacted), ``recall`` (share of the slice's
    churners contacted) and ``pr_auc`` (NaN when the slice has a single class).
    """
    # HINT: for each column, group by its values; recall = (label & selected).sum() / label.sum().
    raise NotImplementedError("slice_report: for each column, group by its values; recall = (label & selected).sum() / label.sum().")


def worst_slice(report: pd.DataFrame, metric: str = "recall", min_positives: int = 20) -> dict[str, object]:
    """The slice with the lowest ``metric`` among those with at least ``min_positives`` churners.

    Returns ``{"slice", "value", "metric", "score", "n", "positives"}``.
    """
    # HINT: filter report.positives >= min_positives, drop NaN metric, take the row with the smallest metric.
    raise NotImplementedError("worst_slice: filter report.positives >= min_positives, drop NaN metric, take the row with the smallest metric.")


def missed_churners(df: pd.DataFrame, label_col: str, selected_col: str) -> pd.DataFrame:
    """The rows of churners the policy did not contact (false negatives)."""
    # HINT: rows where the label is 1 and the selected flag is False.
    raise NotImplementedError("missed_churners: rows where the label is 1 and the selected flag is False.")
