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
    # HINT: keep the rows with reviews_per_day <= capacity, then take the one with the lowest cost_per_day;
    # HINT: raise a ValueError that says so when no row is feasible.
    raise NotImplementedError("choose_threshold: keep the rows with reviews_per_day <= capacity, then take the one with the lowest cost_per_day; raise a ValueError that says so when no row is feasible.")
