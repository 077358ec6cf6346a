"""Graded: the A/A simulation, naive peeking's false positives and the always-valid test's."""

from __future__ import annotations

import numpy as np
import pytest
from p7_helpers import null_paths


@pytest.mark.rubric("p7.peeking.simulate", points=3)
def test_z_paths_are_the_two_proportion_z_at_every_look(project_module):
    """z_paths(): cumulative conversions, pooled two-proportion z at each look; A/A draws centre on zero"""
    peeking = project_module("online_eval.peeking")
    a = np.array([[5, 7, 6], [0, 0, 1]])
    b = np.array([[4, 4, 9], [0, 0, 0]])
    z = np.asarray(peeking.z_paths(a, b, 50), dtype=float)
    for look in range(3):
        n = 50 * (look + 1)
        sa, sb = a[0, : look + 1].sum(), b[0, : look + 1].sum()
        pooled = (sa + sb) / (2 * n)
        expected = (sa - sb) / n / np.sqrt(2 * pooled * (1 - pooled) / n)
        assert z[0, look] == pytest.approx(expected, rel=1e-6), (
            f"look {look + 1}: {sa} vs {sb} conversions of {n} customers per arm give z = {expected:.4f}."
        )
    assert z[1, 0] == 0.0 and z[1, 1] == 0.0, "no conversion yet in either arm: z is 0, not nan."
    ca, cb = peeking.draw_aa(4000, 10, 100, p=0.1, seed=1)
    zz = np.asarray(peeking.z_paths(ca, cb, 100), dtype=float)
    assert abs(zz.mean()) < 0.05 and 0.93 < zz[:, -1].std() < 1.07, "A/A z statistics are standard normal."
    assert np.corrcoef(zz[:, 0], zz[:, -1])[0, 1] == pytest.approx(np.sqrt(1 / 10), abs=0.06), (
        "z at look 1 and look 10 share the first day's data: their correlation is sqrt(1/10)."
    )


@pytest.mark.rubric("p7.peeking.naive", points=3)
def test_naive_peeking_inflates_false_positives(project_module):
    """naive_rejections(): stopping at the first |z| > 1.96 of 28 looks rejects far more than 5 %"""
    peeking = project_module("online_eval.peeking")
    z = null_paths(5000, 28, seed=2)
    got = np.asarray(peeking.naive_rejections(z), dtype=bool)
    expected = (np.abs(z) >= 1.959964).any(axis=1)
    assert (got == expected).mean() > 0.999, "an experiment is rejected when any look's |z| >= 1.96."
    assert got.mean() > 0.15


@pytest.mark.rubric("p7.peeking.sequential", points=4)
def test_sequential_test_keeps_the_false_positive_rate(project_module):
    """msprt_rejections() looked at 28 times rejects at most about 5 % of A/A experiments"""
    peeking = project_module("online_eval.peeking")
    n = 200 * np.arange(1, 29)
    for seed in (3, 4):
        rate = float(np.asarray(peeking.msprt_rejections(null_paths(8000, 28, seed), n), dtype=bool).mean())
        assert rate <= 0.055, (
            f"the sequential test rejected {rate:.1%} of 8,000 A/A experiments looked at 28 times; "
            "an always-valid "
            "test (or alpha spending) keeps it at or below 5 %."
        )


@pytest.mark.rubric("p7.peeking.sequential", points=4)
def test_sequential_test_still_detects_a_real_effect(project_module):
    """msprt_rejections() detects an effect that a single final look detects 90 % of the time, often"""
    peeking = project_module("online_eval.peeking")
    n = 2000 * np.arange(1, 29)
    z = null_paths(4000, 28, seed=5, drift=3.24)
    rate = float(np.asarray(peeking.msprt_rejections(z, n), dtype=bool).mean())
    assert rate > 0.4, (
        f"with a true effect a single final look detects 90 % of the time, your sequential test rejects "
        f"{rate:.1%}: a test that never rejects has no false positives, and no use."
    )
