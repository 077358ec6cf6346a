"""Stage `train`: fit the churn model on mature labels joined to point-in-time features."""

from __future__ import annotations

from typing import Any

from churn_pipeline.model import ChurnModel
from churn_pipeline.transform import FeatureTransform


def join_training_rows(features: Any, labels: Any) -> Any:
    """Inner-join features and mature labels on (customer_id, as_of), sorted by the key."""
    rows = features.merge(labels[["customer_id", "as_of", "churned"]], on=["customer_id", "as_of"])
    return rows.sort_values(["as_of", "customer_id"], kind="mergesort").reset_index(drop=True)


def train_model(features: Any, labels: Any, c: float = 1.0, seed: int = 0) -> ChurnModel:
    """Fit :class:`FeatureTransform` and a logistic regression on features joined to mature labels.

    Only rows with a label take part (immature examples have none). Raises ``ValueError`` when there is
    nothing to train on or only one class.
    """
    # HINT: fit the transform on the training rows, then LogisticRegression on transform.transform(rows);
    # HINT: keep the fitted transform inside the ChurnModel so that score uses the very same one.
    raise NotImplementedError("train_model: fit the transform on the training rows, then LogisticRegression on transform.transform(rows); keep the fitted transform inside the ChurnModel so that score uses the very same one.")
