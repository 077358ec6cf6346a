"""The documented rule-based score the service answers from when no verified model can be used.

    logit = -3.0
            + 1.0  if contract == "monthly"
            + 0.8  if tenure_days < 180
            + 0.7 * min(failed_payments_90d, 3)
            + 0.4 * min(tickets_30d, 3)
            + 0.8  if days_since_last_activity >= 14
            + 1.5 * clip(-usage_trend_28d, 0, 1)
    churn_probability = 1 / (1 + exp(-logit))

A customer with none of the risk signals scores about 0.05; a new monthly customer with three failed
payments, three tickets, two silent weeks and halving usage scores about 0.97. The rule is deliberately
simple: it is a safe default while the model is away, not a competitor to it.

Its decision threshold is its own, and it belongs to the world the service runs in: training applies project
1's contact policy (the one it applies to the model) to the rule's scores on the labelled months before the
test months and writes the result to ``<artifact_dir>/fallback.json`` (:data:`FALLBACK_FILE`: the value, the
policy and its costs, the months it was fitted on and the world), next to the version folders and outside
them, because the rule does not change with the model and the file must be readable when the model is
missing or fails its checksum. The rule learns nothing from data, so every labelled month before the test is
out of sample for it: the policy sees all of them. The rule's probabilities are not the model's, so the
model's threshold never applies to them.

:func:`read_rule_threshold` reads that file at start-up. Without it (no artifacts at all) the service
decides with :data:`FALLBACK_THRESHOLD`, the documented constant: the default world's threshold (project 1's
profit policy with the default costs and a 5 % capacity chose 0.45233 there, 112 contacts in 14,585
customer-months, rounded down to four decimals, which contacts the same customers). A file that cannot be
read or does not hold a threshold is never half-trusted: the constant is used and ``/ready`` names the file
and the problem (``fallback_threshold_source: constant``, ``fallback_threshold_detail``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

FALLBACK_VERSION = "fallback-rules-v1"
FALLBACK_THRESHOLD = 0.4523
FALLBACK_FILE = "fallback.json"


@dataclass(frozen=True)
class RuleThreshold:
    """The threshold the rule's scores are decided with, where it came from, and why, when it is not fitted.

    ``source`` is ``fitted`` (training wrote it to :data:`FALLBACK_FILE` for this artifact folder) or
    ``constant`` (:data:`FALLBACK_THRESHOLD`, the default world's); ``detail`` says why the constant is used.
    """

    value: float
    source: Literal["fitted", "constant"]
    detail: str | None = None
    record: dict[str, Any] | None = None


def save_rule_threshold(artifact_dir: Path, record: dict[str, Any]) -> Path:
    """Write ``record`` (``value``, ``policy``, ``decision``, ``fitted_on``, ``world``) as the artifact
    folder's :data:`FALLBACK_FILE`, atomically; return its path."""
    from churn_service.artifacts import _write_text_atomic

    artifact_dir = Path(artifact_dir)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    path = artifact_dir / FALLBACK_FILE
    _write_text_atomic(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def read_rule_threshold(artifact_dir: Path) -> RuleThreshold:
    """The rule's threshold for ``artifact_dir``: the one training fitted (:data:`FALLBACK_FILE`), else the
    documented constant with the reason (no file; a file that is not JSON or holds no threshold in [0, 1])."""
    # BEGIN SOLUTION
    # HINT: no file -> the constant, source "constant", and a detail saying training writes the file; a file
    # HINT: that does not parse, or whose "value" is not a real number in [0, 1] (a bool is not one), or that
    # HINT: names no policy or months -> the constant too, with a detail naming the file and what is wrong.
    path = Path(artifact_dir) / FALLBACK_FILE
    if not path.is_file():
        return RuleThreshold(
            FALLBACK_THRESHOLD,
            "constant",
            f"no {FALLBACK_FILE} in the artifact folder: the documented constant (the default world's); "
            "training fits the rule's threshold in your world and writes the file",
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        detail = f"{FALLBACK_FILE} is unreadable ({exc}): retrain"
        return RuleThreshold(FALLBACK_THRESHOLD, "constant", detail)
    value = record.get("value") if isinstance(record, dict) else None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    fitted_on = record.get("fitted_on") if isinstance(record, dict) else None
    months = fitted_on.get("months") if isinstance(fitted_on, dict) else None
    if not number or not 0.0 <= value <= 1.0 or not record.get("policy") or not months:
        return RuleThreshold(
            FALLBACK_THRESHOLD,
            "constant",
            f"{FALLBACK_FILE} holds no usable threshold (value {value!r}, policy {record.get('policy')!r}, "
            f"months {months!r}; a value in [0, 1], the policy and the months it was fitted on are needed): "
            "retrain",
        )
    return RuleThreshold(float(value), "fitted", None, record)
    # END SOLUTION


def rule_score(frame):
    """Return the rule-based churn probability of every row of ``frame`` (a numpy array)."""
    # BEGIN SOLUTION
    # HINT: vectorised numpy over the frame's columns, exactly the formula in the module docstring.
    import numpy as np

    logit = np.full(len(frame), -3.0)
    logit += 1.0 * (frame["contract"].to_numpy() == "monthly")
    logit += 0.8 * (frame["tenure_days"].to_numpy(dtype=float) < 180)
    logit += 0.7 * np.minimum(frame["failed_payments_90d"].to_numpy(dtype=float), 3)
    logit += 0.4 * np.minimum(frame["tickets_30d"].to_numpy(dtype=float), 3)
    logit += 0.8 * (frame["days_since_last_activity"].to_numpy(dtype=float) >= 14)
    logit += 1.5 * np.clip(-frame["usage_trend_28d"].to_numpy(dtype=float), 0.0, 1.0)
    return 1.0 / (1.0 + np.exp(-logit))
    # END SOLUTION
