"""The one feature transform that training and scoring share: feature snapshot -> model matrix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NUMERIC_FEATURES: tuple[str, ...] = (
    "usage_7d",
    "usage_28d",
    "usage_trend",
    "days_since_last_activity",
    "failed_payments_90d",
    "tickets_30d",
    "tenure_days",
    "price",
)
CATEGORICAL_FEATURES: tuple[str, ...] = ("plan", "contract")
KEY_COLUMNS: tuple[str, ...] = ("customer_id", "as_of")


@dataclass(frozen=True)
class FeatureTransform:
    """Standardise numeric features and one-hot encode categories, with state learned once at training.

    The state (means, scales, category lists) is fitted on the training snapshot and stored inside the
    model, so that scoring a single customer gives exactly the numbers it would get inside a batch.
    """

    means: dict[str, float] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def fit(cls, features: Any) -> FeatureTransform:
        """Learn means and scales of the numeric features and the sorted category list of each category."""
        # BEGIN SOLUTION
        # HINT: store plain floats/lists (JSON-friendly); a zero standard deviation must not divide by zero.
        means, scales, categories = {}, {}, {}
        for name in NUMERIC_FEATURES:
            values = features[name].astype(float)
            means[name] = float(values.mean())
            std = float(values.std(ddof=0))
            scales[name] = std if std > 0 else 1.0
        for name in CATEGORICAL_FEATURES:
            categories[name] = sorted(str(v) for v in features[name].dropna().unique())
        return cls(means=means, scales=scales, categories=categories)
        # END SOLUTION

    def column_names(self) -> list[str]:
        """Names of the matrix columns, in order."""
        names = list(NUMERIC_FEATURES)
        for name in CATEGORICAL_FEATURES:
            names += [f"{name}={value}" for value in self.categories.get(name, [])]
        return names

    def transform(self, features: Any) -> Any:
        """Turn a feature snapshot (any row order, any extra columns) into a float matrix.

        Row ``i`` of the result depends on row ``i`` of ``features`` only: a category unseen at training
        time becomes all zeros, a missing numeric value becomes the training mean.
        """
        # BEGIN SOLUTION
        # HINT: use only the fitted state (never statistics of the batch being transformed), so one row scores
        # HINT: the same alone as in a batch; one-hot against the stored category lists.
        import numpy as np

        blocks = []
        for name in NUMERIC_FEATURES:
            values = features[name].astype(float).fillna(self.means[name]).to_numpy()
            blocks.append(((values - self.means[name]) / self.scales[name])[:, None])
        for name in CATEGORICAL_FEATURES:
            values = features[name].astype(str).to_numpy()
            for category in self.categories[name]:
                blocks.append((values == category).astype(float)[:, None])
        return np.hstack(blocks) if blocks else np.zeros((len(features), 0))
        # END SOLUTION

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly state."""
        return {"means": self.means, "scales": self.scales, "categories": self.categories}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> FeatureTransform:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            means=dict(state["means"]), scales=dict(state["scales"]), categories=dict(state["categories"])
        )
