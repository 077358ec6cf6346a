"""Metrics matched to the retention decision, with bootstrap intervals resampled by customer."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from churn_baseline.config import DecisionConfig

Metric = Callable[[np.ndarray, np.ndarray], float]


def _check(y_true: object, y_score: object) -> tuple[np.ndarray, np.ndarray]:
    """Return ``y_true`` and ``y_score`` as float arrays, or raise a clear error."""
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(y_score, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(
            f"y_true and y_score must be 1-d and of the same length, got {y.shape} and {s.shape}"
        )
    if np.isnan(y).any():
        raise ValueError("y_true contains missing labels: drop immature rows before scoring")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y_true must be binary (0/1)")
    return y, s


def pr_auc(y_true: object, y_score: object) -> float:
    """Area under the precision-recall curve, as average precision (scikit-learn's definition)."""
    # BEGIN SOLUTION
    # HINT: sklearn.metrics.average_precision_score is the standard, step-wise PR-AUC.
    y, s = _check(y_true, y_score)
    return float(skm.average_precision_score(y, s))
    # END SOLUTION


def roc_auc(y_true: object, y_score: object) -> float:
    """Area under the ROC curve."""
    # BEGIN SOLUTION
    # HINT: sklearn.metrics.roc_auc_score.
    y, s = _check(y_true, y_score)
    return float(skm.roc_auc_score(y, s))
    # END SOLUTION


def log_loss(y_true: object, y_prob: object, eps: float = 1e-15) -> float:
    """Mean negative log-likelihood of the labels under the predicted probabilities (clipped by ``eps``)."""
    # BEGIN SOLUTION
    # HINT: clip p to [eps, 1 - eps], then average -(y log p + (1 - y) log(1 - p)).
    y, p = _check(y_true, y_prob)
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    # END SOLUTION


def brier(y_true: object, y_prob: object) -> float:
    """Brier score: the mean squared difference between probability and label."""
    # BEGIN SOLUTION
    # HINT: mean of (p - y) ** 2.
    y, p = _check(y_true, y_prob)
    return float(np.mean((p - y) ** 2))
    # END SOLUTION


def capacity_count(n_rows: int, capacity: float) -> int:
    """How many rows a policy contacts: ``floor(capacity * n_rows)``, at least one."""
    if not 0 < capacity <= 1:
        raise ValueError(f"capacity must be in (0, 1], got {capacity}")
    return max(1, int(np.floor(capacity * n_rows + 1e-9)))


def top_k_mask(y_score: object, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` highest scores (ties broken by position, first rows first)."""
    s = np.asarray(y_score, dtype=float)
    order = np.argsort(-s, kind="stable")
    mask = np.zeros(len(s), dtype=bool)
    mask[order[:k]] = True
    return mask


def precision_recall_at_capacity(y_true: object, y_score: object, capacity: float) -> tuple[float, float]:
    """Precision and recall when the ``capacity`` share of rows with the highest scores is contacted.

    The number contacted is ``capacity_count(len(y), capacity)``. Recall is 0.0 when there is no positive.
    """
    # BEGIN SOLUTION
    # HINT: contact the top floor(capacity * n) rows by score; precision = churners among them / contacted.
    y, s = _check(y_true, y_score)
    k = capacity_count(len(y), capacity)
    chosen = top_k_mask(s, k)
    hits = float(y[chosen].sum())
    positives = float(y.sum())
    return hits / k, (hits / positives if positives else 0.0)
    # END SOLUTION


def expected_profit(y_true: object, selected: object, decision: DecisionConfig) -> float:
    """Profit of contacting the ``selected`` rows: each churner reached is worth ``save_rate * saved_value``,
    every contact costs ``contact_cost``.
    """
    # BEGIN SOLUTION
    # HINT: (churners contacted) * save_rate * saved_value - (contacts) * contact_cost.
    y = np.asarray(y_true, dtype=float)
    chosen = np.asarray(selected, dtype=bool)
    if chosen.shape != y.shape:
        raise ValueError(f"selected must have one flag per row: {chosen.shape} vs {y.shape}")
    hits = float(y[chosen].sum())
    return hits * decision.gain_per_churner - float(chosen.sum()) * decision.contact_cost
    # END SOLUTION


def evaluate(y_true: object, y_prob: object, decision: DecisionConfig) -> dict[str, float]:
    """All headline metrics of one model on one data set, with the contact policy at capacity."""
    y, p = _check(y_true, y_prob)
    precision, recall = precision_recall_at_capacity(y, p, decision.capacity)
    chosen = top_k_mask(p, capacity_count(len(y), decision.capacity))
    return {
        "pr_auc": pr_auc(y, p),
        "roc_auc": roc_auc(y, p),
        "log_loss": log_loss(y, p),
        "brier": brier(y, p),
        "precision_at_capacity": precision,
        "recall_at_capacity": recall,
        "expected_profit": expected_profit(y, chosen, decision),
    }


def bootstrap_ci(
    y_true: object,
    y_score: object,
    groups: object,
    metric: Metric,
    n_boot: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Point estimate and percentile ``1 - alpha`` interval of ``metric``, resampling whole groups.

    Rows of one customer are not independent: draw customers with replacement and keep all their rows.
    Returns ``(point, low, high)``.
    """
    # BEGIN SOLUTION
    # HINT: draw unique group ids with replacement (np.random.default_rng(seed)), take all their rows,
    # HINT: recompute the metric; the interval is the alpha/2 and 1 - alpha/2 percentiles.
    y, s = _check(y_true, y_score)
    g = np.asarray(groups)
    if g.shape != y.shape:
        raise ValueError(f"groups must have one id per row: {g.shape} vs {y.shape}")
    codes, _ = pd.factorize(g)
    n_groups = int(codes.max()) + 1
    # rows in descending score order: every resample keeps that order, so the metric's own sort is almost
    # free; the resampled rows are the same, only their order changes, which no metric of pairs depends on
    order = np.argsort(-s, kind="stable")
    y, s, codes = y[order], s[order], codes[order]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        drawn = rng.integers(0, n_groups, n_groups)
        # a customer drawn k times contributes each of its rows k times
        rows = np.repeat(np.arange(len(y)), np.bincount(drawn, minlength=n_groups)[codes])
        if y[rows].min() == y[rows].max():
            continue  # a resample with one class cannot score ranking metrics
        values.append(metric(y[rows], s[rows]))
    if not values:
        raise ValueError("every bootstrap resample had a single class: too few positives")
    low, high = np.percentile(values, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(metric(y, s)), float(low), float(high)
    # END SOLUTION
