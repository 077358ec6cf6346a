"""Model quality on one evaluation set: the primary metric and the two guardrails the gate protects."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def expected_calibration_error(y_true: Sequence[int], y_score: Sequence[float], bins: int = 10) -> float:
    """Expected calibration error: ``sum_b n_b/n * |mean(y)_b - mean(score)_b|`` over equal-width score bins.

    Bins are ``[0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]`` for ``bins=10``; empty bins contribute nothing.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_score, dtype=float)
    if y.shape != p.shape or y.size == 0:
        raise ValueError(f"y_true and y_score must be non-empty and the same length ({y.size} vs {p.size})")
    # HINT: np.clip(np.floor(p * bins), 0, bins - 1) gives each score its bin.
    raise NotImplementedError("expected_calibration_error: np.clip(np.floor(p * bins), 0, bins - 1) gives each score its bin.")


def contact_cutoff(y_score: Sequence[float], contact_share: float) -> float:
    """The score at or above which the top ``contact_share`` of customers are contacted."""
    if not 0 < contact_share < 1:
        raise ValueError(f"contact_share must be in (0, 1), got {contact_share}")
    return float(np.quantile(np.asarray(y_score, dtype=float), 1 - contact_share))


def slice_recall(
    y_true: Sequence[int],
    y_score: Sequence[float],
    slices: Sequence[object],
    cutoff: float,
    min_positives: int = 5,
) -> dict[str, float]:
    """Recall of the contact decision (``score >= cutoff``) per slice with ``min_positives``+ churners."""
    frame = pd.DataFrame({"y": np.asarray(y_true, int), "hit": np.asarray(y_score, float) >= cutoff})
    frame["slice"] = np.asarray(slices, dtype=object).astype(str)
    positives = frame[frame["y"] == 1]
    recall = positives.groupby("slice")["hit"].agg(["mean", "size"])
    recall = recall[recall["size"] >= min_positives]
    return {str(k): float(v) for k, v in recall["mean"].items()}


def evaluate_scores(
    y_true: Sequence[int], y_score: Sequence[float], slices: Sequence[object], contact_share: float = 0.05
) -> dict[str, float]:
    """``pr_auc`` (primary), ``calibration_error`` and ``worst_slice_recall`` (guardrails), plus context.

    The contact cutoff is the top ``contact_share`` of these scores, so two models compared on the same rows
    contact the same number of customers.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.asarray(y_true, dtype=int)
    p = np.asarray(y_score, dtype=float)
    if len(np.unique(y)) < 2:
        raise ValueError(
            "the evaluation labels hold a single class: evaluate on rows with churners and stayers"
        )
    cutoff = contact_cutoff(p, contact_share)
    by_slice = slice_recall(y, p, slices, cutoff)
    return {
        "pr_auc": float(average_precision_score(y, p)),
        "roc_auc": float(roc_auc_score(y, p)),
        "calibration_error": expected_calibration_error(y, p),
        "worst_slice_recall": min(by_slice.values()) if by_slice else float("nan"),
        "recall_at_contact": float((p[y == 1] >= cutoff).mean()),
        "base_rate": float(y.mean()),
        "rows": float(len(y)),
    }
