"""Graded: a gradual drift built from the world's own months, and the delay before a test raises it."""

from __future__ import annotations

import pandas as pd
import pytest


def _months(n: int = 2000):
    ids = [f"C{i:05d}" for i in range(n)]
    unaffected = pd.DataFrame({"customer_id": ids, "monthly_price": 20.0, "world": "calm"})
    affected = pd.DataFrame({"customer_id": ids, "monthly_price": 25.0, "world": "drifted"})
    return unaffected, affected


@pytest.mark.rubric("p5.drift.gradual", points=2)
def test_mix_month_rolls_out_to_a_rising_share_of_customers(project_module):
    """mix_month takes the drifted rows for about `share` of customers, the same customers as it rises."""
    scenario = project_module("churn_lifecycle.scenario")
    unaffected, affected = _months()
    none = scenario.mix_month(unaffected, affected, 0.0, seed=0)
    assert (none["world"] == "calm").all() and len(none) == 2000, (
        "share 0: every customer keeps the row of the world without the drift, one row per customer."
    )
    everyone = scenario.mix_month(unaffected, affected, 1.0, seed=0)
    assert (everyone["world"] == "drifted").all() and len(everyone) == 2000, (
        "share 1: every customer gets the drifted row."
    )
    shares = {}
    reached = {}
    for share in (0.1, 0.3):
        mixed = scenario.mix_month(unaffected, affected, share, seed=0)
        assert len(mixed) == 2000 and mixed["customer_id"].is_unique, (
            "a mixed month has exactly one row per customer: the drifted one or the unaffected one."
        )
        hit = mixed["world"] == "drifted"
        shares[share] = hit.mean()
        reached[share] = set(mixed.loc[hit, "customer_id"])
        assert abs(shares[share] - share) < 0.05, (
            f"share {share}: {shares[share]:.3f} of customers got the drifted row; expected about {share}."
        )
    assert reached[0.1] <= reached[0.3], (
        "a gradual rollout keeps the customers it has reached: every customer drifted at share 0.1 must be "
        "drifted at share 0.3 too (draw one fixed number per customer, e.g. from a hash of its id)."
    )
    shifted = _months()[1].assign(customer_id=lambda d: d["customer_id"].iloc[::-1].to_numpy())
    again = scenario.mix_month(unaffected, shifted, 0.3, seed=0)
    assert set(again.loc[again["world"] == "drifted", "customer_id"]) == reached[0.3], (
        "which customers the rollout reaches must depend on the customer (its id and the seed), not on the "
        "row order of a month, so that next month's frame reaches the same customers."
    )


@pytest.mark.rubric("p5.drift.gradual", points=1)
def test_detection_delay_counts_months_to_the_first_alarm(project_module):
    """detection_delay is the number of months from the drift's start to the first alarm, None if none."""
    scenario = project_module("churn_lifecycle.scenario")
    assert scenario.detection_delay([False, False, True, True]) == 2, (
        "alarms [no, no, yes, yes] from the drift's first month: the delay is 2 months."
    )
    assert scenario.detection_delay([True, False]) == 0, "an alarm in the drift's first month: delay 0."
    assert scenario.detection_delay([False, False]) is None, "no alarm at all: None, not 0 or -1."
