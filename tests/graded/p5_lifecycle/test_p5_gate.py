"""Graded: the promotion gate compares two models on the same customers, with paired intervals and guardrails.

The judge builds scores whose answer it knows: a challenger that ranks the same customers a little better
(a small gain the paired bootstrap sees clearly, an unpaired one does not), and a challenger with its own
noise whose point gain is large but not credible.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score


def correlated(gain: float = 0.04, seed: int = 0, n: int = 4000):
    """Champion and challenger share their noise; the challenger ranks churners ``gain`` higher."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.08).astype(int)
    champion = y * 1.0 + rng.normal(0, 1, n) + rng.normal(0, 0.8, n)
    return y, champion, champion + gain * y


def independent(seed: int = 3, n: int = 4000):
    """Two models of about the same quality with their own noise: a point gain of chance."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.08).astype(int)
    return y, y * 1.0 + rng.normal(0, 1, n), y * 1.05 + rng.normal(0, 1, n)


def _policy(project_module, **kw):
    return project_module("churn_lifecycle.policy").Policy(**kw)


def _gate(project_module, y, champion, challenger, slices=None, **policy):
    """The gate's decision; the calibration guardrail is switched off unless a test sets it (most scores
    here are not probabilities, so only the check a test is about decides)."""
    gate = project_module("churn_lifecycle.gate")
    policy.setdefault("max_calibration_increase", 100.0)
    slices = np.full(len(y), "all", dtype=object) if slices is None else slices
    return gate.gate_decision(y, champion, challenger, slices, _policy(project_module, **policy))


@pytest.mark.rubric("p5.gate.paired_interval", points=3)
def test_paired_difference_is_paired_on_the_same_customers(project_module):
    """paired_difference bootstraps customers once for both models: a small consistent gain is credible."""
    metrics = project_module("churn_lifecycle.metrics")
    y, champion, challenger = correlated(gain=0.04)
    result = metrics.paired_difference(y, champion, challenger, n_boot=1000, level=0.95, seed=0)
    expected = average_precision_score(y, challenger) - average_precision_score(y, champion)
    assert result["difference"] == pytest.approx(expected, abs=1e-9), (
        f"'difference' must be the challenger's PR-AUC minus the champion's on all rows ({expected:+.4f}), "
        f"got {result['difference']:+.4f}."
    )
    assert result["low"] <= result["difference"] <= result["high"], (
        f"the interval [{result['low']:+.4f}, {result['high']:+.4f}] should contain the point estimate "
        f"{result['difference']:+.4f}."
    )
    assert result["low"] > 0, (
        f"the challenger ranks the SAME customers' churners higher (+{expected:.4f} PR-AUC): a paired "
        f"bootstrap (one set of resampled customers, both models scored on it) gives an interval above 0, "
        f"got "
        f"[{result['low']:+.4f}, {result['high']:+.4f}]. Two independent bootstraps, one per model, give an "
        "interval about ten times wider that hides the gain: resample the indices once and use them for both."
    )
    assert result["high"] - result["low"] < 0.02, (
        f"the paired interval is {result['high'] - result['low']:.4f} wide; the common noise of two models "
        "scored on the same customers should cancel (expected < 0.02). Pair the resamples."
    )


@pytest.mark.rubric("p5.gate.paired_interval", points=2)
def test_paired_difference_is_seeded_and_speaks_plainly(project_module):
    """The interval is reproducible with a seed; its verdict says better, worse or no credible difference."""
    metrics = project_module("churn_lifecycle.metrics")
    y, champion, challenger = correlated(gain=0.04)
    first = metrics.paired_difference(y, champion, challenger, n_boot=400, seed=7)
    again = metrics.paired_difference(y, champion, challenger, n_boot=400, seed=7)
    assert (first["low"], first["high"]) == (again["low"], again["high"]), (
        "the same seed must give the same interval: draw the resamples from np.random.default_rng(seed)."
    )
    verdicts = {
        metrics.paired_difference(y, champion, challenger, seed=0)["verdict"],
        metrics.paired_difference(y, challenger, champion, seed=0)["verdict"],
        metrics.paired_difference(*independent(), seed=0)["verdict"],
    }
    assert len(verdicts) == 3 and all(isinstance(v, str) and v for v in verdicts), (
        "the verdict must be plain language and tell apart 'credibly better', 'credibly worse' and 'no "
        f"credible difference'; got {sorted(map(str, verdicts))}."
    )


@pytest.mark.rubric("p5.gate.credible_gain", points=3)
def test_gate_refuses_a_gain_that_is_not_credible(project_module):
    """The gate refuses a worse challenger, or one whose point gain is large but whose interval includes 0."""
    y, champion, challenger = independent()
    gain = average_precision_score(y, challenger) - average_precision_score(y, champion)
    assert gain > 0.02  # the judge's own check of the scenario: a large point gain, by chance
    lucky = _gate(project_module, y, champion, challenger)
    assert not lucky.promote, (
        f"the challenger's PR-AUC is {gain:+.4f} above the champion's on this sample, but its paired "
        "interval includes 0 (it just looked better on a lucky month): the gate must refuse. Promote only "
        "when the interval's lower end is above the margin, never on the point estimate."
    )
    assert any("pr_auc" in r for r in lucky.reasons), "name the primary metric (pr_auc) in the reasons."
    worse = _gate(project_module, y, challenger, champion)
    assert not worse.promote, "a challenger credibly worse on PR-AUC must be refused."


@pytest.mark.rubric("p5.gate.credible_gain", points=2)
def test_gate_promotes_a_credible_gain_and_a_first_model(project_module):
    """The gate promotes a small gain that is credible on the same customers, and the first model."""
    y, champion, challenger = correlated(gain=0.04)
    gain = average_precision_score(y, challenger) - average_precision_score(y, champion)
    better = _gate(project_module, y, champion, challenger)
    assert better.promote, (
        f"the challenger is better by {gain:+.4f} PR-AUC on the same customers and the paired interval lies "
        f"above 0: promote it (a fixed point-estimate margin such as 0.01 would miss it). "
        f"Reasons: {better.reasons}"
    )
    first = _gate(project_module, y, None, challenger)
    assert first.promote, "with no champion yet (None), the first valid candidate must be promoted."


def _slice_scenario(drop_small: int = 0, drop_mid: int = 0, drop_big: int = 0, seed: int = 0):
    """5,000 customers in slices 'big', 'mid' (40 churners) and 'small' (20 churners).

    Both models contact 250 customers (5 %); the challenger ranks churners better overall, but drops
    ``drop_*`` churners of a slice out of its contacts that the champion contacted.
    """
    rng = np.random.default_rng(seed)
    n = 5000
    slices = np.full(n, "big", dtype=object)
    slices[:400] = "mid"
    slices[400:500] = "small"
    y = np.zeros(n, dtype=int)
    y[:40] = 1  # mid: 40 churners
    y[400:420] = 1  # small: 20 churners
    y[500:900] = 1  # big: 400 churners
    champion = y * 1.0 + rng.normal(0, 1, n)
    champion[:20] += 10  # the champion contacts 20 of mid's churners
    champion[400:410] += 10  # 10 of small's
    champion[410:420] = -10  # and never the other 10
    champion[500:640] += 10  # 140 of big's
    challenger = champion + 0.3 * y
    for first, count in ((0, drop_mid), (400, drop_small), (500, drop_big)):
        challenger[first : first + count] = -10
    return y, champion, challenger, slices


@pytest.mark.rubric("p5.gate.refuses_guardrail", points=3)
def test_gate_refuses_a_credible_guardrail_regression(project_module):
    """The gate refuses a better challenger whose calibration rises or whose slice recall credibly falls."""
    y, champion, challenger, slices = _slice_scenario(drop_big=40)
    slice_drop = _gate(project_module, y, champion, challenger, slices)
    assert not slice_drop.promote, (
        "the challenger stops contacting 40 of the 140 churners the champion reached in slice 'big' (400 "
        "churners): recall falls by 0.10 with an interval far below -0.02. The gate must refuse."
    )
    assert any("slice" in r for r in slice_drop.reasons), "name the slice guardrail in the reasons."
    assert any("big" in r for r in slice_drop.reasons), (
        "name the slice that regressed ('big') in the reasons."
    )
    y, champion, challenger = correlated(gain=0.04)
    probabilities = 1 / (1 + np.exp(-(champion - 4)))
    miscalibrated = np.clip(1 / (1 + np.exp(-(challenger - 4))) * 3, 0, 1)
    calibration = _gate(project_module, y, probabilities, miscalibrated, max_calibration_increase=0.01)
    assert not calibration.promote, "the challenger's scores are three times too high: refuse on calibration."
    assert any("calibration" in r for r in calibration.reasons), "name the calibration guardrail."


@pytest.mark.rubric("p5.gate.slice_support", points=2)
def test_gate_does_not_judge_a_slice_too_small_to_judge(project_module):
    """A slice with fewer churners than the policy's minimum is reported too small to judge, never a veto."""
    y, champion, challenger, slices = _slice_scenario(drop_small=10)
    decision = _gate(project_module, y, champion, challenger, slices, min_slice_positives=30)
    assert decision.promote, (
        "slice 'small' has 20 churners, fewer than the 30 the policy asks for: each customer moves its "
        "recall by 0.05. Do not judge slices with fewer than policy.min_slice_positives churners: report "
        f"them as too small to judge, never a veto. Reasons: {decision.reasons}"
    )
    assert any("small" in r and "too small" in r for r in decision.reasons), (
        "say in the reasons which slices were too small to judge (e.g. 'too small to judge: small (20)')."
    )
    strict = _gate(project_module, y, champion, challenger, slices, min_slice_positives=5)
    assert not strict.promote, (
        "with policy.min_slice_positives = 5 the 20-churner slice is judged, and all ten of its contacted "
        "churners are lost (an interval far below -0.02): read the minimum support from the policy passed "
        "in, and refuse."
    )


