"""Thresholds for the contact policy: by capacity and by expected profit, and the profit curve."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn_baseline.config import DecisionConfig
from churn_baseline.metrics import capacity_count


def threshold_for_capacity(y_score: object, capacity: float) -> float:
    """The score threshold that contacts ``capacity_count(n, capacity)`` rows: the k-th highest score.

    Contact the rows with ``score >= threshold`` (ties at the threshold may add a few rows).
    """
    # BEGIN SOLUTION
    # HINT: sort the scores in descending order and take the k-th one (k = capacity_count(n, capacity)).
    s = np.sort(np.asarray(y_score, dtype=float))[::-1]
    if len(s) == 0:
        raise ValueError("no scores to choose a threshold from")
    return float(s[capacity_count(len(s), capacity) - 1])
    # END SOLUTION


def profit_curve(y_true: object, y_score: object, decision: DecisionConfig) -> pd.DataFrame:
    """Profit of contacting the top-k rows, for every k from 1 to n.

    Columns: ``k``, ``share`` (k / n), ``threshold`` (the k-th highest score), ``churners`` (positives among
    the k) and ``profit`` (churners * save_rate * saved_value - k * contact_cost).
    """
    # BEGIN SOLUTION
    # HINT: sort by score descending; the cumulative sum of labels counts the churners reached at each k.
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(y_score, dtype=float)
    order = np.argsort(-s, kind="stable")
    churners = np.cumsum(y[order])
    k = np.arange(1, len(y) + 1)
    return pd.DataFrame(
        {
            "k": k,
            "share": k / len(y),
            "threshold": s[order],
            "churners": churners,
            "profit": churners * decision.gain_per_churner - k * decision.contact_cost,
        }
    )
    # END SOLUTION


def threshold_for_profit(y_true: object, y_score: object, decision: DecisionConfig) -> dict[str, float]:
    """The threshold that maximises profit on (validation) data, never contacting more than the capacity.

    Returns ``{"threshold", "share", "profit"}``. Contacting nobody (profit 0) is allowed: then the threshold
    is ``inf``.
    """
    # BEGIN SOLUTION
    # HINT: restrict the profit curve to k <= capacity_count(n, capacity) and pick its best row.
    curve = profit_curve(y_true, y_score, decision)
    allowed = curve.iloc[: capacity_count(len(curve), decision.capacity)]
    best = allowed.loc[allowed["profit"].idxmax()]
    if best["profit"] <= 0:
        return {"threshold": float("inf"), "share": 0.0, "profit": 0.0}
    return {
        "threshold": float(best["threshold"]),
        "share": float(best["share"]),
        "profit": float(best["profit"]),
    }
    # END SOLUTION
