"""Responsible ML: a fairness view of the contact policy and global explanations."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, selection_rate
from sklearn.inspection import permutation_importance
from sklearn.metrics import recall_score


def _recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(recall_score(y_true, y_pred, zero_division=0.0))


def fairness_report(y_true: object, selected: object, groups: object) -> dict[str, object]:
    """Selection rate and recall of the contact policy by group, with Fairlearn's ``MetricFrame``.

    Returns ``{"by_group": DataFrame (index: group; columns: selection_rate, recall, count),
    "gaps": {metric: max - min across groups}, "largest_gap": {"metric", "gap", "low_group", "high_group"}}``.
    """
    # BEGIN SOLUTION
    # HINT: MetricFrame(metrics={"selection_rate": selection_rate, "recall": ...}, y_true=..., y_pred=...,
    # HINT: sensitive_features=groups); .by_group and .difference() give the table and the gaps.
    y = np.asarray(y_true, dtype=int)
    pred = np.asarray(selected, dtype=int)
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "recall": _recall, "count": lambda t, p: float(len(t))},
        y_true=y,
        y_pred=pred,
        sensitive_features=pd.Series(np.asarray(groups), name="group"),
    )
    by_group = frame.by_group
    gaps = {name: float(value) for name, value in frame.difference().items() if name != "count"}
    metric = max(gaps, key=lambda name: gaps[name])
    column = by_group[metric]
    largest = {
        "metric": metric,
        "gap": gaps[metric],
        "low_group": str(column.idxmin()),
        "high_group": str(column.idxmax()),
    }
    return {"by_group": by_group, "gaps": gaps, "largest_gap": largest}
    # END SOLUTION


def permutation_importance_table(
    model: object,
    X: pd.DataFrame,
    y: object,
    scoring: str | Callable[..., float] = "average_precision",
    n_repeats: int = 3,
    seed: int = 0,
) -> pd.DataFrame:
    """Permutation importance of each input column of a fitted ``model`` on (test) data.

    Columns: ``feature``, ``importance`` (mean drop of the score when the column is shuffled), ``std``;
    sorted from most to least important.
    """
    # BEGIN SOLUTION
    # HINT: sklearn.inspection.permutation_importance(model, X, y, scoring=..., random_state=seed).
    result = permutation_importance(
        model, X, np.asarray(y), scoring=scoring, n_repeats=n_repeats, random_state=seed
    )
    table = pd.DataFrame(
        {"feature": list(X.columns), "importance": result.importances_mean, "std": result.importances_std}
    )
    return table.sort_values("importance", ascending=False, ignore_index=True)
    # END SOLUTION
