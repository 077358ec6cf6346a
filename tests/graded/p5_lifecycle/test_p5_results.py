"""Graded: what the notebook wrote about the paired gate and the gradual drift (reports/lifecycle.json)."""

from __future__ import annotations

import json

import pytest


def _summary(project_dir) -> dict:
    path = project_dir / "reports" / "lifecycle.json"
    if not path.is_file():
        pytest.fail(
            "reports/lifecycle.json is missing: run lifecycle.ipynb top to bottom first.", pytrace=False
        )
    return json.loads(path.read_text())


@pytest.mark.rubric("p5.drift.gradual_report", points=2)
def test_gradual_drift_delays_are_reported_for_both_tests(project_dir):
    """The results file reports the gradual drift month by month and both tests' detection delays."""
    summary = _summary(project_dir)
    gradual = summary.get("gradual")
    assert isinstance(gradual, dict), (
        "write a 'gradual' entry to reports/lifecycle.json: the shares, each month's figures and "
        "'detection_delay_months' for the project's test and for Evidently's default test."
    )
    shares = gradual.get("shares", [])
    assert len(shares) >= 3 and shares == sorted(shares) and shares[-1] <= 1 and shares[0] > 0, (
        "the gradual scenario needs at least 3 months with a rising share of affected customers, got "
        f"{shares}."
    )
    delays = gradual.get("detection_delay_months", {})
    assert "project_psi" in delays and any(k.startswith("evidently") for k in delays), (
        "report the detection delay of the project's PSI test ('project_psi') and of Evidently's default "
        f"drift test ('evidently_...') on the same months; got keys {sorted(delays)}."
    )
    project = delays["project_psi"]
    assert project is None or (isinstance(project, int) and 0 <= project < len(shares)), (
        f"a detection delay is a whole number of months from the drift's start, or null; got {project!r}."
    )
    assert len(gradual.get("months", [])) == len(shares), "one row of figures per month of the scenario."
