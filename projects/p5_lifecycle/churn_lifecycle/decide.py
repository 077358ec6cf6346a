"""The retraining decision: performance on mature labels triggers a retrain; drift only warns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from churn_lifecycle.policy import Policy

RETRAIN, HOLD, ROLLBACK = "retrain", "hold", "rollback"


@dataclass(frozen=True)
class Signals:
    """What the monitor knows about the current champion at the end of one month.

    ``realized_metric`` is the primary metric on mature labels (``nan`` when too few labels have matured);
    ``reference_metric`` is the same metric measured when the champion was validated (at the gate), and
    ``reference_low`` the lower end of its bootstrap interval there: the decay threshold, earned from the
    data (``nan`` when no interval is known).
    ``prediction_psi`` compares this month's scores with the champion's scores on its validation data;
    ``contact_rate`` is the share of scored customers above the champion's contact threshold.
    ``new_champion`` is true while a recently promoted champion (one with a previous version) is on probation.
    """

    max_feature_psi: float
    prediction_psi: float
    contact_rate: float = math.nan
    error_rate: float = 0.0
    realized_metric: float = math.nan
    reference_metric: float = math.nan
    reference_low: float = math.nan
    mature_labels: int = 0
    new_champion: bool = False
    drifted_features: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """``action`` is ``"retrain"``, ``"hold"`` or ``"rollback"``; ``reasons`` say why, with numbers.

    ``warnings`` are early signals that call for a look but decide nothing by themselves (input drift).
    """

    action: str
    reasons: list[str]
    warnings: list[str] = field(default_factory=list)


def decide(signals: Signals, policy: Policy | None = None) -> Decision:
    """Retrain, hold or roll back, in that order of checks: rollback first, then retrain, else hold.

    - **rollback**: the batch error rate exceeds ``policy.max_error_rate``; or a *new* champion contacts a
      share of customers outside ``[contact_share / max_contact_ratio, contact_share * max_contact_ratio]``;
      or a *new* champion moved the score distribution (prediction PSI >= ``policy.psi_alarm``) while the
      inputs are stable (max feature PSI below the alarm): the change comes from the model, not the world.
    - **retrain**: realized decay: with at least ``policy.min_mature_labels`` mature labels, the realized
      primary metric is below ``reference_low`` (the champion's own interval at validation); or (for a
      champion not on probation) a contact rate outside the band, the business decision itself broken.
    - **hold** otherwise, saying which numbers stayed under which thresholds.

    Input drift (max feature PSI >= ``policy.psi_alarm``) never retrains by itself: it adds a warning
    (``Decision.warnings``) whatever the action, because labels have not confirmed that the model got worse.
    """
    policy = policy or Policy()
    # HINT: check the rollback conditions first, then drift and decay; each reason quotes value and threshold.
    raise NotImplementedError("decide: check the rollback conditions first, then drift and decay; each reason quotes value and threshold.")
