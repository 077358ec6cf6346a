"""Graded: training and scoring share one feature transform; scores carry model version and fingerprint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def fitted(project_module):
    """A synthetic feature snapshot (two as-of dates), its labels and a model trained on them."""
    train = project_module("churn_pipeline.train")
    rng = np.random.default_rng(7)
    n = 400
    usage_28d = rng.gamma(2.0, 150.0, n)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "as_of": pd.to_datetime(np.where(np.arange(n) < n // 2, "2024-02-01", "2024-03-01")),
            "usage_7d": usage_28d / 4 * rng.uniform(0.5, 1.5, n),
            "usage_28d": usage_28d,
            "usage_trend": rng.normal(0.0, 3.0, n),
            "days_since_last_activity": rng.integers(1, 30, n),
            "failed_payments_90d": rng.integers(0, 3, n),
            "tickets_30d": rng.integers(0, 2, n),
            "tenure_days": rng.integers(1, 2000, n),
            "plan": rng.choice(["basic", "standard", "premium"], n),
            "price": rng.choice([9.99, 14.99, 24.99], n),
            "contract": rng.choice(["monthly", "annual"], n),
        }
    )
    frame["as_of"] = frame["as_of"].astype("datetime64[ns]")
    logit = -2.5 - 0.004 * (usage_28d - 300) + 0.8 * frame["failed_payments_90d"]
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    labels = frame[["customer_id", "as_of"]].assign(churned=churned)
    return frame, train.train_model(frame, labels, 1.0, 0)


@pytest.mark.rubric("p3.train_score.shared_transform", points=4)
def test_one_customer_scores_the_same_alone_and_in_a_batch(project_module, fitted):
    """Scoring reuses the training transform: one customer scores the same alone and in a batch"""
    score = project_module("churn_pipeline.score")
    frame, model = fitted
    batch = score.score_snapshot(model, frame, "abc123")
    rows = frame.sample(5, random_state=0)
    for _, row in rows.iterrows():
        alone = score.score_snapshot(model, row.to_frame().T.infer_objects()[frame.columns[::-1]], "abc123")
        expected = batch.loc[
            (batch["customer_id"] == row["customer_id"]) & (batch["as_of"] == row["as_of"]), "score"
        ].iloc[0]
        assert alone["score"].iloc[0] == pytest.approx(expected, abs=1e-12), (
            f"{row['customer_id']} scores {alone['score'].iloc[0]:.6f} alone but {expected:.6f} in a batch: "
            "score "
            "must reuse the transform fitted in train (no refitting, no get_dummies on the scoring batch)."
        )
    assert batch["score"].between(0, 1).all() and batch["score"].std() > 0, "scores must be probabilities."


@pytest.mark.rubric("p3.train_score.lineage", points=2)
def test_scores_carry_model_version_and_fingerprint(project_module, fitted):
    """Every score row carries the model version and the feature snapshot fingerprint"""
    score = project_module("churn_pipeline.score")
    frame, model = fitted
    scores = score.score_snapshot(model, frame, "f" * 64)
    assert len(scores) == len(frame), f"{len(scores)} scores for {len(frame)} feature rows: score every row."
    assert set(scores["model_version"]) == {model.version}, "model_version must be the model's own version."
    assert set(scores["feature_fingerprint"]) == {"f" * 64}, (
        "feature_fingerprint must be the snapshot's hash."
    )
    assert np.isfinite(scores["score"]).all()
