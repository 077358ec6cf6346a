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
    # BEGIN SOLUTION
    # HINT: feature_psi for inputs, psi for scores; the alarm counts features at or over the threshold.
    by_feature = feature_psi(reference, current, features)
    drifted = sorted(
        (c for c, v in by_feature.items() if v >= policy.psi_alarm), key=lambda c: -by_feature[c]
    )
    rows = len(current)
    return {
        "rows": rows,
        "errors": int(errors),
        "error_rate": errors / (rows + errors) if rows + errors else 0.0,
        "latency_s": float(latency_s),
        "max_feature_psi": max(by_feature.values()) if by_feature else 0.0,
        "drifted_features": drifted,
        "psi": by_feature,
        "prediction_psi": psi(
            pd.Series(reference_scores, dtype=float), pd.Series(current_scores, dtype=float)
        ),
        "contact_rate": float(np.mean(np.asarray(contact, dtype=bool)))
        if contact is not None
        else float("nan"),
        "drift_alarm": len(drifted) >= policy.min_drifted_features,
    }
    # END SOLUTION


def mature_labels(labels: pd.DataFrame, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The label rows known on ``as_of``: ``label_known_date <= as_of`` and a non-missing ``churned``."""
    needed = {ID, "month", "churned", "label_known_date"}
    if not needed <= set(labels.columns):
        raise KeyError(f"labels need columns {sorted(needed)}, got {sorted(labels.columns)}")
    # BEGIN SOLUTION
    # HINT: a label of a month is known only from its label_known_date on.
    known = labels[
        (pd.to_datetime(labels["label_known_date"]) <= pd.Timestamp(as_of)) & labels["churned"].notna()
    ]
    return known.reset_index(drop=True)
    # END SOLUTION


def realized_performance(
    scores: pd.DataFrame, labels: pd.DataFrame, as_of: str | pd.Timestamp
) -> dict[str, float]:
    """PR-AUC and base rate of past scores on the labels that have matured by ``as_of``.

    ``scores`` has ``customer_id``, ``month`` and ``score``; ``labels`` has ``customer_id``, ``month``,
    ``churned`` and ``label_known_date``. Scores whose label is not yet known are left out, never counted as
    "no churn". Returns ``pr_auc`` (``nan`` without both classes), ``mature_labels`` and ``base_rate``.
    """
    from sklearn.metrics import average_precision_score

    # BEGIN SOLUTION
    # HINT: inner-join the scores with mature_labels(labels, as_of) on customer and month.
    known = mature_labels(labels, as_of)
    joined = scores.merge(known[[ID, "month", "churned"]], on=[ID, "month"], how="inner")
    y = joined["churned"].astype(int).to_numpy()
    n = len(joined)
    pr_auc = float(average_precision_score(y, joined["score"])) if n and 0 < y.sum() < n else float("nan")
    return {"pr_auc": pr_auc, "mature_labels": float(n), "base_rate": float(y.mean()) if n else float("nan")}
    # END SOLUTION
