"""Graded: reports/decision.json, the record the design doc quotes."""

from __future__ import annotations

import json
import tomllib

import pytest

KEYS = ("threshold", "expected_cost_per_day", "reviews_per_day", "peak_qps", "latency_budget")


@pytest.mark.rubric("p4.report.decision_json", points=5)
def test_decision_json_is_complete_and_feasible(project_dir):
    """reports/decision.json holds a feasible operating point, the peak QPS and a latency budget that fits."""
    path = project_dir / "reports" / "decision.json"
    assert path.is_file(), "reports/decision.json is missing: run cost_and_capacity.ipynb to write it."
    decision = json.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in KEYS if key not in decision]
    assert not missing, f"reports/decision.json lacks {missing}: the notebook must write all of {list(KEYS)}."
    assumptions = tomllib.loads((project_dir / "assumptions.toml").read_text(encoding="utf-8"))
    volume = assumptions["volume"]
    assert 0 < float(decision["threshold"]) <= 1, (
        f"threshold {decision['threshold']} is not a score in (0, 1]."
    )
    assert float(decision["reviews_per_day"]) <= volume["review_capacity_per_day"], (
        f"{decision['reviews_per_day']} reviews a day exceed the capacity of "
        f"{volume['review_capacity_per_day']} "
        "in assumptions.toml: choose the threshold subject to the review capacity."
    )
    expected_qps = volume["daily_transactions"] / 86_400 * volume["peak_factor"]
    assert float(decision["peak_qps"]) == pytest.approx(expected_qps, rel=0.01), (
        f"peak_qps {decision['peak_qps']} does not follow from assumptions.toml "
        "(daily volume / 86,400 x peak "
        f"factor = {expected_qps:.1f}): re-run the notebook after changing the assumptions."
    )
    budget = decision["latency_budget"]
    assert isinstance(budget, dict) and {"budget_ms", "total_ms"} <= budget.keys(), (
        "latency_budget must be an object with budget_ms and total_ms (see the README)."
    )
    assert budget["total_ms"] <= budget["budget_ms"], (
        f"The components sum to {budget['total_ms']} ms, over the {budget['budget_ms']} ms budget: "
        "trim a component "
        "or change the design before you sign the doc."
    )
    assert float(decision["expected_cost_per_day"]) > 0, (
        "expected_cost_per_day should be a positive dollar amount."
    )
