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
    # HINT: one seeded generator, rng.binomial(n_per_look, p, size=(n_experiments, n_looks)) per arm.
    raise NotImplementedError("draw_aa: one seeded generator, rng.binomial(n_per_look, p, size=(n_experiments, n_looks)) per arm.")


def z_paths(conversions_a: np.ndarray, conversions_b: np.ndarray, n_per_look: int) -> np.ndarray:
    """The two-proportion z statistic (pooled variance) at every look, from daily conversions of each arm.

    Looks where no customer converted yet (zero pooled variance) get z = 0.
    """
    # HINT: cumulative sums along the looks; n per arm at look k is n_per_look * (k + 1); pooled rate
    # HINT: (sa + sb) / (2 n); z = (sa/n - sb/n) / sqrt(2 * pooled * (1 - pooled) / n). No Python loop.
    raise NotImplementedError("z_paths: cumulative sums along the looks; n per arm at look k is n_per_look * (k + 1); pooled rate (sa + sb) / (2 n); z = (sa/n - sb/n) / sqrt(2 * pooled * (1 - pooled) / n). No Python loop.")


def naive_rejections(z: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Stop at the first look whose two-sided p-value is below ``alpha``: which experiments ever reject."""
    raise NotImplementedError("naive_rejections: implement this (see the docstring)")


def msprt_rejections(
    z: np.ndarray, n_per_arm: np.ndarray, alpha: float = 0.05, tau: float = 0.1
) -> np.ndarray:
    """The always-valid test: which experiments ever reach ``lambda >= 1 / alpha`` (module docstring).

    ``n_per_arm`` holds the customers per arm at each look (one value per column of ``z``).
    """
    # HINT: v = 2 / n_per_arm broadcast over the rows; compare log(lambda) with log(1 / alpha) to avoid
    # HINT: overflow; any look over the line rejects.
    raise NotImplementedError("msprt_rejections: v = 2 / n_per_arm broadcast over the rows; compare log(lambda) with log(1 / alpha) to avoid overflow; any look over the line rejects.")
