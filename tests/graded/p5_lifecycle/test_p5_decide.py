"""Graded: the retraining decision: mature labels retrain, drift warns, batch health rolls back."""

from __future__ import annotations

import pytest


def _decide(project_module, **signals):
    decide = project_module("churn_lifecycle.decide")
    policy = project_module("churn_lifecycle.policy").Policy(psi_alarm=0.2, min_mature_labels=200)
    base = {"max_feature_psi": 0.03, "prediction_psi": 0.02, "contact_rate": 0.05, "error_rate": 0.0}
    return decide.decide(decide.Signals(**{**base, **signals}), policy)


@pytest.mark.rubric("p5.decide.performance_trigger", points=3)
def test_decide_retrains_on_mature_labels_and_only_warns_on_drift(project_module):
    """decide() retrains when realized PR-AUC on mature labels falls below its interval; drift only warns."""
    stable = _decide(
        project_module, realized_metric=0.30, reference_metric=0.31, reference_low=0.26, mature_labels=1000
    )
    assert stable.action == "hold", f"nothing crossed a threshold, expected 'hold', got {stable.action!r}."
    assert stable.reasons, "'hold' must also give its reasons (which numbers stayed under which thresholds)."
    drifted = _decide(
        project_module,
        max_feature_psi=0.9,
        realized_metric=0.33,
        reference_metric=0.31,
        reference_low=0.26,
        mature_labels=1000,
    )
    assert drifted.action == "hold", (
        "max feature PSI 0.9 while realized PR-AUC on 1,000 mature labels (0.33) is above the champion's "
        f"interval (low end 0.26): drift alone must not retrain, expected 'hold', got {drifted.action!r}. "
        "Drift is an early warning; labels decide."
    )
    assert drifted.warnings and any("0.9" in w for w in drifted.warnings), (
        "drift must still raise a warning (Decision.warnings) that quotes the PSI (0.9)."
    )
    early = _decide(project_module, max_feature_psi=0.9, mature_labels=0)
    assert early.action == "hold" and early.warnings, (
        "drift with no mature labels yet: hold with a warning, and wait for the labels."
    )
    decayed = _decide(
        project_module, realized_metric=0.24, reference_metric=0.31, reference_low=0.26, mature_labels=1000
    )
    assert decayed.action == "retrain", (
        "realized PR-AUC 0.24 on 1,000 mature labels is below 0.26, the low end of the champion's own "
        "interval at validation: retrain, with no drift at all."
    )
    few = _decide(
        project_module, realized_metric=0.10, reference_metric=0.31, reference_low=0.26, mature_labels=50
    )
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
    assert world.action != "rollback", (
        "input drift with an old champion is the world changing: warn (and retrain if labels confirm a "
        "decay), never roll back."
    )


@pytest.mark.rubric("p5.decide.performance_trigger", points=2)
def test_decide_uses_the_earned_threshold_at_its_limits(project_module):
    """decide() compares realized performance with the interval's low end, not the point; limits count."""
    noise = _decide(
        project_module, realized_metric=0.27, reference_metric=0.31, reference_low=0.25, mature_labels=1000
    )
    assert noise.action == "hold", (
        "realized PR-AUC 0.27 is 0.04 below the champion's validated 0.31 but inside its interval (low end "
        "0.25): that is noise, hold. The threshold is the interval's low end (reference_low), earned from "
        "the data, not the point estimate."
    )
    at_low = _decide(
        project_module, realized_metric=0.25, reference_metric=0.31, reference_low=0.25, mature_labels=1000
    )
    assert at_low.action == "hold", (
        "realized exactly at the interval's low end has not fallen below it: hold."
    )
    exactly = _decide(
        project_module, realized_metric=0.20, reference_metric=0.31, reference_low=0.25, mature_labels=200
    )
    assert exactly.action == "retrain", (
        "200 mature labels meet min_mature_labels = 200 ('at least'): the decay counts, retrain."
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
    assert both.action != "rollback", (
        "the inputs drifted too (max feature PSI 0.9): the world changed, not the model; no rollback."
    )
    old = _decide(project_module, contact_rate=0.001, new_champion=False)
    assert old.action == "retrain", (
        "a champion that has served for months (not new) contacting 0.1 %: the previous model has not seen "
        "this world either; retrain (the business proxy), do not roll back."
    )
