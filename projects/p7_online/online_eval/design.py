"""Design the experiment before it runs: how many customers, what it can detect, who gets which arm.

The primary metric is a mean per customer (90-day revenue), compared between two arms with a two-sided
z-test at level ``alpha``. The number of customers per arm that detects a true difference ``mde`` with
probability ``power`` when the treatment arm is ``ratio`` times the control arm:

    n_control = (z(1 - alpha / 2) + z(power))**2 * sd**2 * (1 + 1 / ratio) / mde**2

Randomisation is by customer (a customer's outcomes stay in one arm) and stratified: within each stratum
the customers are shuffled and dealt to the arms in turn, so every stratum is balanced to one customer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd


def _check(alpha: float, power: float) -> None:
    for name, value in (("alpha", alpha), ("power", power)):
        if not 0 < value < 1:
            raise ValueError(f"{name} must be strictly between 0 and 1, got {value}.")


def _z_total(alpha: float, power: float) -> float:
    return NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)


def sample_size_per_arm(
    sd: float, mde: float, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> tuple[int, int]:
    """Customers needed in (control, treatment) to detect a difference ``mde`` in a metric of spread ``sd``.

    Two-sided z-test; the treatment arm is ``ratio`` times the control arm. Both counts are rounded up.
    Raises ``ValueError`` for a non-positive ``sd``, ``mde`` or ``ratio``, or ``alpha`` or ``power``
    outside (0, 1).
    """
    # HINT: (z(1 - alpha/2) + z(power))**2 * sd**2 * (1 + 1/ratio) / mde**2 customers in control, ratio
    # HINT: times that in treatment; round both up. Compare with statsmodels' NormalIndPower.
    raise NotImplementedError("sample_size_per_arm: (z(1 - alpha/2) + z(power))**2 * sd**2 * (1 + 1/ratio) / mde**2 customers in control, ratio times that in treatment; round both up. Compare with statsmodels' NormalIndPower.")


def minimum_detectable_effect(
    sd: float, n_control: int, n_treatment: int, *, alpha: float = 0.05, power: float = 0.8
) -> float:
    """The smallest true difference a two-sided z-test at ``alpha`` detects with ``power``.

    Raises ``ValueError`` for a non-positive ``sd`` or arm size, or ``alpha``/``power`` outside (0, 1).
    """
    # HINT: the same formula solved for the difference: z_total * sd * sqrt(1/n_c + 1/n_t).
    raise NotImplementedError("minimum_detectable_effect: the same formula solved for the difference: z_total * sd * sqrt(1/n_c + 1/n_t).")


def assign(
    customers: pd.DataFrame, arms: Sequence[str], strata: Sequence[str] = (), *, seed: int = 0
) -> pd.DataFrame:
    """Randomise customers to ``arms`` in equal shares, balanced within each stratum.

    ``customers`` has a ``customer_id`` column and the ``strata`` columns. Returns one row per customer:
    ``customer_id`` and ``arm``, in the input's order. The same seed gives the same assignment.
    Raises ``ValueError`` for fewer than two arms, duplicate customers or a missing stratum column.
    """
    # HINT: group by the strata; inside each group shuffle with a seeded generator and deal arms in turn
    # HINT: (a random start for each group, so no arm is always first). Customers are the unit: one row each.
    raise NotImplementedError("assign: group by the strata; inside each group shuffle with a seeded generator and deal arms in turn (a random start for each group, so no arm is always first). Customers are the unit: one row each.")
