"""Graded: the PyTorch MLP learns and is reproducible (section 8, "is deep learning worth it?")."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score


@pytest.mark.rubric("p1.mlp.learns", points=2)
def test_mlp_learns_and_is_reproducible(project_module):
    """The PyTorch MLP learns a simple problem, returns probabilities, and is reproducible with a seed."""
    mlp = project_module("churn_baseline.mlp")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 4)).astype(np.float32)
    y = (X[:, 0] ** 2 + X[:, 1] > 1.0).astype(int)
    first = mlp.MLPClassifierTorch(hidden=(16,), epochs=8, batch_size=128, learning_rate=0.02, seed=1).fit(
        X, y
    )
    p = first.predict_proba(X)
    assert p.shape == (1200, 2) and np.allclose(p.sum(axis=1), 1.0), (
        "predict_proba must return (n, 2) rows summing to 1."
    )
    auc = roc_auc_score(y, p[:, 1])
    assert auc > 0.9, (
        f"The MLP reaches ROC-AUC {auc:.2f} on an easy nonlinear problem: train with Adam on log-loss."
    )
    second = mlp.MLPClassifierTorch(hidden=(16,), epochs=8, batch_size=128, learning_rate=0.02, seed=1).fit(
        X, y
    )
    assert np.allclose(second.predict_proba(X), p, atol=1e-6), (
        "Same seed, same model: seed torch and the shuffling."
    )
