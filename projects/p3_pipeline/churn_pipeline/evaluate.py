"""An evaluation with its uncertainty: a bootstrap interval of a ROC AUC, and of the gap between two models.

An evaluation snapshot holds one row per customer, so resampling rows resamples customers. About a hundred
churners decide a snapshot's AUC: without an interval, a difference of a few hundredths is not a finding.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.metrics import roc_auc_score


def _resamples(y: np.ndarray, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Row indices of ``n_boot`` bootstrap resamples that hold both classes (one class has no AUC)."""
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        rows = rng.integers(0, len(y), len(y))
        if y[rows].min() != y[rows].max():
            yield rows


def _check(y_true: object, *scores: object) -> tuple[np.ndarray, ...]:
    y = np.asarray(y_true, dtype=int)
    arrays = tuple(np.asarray(s, dtype=float) for s in scores)
    if any(a.shape != y.shape for a in arrays) or y.ndim != 1:
        raise ValueError(
            f"labels and scores must be 1-d of one length: {[y.shape, *(a.shape for a in arrays)]}"
        )
    if y.min() == y.max():
        raise ValueError("the evaluation rows hold one class only: a ROC AUC needs churners and stayers")
    return (y, *arrays)


def auc_interval(
    y_true: object, score: object, n_boot: int = 1000, alpha: float = 0.05, seed: int = 0
) -> tuple[float, float, float]:
    """ROC AUC on all rows and its percentile ``1 - alpha`` bootstrap interval: ``(auc, low, high)``."""
    # HINT: resample rows with replacement (np.random.default_rng(seed)), skip one-class resamples,
    # HINT: take the alpha/2 and 1 - alpha/2 percentiles of the resampled AUCs.
    raise NotImplementedError("auc_interval: resample rows with replacement (np.random.default_rng(seed)), skip one-class resamples, take the alpha/2 and 1 - alpha/2 percentiles of the resampled AUCs.")


def paired_auc_difference(
    y_true: object, score_a: object, score_b: object, n_boot: int = 1000, alpha: float = 0.05, seed: int = 0
) -> tuple[float, float, float]:
    """``AUC(a) - AUC(b)`` on the same rows and its paired bootstrap interval: ``(difference, low, high)``.

    Both models are scored on each resample, so what the resample does to both cancels.
    """
    # HINT: one resample loop; in each, AUC(a) - AUC(b) on the same rows.
    raise NotImplementedError("paired_auc_difference: one resample loop; in each, AUC(a) - AUC(b) on the same rows.")
