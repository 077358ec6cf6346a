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
    # BEGIN SOLUTION
    # HINT: the window [as_of, as_of + horizon) must be over AND the reporting delay must have passed.
    return as_of + timedelta(days=horizon_days + delay_days) <= run_date
    # END SOLUTION


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
    # BEGIN SOLUTION
    # HINT: the population of a snapshot is the feature population (signed up before, not churned before);
    # HINT: count the rows of immature snapshots instead of emitting them with a guessed label.
    import pandas as pd

    signup = customers["signup_date"].dt.normalize()
    churn = customers["churn_date"].dt.normalize()
    frames, held_back = [], {}
    for as_of in sorted(set(as_of_dates)):
        stamp = pd.Timestamp(as_of)
        active = (signup < stamp) & (churn.isna() | (churn >= stamp))
        if not is_mature(stamp.date(), run_date, horizon_days, delay_days):
            held_back[stamp.date().isoformat()] = int(active.sum())
            continue
        end = stamp + pd.Timedelta(days=horizon_days)
        churned = (churn >= stamp) & (churn < end)
        frames.append(
            pd.DataFrame(
                {
                    "customer_id": customers.loc[active, "customer_id"].to_numpy(),
                    "as_of": stamp,
                    "churned": churned[active].astype("int64").to_numpy(),
                }
            )
        )
    columns = {"customer_id": "object", "as_of": "datetime64[ns]", "churned": "int64"}
    labels = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(columns))
    labels = labels.astype(columns).sort_values(["as_of", "customer_id"], kind="mergesort")
    summary = {
        "run_date": run_date.isoformat(),
        "mature": len(labels),
        "held_back": sum(held_back.values()),
        "held_back_by_as_of": held_back,
        "positive_rate": round(float(labels["churned"].mean()), 4) if len(labels) else None,
    }
    return labels.reset_index(drop=True), summary
    # END SOLUTION
