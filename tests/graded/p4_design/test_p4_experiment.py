"""Graded: can the launch A/B test confirm the saving? Its minimum detectable effect and length."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower

Z95, Z80 = 1.959964, 0.841621  # two-sided 5 % test, 80 % power


def spread_costs(seed: int, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Costs per customer over a window: most pay little, a few lose a fraud's amount (heavy tail)."""
    rng = np.random.default_rng(seed)
    control = rng.exponential(4.0, n) + (rng.random(n) < 0.01) * rng.exponential(500.0, n)
    treatment = rng.exponential(4.0, n) + (rng.random(n) < 0.006) * rng.exponential(500.0, n)
    return control, treatment


@pytest.mark.rubric("p4.experiment.mde", points=1)
def test_mde_is_a_two_sided_test_with_power(project_module):
    """The MDE of equal arms is what a two-sided z-test at alpha with the given power detects."""
    experiment = project_module("fraud_design.experiment")
    effect_size = NormalIndPower().solve_power(nobs1=2500, alpha=0.05, power=0.8, ratio=1.0)
    expected = effect_size * 30.0  # in standard deviations, times the standard deviation
    got = experiment.minimum_detectable_effect(30.0, 30.0, 2500, 2500, alpha=0.05, power=0.8)
    assert got == pytest.approx(expected, rel=1e-4), (
        f"With sd 30 in both arms and 2,500 units each, the MDE is {expected:.4f} (two-sided 5 % test, 80 % "
        f"power: (z(0.975) + z(0.8)) * sqrt(30**2/2500 + 30**2/2500)); you returned {got}. A one-sided "
        "z, a missing power term or sd/n instead of sd**2/n each give another number."
    )
    stricter = experiment.minimum_detectable_effect(30.0, 30.0, 2500, 2500, alpha=0.01, power=0.9)
    assert stricter > got, "A smaller alpha and a higher power must need a larger effect to detect."


@pytest.mark.rubric("p4.experiment.mde", points=1)
def test_mde_of_unequal_arms_uses_each_arms_spread_and_size(project_module):
    """With unequal arms each arm's variance is divided by its own number of units."""
    experiment = project_module("fraud_design.experiment")
    got = experiment.minimum_detectable_effect(20.0, 10.0, 900, 100)
    expected = (Z95 + Z80) * math.sqrt(20.0**2 / 900 + 10.0**2 / 100)
    assert got == pytest.approx(expected, rel=1e-4), (
        f"Control sd 20 on 900 units, treatment sd 10 on 100 units: MDE {expected:.4f}; you returned {got}. "
        "Divide each arm's variance by that arm's units (not the total, not the other arm's)."
    )


@pytest.mark.rubric("p4.experiment.mde", points=1)
def test_mde_refuses_impossible_inputs(project_module):
    """A negative spread, an arm without units, or alpha or power outside (0, 1) raise ValueError."""
    experiment = project_module("fraud_design.experiment")
    cases = {
        "a negative standard deviation": ((-1.0, 1.0, 100, 100), {}),
        "an arm without units": ((1.0, 1.0, 0, 100), {}),
        "alpha = 0": ((1.0, 1.0, 100, 100), {"alpha": 0.0}),
        "power = 1": ((1.0, 1.0, 100, 100), {"power": 1.0}),
    }
    for what, (args, kwargs) in cases.items():
        with pytest.raises(ValueError):
            experiment.minimum_detectable_effect(*args, **kwargs)
            pytest.fail(f"minimum_detectable_effect accepted {what}: raise a ValueError that names it.")


@pytest.mark.rubric("p4.experiment.customer_costs", points=1)
def test_customer_costs_sum_each_customers_rows_under_the_policy(project_module):
    """Each customer's cost: reviews (plus friction for legitimate holds) and missed fraud amounts."""
    experiment = project_module("fraud_design.experiment")
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "c"],
            "amount": [100.0, 20.0, 50.0, 70.0, 5.0],
            "is_fraud": [1, 0, 1, 0, 0],
        }
    )
    held = [False, True, True, False, False]
    got = experiment.customer_costs(frame, held, review_usd=4.0, false_decline_usd=15.0)
    expected = {"a": 100.0 + 4.0 + 15.0, "b": 4.0, "c": 0.0}
    assert {str(k): float(v) for k, v in dict(got).items()} == pytest.approx(expected), (
        f"Expected {expected} (a: a missed $100 fraud and a held legitimate payment; b: a held fraud costs a "
        f"review; c: nothing held, no fraud), got {dict(got)}."
    )


@pytest.mark.rubric("p4.experiment.test_length", points=1)
def test_daily_mde_follows_the_test_length_and_the_split(project_module):
    """The daily MDE: per-customer spread stretched to the test, arms split by the share, in dollars a day."""
    experiment = project_module("fraud_design.experiment")
    control, treatment = spread_costs(seed=1)
    units, window, share = 2_000_000, 40.0, 0.2
    got = experiment.daily_saving_mde(
        control, treatment, units=units, window_days=window, test_days=28, treated_share=share
    )
    stretch = math.sqrt(28 / window)
    sd_c, sd_t = np.std(control, ddof=1) * stretch, np.std(treatment, ddof=1) * stretch
    per_customer = (Z95 + Z80) * math.sqrt(sd_c**2 / (units * (1 - share)) + sd_t**2 / (units * share))
    expected = per_customer * units / 28
    assert got == pytest.approx(expected, rel=1e-3), (
        f"Expected a daily MDE of ${expected:,.0f}: each customer's sd over the test is the window's times "
        f"sqrt(28/40), the treated arm is 20 % of 2,000,000 customers, and a difference in mean cost per "
        f"customer over 28 days is that difference * customers / 28 a day. You returned {got:,.0f}."
    )
    longer = experiment.daily_saving_mde(
        control, treatment, units=units, window_days=window, test_days=112, treated_share=share
    )
    assert longer == pytest.approx(got / 2, rel=1e-3), (
        "A test four times as long must halve the daily MDE (variance grows with the days, the saving too)."
    )


@pytest.mark.rubric("p4.experiment.test_length", points=1)
def test_days_to_detect_is_the_shortest_test_that_detects_the_saving(project_module):
    """days_to_detect returns the shortest whole number of days whose daily MDE is at most the saving."""
    experiment = project_module("fraud_design.experiment")
    control, treatment = spread_costs(seed=2)
    kw = {"units": 3_000_000, "window_days": 45.0, "treated_share": 0.1}
    saving = 20_000.0
    days = experiment.days_to_detect(saving, control, treatment, **kw)
    at = experiment.daily_saving_mde(control, treatment, test_days=days, **kw)
    before = experiment.daily_saving_mde(control, treatment, test_days=days - 1, **kw)
    assert at <= saving * (1 + 1e-9) and before > saving, (
        f"days_to_detect returned {days}: the MDE is ${at:,.0f} a day at {days} days and ${before:,.0f} at "
        f"{days - 1}; the shortest test whose MDE is at most ${saving:,.0f} is the answer."
    )
    with pytest.raises(ValueError):
        experiment.days_to_detect(0.0, control, treatment, **kw)
