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
    # BEGIN SOLUTION
    # HINT: for each column, group by its values; recall = (label & selected).sum() / label.sum().
    missing = [c for c in (*slice_cols, label_col, score_col, selected_col) if c not in df.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not found for the slice report")
    rows = []
    for column in slice_cols:
        for value, part in df.groupby(column, observed=True, dropna=False):
            y = part[label_col].to_numpy(dtype=float)
            chosen = part[selected_col].to_numpy(dtype=bool)
            positives = float(y.sum())
            contacted = float(chosen.sum())
            rows.append(
                {
                    "slice": column,
                    "value": str(value),
                    "n": len(part),
                    "positives": int(positives),
                    "base_rate": float(y.mean()),
                    "selected_rate": float(chosen.mean()),
                    "precision": float(y[chosen].sum() / contacted) if contacted else np.nan,
                    "recall": float(y[chosen].sum() / positives) if positives else np.nan,
                    "pr_auc": (
                        float(average_precision_score(y, part[score_col]))
                        if 0 < positives < len(y)
                        else np.nan
                    ),
                }
            )
    return pd.DataFrame(rows)
    # END SOLUTION


def worst_slice(report: pd.DataFrame, metric: str = "recall", min_positives: int = 20) -> dict[str, object]:
    """The slice with the lowest ``metric`` among those with at least ``min_positives`` churners.

    Returns ``{"slice", "value", "metric", "score", "n", "positives"}``.
    """
    # BEGIN SOLUTION
    # HINT: filter report.positives >= min_positives, drop NaN metric, take the row with the smallest metric.
    if metric not in report.columns:
        raise KeyError(f"metric {metric!r} is not a column of the slice report")
    eligible = report.loc[(report["positives"] >= min_positives) & report[metric].notna()]
    if eligible.empty:
        raise ValueError(f"no slice has {min_positives} or more positives: lower min_positives")
    row = eligible.sort_values([metric, "n"], ascending=[True, False]).iloc[0]
    return {
        "slice": str(row["slice"]),
        "value": str(row["value"]),
        "metric": metric,
        "score": float(row[metric]),
        "n": int(row["n"]),
        "positives": int(row["positives"]),
    }
    # END SOLUTION


def missed_churners(df: pd.DataFrame, label_col: str, selected_col: str) -> pd.DataFrame:
    """The rows of churners the policy did not contact (false negatives)."""
    # BEGIN SOLUTION
    # HINT: rows where the label is 1 and the selected flag is False.
    return df.loc[(df[label_col] == 1) & ~df[selected_col].astype(bool)]
    # END SOLUTION
