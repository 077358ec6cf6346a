"""Expected cost of the review policy at a threshold.

The policy, precisely: a transaction whose ``model_score`` is **greater than or equal to** the threshold
is held (declined at the point of sale) and queued for a manual review; every other transaction is
approved. An analyst's verdict is assumed correct. So each transaction costs:

=====================  ======================  ===================================
                       approved (score < t)    held for review (score >= t)
=====================  ======================  ===================================
fraud                  its ``amount`` (missed)  ``review_usd`` (caught)
legitimate             0                        ``review_usd + false_decline_usd``
=====================  ======================  ===================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("amount", "is_fraud", "model_score")


@dataclass(frozen=True)
class CostBreakdown:
    """Counts and costs (US dollars) of the policy on a set of transactions."""

    threshold: float
    n_transactions: int
    n_reviews: int
    n_fraud_caught: int
    n_fraud_missed: int
    n_false_declines: int
    missed_fraud_usd: float
    review_usd: float
    friction_usd: float
    total_usd: float

    def as_dict(self) -> dict[str, float]:
        """The breakdown as a plain dictionary (for DataFrames and JSON)."""
        return asdict(self)


def check_transactions(transactions: pd.DataFrame) -> None:
    """Raise a ``ValueError`` naming what is wrong if the frame cannot be costed."""
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(f"transactions must be a pandas DataFrame, got {type(transactions).__name__}.")
    missing = [column for column in REQUIRED_COLUMNS if column not in transactions.columns]
    if missing:
        raise ValueError(f"transactions is missing column(s) {missing}; it needs {list(REQUIRED_COLUMNS)}.")
    for column in REQUIRED_COLUMNS:
        if transactions[column].isna().any():
            rows = transactions.index[transactions[column].isna()].tolist()[:5]
            raise ValueError(f"Column {column!r} has missing values (first rows: {rows}); drop or fill them.")
    if (transactions["amount"] < 0).any():
        raise ValueError("Column 'amount' has negative values; amounts must be >= 0.")


def expected_cost(
    transactions: pd.DataFrame, threshold: float, *, review_usd: float, false_decline_usd: float
) -> CostBreakdown:
    """Cost of the policy "score >= threshold -> hold and review" on ``transactions``.

    Parameters
    ----------
    transactions:
        One row per transaction with ``amount`` (US dollars), ``is_fraud`` (bool or 0/1, the matured
        label) and ``model_score`` (higher means more likely fraud).
    threshold:
        Transactions with ``model_score >= threshold`` are held for review.
    review_usd:
        Cost of one manual review, paid for every held transaction, fraud or not.
    false_decline_usd:
        Friction cost of holding one legitimate transaction (paid on top of its review).

    Returns
    -------
    CostBreakdown
        Counts (reviews, fraud caught, fraud missed, false declines) and costs: missed fraud (the sum of
        missed fraud amounts), reviews, friction, and their total.
    """
    # HINT: held = score >= threshold; missed fraud costs its amount, every held row costs a review,
    # HINT: and every held legitimate row also costs the false-decline friction.
    raise NotImplementedError("expected_cost: held = score >= threshold; missed fraud costs its amount, every held row costs a review, and every held legitimate row also costs the false-decline friction.")


def saving_interval(
    transactions: pd.DataFrame,
    baseline_score: object,
    baseline_threshold: float,
    threshold: float,
    *,
    review_usd: float,
    false_decline_usd: float,
    groups: object,
    n_boot: int = 1000,
    alpha: float = 0.05,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Cost of the baseline policy minus cost of the model policy on the same transactions, and its interval.

    The baseline holds a transaction when ``baseline_score >= baseline_threshold`` (a rule: a 0/1 score at
    1.0), the model when ``model_score >= threshold``. Both policies are costed on each bootstrap resample,
    which draws whole ``groups`` (days: transactions of one day share its fraud wave) with replacement, so
    the interval is paired. Returns ``(saving, low, high)`` in dollars on ``transactions`` (scale it to a
    day yourself); a positive saving means the model costs less.
    """
    # HINT: per row, the cost under each policy (see the table at the top); the saving of a resample is
    # HINT: the sum over its rows of baseline cost minus model cost; draw whole groups (np.repeat of rows).
    raise NotImplementedError("saving_interval: per row, the cost under each policy (see the table at the top); the saving of a resample is the sum over its rows of baseline cost minus model cost; draw whole groups (np.repeat of rows).")


def cost_curve(
    transactions: pd.DataFrame,
    thresholds: Iterable[float],
    *,
    review_usd: float,
    false_decline_usd: float,
    daily_transactions: float,
) -> pd.DataFrame:
    """The policy's daily counts and costs at each threshold, scaled to ``daily_transactions`` a day.

    ``transactions`` is treated as a representative sample of traffic: each count and cost on the
    sample is multiplied by ``daily_transactions / len(transactions)``.

    Returns one row per threshold (in the order given) with columns ``threshold``, ``reviews_per_day``,
    ``fraud_caught_per_day``, ``fraud_missed_per_day``, ``false_declines_per_day``,
    ``missed_fraud_usd_per_day``, ``review_usd_per_day``, ``friction_usd_per_day`` and ``cost_per_day``.
    """
    # HINT: call expected_cost once per threshold and multiply its counts and costs by
    # HINT: daily_transactions / len(transactions).
    raise NotImplementedError("cost_curve: call expected_cost once per threshold and multiply its counts and costs by daily_transactions / len(transactions).")


def threshold_grid(step: float = 0.01) -> np.ndarray:
    """Candidate thresholds from 0 to 1 inclusive, rounded so that they print cleanly."""
    if not 0 < step <= 1:
        raise ValueError(f"step must be in (0, 1], got {step}.")
    return np.round(np.arange(0.0, 1.0 + step / 2, step), 6)
