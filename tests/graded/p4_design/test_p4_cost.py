"""Graded: the expected cost of the review policy at a threshold."""

from __future__ import annotations

import pandas as pd
import pytest

REVIEW, FRICTION = 4.0, 15.0


def six_transactions(label_dtype: str = "int") -> pd.DataFrame:
    """Three frauds (100, 250, 30 dollars) and three legitimate payments; two scores sit exactly at 0.5."""
    frame = pd.DataFrame(
        {
            "amount": [100.0, 250.0, 40.0, 60.0, 80.0, 30.0],
            "is_fraud": [1, 1, 0, 0, 0, 1],
            "model_score": [0.9, 0.3, 0.7, 0.5, 0.1, 0.5],
        }
    )
    if label_dtype == "bool":
        frame["is_fraud"] = frame["is_fraud"].astype(bool)
    return frame


@pytest.mark.rubric("p4.cost.missed_fraud", points=5)
def test_missed_fraud_costs_its_amount(project_module):
    """A missed fraud costs its transaction amount, not a flat fee."""
    cost = project_module("fraud_design.cost")
    frame = six_transactions("bool")
    at_half = cost.expected_cost(frame, 0.5, review_usd=0.0, false_decline_usd=0.0)
    assert at_half.total_usd == pytest.approx(250.0), (
        f"With free reviews and no friction, threshold 0.5 misses only the $250 fraud (score 0.3), so the "
        f"cost is $250; you returned {at_half.total_usd}. "
        "Sum the `amount` of fraud rows with score < threshold."
    )
    above_all = cost.expected_cost(frame, 0.95, review_usd=0.0, false_decline_usd=0.0)
    assert above_all.total_usd == pytest.approx(380.0), (
        f"At threshold 0.95 every fraud is missed: 100 + 250 + 30 = $380; you returned {above_all.total_usd}."
    )
    assert above_all.n_fraud_missed == 3, (
        f"3 frauds are missed at 0.95; n_fraud_missed={above_all.n_fraud_missed}."
    )


@pytest.mark.rubric("p4.cost.review_and_friction", points=6)
def test_reviews_and_false_declines_are_costed(project_module):
    """Every held transaction costs a review; a held legitimate one also costs the false-decline friction."""
    cost = project_module("fraud_design.cost")
    frame = six_transactions()
    everything = cost.expected_cost(frame, 0.0, review_usd=REVIEW, false_decline_usd=FRICTION)
    assert everything.total_usd == pytest.approx(6 * REVIEW + 3 * FRICTION), (
        f"At threshold 0 all 6 payments are held: 6 reviews x $4 + 3 legitimate x $15 friction = $69; you "
        f"returned {everything.total_usd}. A held legitimate payment costs the review AND the friction."
    )
    half = cost.expected_cost(frame, 0.5, review_usd=REVIEW, false_decline_usd=FRICTION)
    assert (half.review_usd, half.friction_usd, half.missed_fraud_usd) == pytest.approx(
        (16.0, 30.0, 250.0)
    ), (
        "At threshold 0.5: 4 reviews ($16), 2 false declines ($30) and the missed $250 fraud; you returned "
        f"reviews={half.review_usd}, friction={half.friction_usd}, missed={half.missed_fraud_usd}."
    )
    assert half.total_usd == pytest.approx(296.0), (
        f"The total at 0.5 is 16 + 30 + 250 = $296, not {half.total_usd}."
    )
    counts = (half.n_fraud_caught, half.n_fraud_missed, half.n_false_declines)
    assert counts == (2, 1, 2), (
        "At threshold 0.5 two frauds are held (caught), one is missed and two legitimate payments are held "
        f"(false declines); you returned caught={counts[0]}, missed={counts[1]}, false declines={counts[2]}."
    )


@pytest.mark.rubric("p4.cost.threshold_inclusive", points=3)
def test_score_equal_to_threshold_is_held(project_module):
    """The policy is score >= threshold: a score exactly at the threshold is held for review."""
    cost = project_module("fraud_design.cost")
    half = cost.expected_cost(six_transactions(), 0.5, review_usd=REVIEW, false_decline_usd=FRICTION)
    assert half.n_reviews == 4, (
        f"Two payments score exactly 0.5; with score >= 0.5 four are held, you held {half.n_reviews}. "
        "Use >= (not >) to compare the score with the threshold."
    )