@pytest.mark.rubric("p5.gate.slice_support", points=2)
def test_gate_slice_guardrail_is_not_flipped_by_one_customer(project_module):
    """One customer in a judged slice cannot flip the guardrail: it fails only on a credible drop."""
    y, champion, challenger, slices = _slice_scenario(drop_mid=1)
    decision = _gate(project_module, y, champion, challenger, slices, min_slice_positives=30)
    assert decision.promote, (
        "the challenger misses ONE more of slice 'mid''s 40 churners (recall -0.025, more than the 0.02 "
        "tolerance as a point estimate): the paired interval of the slice difference reaches above -0.02, "
        "so the drop is not credible. Fail the guardrail only when the whole interval is below "
        f"-max_slice_recall_drop. Reasons: {decision.reasons}"
    )


@pytest.mark.rubric("p5.gate.policy", points=2)
def test_gate_reads_its_limits_from_the_policy(project_module):
    """The gate applies the policy's margin on the interval's lower end and its calibration tolerance."""
    y, champion, challenger = correlated(gain=0.04)
    metrics = project_module("churn_lifecycle.metrics")
    low = metrics.paired_difference(y, champion, challenger, seed=0)["low"]
    assert _gate(project_module, y, champion, challenger, promotion_margin=0.0).promote, (
        "with promotion_margin 0 and an interval above 0, promote."
    )
    demanding = _gate(project_module, y, champion, challenger, promotion_margin=low + 0.01)
    assert not demanding.promote, (
        f"with promotion_margin {low + 0.01:.4f}, above the interval's lower end {low:.4f}, the gain is not "
        "credibly large enough: refuse (read the margin from the policy and compare the lower end with it)."
    )
    probabilities = 1 / (1 + np.exp(-(champion - 4)))
    better = 1 / (1 + np.exp(-(challenger - 4)))
    rise = project_module("churn_lifecycle.metrics").expected_calibration_error(y, better) - project_module(
        "churn_lifecycle.metrics"
    ).expected_calibration_error(y, probabilities)
    tight = _gate(project_module, y, probabilities, better, max_calibration_increase=min(rise, 0) - 0.001)
    assert not tight.promote, (
        "with max_calibration_increase below the actual change in calibration error, refuse: read the "
        "tolerance from the policy."
    )
