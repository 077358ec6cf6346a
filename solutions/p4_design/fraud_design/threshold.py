"""The operating point: the cheapest threshold the review team can handle."""

from __future__ import annotations

import pandas as pd


def choose_threshold(curve: pd.DataFrame, review_capacity_per_day: float) -> pd.Series:
    """Pick the row of ``curve`` with the lowest ``cost_per_day`` among those the review team can handle.

    Parameters
    ----------
    curve:
        One row per candidate threshold with at least the columns ``threshold``, ``reviews_per_day`` and
        ``cost_per_day`` (as returned by ``fraud_design.cost.cost_curve``).
    review_capacity_per_day:
        The most reviews the team can do in a day. A row is feasible when
        ``reviews_per_day <= review_capacity_per_day``.

    Returns
    -------
    pandas.Series
        The chosen row (index: the curve's columns). On a tie in cost the higher threshold wins, since
        it sends fewer transactions to review.

    Raises
    ------
    ValueError
        If a column is missing, the capacity is negative, or no threshold is feasible.
    """
    # BEGIN SOLUTION
    # HINT: keep the rows with reviews_per_day <= capacity, then take the one with the lowest cost_per_day;
    # HINT: raise a ValueError that says so when no row is feasible.
    missing = [c for c in ("threshold", "reviews_per_day", "cost_per_day") if c not in curve.columns]
    if missing:
        raise ValueError(f"curve is missing column(s) {missing}.")
    if review_capacity_per_day < 0:
        raise ValueError(f"review_capacity_per_day must be >= 0, got {review_capacity_per_day}.")
    feasible = curve[curve["reviews_per_day"] <= review_capacity_per_day]
    if feasible.empty:
        fewest = curve["reviews_per_day"].min()
        raise ValueError(
            f"No threshold keeps reviews within {review_capacity_per_day:g} a day (the fewest is "
            f"{fewest:g}): add higher thresholds or more review capacity."
        )
    ordered = feasible.sort_values(["cost_per_day", "threshold"], ascending=[True, False], kind="mergesort")
    return ordered.iloc[0]
    # END SOLUTION
