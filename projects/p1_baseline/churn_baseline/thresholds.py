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
    # HINT: sort the scores in descending order and take the k-th one (k = capacity_count(n, capacity)).
    raise NotImplementedError("threshold_for_capacity: sort the scores in descending order and take the k-th one (k = capacity_count(n, capacity)).")


def profit_curve(y_true: object, y_score: object, decision: DecisionConfig) -> pd.DataFrame:
    """Profit of contacting the top-k rows, for every k from 1 to n.

    Columns: ``k``, ``share`` (k / n), ``threshold`` (the k-th highest score), ``churners`` (positives among
    the k) and ``profit`` (churners * save_rate * saved_value - k * contact_cost).
    """
    # HINT: sort by score descending; the cumulative sum of labels counts the churners reached at each k.
    raise NotImplementedError("profit_curve: sort by score descending; the cumulative sum of labels counts the churners reached at each k.")


def threshold_for_profit(y_true: object, y_score: object, decision: DecisionConfig) -> dict[str, float]:
    """The threshold that maximises profit on (validation) data, never contacting more than the capacity.

    Returns ``{"threshold", "share", "profit"}``. Contacting nobody (profit 0) is allowed: then the threshold
    is ``inf``.
    """
    # HINT: restrict the profit curve to k <= capacity_count(n, capacity) and pick its best row.
    raise NotImplementedError("threshold_for_profit: restrict the profit curve to k <= capacity_count(n, capacity) and pick its best row.")
