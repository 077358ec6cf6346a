"""Graded: the evaluation's uncertainty: an AUC's bootstrap interval and a paired interval of a gap."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score


def _snapshot(seed: int, n: int = 600):
    """One row per customer: labels, a decent model's score, and a slightly better model's score."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(int)
    y[:2] = [0, 1]
    a = y * 1.0 + rng.normal(size=n)
    b = a + y * 0.3 + rng.normal(scale=0.1, size=n)
    return y, a, b


@pytest.mark.rubric("p3.evaluate.intervals", points=2)
def test_auc_interval_is_a_seeded_percentile_bootstrap(project_module):
    """auc_interval: the AUC on all rows, a percentile interval around it, narrower with more customers."""
    evaluate = project_module("churn_pipeline.evaluate")
    y, a, _ = _snapshot(1)
    auc, low, high = evaluate.auc_interval(y, a, n_boot=400, seed=0)
    assert auc == pytest.approx(roc_auc_score(y, a)), "The point estimate is the ROC AUC on all rows."
    assert low < auc < high, f"The interval [{low:.3f}, {high:.3f}] must contain the AUC {auc:.3f}."
    assert evaluate.auc_interval(y, a, n_boot=400, seed=0) == (auc, low, high), "Same seed, same interval."
    big_y, big_a, _ = _snapshot(1, n=2400)
    _, big_low, big_high = evaluate.auc_interval(big_y, big_a, n_boot=400, seed=0)
    ratio = (high - low) / (big_high - big_low)
    assert 1.5 < ratio < 2.7, (
        f"Four times as many customers should halve the interval's width (ratio about 2); yours shrank by "
        f"{ratio:.2f}. Resample rows with replacement, as many as there are, and take the alpha/2 and "
        "1 - alpha/2 percentiles."
    )
    rng = np.random.default_rng(7)
    draws = [roc_auc_score(y[r], a[r]) for r in (rng.integers(0, len(y), len(y)) for _ in range(400))]
    expected = np.subtract(*np.percentile(draws, [97.5, 2.5]))
    assert abs((high - low) / expected - 1) < 0.25, (
        f"Your 95 % interval is {high - low:.4f} wide; resampling all {len(y)} customers with replacement "
        f"gives about {expected:.4f}. Each resample draws as many rows as the snapshot holds."
    )
    _, low90, high90 = evaluate.auc_interval(y, a, n_boot=400, alpha=0.1, seed=0)
    assert high90 - low90 < high - low, "A 90 % interval (alpha=0.1) must be narrower than the 95 % one."


@pytest.mark.rubric("p3.evaluate.intervals", points=2)
def test_paired_auc_difference_scores_both_models_on_each_resample(project_module):
    """paired_auc_difference: AUC(a) - AUC(b) with an interval from the same resamples for both models."""
    evaluate = project_module("churn_pipeline.evaluate")
    y, a, b = _snapshot(2)
    difference, low, high = evaluate.paired_auc_difference(y, b, a, n_boot=400, seed=0)
    assert difference == pytest.approx(roc_auc_score(y, b) - roc_auc_score(y, a)), (
        "The difference is AUC(a) - AUC(b) on all rows (a is the second argument)."
    )
    _, a_low, a_high = evaluate.auc_interval(y, a, n_boot=400, seed=0)
    assert low > 0 and (high - low) < 0.6 * (a_high - a_low), (
        f"b improves on a for every churner: the paired interval of AUC(b) - AUC(a) should exclude 0 and be "
        f"much narrower than one model's own interval ({a_high - a_low:.3f} wide); got [{low:.4f}, "
        f"{high:.4f}]. Score both models on the same resampled rows."
    )
    same = evaluate.paired_auc_difference(y, a, a, n_boot=50, seed=0)
    assert same == pytest.approx((0.0, 0.0, 0.0), abs=1e-12), "A model against itself differs by exactly 0."
