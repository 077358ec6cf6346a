"""Peeking: why looking at a running experiment every day inflates false positives, and a test that does not.

An A/A experiment compares two arms that get the same thing, so every "significant" result is a false
positive. With one look at the end, a 5 % test is wrong 5 % of the time. Looking every day and stopping at
the first |z| > 1.96 gives the test many chances, and the false-positive rate climbs with the looks.

The mixture sequential probability ratio test (mSPRT) is always valid: with a normal mixing distribution
of standard deviation ``tau`` (in units of the metric's standard deviation) over the true difference, and
``v = 2 / n`` the variance of the standardised difference after ``n`` customers per arm, the ratio

    lambda_n = sqrt(v / (v + tau**2)) * exp(tau**2 * z_n**2 / (2 * (v + tau**2)))

is a martingale under the null, so stopping the first time ``lambda_n >= 1 / alpha`` keeps the
false-positive rate at or below ``alpha`` however often one looks (Ville's inequality).

Every function works on whole arrays: experiments in rows, looks in columns.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def draw_aa(
    n_experiments: int, n_looks: int, n_per_look: int, p: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Daily conversions of two identical arms: two ``(n_experiments, n_looks)`` integer arrays.

    Each look adds ``n_per_look`` customers to each arm, each converting with probability ``p``.
    """
    # BEGIN SOLUTION
    # HINT: one seeded generator, rng.binomial(n_per_look, p, size=(n_experiments, n_looks)) per arm.
    if min(n_experiments, n_looks, n_per_look) < 1 or not 0 < p < 1:
        raise ValueError("n_experiments, n_looks and n_per_look must be positive and p inside (0, 1).")
    rng = np.random.default_rng(seed)
    shape = (n_experiments, n_looks)
    return rng.binomial(n_per_look, p, size=shape), rng.binomial(n_per_look, p, size=shape)
    # END SOLUTION


def z_paths(conversions_a: np.ndarray, conversions_b: np.ndarray, n_per_look: int) -> np.ndarray:
    """The two-proportion z statistic (pooled variance) at every look, from daily conversions of each arm.

    Looks where no customer converted yet (zero pooled variance) get z = 0.
    """
    # BEGIN SOLUTION
    # HINT: cumulative sums along the looks; n per arm at look k is n_per_look * (k + 1); pooled rate
    # HINT: (sa + sb) / (2 n); z = (sa/n - sb/n) / sqrt(2 * pooled * (1 - pooled) / n). No Python loop.
    a = np.cumsum(np.asarray(conversions_a, dtype=float), axis=1)
    b = np.cumsum(np.asarray(conversions_b, dtype=float), axis=1)
    n = n_per_look * np.arange(1, a.shape[1] + 1)
    pooled = (a + b) / (2 * n)
    variance = 2 * pooled * (1 - pooled) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, (a - b) / n / np.sqrt(variance), 0.0)
    return z
    # END SOLUTION


def naive_rejections(z: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Stop at the first look whose two-sided p-value is below ``alpha``: which experiments ever reject."""
    # BEGIN SOLUTION
    return (np.abs(np.asarray(z)) >= NormalDist().inv_cdf(1 - alpha / 2)).any(axis=1)
    # END SOLUTION


def msprt_rejections(
    z: np.ndarray, n_per_arm: np.ndarray, alpha: float = 0.05, tau: float = 0.1
) -> np.ndarray:
    """The always-valid test: which experiments ever reach ``lambda >= 1 / alpha`` (module docstring).

    ``n_per_arm`` holds the customers per arm at each look (one value per column of ``z``).
    """
    # BEGIN SOLUTION
    # HINT: v = 2 / n_per_arm broadcast over the rows; compare log(lambda) with log(1 / alpha) to avoid
    # HINT: overflow; any look over the line rejects.
    z = np.asarray(z, dtype=float)
    v = 2.0 / np.asarray(n_per_arm, dtype=float)
    if v.shape != z.shape[-1:] or (v <= 0).any():
        raise ValueError("n_per_arm must hold one positive count per look (column of z).")
    log_lambda = 0.5 * np.log(v / (v + tau**2)) + tau**2 * z**2 / (2 * (v + tau**2))
    return (log_lambda >= np.log(1 / alpha)).any(axis=1)
    # END SOLUTION
