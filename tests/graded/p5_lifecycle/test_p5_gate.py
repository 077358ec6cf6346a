"""Graded: the promotion gate compares two models on the same data, with a margin and guardrails."""

from __future__ import annotations

import pytest

CHAMPION = {"pr_auc": 0.30, "calibration_error": 0.020, "worst_slice_recall": 0.25}


def _decide(project_module, challenger, champion=CHAMPION):
    gate = project_module("churn_lifecycle.gate")
    policy = project_module("churn_lifecycle.policy").Policy(
        promotion_margin=0.01, max_calibration_increase=0.01, max_slice_recall_drop=0.02
    )
    return gate.gate_decision(champion, challenger, policy)


@pytest.mark.rubric("p5.gate.refuses_worse", points=5)
def test_gate_refuses_worse_or_not_better_by_margin(project_module):
    """The gate refuses a challenger that is worse, or better by less than the stated margin."""
    worse = _decide(project_module, {**CHAMPION, "pr_auc": 0.25})
    assert not worse.promote, "a challenger with a lower PR-AUC must not be promoted."
    assert worse.reasons, "a refusal must say why (reasons with the numbers)."
    assert any("pr_auc" in r for r in worse.reasons), (
        "name the primary metric (pr_auc) in the refusal's reasons."
    )
    marginal = _decide(project_module, {**CHAMPION, "pr_auc": 0.305})
    assert not marginal.promote, "a gain of 0.005 is below the 0.01 margin: the gate must refuse it."


@pytest.mark.rubric("p5.gate.refuses_guardrail", points=6)
def test_gate_refuses_a_guardrail_regression(project_module):
    """The gate refuses a better challenger whose calibration error or worst-slice recall regresses."""
    calibration = _decide(project_module, {**CHAMPION, "pr_auc": 0.40, "calibration_error": 0.05})
    assert not calibration.promote, "calibration error rose by 0.03 (> 0.01 allowed): the gate must refuse."
    assert any("calibration" in r for r in calibration.reasons), (
        "name the calibration guardrail in the reasons."
    )
    slice_drop = _decide(project_module, {**CHAMPION, "pr_auc": 0.40, "worst_slice_recall": 0.20})
    assert not slice_drop.promote, "worst-slice recall fell by 0.05 (> 0.02 allowed): the gate must refuse."
    assert any("slice" in r for r in slice_drop.reasons), (
        "name the worst-slice recall guardrail in the reasons."
    )
    within = _decide(
        project_module, {**CHAMPION, "pr_auc": 0.40, "calibration_error": 0.025, "worst_slice_recall": 0.24}
    )
    assert within.promote, "changes within the tolerances (+0.005 calibration, -0.01 recall) must not block."


@pytest.mark.rubric("p5.gate.promotes_better", points=3)
def test_gate_promotes_a_better_challenger(project_module):
    """The gate promotes a challenger better by the margin with no guardrail regression, and a first model."""
    better = _decide(project_module, {"pr_auc": 0.33, "calibration_error": 0.015, "worst_slice_recall": 0.30})
    assert better.promote, "PR-AUC +0.03 and both guardrails improved: the gate must promote."
    assert better.reasons, "a promotion must also record its reasons."
    first = _decide(
        project_module, {"pr_auc": 0.2, "calibration_error": 0.1, "worst_slice_recall": 0.1}, None
    )
    assert first.promote, "with no champion yet (None), the first valid candidate must be promoted."


@pytest.mark.rubric("p5.gate.policy", points=3)
def test_gate_reads_its_limits_from_the_policy(project_module):
    """The gate applies the policy's margin and tolerances, and a change exactly at a limit passes."""
    gate = project_module("churn_lifecycle.gate")
    # powers of two: every gain and change below is exact in floating point
    policy = project_module("churn_lifecycle.policy").Policy(
        promotion_margin=0.125, max_calibration_increase=0.0625, max_slice_recall_drop=0.0625
    )
    champion = {"pr_auc": 0.25, "calibration_error": 0.125, "worst_slice_recall": 0.5}
    at_limits = gate.gate_decision(
        champion, {"pr_auc": 0.375, "calibration_error": 0.1875, "worst_slice_recall": 0.4375}, policy
    )
    assert at_limits.promote, (
        "with promotion_margin 0.125 and tolerances 0.0625, a gain of exactly +0.125 with calibration error "
        "+0.0625 and worst-slice recall -0.0625 must be promoted: 'at least the margin' and 'at most the "
        "tolerance' include the limit, and the limits come from the policy passed in. "
        f"Reasons: {at_limits.reasons}"
    )
    short = gate.gate_decision(
        champion, {"pr_auc": 0.3125, "calibration_error": 0.125, "worst_slice_recall": 0.5}, policy
    )
    assert not short.promote, (
        "a gain of 0.0625 is below this policy's promotion_margin of 0.125: the gate must refuse it "
        "(read the margin from the policy, not a constant)."
    )
