"""Graded: the retraining decision combines drift, realized decay and batch health, with thresholds."""

from __future__ import annotations

import pytest


def _decide(project_module, **signals):
    decide = project_module("churn_lifecycle.decide")
    policy = project_module("churn_lifecycle.policy").Policy(
        psi_alarm=0.2, max_decay=0.05, min_mature_labels=200
    )
    base = {"max_feature_psi": 0.03, "prediction_psi": 0.02, "contact_rate": 0.05, "error_rate": 0.0}
    return decide.decide(decide.Signals(**{**base, **signals}), policy)


@pytest.mark.rubric("p5.decide.retrain_or_hold", points=5)
def test_decide_retrains_on_drift_or_decay_and_holds_otherwise(project_module):
    """decide() says retrain on input drift or realized decay, hold otherwise, each with its reasons."""
    stable = _decide(project_module, realized_metric=0.30, reference_metric=0.31, mature_labels=1000)
    assert stable.action == "hold", f"nothing crossed a threshold, expected 'hold', got {stable.action!r}."
    assert stable.reasons, "'hold' must also give its reasons (which numbers stayed under which thresholds)."
    drifted = _decide(project_module, max_feature_psi=0.9)
    assert drifted.action == "retrain", "max feature PSI 0.9 >= 0.2: expected 'retrain'."
    assert any("0.9" in r for r in drifted.reasons), (
        "quote the PSI that triggered the decision in the reasons."
    )
    decayed = _decide(project_module, realized_metric=0.20, reference_metric=0.31, mature_labels=1000)
    assert decayed.action == "retrain", (
        "realized PR-AUC 0.20 vs 0.31 at training (decay 0.11 > 0.05): retrain."
    )
    few = _decide(project_module, realized_metric=0.20, reference_metric=0.31, mature_labels=50)
    assert few.action == "hold", "50 mature labels (< 200) are too few to call a decay: hold."


@pytest.mark.rubric("p5.decide.rollback", points=4)
def test_decide_rolls_back_a_new_champion_that_misbehaves(project_module):
    """decide() rolls back a new champion that breaks the batch or the contact rate, not on world drift."""
    errors = _decide(project_module, error_rate=0.2)
    assert errors.action == "rollback", "20 % of rows failing to score calls for a rollback."
    contact = _decide(project_module, contact_rate=0.001, new_champion=True)
    assert contact.action == "rollback", (
        "a new champion contacting 0.1 % instead of ~5 % must be rolled back."
    )
    world = _decide(project_module, max_feature_psi=0.9, prediction_psi=0.5, new_champion=False)
    assert world.action == "retrain", (
        "input drift with an old champion is the world changing: retrain, not roll back."
    )
