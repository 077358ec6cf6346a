"""Graded: the ship/no-ship verdict reads the intervals, pays for the contact and respects the guardrails."""

from __future__ import annotations

import pytest

COST = 1.0
FINE = {"retention": {"estimate": 0.01, "low": 0.002, "high": 0.02},
        "complaints": {"estimate": 0.0, "low": -0.01, "high": 0.01}}  # fmt: skip


def arm(revenue_low: float, revenue_estimate: float, **guardrails: dict) -> dict:
    """An offer's effects as the results file records them (revenue per customer, guardrails)."""
    high = 2 * revenue_estimate - revenue_low
    return {"revenue": {"estimate": revenue_estimate, "low": revenue_low, "high": high}, **FINE, **guardrails}


def verdict(project_module, offer: dict) -> str:
    answer = project_module("online_eval.analysis").ship_decision(offer, COST)
    assert isinstance(answer, str), f"ship_decision() must return a string, got {type(answer).__name__}."
    return answer


@pytest.mark.rubric("p7.analysis.decision", points=1)
def test_a_credible_gain_with_quiet_guardrails_ships(project_module):
    """ship_decision() ships an offer whose whole revenue interval clears its contact cost"""
    answer = verdict(project_module, arm(1.4, 2.0))
    assert answer == "ship", (
        f"revenue effect 2.0 [1.4, 2.6] per customer against a contact cost of {COST}, guardrails quiet: "
        f"even the pessimistic end pays for the contact, so it ships; ship_decision() said {answer!r}."
    )


@pytest.mark.rubric("p7.analysis.decision", points=1)
def test_no_ship_on_a_point_estimate_or_without_the_cost(project_module):
    """ship_decision() refuses a gain that is not credible, or that does not pay for the contact"""
    for offer, why in (
        (arm(-0.2, 1.5), "the estimate 1.5 clears the cost but its interval [-0.2, 3.2] reaches below zero"),
        (arm(0.5, 0.8), "the whole interval [0.5, 1.1] is above zero but not above the contact cost"),
    ):
        answer = verdict(project_module, offer)
        assert answer.startswith("no-ship: ") and len(answer) > len("no-ship: "), (
            f"{why}: this is no credible gain over the contact cost, so the answer is 'no-ship: <why>'; "
            f"ship_decision() said {answer!r}."
        )


@pytest.mark.rubric("p7.analysis.decision", points=1)
def test_a_breached_guardrail_vetoes_and_a_noisy_one_does_not(project_module):
    """ship_decision() lets a credibly breached guardrail veto a gain, not a guardrail that only wobbles"""
    for guardrail, interval in (("complaints", (0.01, 0.02, 0.03)), ("retention", (-0.03, -0.02, -0.01))):
        low, estimate, high = interval
        offer = arm(1.4, 2.0, **{guardrail: {"estimate": estimate, "low": low, "high": high}})
        answer = verdict(project_module, offer)
        assert answer.startswith("no-ship: "), (
            f"{guardrail} moved the wrong way with interval [{low}, {high}] (zero excluded): the guardrail "
            f"is breached and vetoes the revenue gain; ship_decision() said {answer!r}."
        )
    noisy = arm(1.4, 2.0, complaints={"estimate": 0.004, "low": -0.003, "high": 0.011})
    answer = verdict(project_module, noisy)
    assert answer == "ship", (
        "complaints 0.004 [-0.003, 0.011]: zero is inside the interval, so the guardrail is not breached "
        f"(vetoing on a point estimate blocks every offer by chance); ship_decision() said {answer!r}."
    )
