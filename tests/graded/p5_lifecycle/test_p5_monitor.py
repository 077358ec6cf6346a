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


@pytest.mark.rubric("p5.monitor.drift_alarm", points=5)
def test_monitor_raises_planted_drift_and_not_on_stable_months(project_module, by_month, drift_month):
    """The monitor raises the planted drift in its first month and stays quiet on the stable months."""
    monitor = project_module("churn_lifecycle.monitor")
    reference = by_month(3)
    for month in range(6, drift_month):
        row = _month_report(monitor, reference, by_month(month))
        assert not row["drift_alarm"], (
            f"month {month} is stable but raised an alarm ({row['drifted_features']}): PSI this high means "
            "the bins or the threshold are wrong."
        )
    row = _month_report(monitor, reference, by_month(drift_month))
    assert row["drift_alarm"], (
        f"month {drift_month} holds your world's price rise: the monitor must raise a drift alarm."
    )
    assert "monthly_price" in row["drifted_features"], "name the drifted features (monthly_price rose)."
    assert row["max_feature_psi"] >= 0.2, "max_feature_psi must be the largest feature PSI."


@pytest.mark.rubric("p5.monitor.mature_labels", points=3)
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
    on_the_day = monitor.realized_performance(scores, labels, "2024-07-01")
    assert on_the_day["mature_labels"] == 400, (
        "a label is known ON its label_known_date: on 2024-07-01 the 400 labels known that day count "
        "(label_known_date <= as_of)."
    )
    early = monitor.realized_performance(scores, labels, "2024-06-01")
    assert early["mature_labels"] == 0, "before any label_known_date, no label is mature."


@pytest.mark.rubric("p5.monitor.mature_labels", points=2)
def test_realized_performance_matches_each_score_to_its_month(project_module):
    """Realized performance joins each score to the label of its own customer and month."""
    from sklearn.metrics import average_precision_score

    monitor = project_module("churn_lifecycle.monitor")
    rng = np.random.default_rng(4)
    n = 300
    ids = [f"C{i:04d}" for i in range(n)]
    frames = []
    for month in ("2024-04-01", "2024-05-01"):
        score = rng.random(n)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": ids,
                    "month": pd.Timestamp(month),
                    "score": score,
                    "churned": (score + rng.normal(0, 0.3, n) > 0.8).astype(int),
                }
            )
        )
    both = pd.concat(frames, ignore_index=True)
    labels = both[["customer_id", "month", "churned"]].assign(label_known_date=pd.Timestamp("2024-07-01"))
    result = monitor.realized_performance(both[["customer_id", "month", "score"]], labels, "2024-07-15")
    assert result["mature_labels"] == 2 * n, (
        f"{n} customers scored in two months have {2 * n} mature labels, got {result['mature_labels']:.0f}: "
        "join scores and labels on customer_id AND month (a customer's label differs from month to month)."
    )
    expected = average_precision_score(both["churned"], both["score"])
    assert result["pr_auc"] == pytest.approx(expected, abs=1e-9), (
        "realized PR-AUC must pair each score with the label of the same customer and month."
    )


def _psi_on_reference_deciles(reference, current, eps=1e-4):
    """The test's own PSI: the reference's deciles as inner edges, open outer bins, epsilon for empty bins."""
    inner = np.unique(np.quantile(reference, np.linspace(0, 1, 11)[1:-1]))
    size = len(inner) + 1
    ref = np.bincount(np.searchsorted(inner, reference, side="right"), minlength=size) / len(reference)
    cur = np.bincount(np.searchsorted(inner, current, side="right"), minlength=size) / len(current)
    ref, cur = np.where(ref == 0, eps, ref), np.where(cur == 0, eps, cur)
    return float(np.sum((ref - cur) * np.log(ref / cur)))


@pytest.mark.rubric("p5.monitor.signals", points=3)
def test_monitor_applies_the_policy_and_bins_scores_on_the_reference(project_module, by_month, drift_month):
    """Drift at or over the policy's PSI alarm, min_drifted_features applied, scores binned on reference."""
    monitor = project_module("churn_lifecycle.monitor")
    policy_class = project_module("churn_lifecycle.policy").Policy
    reference, current = by_month(3), by_month(drift_month)
    rng = np.random.default_rng(1)
    reference_scores = rng.beta(1, 15, len(reference))
    current_scores = np.r_[rng.beta(1, 15, len(current) - 300), rng.beta(4, 6, 300)]

    def run(policy):
        return monitor.monitor_month(
            reference,
            current,
            list(FEATURES),
            reference_scores=reference_scores,
            current_scores=current_scores,
            contact=np.zeros(len(current), dtype=bool),
            policy=policy,
        )

    expected = _psi_on_reference_deciles(reference_scores, current_scores)
    first = run(policy_class())
    assert first["prediction_psi"] == pytest.approx(expected, rel=1e-6), (
        f"prediction_psi should be {expected:.4f} (this month's scores against the reference scores, binned "
        f"on the reference's deciles), got {first['prediction_psi']:.4f}: the reference scores are the "
        "reference, as for the input features."
    )
    quiet = sorted(v for v in first["psi"].values() if 0 < v < 0.2)
    assert quiet, "every feature's PSI should be under 'psi' in the monitor's row."
    alarm = quiet[-1]  # the largest PSI under 0.2: with psi_alarm set to it, that feature drifts too
    at_alarm = run(policy_class(psi_alarm=alarm))
    named = [c for c, v in first["psi"].items() if v == alarm]
    assert set(named) <= set(at_alarm["drifted_features"]), (
        f"with policy.psi_alarm = {alarm:.4f}, the feature(s) {named} with exactly that PSI must be in "
        f"drifted_features (PSI at or above the policy's alarm), got {at_alarm['drifted_features']}."
    )
    drifted = len(at_alarm["drifted_features"])
    fewer = run(policy_class(psi_alarm=alarm, min_drifted_features=drifted + 1))
    assert not fewer["drift_alarm"], (
        f"{drifted} features drifted but the policy asks for min_drifted_features = {drifted + 1}: "
        "drift_alarm must stay false."
    )
    enough = run(policy_class(psi_alarm=alarm, min_drifted_features=drifted))
    assert enough["drift_alarm"], (
        f"{drifted} features drifted and the policy asks for {drifted}: drift_alarm must be true."
    )
