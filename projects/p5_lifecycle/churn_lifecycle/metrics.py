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


def bootstrap_weights(n: int, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """Customer-level bootstrap: how often each of ``n`` rows is drawn in each of ``n_boot`` resamples.

    The resample indices are drawn once, as one ``(n_boot, n)`` array, and counted per row; every model
    compared on these weights is judged on the SAME resampled customers (a paired bootstrap).
    """
    if n < 1 or n_boot < 1:
        raise ValueError(f"n and n_boot must be positive, got n={n}, n_boot={n_boot}")
    # HINT: rng.integers(0, n, size=(n_boot, n)), then count each index per row (np.bincount with offsets).
    raise NotImplementedError("bootstrap_weights: rng.integers(0, n, size=(n_boot, n)), then count each index per row (np.bincount with offsets).")


def weighted_average_precision(
    y_true: Sequence[int], y_score: Sequence[float], weights: np.ndarray
) -> np.ndarray:
    """Average precision (scikit-learn's definition, ties grouped) for each row of ``weights``.

    ``weights`` is ``(n_boot, n)``: row ``b`` says how often each customer counts in resample ``b``. A row
    of ones gives ``average_precision_score(y_true, y_score)``.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_score, dtype=float)
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    order = np.argsort(-p, kind="mergesort")
    y, p, w = y[order], p[order], w[:, order]
    last = np.r_[np.flatnonzero(np.diff(p)), len(p) - 1]  # the last row of each group of tied scores
    tp = np.cumsum(w * y, axis=1)[:, last]
    fp = np.cumsum(w * (1 - y), axis=1)[:, last]
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)
    recall = np.divide(tp, tp[:, -1:], out=np.zeros_like(tp), where=tp[:, -1:] > 0)
    gain = np.diff(recall, axis=1, prepend=0.0)
    return (gain * precision).sum(axis=1)


def verdict(low: float, high: float) -> str:
    """The plain-language reading of an interval of ``challenger - champion``."""
    if low > 0:
        return "challenger credibly better (the interval is above 0)"
    if high < 0:
        return "challenger credibly worse (the interval is below 0)"
    return "no credible difference (the interval includes 0)"


def paired_difference(
    y_true: Sequence[int],
    champion_scores: Sequence[float],
    challenger_scores: Sequence[float],
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, float | str]:
    """PR-AUC of challenger minus champion on the same customers, with a paired bootstrap interval.

    Both models are scored on every resample of the customers (one :func:`bootstrap_weights` array), so
    what the two have in common cancels. Returns ``champion``, ``challenger``, ``difference`` (point
    estimates on all rows), ``low`` and ``high`` (the percentile interval at ``level`` of the resampled
    differences), ``n_boot``, ``level`` and ``verdict`` (:func:`verdict`).
    """
    y = np.asarray(y_true, dtype=int)
    a = np.asarray(champion_scores, dtype=float)
    b = np.asarray(challenger_scores, dtype=float)
    if not len(y) == len(a) == len(b):
        raise ValueError(
            f"labels and both score arrays must have one row per customer ({len(y)}, {len(a)}, {len(b)})"
        )
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    # HINT: ONE set of resample weights for both models; the interval is the quantiles of the differences.
    raise NotImplementedError("paired_difference: ONE set of resample weights for both models; the interval is the quantiles of the differences.")


def metric_interval(
    y_true: Sequence[int], y_score: Sequence[float], *, n_boot: int = 1000, level: float = 0.95, seed: int = 0
) -> dict[str, float]:
    """PR-AUC of one model with its customer-level bootstrap interval: ``value``, ``low``, ``high``."""
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(y_score, dtype=float)
    value = float(weighted_average_precision(y, p, np.ones((1, len(y))))[0])
    resampled = weighted_average_precision(y, p, bootstrap_weights(len(y), n_boot, seed))
    low, high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    return {"value": value, "low": float(low), "high": float(high)}


def slice_recall_differences(
    y_true: Sequence[int],
    champion_scores: Sequence[float],
    challenger_scores: Sequence[float],
    slices: Sequence[object],
    *,
    contact_share: float = 0.05,
    min_positives: int = 30,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, dict[str, object]]:
    """Per slice: recall of each model's contact decision, and a paired interval of their difference.

    Each model contacts the top ``contact_share`` of its own scores on these rows. A slice with fewer than
    ``min_positives`` churners is reported with ``judged=False`` (too small to judge: one customer moves
    its recall by more than any tolerance) and no interval. Judged slices get ``champion``,
    ``challenger``, ``difference`` (challenger - champion) and ``low``/``high`` from the same customer
    resamples for both models.
    """
    y = np.asarray(y_true, dtype=int)
    a = np.asarray(champion_scores, dtype=float)
    b = np.asarray(challenger_scores, dtype=float)
    names = np.asarray(slices, dtype=object).astype(str)
    hit_a = (a >= contact_cutoff(a, contact_share)).astype(float)
    hit_b = (b >= contact_cutoff(b, contact_share)).astype(float)
    # HINT: count each slice's churners first; judge only slices with at least min_positives of them.
    raise NotImplementedError("slice_recall_differences: count each slice's churners first; judge only slices with at least min_positives of them.")
