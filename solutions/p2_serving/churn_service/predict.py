"""The one inference path shared by the API, the batch job and the notebook: frame -> probabilities."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from churn_service.artifacts import (
    FALLBACK_FILE,
    POINTER_FILE,
    ArtifactError,
    current_version_dir,
    decision_threshold,
    load_verified_model,
    read_metadata,
)
from churn_service.compiled import SMALL_REQUEST_ROWS, CompiledScorer, compile_verified
from churn_service.fallback import (
    FALLBACK_THRESHOLD,
    FALLBACK_VERSION,
    RuleThreshold,
    read_rule_threshold,
    rule_score,
    vet_rule_threshold,
)
from churn_service.schema import CATEGORICAL_FEATURES, NUMERIC_FEATURES

logger = logging.getLogger("churn_service.model")


@dataclass
class ModelState:
    """What the service serves: a verified model and its metadata, or nothing and the reason why."""

    model: Any | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    degraded_reason: str | None = None
    degraded_detail: str | None = None
    scorer: CompiledScorer | None = None  # optional fast path for a few rows; see churn_service.compiled
    rule_threshold: RuleThreshold = field(
        default_factory=lambda: RuleThreshold(FALLBACK_THRESHOLD, "constant", "no artifact folder read yet")
    )
    """The fallback rule's own threshold: fitted by training (``fallback.json``), else the constant."""

    def predict_proba(self, frame):
        """``model.predict_proba(frame)``: through the verified compiled scorer for a few rows, if any.

        Both paths give the same probabilities (checked at load); a frame the scorer declines, or a
        batch of more than ``SMALL_REQUEST_ROWS`` rows, goes to the model itself.
        """
        if self.scorer is not None and len(frame) <= SMALL_REQUEST_ROWS:
            probabilities = self.scorer.predict_proba(frame)
            if probabilities is not None:
                return probabilities
        return self.model.predict_proba(frame)  # type: ignore[union-attr]

    @property
    def ready(self) -> bool:
        """True when a verified model is loaded."""
        return self.model is not None

    @property
    def threshold(self) -> float:
        """The artifact's decision threshold, or the fallback rule's own when no model is loaded."""
        return decision_threshold(self.metadata) if self.ready else self.rule_threshold.value

    @property
    def version(self) -> str:
        """The loaded model's version, or the fallback's name."""
        return str(self.metadata.get("version", FALLBACK_VERSION)) if self.ready else FALLBACK_VERSION


@dataclass(frozen=True)
class Scores:
    """Probabilities for a batch of rows, and whether (and why) the fallback produced them."""

    probabilities: Any  # a 1-D float64 numpy array, one entry per row
    model_version: str
    fallback: bool
    reason: str | None = None


def load_model_state(artifact_dir: Path) -> ModelState:
    """Load the CURRENT version if it passes its checksum and records its decision threshold; otherwise a
    degraded state naming the reason. Either way, the state carries the fallback rule's own threshold for
    this artifact folder (the one training fitted, or the documented constant and why)."""
    # BEGIN SOLUTION
    # HINT: the version folder CURRENT names (read it once) + load_verified_model + decision_threshold;
    # HINT: catch ArtifactError and keep its .reason. The rule's threshold lives in the artifact folder,
    # HINT: outside the versions, and is needed in both cases (a model can fail at predict time too): see
    # HINT: fallback.py. Check it against the CURRENT version's metadata (readable even when its model fails
    # HINT: its checksum); only without any CURRENT is there nothing to check it against. CURRENT naming a
    # HINT: version whose metadata cannot be read leaves the file unchecked: the constant, and say why.
    # HINT: (optional) ModelState(..., scorer=compile_verified(model)) enables the given single-row fast path.
    artifact_dir = Path(artifact_dir)
    rule = read_rule_threshold(artifact_dir)
    try:
        version_dir = current_version_dir(artifact_dir)
        # the served version's own word on its rule threshold, readable even when its model is not
        served = read_metadata(version_dir)
    except ArtifactError as exc:
        version_dir = None
        problem: ArtifactError | None = exc
    else:
        problem = None
    if problem is None:
        rule = vet_rule_threshold(rule, served)
    elif rule.source == "fitted" and (artifact_dir / POINTER_FILE).exists():
        # CURRENT is there, but what it names cannot say whose threshold the file is: never trust it blind
        detail = (
            f"{FALLBACK_FILE} cannot be checked against the version CURRENT names ({problem.reason}: "
            f"{problem}): the documented constant; point CURRENT at a complete version or retrain"
        )
        rule = RuleThreshold(FALLBACK_THRESHOLD, "constant", detail)
    # else no CURRENT at all: nothing to compare with, the file (vetted on its own) stands
    if rule.detail:
        logger.warning("fallback rule threshold: %s", rule.detail)
    try:
        if problem is not None:
            raise problem
        model, metadata = load_verified_model(version_dir)
        decision_threshold(metadata)  # a model without its decision rule is not served
    except ArtifactError as exc:
        logger.warning("model not loaded (%s): %s", exc.reason, exc)
        return ModelState(degraded_reason=exc.reason, degraded_detail=str(exc), rule_threshold=rule)
    return ModelState(model=model, metadata=metadata, scorer=compile_verified(model), rule_threshold=rule)
    # END SOLUTION


def rows_to_frame(rows: Iterable[Mapping[str, Any]]):
    """Return validated feature rows as a DataFrame with the training columns, order and dtypes."""
    # BEGIN SOLUTION
    # HINT: the categorical columns as object, the numeric ones as one float64 array; FEATURE_NAMES order.
    # HINT: (building the frame from two 2-D blocks is ~10x faster than per-column astype on one row.)
    import numpy as np
    import pandas as pd

    rows = list(rows)
    categories = pd.DataFrame(
        [[row[name] for name in CATEGORICAL_FEATURES] for row in rows],
        columns=list(CATEGORICAL_FEATURES),
        dtype=object,
    )
    numbers = pd.DataFrame(
        np.array([[row[name] for name in NUMERIC_FEATURES] for row in rows], dtype=np.float64).reshape(
            len(rows), len(NUMERIC_FEATURES)
        ),
        columns=list(NUMERIC_FEATURES),
    )
    return pd.concat([categories, numbers], axis=1)
    # END SOLUTION


def score_frame(state: ModelState, frame) -> Scores:
    """Score ``frame`` with the loaded model; fall back to :func:`rule_score` when it is absent or raises."""
    # BEGIN SOLUTION
    # HINT: model.predict_proba(frame)[:, 1] in try/except; on failure rule_score(frame), fallback=True.
    import numpy as np

    if state.ready:
        try:
            probabilities = state.predict_proba(frame)[:, 1]
            return Scores(np.asarray(probabilities, dtype=np.float64), state.version, fallback=False)
        except Exception as exc:  # any model failure: answer from the rule, count it, log it
            logger.error("model raised %s: %s; answering from the fallback rule", type(exc).__name__, exc)
            reason = "model_error"
    else:
        reason = state.degraded_reason or "artifact_missing"
    return Scores(
        np.asarray(rule_score(frame), dtype=np.float64), FALLBACK_VERSION, fallback=True, reason=reason
    )
    # END SOLUTION
