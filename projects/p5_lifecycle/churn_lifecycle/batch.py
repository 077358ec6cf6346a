"""Batch inference: score one month's customers with ``models:/<name>@champion``, accounting for every row."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd

from churn_lifecycle.features import FEATURES, ID
from churn_lifecycle.tracking import MODEL_NAME


@dataclass(frozen=True)
class ScoredBatch:
    """The scores (one row per scored customer), the rows that could not be scored, and timing."""

    scores: pd.DataFrame
    quarantined: pd.DataFrame
    model_version: str
    latency_s: float

    @property
    def error_rate(self) -> float:
        """Share of input rows that could not be scored."""
        total = len(self.scores) + len(self.quarantined)
        return len(self.quarantined) / total if total else 0.0


def score_month(
    snapshot: pd.DataFrame, *, model_name: str = MODEL_NAME, alias: str = "champion"
) -> ScoredBatch:
    """Score ``snapshot`` with the model behind ``alias``; rows with a missing feature are quarantined.

    ``scores`` has ``customer_id``, ``score``, ``contact`` (score at or above the version's
    ``contact_threshold`` tag) and ``model_version`` (the registry version that produced the score), in the
    snapshot's row order; ``quarantined`` has ``customer_id`` and ``reason``. Scored plus quarantined rows
    equal the input rows.
    """
    import mlflow

    missing = [c for c in (ID, *FEATURES) if c not in snapshot.columns]
    if missing:
        raise KeyError(f"the snapshot lacks columns {missing}: score a monthly_snapshot frame")
    # HINT: resolve the alias to a version first, then load models:/<name>/<version> so both agree.
    raise NotImplementedError("score_month: resolve the alias to a version first, then load models:/<name>/<version> so both agree.")
