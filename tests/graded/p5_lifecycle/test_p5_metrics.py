"""Graded: the calibration guardrail, checked on hand-computed cases."""

from __future__ import annotations

import pytest


@pytest.mark.rubric("p5.metrics.calibration", points=2)
def test_calibration_error_matches_hand_computed_cases(project_module):
    """The calibration error weights each bin by its share of rows; a score of 1.0 is in the last bin."""
    metrics = project_module("churn_lifecycle.metrics")
    # bin [0.1, 0.2): 8 rows at 0.15, 2 churners (gap 0.10); bin [0.9, 1.0]: 2 rows at 0.95, 1 churner (0.45)
    y = [1, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    p = [0.15] * 8 + [0.95] * 2
    expected = 0.8 * 0.10 + 0.2 * 0.45
    got = metrics.expected_calibration_error(y, p)
    assert got == pytest.approx(expected, abs=1e-9), (
        f"expected calibration error {expected:.4f}, got {got:.4f}: weight each bin's gap "
        "|mean(y) - mean(score)| by the share of rows in the bin (n_b / n)."
    )
    # 4 scores of exactly 1.0, 3 churners: they belong to the last bin [0.9, 1.0], gap 0.25
    got = metrics.expected_calibration_error([1, 1, 1, 0], [1.0, 1.0, 1.0, 1.0])
    assert got == pytest.approx(0.25, abs=1e-9), (
        f"four scores of 1.0 with three churners have a calibration error of 0.25, got {got:.4f}: a score of "
        "1.0 belongs to the last bin, [0.9, 1.0] (clip the bin index to bins - 1)."
    )
