"""Metrics matched to the retention decision, with bootstrap intervals resampled by customer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

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
    # HINT: PR-AUC here is average precision: the precision at each threshold, weighted by the recall it
    # HINT: adds (a step sum; the trapezoid rule overstates it). scikit-learn's metrics module has it.
    y, s = _check(y_true, y_score)
    return float(skm.average_precision_score(y, s))
    # END SOLUTION


def roc_auc(y_true: object, y_score: object) -> float:
    """Area under the ROC curve."""
    # BEGIN SOLUTION
    # HINT: the chance that a random churner scores above a random non-churner (ties count half);
    # HINT: scikit-learn's metrics module has it.
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


def customer_resamples(groups: object, n_rows: int, n_boot: int, seed: int = 0) -> Iterator[np.ndarray]:
    """The row indices of ``n_boot`` bootstrap resamples that draw whole groups (customers).

    Each resample draws as many groups as there are, with replacement; a group drawn ``k`` times
    contributes every one of its rows ``k`` times. Rows keep their order within a resample.
    """
    # BEGIN SOLUTION
    # HINT: codes = pd.factorize(groups)[0]; draw group codes with rng.integers; count the draws of each
    # HINT: group (np.bincount) and repeat each row that many times (np.repeat).
    codes, _ = pd.factorize(np.asarray(groups))
    if codes.shape != (n_rows,):
        raise ValueError(f"groups must have one id per row: {codes.shape[0]} ids for {n_rows} rows")
    n_groups = int(codes.max()) + 1
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        drawn = rng.integers(0, n_groups, n_groups)
        yield np.repeat(np.arange(n_rows), np.bincount(drawn, minlength=n_groups)[codes])
    # END SOLUTION


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
    # HINT: for each resample of customer_resamples, recompute the metric; the interval is the alpha/2
    # HINT: and 1 - alpha/2 percentiles of those values.
    y, s = _check(y_true, y_score)
    g = np.asarray(groups)
    if g.shape != y.shape:
        raise ValueError(f"groups must have one id per row: {g.shape} vs {y.shape}")
    # rows in descending score order: every resample keeps that order, so the metric's own sort is almost
    # free; the resampled rows are the same, only their order changes, which no metric of pairs depends on
    order = np.argsort(-s, kind="stable")
    y, s = y[order], s[order]
    values = []
    for rows in customer_resamples(g[order], len(y), n_boot, seed):
        if y[rows].min() == y[rows].max():
            continue  # a resample with one class cannot score ranking metrics
        values.append(metric(y[rows], s[rows]))
    if not values:
        raise ValueError("every bootstrap resample had a single class: too few positives")
    low, high = np.percentile(values, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(metric(y, s)), float(low), float(high)
    # END SOLUTION


def paired_bootstrap(
    y_true: object,
    score_a: object,
    score_b: object,
    groups: object,
    metric: Metric,
    n_boot: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``metric(a) - metric(b)`` and its percentile ``1 - alpha`` interval, both models on the same draws.

    Two models scored on the same customers are compared by resampling customers once per draw and scoring
    *both* models on that resample: their shared luck cancels, so the interval of the difference is much
    narrower than the two models' own intervals suggest. Returns ``(difference, low, high)``.
    """
    # BEGIN SOLUTION
    # HINT: one customer_resamples loop; in each draw compute metric(y, a) - metric(y, b) on the SAME rows.
    y, a = _check(y_true, score_a)
    _, b = _check(y_true, score_b)
    values = []
    for rows in customer_resamples(groups, len(y), n_boot, seed):
        if y[rows].min() == y[rows].max():
            continue
        values.append(metric(y[rows], a[rows]) - metric(y[rows], b[rows]))
    if not values:
        raise ValueError("every bootstrap resample had a single class: too few positives")
    low, high = np.percentile(values, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(metric(y, a) - metric(y, b)), float(low), float(high)
    # END SOLUTION


def compare_models(
    name_a: str,
    name_b: str,
    interval: tuple[float, float, float],
    metric: str = "PR-AUC",
    simpler: str | None = None,
) -> dict[str, object]:
    """A paired comparison as a record with a plain-language verdict.

    ``interval`` is what :func:`paired_bootstrap` returned for ``a - b``. The difference is *credible* when
    its interval excludes 0. ``simpler`` names the model to keep when it is not (the cheaper one to run and
    explain); the verdict then says so.
    """
    difference, low, high = interval
    credible = bool(low > 0 or high < 0)
    if credible:
        better, worse = (name_a, name_b) if difference > 0 else (name_b, name_a)
        gain, (lo, hi) = abs(difference), sorted((abs(low), abs(high)))
        verdict = (
            f"{better} beats {worse} on {metric} by {gain:.3f} (95 % paired interval {lo:.3f} to {hi:.3f}): "
            "the interval excludes 0."
        )
    else:
        span = f"{name_a} - {name_b} = {difference:+.3f} (95 % paired interval {low:+.3f} to {high:+.3f})"
        verdict = f"No credible difference between {name_a} and {name_b} on {metric}: {span} includes 0"
        verdict += f"; keep the simpler {simpler}." if simpler else "."
    return {
        "a": name_a,
        "b": name_b,
        "metric": metric,
        "difference": difference,
        "ci_low": low,
        "ci_high": high,
        "credible": credible,
        "verdict": verdict,
    }


def choose_model(comparison: Mapping[str, object], simpler: str) -> str:
    """The model to ship, from a paired comparison as :func:`compare_models` records it.

    ``comparison`` holds ``a``, ``b``, ``difference`` (``a - b``), ``ci_low`` and ``ci_high``; ``simpler``
    is the one of the two that is cheaper to run and explain. Returns the name of the model to ship.
    """
    # BEGIN SOLUTION
    # HINT: a model that looks better on the test months is not necessarily better: when does the
    # HINT: comparison earn the more complex model its place, and what do you ship when it does not?
    if comparison["ci_low"] > 0:
        return str(comparison["a"])
    if comparison["ci_high"] < 0:
        return str(comparison["b"])
    return simpler
    # END SOLUTION
