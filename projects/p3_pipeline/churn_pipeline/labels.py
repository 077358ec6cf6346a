"""Stage `labels`: churn within the horizon after each as-of date, emitted only once it is mature.

A churn is known to the business ``delay_days`` after it happens (cancellations are processed at the end
of a notice period). The label of (customer, as_of) is therefore final only when the whole window
``[as_of, as_of + horizon_days)`` plus the delay has passed on the run date; earlier, it is held back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any


def is_mature(as_of: date, run_date: date, horizon_days: int, delay_days: int) -> bool:
    """Whether the label of a snapshot dated ``as_of`` is final on ``run_date``."""
    # HINT: the window [as_of, as_of + horizon) must be over AND the reporting delay must have passed.
    raise NotImplementedError("is_mature: the window [as_of, as_of + horizon) must be over AND the reporting delay must have passed.")


def make_labels(
    customers: Any,
    as_of_dates: Iterable[date],
    run_date: date,
    horizon_days: int = 30,
    delay_days: int = 45,
) -> tuple[Any, dict[str, Any]]:
    """Labels for the customers active at each as-of date, and a summary of what was held back.

    Returns ``(labels, summary)``: ``labels`` has ``customer_id``, ``as_of`` (datetime64), ``churned``
    (1 if ``as_of <= churn_date < as_of + horizon_days``, else 0) for mature snapshots only, sorted by
    (as_of, customer_id); ``summary`` has ``mature`` (rows emitted), ``held_back`` (rows of immature
    snapshots, not emitted) and ``held_back_by_as_of`` (ISO date -> rows).
    """
    # HINT: the population of a snapshot is the feature population (signed up before, not churned before);
    # HINT: count the rows of immature snapshots instead of emitting them with a guessed label.
    raise NotImplementedError("make_labels: the population of a snapshot is the feature population (signed up before, not churned before); count the rows of immature snapshots instead of emitting them with a guessed label.")
