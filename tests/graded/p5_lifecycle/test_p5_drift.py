"""Graded: the hand-written PSI, checked on hand-computed cases and against Evidently."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest


@pytest.mark.rubric("p5.drift.psi_known", points=4)
def test_psi_matches_hand_computed_cases(project_module):
    """PSI is 0 on identical samples and matches hand-computed values with quantile bins and epsilon."""
    drift = project_module("churn_lifecycle.drift")
    same = pd.Series(np.arange(100.0))
    assert drift.psi(same, same, bins=4) == pytest.approx(0.0, abs=1e-12), (
        "PSI of a sample against itself is 0."
    )
    # reference deciles -> 4 quartile bins of 25 %; current: half in bin 1, half in bin 2, bins 3-4 empty.
    current = pd.Series(np.r_[np.zeros(50), np.full(50, 30.0)])
    eps = 1e-4
    expected = 2 * (0.25 - 0.5) * math.log(0.25 / 0.5) + 2 * (0.25 - eps) * math.log(0.25 / eps)
    got = drift.psi(same, current, bins=4)
    assert got == pytest.approx(expected, rel=1e-6), (
        f"PSI with 4 quantile bins of the reference should be {expected:.4f}, got {got:.4f}: edges at the "
        "reference's quantiles, open outer bins, and epsilon 1e-4 for empty bins."
    )
    # categories: 50/50 -> 80/20
    ref = pd.Series(["a"] * 50 + ["b"] * 50)
    cur = pd.Series(["a"] * 80 + ["b"] * 20)
    expected = (0.5 - 0.8) * math.log(0.5 / 0.8) + (0.5 - 0.2) * math.log(0.5 / 0.2)
    assert drift.psi(ref, cur) == pytest.approx(expected, rel=1e-9), "categorical PSI: one bin per category."
    outside = drift.psi(same, pd.Series(np.full(40, 1000.0)), bins=4)
    assert math.isfinite(outside) and outside > 1, "values beyond the reference range belong to the last bin."
    # half the current sample below the reference's minimum, half above its maximum: shares 0.5, 0, 0, 0.5
    beyond = pd.Series(np.r_[np.full(50, -5.0), np.full(50, 1000.0)])
    expected = 2 * (0.25 - 0.5) * math.log(0.25 / 0.5) + 2 * (0.25 - eps) * math.log(0.25 / eps)
    got = drift.psi(same, beyond, bins=4)
    assert got == pytest.approx(expected, rel=1e-6), (
        f"PSI should be {expected:.4f} when half the current values fall below the reference's minimum and "
        f"half above its maximum, got {got:.4f}: the outer bins are open (-inf and +inf), so values outside "
        "the reference range count in the first or last bin instead of being dropped."
    )


@pytest.mark.rubric("p5.drift.psi_evidently", points=4)
def test_psi_agrees_with_evidently(project_module):
    """With Evidently's bins (binning='sturges'), the hand-written PSI agrees with Evidently's PSI."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    drift = project_module("churn_lifecycle.drift")
    rng = np.random.default_rng(7)
    reference = pd.DataFrame(
        {"x": rng.gamma(2.0, 10.0, 3000), "plan": rng.choice(["a", "b", "c"], 3000, p=[0.5, 0.3, 0.2])}
    )
    current = pd.DataFrame(
        {
            "x": rng.gamma(2.4, 10.0, 2000),
            "plan": rng.choice(["a", "b", "c", "d"], 2000, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )
    snapshot = Report([DataDriftPreset(method="psi")]).run(current, reference)
    theirs = {
        m["config"]["column"]: float(m["value"])
        for m in snapshot.dict()["metrics"]
        if m["config"].get("type", "").endswith("ValueDrift")
    }
    for column in ("x", "plan"):
        ours = drift.psi(reference[column], current[column], binning="sturges")
        assert ours == pytest.approx(theirs[column], rel=1e-3, abs=1e-4), (
            f"PSI of '{column}': yours {ours:.5f}, Evidently {theirs[column]:.5f}. With binning='sturges', "
            "bin "
            "like Evidently: np.histogram_bin_edges of both samples together with 'sturges'."
        )
