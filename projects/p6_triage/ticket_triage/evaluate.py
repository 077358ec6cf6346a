"""Macro-F1 with a bootstrap interval, and a paired comparison of two rungs on the same tickets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str | None], labels: Sequence[str]) -> float:
    """Macro-F1 over ``labels`` (an abstention, None, counts as wrong)."""
    y_pred = ["__abstained__" if p is None else p for p in y_pred]
    return float(f1_score(list(y_true), y_pred, labels=list(labels), average="macro", zero_division=0))


def macro_f1_interval(
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    labels: Sequence[str],
    n_boot: int = 500,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(macro-F1, 2.5 % and 97.5 % bootstrap quantiles), resampling tickets with replacement."""
    # HINT: draw len(y_true) indices with replacement per resample, score each, take quantiles.
    raise NotImplementedError("macro_f1_interval: draw len(y_true) indices with replacement per resample, score each, take quantiles.")


def paired_difference(
    y_true: Sequence[str], a: Sequence[str | None], b: Sequence[str | None], labels: Sequence[str],
    n_boot: int = 500, seed: int = 0,
) -> tuple[float, float, float]:  # fmt: skip
    """Macro-F1 of ``a`` minus ``b`` on the same tickets, with a paired bootstrap interval."""
    y_true = np.asarray(y_true, dtype=object)
    a = np.asarray(["__abstained__" if p is None else p for p in a], dtype=object)
    b = np.asarray(["__abstained__" if p is None else p for p in b], dtype=object)
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y_true), len(y_true))
        diffs.append(macro_f1(y_true[idx], a[idx], labels) - macro_f1(y_true[idx], b[idx], labels))
    low, high = np.quantile(diffs, [0.025, 0.975])
    return macro_f1(y_true, a, labels) - macro_f1(y_true, b, labels), float(low), float(high)


def latency_percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50 and p99 latency in milliseconds."""
    ms = np.asarray(seconds, dtype=float) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99))}
