"""Graded: the latency budget."""

from __future__ import annotations

import pytest

PATH = {"network": 10.0, "feature_store": 25.5, "model": 4.5}


@pytest.mark.rubric("p4.latency.sum_and_headroom", points=4)
def test_components_add_up_against_the_budget(project_module):
    """The latency budget sums the component latencies and reports the headroom left in the budget."""
    latency = project_module("fraud_design.latency")
    plan = latency.latency_budget(PATH, budget_ms=50.0)
    assert plan.total_ms == pytest.approx(40.0), f"10 + 25.5 + 4.5 = 40 ms; your total_ms is {plan.total_ms}."
    assert plan.headroom_ms == pytest.approx(10.0), (
        f"50 - 40 = 10 ms of headroom; you returned {plan.headroom_ms}."
    )
    assert plan.within_budget, "40 ms fits in a 50 ms budget: within_budget should be True."
    exact = latency.latency_budget(PATH, budget_ms=40.0)
    assert exact.within_budget, "A plan that uses exactly the budget (40 of 40 ms) is within budget."


@pytest.mark.rubric("p4.latency.over_budget", points=3)
def test_over_budget_is_flagged_and_bad_input_rejected(project_module):
    """A plan over budget is flagged (negative headroom); a negative latency is an error naming it."""
    latency = project_module("fraud_design.latency")
    plan = latency.latency_budget(PATH, budget_ms=30.0)
    assert not plan.within_budget, "40 ms does not fit in 30 ms: within_budget should be False."
    assert plan.headroom_ms == pytest.approx(-10.0), f"Headroom is 30 - 40 = -10 ms, not {plan.headroom_ms}."
    with pytest.raises(ValueError, match="model"):
        latency.latency_budget({"network": 10.0, "model": -3.0}, budget_ms=30.0)


@pytest.mark.rubric("p4.latency.over_budget", points=2)
def test_a_latency_that_is_not_a_number_is_rejected(project_module):
    """A component latency that is not a number (NaN, text) is an error naming the component."""
    latency = project_module("fraud_design.latency")
    for bad in (float("nan"), "fast"):
        try:
            plan = latency.latency_budget({"network": 10.0, "model": bad}, budget_ms=30.0)
        except ValueError as error:
            assert "model" in str(error), (
                f"latency_budget rejected the latency {bad!r} but its message does not name the component "
                f"'model': {error}"
            )
            continue
        pytest.fail(
            f"latency_budget accepted {bad!r} as the latency of 'model' (total_ms={plan.total_ms}): raise a "
            "ValueError naming the component. `number < 0` is False for NaN; check `not number >= 0` or "
            "math.isnan.",
            pytrace=False,
        )
