"""Graded: labels with delay, emitted only when mature."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest


def _customers() -> pd.DataFrame:
    ts = lambda v: pd.to_datetime(pd.Series(v)).astype("datetime64[ns]")  # noqa: E731
    return pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "signup_date": ts(["2023-01-01", "2023-01-01", "2023-01-01", "2024-02-15", "2023-01-01"]),
            "churn_date": ts(["2024-01-20", "2024-01-31", None, None, "2023-12-31"]),
        }
    )


@pytest.mark.rubric("p3.labels.maturity", points=4)
def test_labels_only_when_mature(project_module):
    """Churn within 30 days after the as-of date, emitted only for mature snapshots, with held-back counts"""
    labels = project_module("churn_pipeline.labels")
    frame, summary = labels.make_labels(
        _customers(), [date(2024, 1, 1), date(2024, 3, 1)], date(2024, 3, 20), horizon_days=30, delay_days=45
    )
    got = {(r.customer_id, pd.Timestamp(r.as_of).date()): int(r.churned) for r in frame.itertuples()}
    expected = {("A", date(2024, 1, 1)): 1, ("B", date(2024, 1, 1)): 0, ("C", date(2024, 1, 1)): 0}
    assert got == expected, (
        f"labels {got}, expected {expected}: on 2024-03-20 only the 2024-01-01 snapshot is mature "
        "(2024-01-01 + 30 + 45 days <= 2024-03-20); A churned inside [as_of, as_of + 30 days), B on day 30 "
        "(outside), E before the as-of date (not in the population), D had not signed up."
    )
    assert summary["held_back"] == 2, (
        f"held_back = {summary['held_back']}: the 2024-03-01 snapshot has 2 active customers (C, D) whose "
        "labels are not mature yet; report them as held back instead of labelling them 0."
    )
    assert summary["mature"] == 3, f"mature = {summary['mature']}, expected the 3 emitted rows."


def _edge_customers() -> pd.DataFrame:
    ts = lambda v: pd.to_datetime(pd.Series(v)).astype("datetime64[ns]")  # noqa: E731
    return pd.DataFrame(
        {
            "customer_id": ["S", "L", "M", "N"],
            "signup_date": ts(["2023-01-01"] * 4),
            "churn_date": ts(["2024-01-01", "2024-01-14", "2024-01-20", None]),
        }
    )


@pytest.mark.rubric("p3.labels.boundaries", points=3)
def test_labels_follow_the_configured_horizon_and_delay(project_module):
    """Maturity and the churn window follow the configured horizon and delay, to the day

    With horizon_days=14 and delay_days=10, the 2024-01-01 snapshot matures on 2024-01-25 exactly (on or
    before the run date), not a day earlier; its window is [2024-01-01, 2024-01-15); a customer who churns
    on the as-of date is in the population and is a churner.
    """
    labels = project_module("churn_pipeline.labels")
    as_of = [date(2024, 1, 1)]
    frame, summary = labels.make_labels(
        _edge_customers(), as_of, date(2024, 1, 25), horizon_days=14, delay_days=10
    )
    got = {r.customer_id: int(r.churned) for r in frame.itertuples()}
    expected = {"S": 1, "L": 1, "M": 0, "N": 0}
    assert got == expected, (
        f"labels on run date 2024-01-25 with horizon_days=14, delay_days=10: got {got}, expected {expected}. "
        "The snapshot is mature when as_of + horizon + delay <= run date (2024-01-25 is that day); use the "
        "configured horizon and delay, not defaults; S churns on the as-of date itself: it was active that "
        "morning and churned inside [as_of, as_of + horizon); M churns on day 19, outside a 14-day window."
    )
    assert summary["held_back"] == 0, (
        f"held_back = {summary['held_back']}: nothing is immature on 2024-01-25."
    )
    early, summary = labels.make_labels(
        _edge_customers(), as_of, date(2024, 1, 24), horizon_days=14, delay_days=10
    )
    assert len(early) == 0 and summary["held_back"] == 4, (
        f"on 2024-01-24 (one day before as_of + 14 + 10 days) the snapshot is not mature: emit no label and "
        f"hold back its 4 customers; got {len(early)} label(s) and held_back = {summary['held_back']}. Wait "
        "for the end of the window AND the reporting delay."
    )