@pytest.mark.rubric("p4.cost.curve_per_day", points=5)
def test_cost_curve_scales_the_sample_to_daily_volume(project_module):
    """The cost curve gives reviews and cost per day at each threshold, scaled to the daily volume."""
    cost = project_module("fraud_design.cost")
    curve = cost.cost_curve(
        six_transactions(),
        [0.95, 0.0, 0.5],
        review_usd=REVIEW,
        false_decline_usd=FRICTION,
        daily_transactions=600,
    )
    assert list(curve["threshold"]) == pytest.approx([0.95, 0.0, 0.5]), (
        f"Return one row per threshold in the order given; got thresholds {list(curve['threshold'])}."
    )
    assert list(curve["reviews_per_day"]) == pytest.approx([0.0, 600.0, 400.0]), (
        "6 sample rows stand for 600 payments a day (x100): 0, 6 and 4 sample reviews are 0, 600 and 400 a "
        f"day; you returned {list(curve['reviews_per_day'])}."
    )
    assert list(curve["cost_per_day"]) == pytest.approx([38_000.0, 6_900.0, 29_600.0]), (
        "Scale each sample cost by daily_transactions / len(transactions): $380, $69 and $296 become "
        f"$38,000, $6,900 and $29,600 a day; you returned {list(curve['cost_per_day'])}."
    )
    at_half = curve.iloc[2]
    breakdown = {
        "fraud_caught_per_day": 200.0,
        "fraud_missed_per_day": 100.0,
        "false_declines_per_day": 200.0,
        "missed_fraud_usd_per_day": 25_000.0,
        "review_usd_per_day": 1_600.0,
        "friction_usd_per_day": 3_000.0,
    }
    wrong = {
        column: at_half.get(column)
        for column, value in breakdown.items()
        if at_half.get(column) != pytest.approx(value)
    }
    assert not wrong, (
        f"At threshold 0.5 every count and cost is scaled by 100 too: expected {breakdown}; these differ: "
        f"{wrong}. The design doc quotes the breakdown, so scale every column, not only the total."
    )


def _days(n_days: int, per_day: int, seed: int) -> pd.DataFrame:
    """Transactions over n_days; each day's frauds come in a wave (a day is the unit that repeats)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    day = np.repeat(np.arange(n_days), per_day)
    wave = rng.random(n_days) < 0.3  # some days carry many frauds, most none
    fraud = wave[day] & (rng.random(len(day)) < 0.5)
    return pd.DataFrame(
        {
            "day": day,
            "amount": rng.uniform(20, 400, len(day)).round(2),
            "is_fraud": fraud.astype(int),
            "model_score": np.clip(0.6 * fraud + rng.normal(0.2, 0.15, len(day)), 0, 1),
            "rule": (rng.random(len(day)) < 0.1).astype(float),
        }
    )


@pytest.mark.rubric("p4.cost.saving_interval", points=2)
def test_saving_interval_is_paired_and_resamples_days(project_module):
    """The saving over a baseline is its cost minus the model's on the same rows, with a day bootstrap."""
    import numpy as np

    cost = project_module("fraud_design.cost")
    frame = _days(40, 25, seed=3)
    costs = {"review_usd": REVIEW, "false_decline_usd": FRICTION}
    saving, low, high = cost.saving_interval(
        frame, frame["rule"], 1.0, 0.5, groups=frame["day"], n_boot=400, seed=0, **costs
    )
    rule_cost = cost.expected_cost(frame.assign(model_score=frame["rule"]), 1.0, **costs).total_usd
    model_cost = cost.expected_cost(frame, 0.5, **costs).total_usd
    assert saving == pytest.approx(rule_cost - model_cost), (
        f"The saving is the baseline policy's cost minus the model policy's on the same transactions: "
        f"{rule_cost:,.2f} - {model_cost:,.2f} = {rule_cost - model_cost:,.2f}; you returned {saving:,.2f}."
    )
    assert low < saving < high, (
        f"The interval [{low:,.0f}, {high:,.0f}] must contain the saving {saving:,.0f}."
    )
    _, row_low, row_high = cost.saving_interval(
        frame, frame["rule"], 1.0, 0.5, groups=np.arange(len(frame)), n_boot=400, seed=0, **costs
    )
    assert (high - low) > 1.5 * (row_high - row_low), (
        f"Frauds come in daily waves, so resampling whole days must give a wider interval than resampling "
        f"payments: yours are {high - low:,.0f} (by day) and {row_high - row_low:,.0f} (by payment). Draw "
        "groups with replacement and keep all their rows."
    )


@pytest.mark.rubric("p4.cost.saving_interval", points=1)
def test_saving_interval_of_a_policy_against_itself_is_zero(project_module):
    """A policy compared with itself saves exactly 0 on every resample."""
    cost = project_module("fraud_design.cost")
    frame = _days(10, 10, seed=4)
    same = cost.saving_interval(
        frame, frame["model_score"], 0.5, 0.5, review_usd=REVIEW, false_decline_usd=FRICTION,
        groups=frame["day"], n_boot=50, seed=0,
    )  # fmt: skip
    assert same == pytest.approx((0.0, 0.0, 0.0), abs=1e-9), (
        f"Costing the same policy twice on each resample must give a saving of exactly 0; got {same}. "
        "Cost both policies on the same resampled rows."
    )
