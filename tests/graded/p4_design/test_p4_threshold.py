"""Graded: the cheapest threshold the review team can handle."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def five_thresholds() -> pd.DataFrame:
    """The unconstrained optimum (0.3) needs 2,000 reviews a day; 0.5 is the cheapest under 1,000."""
    return pd.DataFrame(
        {
            "threshold": [0.1, 0.3, 0.5, 0.7, 0.9],
            "reviews_per_day": [5000.0, 2000.0, 900.0, 300.0, 50.0],
            "cost_per_day": [20_000.0, 12_000.0, 15_000.0, 18_000.0, 30_000.0],
        }
    )


@pytest.mark.rubric("p4.threshold.cheapest_feasible", points=4)
def test_picks_the_cheapest_threshold_within_capacity(project_module):
    """The chosen threshold is the cheapest one whose reviews fit the daily review capacity."""
    threshold = project_module("fraud_design.threshold")
    chosen = threshold.choose_threshold(five_thresholds(), review_capacity_per_day=1000)
    assert chosen["threshold"] == pytest.approx(0.5), (
        f"With 1,000 reviews a day, 0.1 and 0.3 are out of reach; the cheapest of the rest is 0.5 ($15,000), "
        f"you chose {chosen['threshold']}. Filter by capacity first, then minimise cost_per_day."
    )
    unlimited = threshold.choose_threshold(five_thresholds(), review_capacity_per_day=10_000)
    assert unlimited["threshold"] == pytest.approx(0.3), (
        f"With ample capacity the cheapest threshold is 0.3 ($12,000); you chose {unlimited['threshold']}."
    )


@pytest.mark.rubric("p4.threshold.within_capacity", points=5)
def test_never_exceeds_capacity_and_never_leaves_a_cheaper_feasible_threshold(project_module):
    """Reviews at the chosen threshold never exceed capacity, and no feasible threshold is cheaper."""
    threshold = project_module("fraud_design.threshold")
    threshold.choose_threshold(five_thresholds(), review_capacity_per_day=1000)  # fails fast on a stub

    @settings(max_examples=40, deadline=None, derandomize=True, database=None)
    @given(
        rows=st.lists(
            st.tuples(st.integers(0, 5000), st.integers(0, 100_000)),
            min_size=1,
            max_size=12,
            unique_by=lambda r: r[0],
        ),
        capacity=st.integers(0, 5000),
    )
    def check(rows, capacity):
        curve = pd.DataFrame(
            {
                "threshold": [round(0.05 * i, 2) for i in range(len(rows))],
                "reviews_per_day": [float(r) for r, _ in rows],
                "cost_per_day": [float(c) for _, c in rows],
            }
        )
        feasible = curve[curve["reviews_per_day"] <= capacity]
        if feasible.empty:
            with pytest.raises(ValueError):
                threshold.choose_threshold(curve, review_capacity_per_day=capacity)
            return
        chosen = threshold.choose_threshold(curve, review_capacity_per_day=capacity)
        assert chosen["reviews_per_day"] <= capacity, (
            f"You chose threshold {chosen['threshold']} with {chosen['reviews_per_day']} reviews a day, over "
            f"the capacity of {capacity}; only thresholds with reviews_per_day <= capacity are allowed."
        )
        assert chosen["cost_per_day"] == pytest.approx(feasible["cost_per_day"].min()), (
            f"A feasible threshold costs {feasible['cost_per_day'].min()} a day, less than your choice "
            f"({chosen['cost_per_day']}); pick the cheapest threshold within capacity "
            "(a row exactly at capacity counts)."
        )

    check()


@pytest.mark.rubric("p4.threshold.infeasible_raises", points=3)
def test_raises_when_no_threshold_fits_capacity(project_module):
    """When no threshold fits the review capacity, choose_threshold raises a ValueError."""
    threshold = project_module("fraud_design.threshold")
    with pytest.raises(ValueError):
        threshold.choose_threshold(five_thresholds(), review_capacity_per_day=10)


@pytest.mark.rubric("p4.threshold.tie_fewer_reviews", points=2)
def test_a_tie_in_cost_goes_to_the_threshold_with_fewer_reviews(project_module):
    """On a tie in cost, the threshold that sends fewer payments to review wins (the higher one)."""
    threshold = project_module("fraud_design.threshold")
    curve = pd.DataFrame(
        {
            "threshold": [0.1, 0.2, 0.3, 0.4],
            "reviews_per_day": [900.0, 600.0, 400.0, 200.0],
            "cost_per_day": [15_000.0, 12_000.0, 12_000.0, 13_000.0],
        }
    )
    chosen = threshold.choose_threshold(curve, review_capacity_per_day=1000)
    assert chosen["threshold"] == pytest.approx(0.3), (
        "Thresholds 0.2 (600 reviews a day) and 0.3 (400) both cost $12,000 a day within capacity; you chose "
        f"{chosen['threshold']}. On a tie in cost keep the higher threshold: the same cost with fewer "
        "payments held and 200 reviews a day of the team's time left (idxmin keeps the first row, the lower "
        "threshold)."
    )
