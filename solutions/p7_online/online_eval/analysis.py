"""Read the experiment: is the split what was designed, what is the effect, and where does it differ?

Every interval is two-sided and normal (the arms hold thousands of customers), with the unpooled standard
error of a difference of two independent means. CUPED subtracts from each customer's outcome the part a
pre-period covariate predicts, ``y - theta * (x - mean(x))`` with ``theta = cov(x, y) / var(x)`` over both
arms; the covariate must be measured before assignment, or the adjustment removes part of the effect. The
interval narrows by about ``sqrt(1 - rho**2)``, ``rho`` the covariate's correlation with the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy import stats

SRM_ALPHA = 0.001
"""A split is a sample-ratio mismatch when the chi-square test's p-value is below this (a common rule)."""


@dataclass(frozen=True)
class Effect:
    """A difference in means (treatment - control) with its two-sided interval."""

    estimate: float
    se: float
    low: float
    high: float
    p_value: float
    n_control: int
    n_treatment: int


@dataclass(frozen=True)
class Srm:
    """The sample-ratio check: the chi-square statistic, its p-value and the verdict."""

    statistic: float
    p_value: float
    mismatch: bool


def _arrays(y: object, treated: object) -> tuple[np.ndarray, np.ndarray]:
    y_arr = np.asarray(y, dtype=float)
    t_arr = np.asarray(treated, dtype=bool)
    if y_arr.shape != t_arr.shape or y_arr.ndim != 1:
        raise ValueError(f"y and treated must be 1-d and of one length, got {y_arr.shape} and {t_arr.shape}.")
    if t_arr.sum() < 2 or (~t_arr).sum() < 2:
        raise ValueError("each arm needs at least two customers to estimate its variance.")
    if not np.isfinite(y_arr).all():
        raise ValueError("y holds missing or infinite values: drop or fill them before the analysis.")
    return y_arr, t_arr


def srm_check(counts: Mapping[str, int], expected: Mapping[str, float], alpha: float = SRM_ALPHA) -> Srm:
    """Chi-square goodness of fit of the customers per arm (``counts``) to the designed shares (``expected``).

    ``expected`` maps the same arms to shares (normalised to sum to one).
    """
    # BEGIN SOLUTION
    # HINT: observed counts against total * share for every arm: a chi-square goodness-of-fit test with
    # HINT: k - 1 degrees of freedom. A tiny p-value means the assignment or the logging is broken.
    if set(counts) != set(expected):
        raise ValueError(
            f"counts and expected must name the same arms: {sorted(counts)} vs {sorted(expected)}."
        )
    arms = sorted(counts)
    observed = np.array([counts[a] for a in arms], dtype=float)
    shares = np.array([expected[a] for a in arms], dtype=float)
    if (shares <= 0).any():
        raise ValueError("every designed share must be positive.")
    statistic, p_value = stats.chisquare(observed, observed.sum() * shares / shares.sum())
    return Srm(float(statistic), float(p_value), bool(p_value < alpha))
    # END SOLUTION


def difference_in_means(y: object, treated: object, alpha: float = 0.05) -> Effect:
    """Treatment mean minus control mean, with a two-sided ``1 - alpha`` normal interval and p-value."""
    # BEGIN SOLUTION
    # HINT: se = sqrt(var_t / n_t + var_c / n_c) with ddof=1; interval estimate +- z(1 - alpha/2) * se;
    # HINT: p-value 2 * (1 - Phi(|estimate| / se)). A one-sided z (1.645) gives a 90 % interval, not 95 %.
    y_arr, t_arr = _arrays(y, treated)
    yt, yc = y_arr[t_arr], y_arr[~t_arr]
    estimate = yt.mean() - yc.mean()
    se = float(np.sqrt(yt.var(ddof=1) / len(yt) + yc.var(ddof=1) / len(yc)))
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p_value = 2 * (1 - NormalDist().cdf(abs(estimate) / se)) if se > 0 else float(estimate == 0)
    return Effect(float(estimate), se, float(estimate - z * se), float(estimate + z * se), float(p_value),
                  len(yc), len(yt))  # fmt: skip
    # END SOLUTION


