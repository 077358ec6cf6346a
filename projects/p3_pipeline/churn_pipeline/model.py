"""A logistic model stored as plain JSON: transform state + coefficients, versioned by its own bytes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from churn_pipeline.storage import write_json_atomic
from churn_pipeline.transform import FeatureTransform


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn model: the shared :class:`FeatureTransform` plus logistic coefficients."""

    transform: FeatureTransform
    coef: list[float]
    intercept: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly state (floats keep their exact repr)."""
        return {
            "transform": self.transform.to_dict(),
            "coef": self.coef,
            "intercept": self.intercept,
            "metadata": self.metadata,
        }

    @property
    def version(self) -> str:
        """Content hash of the model (first 12 hex digits): the same fit gives the same version."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def predict(self, features: Any) -> Any:
        """Churn probability for each row of a feature snapshot."""
        import numpy as np

        matrix = self.transform.transform(features)
        logits = matrix @ np.asarray(self.coef, dtype=float) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


def save_model(model: ChurnModel, path: Path) -> Path:
    """Write the model as JSON, atomically."""
    return write_json_atomic({"version": model.version, **model.to_dict()}, path)


def load_model(path: Path) -> ChurnModel:
    """Read a model written by :func:`save_model`, checking that its content matches its version."""
    state = json.loads(Path(path).read_text(encoding="utf-8"))
    model = ChurnModel(
        transform=FeatureTransform.from_dict(state["transform"]),
        coef=[float(c) for c in state["coef"]],
        intercept=float(state["intercept"]),
        metadata=state.get("metadata", {}),
    )
    if state.get("version") != model.version:
        raise ValueError(
            f"{path}: model content does not match its recorded version {state.get('version')!r} "
            "(the file was edited or corrupted); re-run the train stage."
        )
    return model
