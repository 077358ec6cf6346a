"""Stage `score`: churn scores for one as-of date, stamped with the model version and snapshot fingerprint."""

from __future__ import annotations

from typing import Any

from churn_pipeline.model import ChurnModel

SCORE_COLUMNS = ("customer_id", "as_of", "score", "model_version", "feature_fingerprint")


def score_snapshot(model: ChurnModel, features: Any, feature_fingerprint: str) -> Any:
    """Score every row of a feature snapshot with the model's own transform.

    Returns a frame with ``SCORE_COLUMNS``, sorted by (as_of, customer_id): ``score`` is the churn
    probability, ``model_version`` the model's content hash, ``feature_fingerprint`` the hash of the
    snapshot the scores came from (so any score can be traced back to its inputs).
    """
    # HINT: model.predict(features) applies the transform fitted at training time; never refit anything here.
    raise NotImplementedError("score_snapshot: model.predict(features) applies the transform fitted at training time; never refit anything here.")
