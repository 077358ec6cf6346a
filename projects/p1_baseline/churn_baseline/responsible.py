"""Responsible ML: a fairness view of the contact policy, its mitigation, and global explanations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, selection_rate
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.base import BaseEstimator
from sklearn.inspection import permutation_importance
from sklearn.metrics import recall_score

from churn_baseline.config import DecisionConfig
from churn_baseline.metrics import customer_resamples, expected_profit
from churn_baseline.thresholds import threshold_for_profit


def _recall(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(recall_score(y_true, y_pred, zero_division=0.0))


def fairness_report(y_true: object, selected: object, groups: object) -> dict[str, object]:
    """Selection rate and recall of the contact policy by group, with Fairlearn's ``MetricFrame``.

    Returns ``{"by_group": DataFrame (index: group; columns: selection_rate, recall, count),
    "gaps": {metric: max - min across groups}, "largest_gap": {"metric", "gap", "low_group", "high_group"}}``.
    """
    # HINT: one row per group with its selection rate, recall and count (fairlearn computes metrics per
    # HINT: group), then each metric's gap = max - min over the groups, and the largest of those gaps.
    raise NotImplementedError("fairness_report: one row per group with its selection rate, recall and count (fairlearn computes metrics per group), then each metric's gap = max - min over the groups, and the largest of those gaps.")


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
    # HINT: shuffle one column at a time in held-out data and measure how much the score drops, n_repeats
    # HINT: times, seeded; scikit-learn's inspection module does the shuffling for you.
    raise NotImplementedError("permutation_importance_table: shuffle one column at a time in held-out data and measure how much the score drops, n_repeats times, seeded; scikit-learn's inspection module does the shuffling for you.")


class _Scores(BaseEstimator):
    """A pre-fitted "estimator" whose prediction is its single input column: a model's scores."""

    def fit(self, X: object, y: object) -> _Scores:
        return self

    def predict(self, X: object) -> np.ndarray:
        return np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]

    def __sklearn_is_fitted__(self) -> bool:
        return True


def _recall_gap(y: np.ndarray, selected: np.ndarray, groups: np.ndarray) -> float:
    """Largest minus smallest recall across the groups that hold at least one positive."""
    recalls = [
        selected[(groups == g) & (y == 1)].mean() for g in np.unique(groups) if (y[groups == g] == 1).any()
    ]
    return float(max(recalls) - min(recalls)) if recalls else 0.0


def mitigation_frontier(
    val: pd.DataFrame,
    test: pd.DataFrame,
    label_col: str,
    score_col: str,
    group_col: str,
    decision: DecisionConfig,
    tolerances: Sequence[float] = (0.2, 0.1, 0.05, 0.0),
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """The contact policy's profit against its recall gap between groups, unmitigated and mitigated.

    The unmitigated policy contacts test rows whose score reaches the profit threshold fitted on ``val``
    (``thresholds.threshold_for_profit``). Each mitigated policy is Fairlearn's ``ThresholdOptimizer``
    (group-specific thresholds, true-positive-rate parity relaxed to ``tol``, objective: the contact's
    profit) fitted on ``val`` only and applied to ``test``. Returns ``{"frontier": DataFrame with one row
    per setting (``setting``, ``tol``, ``contacted``, ``share_contacted``, ``expected_profit``,
    ``recall_gap``), "selected": DataFrame of booleans, one column per setting, test rows in order}``;
    every figure is measured on ``test``, the unmitigated row first.
    """
    # HINT: Fairlearn's post-processing learns one threshold per group under a parity constraint on the
    # HINT: true-positive rate; fit it on the validation rows only and predict the test rows. Its objective
    # HINT: is an accuracy: repeat rows in proportion to what a right decision is worth to make it the profit.
    raise NotImplementedError("mitigation_frontier: Fairlearn's post-processing learns one threshold per group under a parity constraint on the true-positive rate; fit it on the validation rows only and predict the test rows. Its objective is an accuracy: repeat rows in proportion to what a right decision is worth to make it the profit.")


def recall_gap_intervals(
    y_true: object,
    selected: pd.DataFrame,
    groups: object,
    customers: object,
    baseline: str = "unmitigated",
    n_boot: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """The recall gap of each policy (a column of ``selected``) and its change against ``baseline``, with
    percentile intervals from one bootstrap by customer shared by every policy (paired).

    Returns one row per policy: ``setting``, ``recall_gap``, ``ci_low``, ``ci_high``, ``change`` (gap
    minus the baseline's gap), ``change_low``, ``change_high``.
    """
    # HINT: one metrics.customer_resamples loop; in each draw compute every policy's gap on the SAME rows,
    # HINT: and the change as the difference of two gaps of that draw.
    raise NotImplementedError("recall_gap_intervals: one metrics.customer_resamples loop; in each draw compute every policy's gap on the SAME rows, and the change as the difference of two gaps of that draw.")
