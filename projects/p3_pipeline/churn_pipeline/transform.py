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
        # HINT: store plain floats/lists (JSON-friendly); a zero standard deviation must not divide by zero.
        raise NotImplementedError("FeatureTransform.fit: store plain floats/lists (JSON-friendly); a zero standard deviation must not divide by zero.")

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
        # HINT: use only the fitted state (never statistics of the batch being transformed), so one row scores
        # HINT: the same alone as in a batch; one-hot against the stored category lists.
        raise NotImplementedError("FeatureTransform.transform: use only the fitted state (never statistics of the batch being transformed), so one row scores the same alone as in a batch; one-hot against the stored category lists.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly state."""
        return {"means": self.means, "scales": self.scales, "categories": self.categories}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> FeatureTransform:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            means=dict(state["means"]), scales=dict(state["scales"]), categories=dict(state["categories"])
        )
