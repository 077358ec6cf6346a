"""Can the A/B test confirm the saving? Power and minimum detectable effect of the launch experiment.

The launch A/B test randomises **customers** (a card and its payments stay in one arm), so the unit of
analysis is a customer: the test compares the mean cost per customer over the test in the two arms. Its
minimum detectable effect (MDE) is the smallest true difference a two-sided z-test at level ``alpha``
detects with probability ``power``:

    MDE = (z(1 - alpha / 2) + z(power)) * sqrt(sd_control**2 / n_control + sd_treatment**2 / n_treatment)

The backtest gives each customer's cost over its window under both policies. Over a test of ``test_days``
a customer's cost grows with the days, and so does its variance (costs of different days add up), so the
per-customer standard deviation over the test is the window's times ``sqrt(test_days / window_days)``.
A difference in mean cost per customer is a saving of ``difference * units / test_days`` a day over the
whole customer base. The normal approximation holds because each arm has millions of customers, even
though one customer's cost is far from normal (most pay nothing, a few lose a fraud's amount).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd


def _check_probability(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}.")


def minimum_detectable_effect(
    sd_control: float,
    sd_treatment: float,
    n_control: float,
    n_treatment: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """Smallest true difference in means that a two-sided z-test at ``alpha`` detects with ``power``.

    ``sd_*`` are the standard deviations of the metric per unit in each arm and ``n_*`` the units in each
    arm. Raises ``ValueError`` for a negative standard deviation, an arm without units, or ``alpha`` or
    ``power`` outside (0, 1).
    """
    # HINT: z of 1 - alpha/2 (two-sided) plus z of power, times the standard error of the difference of
    # HINT: two independent means: sqrt(sd_c**2 / n_c + sd_t**2 / n_t).
    raise NotImplementedError("minimum_detectable_effect: z of 1 - alpha/2 (two-sided) plus z of power, times the standard error of the difference of two independent means: sqrt(sd_c**2 / n_c + sd_t**2 / n_t).")


def customer_costs(
    transactions: pd.DataFrame,
    held: Sequence[bool] | np.ndarray,
    *,
    review_usd: float,
    false_decline_usd: float,
    unit: str = "customer_id",
) -> pd.Series:
    """Each customer's total cost over ``transactions`` under a policy that holds the rows in ``held``.

    A row costs what ``cost.expected_cost`` charges it: a held row a review (plus the friction when it is
    legitimate), an approved fraud its amount, an approved legitimate payment nothing. Returns one value per
    ``unit`` (indexed by it), customers without any cost included (as 0).
    """
    # HINT: the cost of every row under the policy (see cost.py's table), then groupby(unit).sum().
    raise NotImplementedError("customer_costs: the cost of every row under the policy (see cost.py's table), then groupby(unit).sum().")


def daily_saving_mde(
    control_costs: Sequence[float] | np.ndarray,
    treatment_costs: Sequence[float] | np.ndarray,
    *,
    units: float,
    window_days: float,
    test_days: float,
    treated_share: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The smallest daily saving (over all ``units`` customers) an A/B test of ``test_days`` can detect.

    ``control_costs`` and ``treatment_costs``: each customer's cost over a backtest window of
    ``window_days`` under today's policy and under the new one (the spread of costs per customer, not the
    customers themselves: the test's arms are ``units * (1 - treated_share)`` and ``units * treated_share``
    customers of the whole base). See the module's docstring for the scaling.
    """
    # HINT: scale each standard deviation by sqrt(test_days / window_days), split the units by the share,
    # HINT: take the MDE of the mean cost per customer, then turn it into dollars a day: * units / test_days.
    raise NotImplementedError("daily_saving_mde: scale each standard deviation by sqrt(test_days / window_days), split the units by the share, take the MDE of the mean cost per customer, then turn it into dollars a day: * units / test_days.")


def days_to_detect(
    saving_per_day: float,
    control_costs: Sequence[float] | np.ndarray,
    treatment_costs: Sequence[float] | np.ndarray,
    *,
    units: float,
    window_days: float,
    treated_share: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> int:
    """The shortest test, in whole days, whose MDE is at most ``saving_per_day`` (see ``daily_saving_mde``).

    Raises ``ValueError`` when ``saving_per_day`` is not positive: no test detects a saving of zero.
    """
    # HINT: the daily MDE falls as 1 / sqrt(test_days): solve MDE(1 day) / sqrt(days) <= saving for days.
    raise NotImplementedError("days_to_detect: the daily MDE falls as 1 / sqrt(test_days): solve MDE(1 day) / sqrt(days) <= saving for days.")
