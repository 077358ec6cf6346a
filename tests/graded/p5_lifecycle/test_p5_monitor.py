"""Graded: the monitor raises the planted drift, stays quiet on stable months, and waits for mature labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from p5_helpers import FEATURES


def _month_report(monitor, reference, current):
    rng = np.random.default_rng(0)
    return monitor.monitor_month(
        reference,
        current,
        list(FEATURES),
        reference_scores=rng.beta(1, 15, len(reference)),
        current_scores=rng.beta(1, 15, len(current)),
        contact=np.zeros(len(current), dtype=bool),
    )


@pytest.mark.rubric("p5.monitor.drift_alarm", points=8)
def test_monitor_raises_planted_drift_and_not_on_stable_months(project_module, by_month):
    """The monitor raises the planted drift in its first month and stays quiet on the stable months."""
    monitor = project_module("churn_lifecycle.monitor")
    reference = by_month(3)
    for month in range(6, 12):
        row = _month_report(monitor, reference, by_month(month))
        assert not row["drift_alarm"], (
            f"month {month} is stable but raised an alarm ({row['drifted_features']}): PSI this high means "
            "the bins or the threshold are wrong."
        )
    row = _month_report(monitor, reference, by_month(12))
    assert row["drift_alarm"], "month 12 holds the price rise: the monitor must raise a drift alarm."
    assert "monthly_price" in row["drifted_features"], "name the drifted features (monthly_price rose)."
    assert row["max_feature_psi"] >= 0.2, "max_feature_psi must be the largest feature PSI."


@pytest.mark.rubric("p5.monitor.mature_labels", points=6)
def test_realized_performance_uses_only_mature_labels(project_module):
    """Realized performance is computed only on labels known by the as-of date, never on immature ones."""
    from sklearn.metrics import average_precision_score

    monitor = project_module("churn_lifecycle.monitor")
    rng = np.random.default_rng(3)
    n = 600
    scores = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "month": pd.Timestamp("2024-05-01"),
            "score": rng.random(n),
        }
    )
    truth = (scores["score"] + rng.normal(0, 0.3, n) > 0.8).astype(int)
    known = np.arange(n) < 400  # the first 400 labels are mature on the as-of date
    labels = scores[["customer_id", "month"]].assign(
        churned=np.where(known, truth, 1 - truth),  # immature labels are adversarial: flipped
        label_known_date=np.where(known, pd.Timestamp("2024-07-01"), pd.Timestamp("2024-08-15")),
    )
    result = monitor.realized_performance(scores, labels, "2024-07-15")
    assert result["mature_labels"] == 400, (
        "count only the labels whose label_known_date is on or before as_of."
    )
    expected = average_precision_score(truth[:400], scores["score"][:400])
    assert result["pr_auc"] == pytest.approx(expected, abs=1e-9), (
        "realized PR-AUC must use the mature labels only; immature ones are unknown, not 'no churn'."
    )
    early = monitor.realized_performance(scores, labels, "2024-06-01")
    assert early["mature_labels"] == 0, "before any label_known_date, no label is mature."
