"""Graded: training and scoring share one feature transform; scores carry model version and fingerprint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def _snapshot(rng, n: int, as_of, ids=None) -> tuple[pd.DataFrame, np.ndarray]:
    """A synthetic feature snapshot of ``n`` customers (one or two as-of dates) and drawn churn labels."""
    usage_28d = rng.gamma(2.0, 150.0, n)
    frame = pd.DataFrame(
        {
            "customer_id": ids if ids is not None else [f"C{i:04d}" for i in range(n)],
            "as_of": pd.to_datetime(as_of),
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
    return frame, churned


@pytest.fixture(scope="module")
def fitted(project_module):
    """A synthetic feature snapshot (two as-of dates), its labels and a model trained on them."""
    train = project_module("churn_pipeline.train")
    n = 400
    as_of = np.where(np.arange(n) < n // 2, "2024-02-01", "2024-03-01")
    frame, churned = _snapshot(np.random.default_rng(7), n, as_of)
    labels = frame[["customer_id", "as_of"]].assign(churned=churned)
    return frame, train.train_model(frame, labels, 1.0, 0)


@pytest.mark.rubric("p3.train_score.shared_transform", points=3)
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
    holes = frame.copy()
    holes.loc[holes.index[:3], "usage_7d"] = np.nan
    with_holes = score.score_snapshot(model, holes, "abc123")
    first = holes.iloc[[0]]
    alone = score.score_snapshot(model, first, "abc123")["score"].iloc[0]
    expected = with_holes.loc[with_holes["customer_id"] == first["customer_id"].iloc[0], "score"].iloc[0]
    assert np.isfinite(alone) and alone == pytest.approx(expected, abs=1e-12), (
        f"a customer with a missing usage_7d scores {alone} alone but {expected} in a batch: fill a missing "
        "value with the TRAINING mean stored in the transform, never a statistic of the batch being scored."
    )


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


@pytest.mark.rubric("p3.train_score.mature_rows_only", points=3)
def test_training_uses_only_labelled_rows_joined_on_the_key(project_module):
    """Training uses exactly the feature rows that have a mature label, joined on (customer_id, as_of)

    The same 200 customers appear in a mature (February) and an immature (March) snapshot. Passing the March
    feature rows (no labels) or March labels (no feature rows) must change nothing in the trained model.
    """
    train = project_module("churn_pipeline.train")
    rng = np.random.default_rng(11)
    ids = [f"C{i:04d}" for i in range(200)]
    february, churned_feb = _snapshot(rng, 200, "2024-02-01", ids)
    march, churned_mar = _snapshot(rng, 200, "2024-03-01", ids)
    labels_feb = february[["customer_id", "as_of"]].assign(churned=churned_feb)
    labels_mar = march[["customer_id", "as_of"]].assign(churned=churned_mar)
    both = pd.concat([february, march], ignore_index=True)
    reference = train.train_model(february, labels_feb, 1.0, 0).predict(both)
    cases = {
        "the immature March feature rows were passed too (they have no label)": train.train_model(
            both, labels_feb, 1.0, 0
        ),
        "labels of a March snapshot whose feature rows were not passed": train.train_model(
            february, pd.concat([labels_feb, labels_mar], ignore_index=True), 1.0, 0
        ),
    }
    for case, model in cases.items():
        scores = model.predict(both)
        worst = float(np.max(np.abs(scores - reference)))
        assert worst < 1e-6, (
            f"the model changed when {case} (scores moved by up to {worst:.4f}): train on the inner join of "
            "features and labels on BOTH customer_id and as_of (a customer is in several snapshots), fit the "
            "transform on those joined rows only, and never give an unlabelled row a label."
        )


@pytest.mark.rubric("p3.train_score.configured_c", points=2)
def test_regularisation_follows_the_configured_c(project_module):
    """train_model uses the configured regularisation c: a smaller c gives a flatter model"""
    train = project_module("churn_pipeline.train")
    frame, churned = _snapshot(np.random.default_rng(7), 400, "2024-02-01")
    labels = frame[["customer_id", "as_of"]].assign(churned=churned)
    strong = train.train_model(frame, labels, 0.01, 0).predict(frame)
    weak = train.train_model(frame, labels, 1.0, 0).predict(frame)
    assert np.std(strong) < 0.8 * np.std(weak), (
        f"scores spread {np.std(strong):.4f} with c=0.01 and {np.std(weak):.4f} with c=1.0: pass c to the "
        "logistic regression as its inverse regularisation strength (C=c), so that train.c in params.yaml "
        "changes the model."
    )
