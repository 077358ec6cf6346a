"""The retraining decision: explicit thresholds over drift, realized performance and batch health."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from churn_lifecycle.policy import Policy

RETRAIN, HOLD, ROLLBACK = "retrain", "hold", "rollback"


@dataclass(frozen=True)
class Signals:
    """What the monitor knows about the current champion at the end of one month.

    ``realized_metric`` is the primary metric on mature labels (``nan`` when too few labels have matured);
    ``reference_metric`` is the same metric measured when the champion was trained or promoted.
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
    mature_labels: int = 0
    new_champion: bool = False
    drifted_features: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """``action`` is ``"retrain"``, ``"hold"`` or ``"rollback"``; ``reasons`` say why, with numbers."""

    action: str
    reasons: list[str]


def decide(signals: Signals, policy: Policy | None = None) -> Decision:
    """Retrain, hold or roll back, in that order of checks: rollback first, then retrain, else hold.

    - **rollback**: the batch error rate exceeds ``policy.max_error_rate``; or a *new* champion contacts a
      share of customers outside ``[contact_share / max_contact_ratio, contact_share * max_contact_ratio]``;
      or a *new* champion moved the score distribution (prediction PSI >= ``policy.psi_alarm``) while the
      inputs are stable (max feature PSI below the alarm): the change comes from the model, not the world.
    - **retrain**: input drift (max feature PSI >= ``policy.psi_alarm``), or realized decay: with at least
      ``policy.min_mature_labels`` mature labels, the realized primary metric is more than
      ``policy.max_decay`` below the reference value; or (for a champion not on probation) a contact rate
      outside the band.
    - **hold** otherwise, saying which numbers stayed under which thresholds.
    """
    policy = policy or Policy()
    # HINT: check the rollback conditions first, then drift and decay; each reason quotes value and threshold.
    raise NotImplementedError("decide: check the rollback conditions first, then drift and decay; each reason quotes value and threshold.")
