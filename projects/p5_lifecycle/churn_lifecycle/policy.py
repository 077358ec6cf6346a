"""The lifecycle's thresholds, in one place: the gate, the monitor and the retraining decision read them.

The defaults are the values the notebook, ``OPERATING.md`` and the README quote; a team changes them here
(or passes its own :class:`Policy`), never inside the functions that use them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """Thresholds of the promotion gate, the drift monitor and :func:`churn_lifecycle.decide.decide`."""

    primary_metric: str = "pr_auc"
    """The metric a challenger must improve (average precision of the churn score)."""
    promotion_margin: float = 0.0
    """The lower end of the paired interval of (challenger - champion) must be above this: with 0, the
    interval must exclude 0 in the challenger's favour. Never compared with a point estimate."""
    max_calibration_increase: float = 0.01
    """Guardrail: the challenger's expected calibration error may exceed the champion's by at most this."""
    max_slice_recall_drop: float = 0.02
    """Guardrail: a slice fails only if its whole paired interval of recall difference is below minus this."""
    min_slice_positives: int = 30
    """A slice with fewer churners than this is too small to judge (one customer moves its recall a lot)."""
    n_boot: int = 1000
    """Customer-level bootstrap resamples for every interval (the gate's and the champion's own)."""
    interval_level: float = 0.95
    """Coverage of the bootstrap intervals."""
    bootstrap_seed: int = 0
    """Seed of the resamples, so that a gate decision can be reproduced."""
    contact_share: float = 0.05
    """Share of active customers the retention team contacts each month (the decision the model drives)."""
    psi_alarm: float = 0.2
    """A feature (or the score) with PSI at or above this raises a drift warning (never a retrain alone)."""
    min_drifted_features: int = 1
    """How many features must reach ``psi_alarm`` for an input-drift warning."""
    max_contact_ratio: float = 2.0
    """The contact rate may differ from ``contact_share`` by at most this factor (either way)."""
    max_error_rate: float = 0.01
    """A batch with more than this share of rows failing to score calls for a rollback."""
    min_mature_labels: int = 200
    """Realized performance is trusted only with at least this many mature labels."""
