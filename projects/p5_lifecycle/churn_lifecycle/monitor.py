"""Monitoring of one scored month: input drift, prediction drift, batch health, the business proxy, and
realized performance once labels mature."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from churn_lifecycle.drift import feature_psi, psi
from churn_lifecycle.features import ID
from churn_lifecycle.policy import Policy


def monitor_month(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    features: Sequence[str],
    *,
    reference_scores: Sequence[float],
    current_scores: Sequence[float],
    contact: Sequence[bool] | None = None,
    errors: int = 0,
    latency_s: float = 0.0,
    policy: Policy | None = None,
) -> dict[str, object]:
    """One row of the monitoring table for a scored month.

    Keys: ``max_feature_psi`` and ``drifted_features`` (features with PSI >= ``policy.psi_alarm``, sorted by
    PSI), ``psi`` (every feature's PSI), ``prediction_psi`` (PSI of ``current_scores`` against
    ``reference_scores``), ``contact_rate`` (share of contacted customers), ``rows``, ``errors``,
    ``error_rate``, ``latency_s``, and ``drift_alarm``: true when at least ``policy.min_drifted_features``
    features reach ``policy.psi_alarm``.
    """
    policy = policy or Policy()
    # HINT: feature_psi for inputs, psi for scores; the alarm counts features at or over the threshold.
    raise NotImplementedError("monitor_month: feature_psi for inputs, psi for scores; the alarm counts features at or over the threshold.")


def mature_labels(labels: pd.DataFrame, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The label rows known on ``as_of``: ``label_known_date <= as_of`` and a non-missing ``churned``."""
    needed = {ID, "month", "churned", "label_known_date"}
    if not needed <= set(labels.columns):
        raise KeyError(f"labels need columns {sorted(needed)}, got {sorted(labels.columns)}")
    # HINT: a label of a month is known only from its label_known_date on.
    raise NotImplementedError("mature_labels: a label of a month is known only from its label_known_date on.")


def realized_performance(
    scores: pd.DataFrame, labels: pd.DataFrame, as_of: str | pd.Timestamp
) -> dict[str, float]:
    """PR-AUC and base rate of past scores on the labels that have matured by ``as_of``.

    ``scores`` has ``customer_id``, ``month`` and ``score``; ``labels`` has ``customer_id``, ``month``,
    ``churned`` and ``label_known_date``. Scores whose label is not yet known are left out, never counted as
    "no churn". Returns ``pr_auc`` (``nan`` without both classes), ``mature_labels`` and ``base_rate``.
    """
    from sklearn.metrics import average_precision_score

    # HINT: inner-join the scores with mature_labels(labels, as_of) on customer and month.
    raise NotImplementedError("realized_performance: inner-join the scores with mature_labels(labels, as_of) on customer and month.")