def cuped(y: object, x: object, treated: object, alpha: float = 0.05) -> tuple[Effect, float, float]:
    """The CUPED-adjusted effect, ``theta`` and the covariate's correlation ``rho`` with the outcome.

    ``x`` is a covariate measured before assignment (pre-period revenue or usage).
    """
    # BEGIN SOLUTION
    # HINT: theta = cov(x, y) / var(x) over all customers; adjusted y = y - theta * (x - mean(x)); then
    # HINT: difference_in_means on the adjusted y. rho = corr(x, y).
    y_arr, t_arr = _arrays(y, treated)
    x_arr = np.asarray(x, dtype=float)
    if x_arr.shape != y_arr.shape or not np.isfinite(x_arr).all():
        raise ValueError("x must be a finite covariate, one value per customer.")
    if x_arr.var() == 0:
        raise ValueError("x is constant: it cannot explain any of the outcome's variance.")
    theta = float(np.cov(x_arr, y_arr)[0, 1] / x_arr.var(ddof=1))
    rho = float(np.corrcoef(x_arr, y_arr)[0, 1])
    adjusted = y_arr - theta * (x_arr - x_arr.mean())
    return difference_in_means(adjusted, t_arr, alpha), theta, rho
    # END SOLUTION


def segment_effects(
    log: pd.DataFrame,
    segment: str,
    metric: str,
    treatment: str,
    control: str = "none",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The effect of ``treatment`` against ``control`` in each value of ``segment``, corrected for many looks.

    One row per segment value: ``segment``, ``n_control``, ``n_treatment``, ``estimate``, ``low``, ``high``
    (Bonferroni-adjusted intervals, so each holds at ``1 - alpha`` jointly), ``p_value`` and ``p_holm``
    (Holm's step-down adjustment), ``significant`` (``p_holm < alpha``).
    """
    # BEGIN SOLUTION
    # HINT: one difference_in_means per segment at alpha / m for the intervals; Holm on the raw p-values:
    # HINT: the i-th smallest of m times (m - i + 1), a running maximum, capped at 1. Without a
    # HINT: correction, one of twenty null segments "wins" at 5 %.
    from statsmodels.stats.multitest import multipletests

    for column in (segment, metric, "arm"):
        if column not in log.columns:
            raise ValueError(f"the log has no column {column!r}.")
    rows = []
    values = sorted(log[segment].dropna().unique(), key=str)
    m = len(values)
    for value in values:
        part = log[(log[segment] == value) & log["arm"].isin([treatment, control])]
        effect = difference_in_means(part[metric], part["arm"] == treatment, alpha / m)
        rows.append({"segment": value, "n_control": effect.n_control, "n_treatment": effect.n_treatment,
                     "estimate": effect.estimate, "low": effect.low, "high": effect.high,
                     "p_value": effect.p_value})  # fmt: skip
    table = pd.DataFrame(rows)
    table["p_holm"] = multipletests(table["p_value"], method="holm")[1]
    table["significant"] = table["p_holm"] < alpha
    return table
    # END SOLUTION


def ship_decision(arm: Mapping[str, Mapping[str, float]], contact_cost: float) -> str:
    """The pre-registered verdict on one offer, from its effects with their intervals.

    ``arm`` maps ``revenue`` (the primary metric, per customer), ``retention`` and ``complaints`` (the
    guardrails) to ``{"estimate", "low", "high"}``, as the results file records them; ``contact_cost`` is
    what making the offer to one customer costs. Returns ``"ship"`` or ``"no-ship: <the reason>"``.
    """
    # BEGIN SOLUTION
    # HINT: when is a guardrail breached, as opposed to merely looking worse? And when is a revenue gain
    # HINT: credible enough to pay for the contact? Decide from the intervals, not from the point estimates,
    # HINT: and say why when you refuse.
    if arm["complaints"]["low"] > 0 or arm["retention"]["high"] < 0:
        return "no-ship: a guardrail is breached"
    if arm["revenue"]["low"] > contact_cost:
        return "ship"
    return "no-ship: no credible revenue gain over the contact cost"
    # END SOLUTION
