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
    # BEGIN SOLUTION
    # HINT: fit the transform on the training rows, then LogisticRegression on transform.transform(rows);
    # HINT: keep the fitted transform inside the ChurnModel so that score uses the very same one.
    from sklearn.linear_model import LogisticRegression

    rows = join_training_rows(features, labels)
    if rows.empty:
        raise ValueError("train: no feature row has a mature label; move the run date later or backfill.")
    if rows["churned"].nunique() < 2:
        raise ValueError("train: the mature labels hold a single class; a model needs churners and stayers.")
    transform = FeatureTransform.fit(rows)
    matrix = transform.transform(rows)
    estimator = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    estimator.fit(matrix, rows["churned"].astype(int).to_numpy())
    metadata = {
        "n_rows": len(rows),
        "positive_rate": round(float(rows["churned"].mean()), 6),
        "as_of_dates": sorted(str(d) for d in rows["as_of"].unique()),
        "columns": transform.column_names(),
    }
    return ChurnModel(
        transform=transform,
        coef=[float(v) for v in estimator.coef_[0]],
        intercept=float(estimator.intercept_[0]),
        metadata=metadata,
    )
    # END SOLUTION
