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


@pytest.mark.rubric("p5.decide.retrain_or_hold", points=3)
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


@pytest.mark.rubric("p5.decide.rollback", points=2)
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


@pytest.mark.rubric("p5.decide.retrain_or_hold", points=2)
def test_decide_applies_the_policy_at_its_limits(project_module):
    """decide() reads max_decay and min_mature_labels from the policy; decay is absolute; limits count."""
    decay = _decide(project_module, realized_metric=0.24, reference_metric=0.31, mature_labels=1000)
    assert decay.action == "retrain", (
        "realized PR-AUC 0.24 against 0.31 is a decay of 0.07, above this policy's max_decay of 0.05: "
        "retrain (read max_decay from the policy passed in, not a constant)."
    )
    exactly = _decide(project_module, realized_metric=0.20, reference_metric=0.31, mature_labels=200)
    assert exactly.action == "retrain", (
        "200 mature labels meet min_mature_labels = 200 ('at least'): the decay of 0.11 counts, retrain."
    )
    small = _decide(project_module, realized_metric=0.08, reference_metric=0.10, mature_labels=1000)
    assert small.action == "hold", (
        "realized PR-AUC 0.08 against 0.10 is a drop of 0.02, under max_decay 0.05: hold. Decay is the "
        "absolute drop of the metric (reference - realized), not a relative one."
    )
    tolerated = _decide(project_module, error_rate=0.01)
    assert tolerated.action == "hold", (
        "an error rate of exactly max_error_rate (0.01) does not exceed it: no rollback."
    )


@pytest.mark.rubric("p5.decide.rollback", points=2)
def test_decide_blames_the_model_only_when_the_model_changed(project_module):
    """decide() rolls back a new champion whose scores drift on stable inputs; a changed world: retrain."""
    model = _decide(project_module, prediction_psi=0.5, new_champion=True)
    assert model.action == "rollback", (
        "a new champion whose scores drift (prediction PSI 0.5) while the inputs are stable (0.03): "
        "roll back."
    )
    both = _decide(project_module, max_feature_psi=0.9, prediction_psi=0.5, new_champion=True)
    assert both.action == "retrain", (
        "the inputs drifted too (max feature PSI 0.9): the world changed, not the model; retrain, "
        "no rollback."
    )
    old = _decide(project_module, contact_rate=0.001, new_champion=False)
    assert old.action == "retrain", (
        "a champion that has served for months (not new) contacting 0.1 %: the previous model has not seen "
        "this world either; retrain (the business proxy), do not roll back."
    )
