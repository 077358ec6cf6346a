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
    # HINT: the version folder CURRENT names (read it once) + load_verified_model + decision_threshold;
    # HINT: catch ArtifactError and keep its .reason. The rule's threshold lives in the artifact folder,
    # HINT: outside the versions, and is needed in both cases (a model can fail at predict time too): see
    # HINT: fallback.py. Check it against the CURRENT version's metadata (readable even when its model fails
    # HINT: its checksum); only without any CURRENT is there nothing to check it against. CURRENT naming a
    # HINT: version whose metadata cannot be read leaves the file unchecked: the constant, and say why.
    # HINT: (optional) ModelState(..., scorer=compile_verified(model)) enables the given single-row fast path.
    raise NotImplementedError("load_model_state: the version folder CURRENT names (read it once) + load_verified_model + decision_threshold; catch ArtifactError and keep its .reason. The rule's threshold lives in the artifact folder, outside the versions, and is needed in both cases (a model can fail at predict time too): see fallback.py. Check it against the CURRENT version's metadata (readable even when its model fails its checksum); only without any CURRENT is there nothing to check it against. CURRENT naming a version whose metadata cannot be read leaves the file unchecked: the constant, and say why. (optional) ModelState(..., scorer=compile_verified(model)) enables the given single-row fast path.")


def rows_to_frame(rows: Iterable[Mapping[str, Any]]):
    """Return validated feature rows as a DataFrame with the training columns, order and dtypes."""
    # HINT: the categorical columns as object, the numeric ones as one float64 array; FEATURE_NAMES order.
    # HINT: (building the frame from two 2-D blocks is ~10x faster than per-column astype on one row.)
    raise NotImplementedError("rows_to_frame: the categorical columns as object, the numeric ones as one float64 array; FEATURE_NAMES order. (building the frame from two 2-D blocks is ~10x faster than per-column astype on one row.)")


def score_frame(state: ModelState, frame) -> Scores:
    """Score ``frame`` with the loaded model; fall back to :func:`rule_score` when it is absent or raises."""
    # HINT: model.predict_proba(frame)[:, 1] in try/except; on failure rule_score(frame), fallback=True.
    raise NotImplementedError("score_frame: model.predict_proba(frame)[:, 1] in try/except; on failure rule_score(frame), fallback=True.")
