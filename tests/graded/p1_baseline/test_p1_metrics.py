"""Graded: metric functions against scikit-learn and hand-computed cases; bootstrap by customer."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm


def _cases():
    rng = np.random.default_rng(11)
    for n, rate in [(50, 0.3), (400, 0.05), (1000, 0.5)]:
        y = (rng.random(n) < rate).astype(int)
        y[:2] = [0, 1]
        p = np.clip(rng.beta(2, 5, n) + 0.2 * y, 0.001, 0.999)
        yield y, p
    yield np.array([0, 0, 1, 1, 0, 1]), np.array([0.1, 0.4, 0.4, 0.8, 0.8, 0.9])  # ties


@pytest.mark.rubric("p1.metrics.match_sklearn", points=2)
def test_metrics_match_scikit_learn(project_module):
    """PR-AUC, ROC-AUC, log-loss and Brier match scikit-learn's definitions."""
    metrics = project_module("churn_baseline.metrics")
    for y, p in _cases():
        expected = {
            "pr_auc": skm.average_precision_score(y, p),
            "roc_auc": skm.roc_auc_score(y, p),
            "log_loss": skm.log_loss(y, p),
            "brier": skm.brier_score_loss(y, p),
        }
        for name, value in expected.items():
            got = getattr(metrics, name)(y, p)
            assert got == pytest.approx(value, rel=1e-6), (
                f"{name} gives {got:.6f} where scikit-learn gives {value:.6f} (n={len(y)}): "
                "use the standard definition (PR-AUC is average precision, not the trapezoid)."
            )


@pytest.mark.rubric("p1.metrics.capacity", points=2)
def test_precision_recall_at_capacity_hand_computed(project_module):
    """Precision and recall at capacity: contact the top share of scores, count the churners reached."""
    metrics = project_module("churn_baseline.metrics")
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1])
    # top 20 % = 2 rows (0.9 -> churner, 0.8 -> not): precision 1/2, recall 1/3
    precision, recall = metrics.precision_recall_at_capacity(y, s, 0.2)
    assert (precision, recall) == pytest.approx((0.5, 1 / 3)), (
        f"At 20 % capacity of 10 rows you contact the 2 highest scores (1 churner of 3): expected precision "
        f"0.5 and recall 0.333, got {precision:.3f} and {recall:.3f}."
    )
    shuffled = np.random.default_rng(0).permutation(10)
    precision, recall = metrics.precision_recall_at_capacity(y[shuffled], s[shuffled], 0.3)
    assert (precision, recall) == pytest.approx((2 / 3, 2 / 3)), (
        f"At 30 % capacity (3 rows: 0.9, 0.8, 0.7) expect precision and recall 2/3, got {precision:.3f}, "
        f"{recall:.3f}: rank by score, not by row order."
    )


@pytest.mark.rubric("p1.metrics.profit", points=2)
def test_expected_profit_hand_computed(project_module, decision):
    """Expected profit of a contact list under the stated costs."""
    metrics = project_module("churn_baseline.metrics")
    y = np.array([1, 0, 1, 1, 0, 0])
    selected = np.array([True, True, True, False, False, False])
    # 2 churners reached * (0.5 * 100) - 3 contacts * 10 = 70
    got = metrics.expected_profit(y, selected, decision)
    assert got == pytest.approx(70.0), (
        "Contacting 3 customers (2 churners) with save_rate 0.5, saved_value 100 and contact_cost 10 is "
        "worth "
        f"2 * 0.5 * 100 - 3 * 10 = 70; got {got}."
    )
    none = metrics.expected_profit(y, np.zeros(6, dtype=bool), decision)
    assert none == pytest.approx(0.0), f"Contacting nobody costs and earns nothing; got {none}."


@pytest.mark.rubric("p1.metrics.bootstrap_by_customer", points=2)
def test_bootstrap_resamples_customers(project_module):
    """The bootstrap interval resamples customers (all their rows together), not rows."""
    metrics = project_module("churn_baseline.metrics")
    rng = np.random.default_rng(5)
    n_customers, rows_each = 30, 40
    risk = rng.random(n_customers)
    y_c = (rng.random(n_customers) < risk).astype(int)
    y_c[:2] = [0, 1]
    groups = np.repeat(np.arange(n_customers), rows_each)
    y, p = np.repeat(y_c, rows_each), np.repeat(risk, rows_each)
    point, low, high = metrics.bootstrap_ci(y, p, groups, metrics.brier, n_boot=300, alpha=0.1, seed=0)
    assert point == pytest.approx(np.mean((p - y) ** 2)), "The point estimate is the metric on all rows."
    assert low <= point <= high, (
        f"The interval [{low:.4f}, {high:.4f}] should contain the estimate {point:.4f}."
    )
    row_draws = [np.mean((p[i] - y[i]) ** 2) for i in (rng.integers(0, len(y), len(y)) for _ in range(300))]
    row_width = np.subtract(*np.percentile(row_draws, [95, 5]))
    assert high - low > 3 * row_width, (
        f"The interval is {high - low:.4f} wide, about what resampling rows gives ({row_width:.4f}). "
        "Each customer "
        "has 40 identical rows: draw customers with replacement and keep all their rows."
    )
    again = metrics.bootstrap_ci(y, p, groups, metrics.brier, n_boot=300, alpha=0.1, seed=0)
    assert again == pytest.approx((point, low, high)), "Same seed, same interval: seed the random generator."


@pytest.mark.rubric("p1.metrics.bootstrap_by_customer", points=2)
def test_bootstrap_keeps_every_draw_of_a_customer(project_module):
    """A customer drawn twice counts twice: every resample holds as many customers as the data."""
    metrics = project_module("churn_baseline.metrics")
    rng = np.random.default_rng(8)
    n_customers, rows_each = 60, 4
    groups = rng.permutation(np.repeat([f"c{i:02d}" for i in range(n_customers)], rows_each))
    y = (rng.random(len(groups)) < 0.3).astype(int)
    y[:2] = [0, 1]
    p = rng.random(len(groups))
    sizes = []

    def resample_size(y_true, y_score):
        sizes.append(len(y_true))
        return float(len(y_true))

    metrics.bootstrap_ci(y, p, groups, resample_size, n_boot=50, seed=0)
    assert len(sizes) > 1 and min(sizes) == max(sizes) == len(y), (
        f"Every customer has {rows_each} rows, so every resample of {n_customers} customers drawn with "
        f"replacement holds exactly {len(y)} rows; your resamples held {min(sizes, default=0)} to "
        f"{max(sizes, default=0)} rows. "
        "A customer drawn twice must bring all its rows twice: repeat them, do not keep each drawn "
        "customer once."
    )


@pytest.mark.rubric("p1.metrics.bootstrap_by_customer", points=1)
def test_bootstrap_interval_has_the_stated_coverage(project_module):
    """The interval spans the alpha / 2 and 1 - alpha / 2 percentiles of the resampled metric."""
    metrics = project_module("churn_baseline.metrics")
    rng = np.random.default_rng(9)
    n_customers, rows_each = 400, 3
    groups = np.repeat(np.arange(n_customers), rows_each)
    p = np.repeat(rng.normal(0.5, 0.1, n_customers), rows_each)
    y = (rng.random(len(p)) < 0.3).astype(int)

    def mean_score(y_true, y_score):
        return float(np.mean(y_score))

    for alpha, z in [(0.1, 1.6449), (0.3, 1.0364)]:
        _, low, high = metrics.bootstrap_ci(y, p, groups, mean_score, n_boot=1000, alpha=alpha, seed=0)
        # the mean of 400 customers' scores: its bootstrap distribution is close to normal
        expected = 2 * z * np.std(p[::rows_each]) / np.sqrt(n_customers)
        assert abs((high - low) / expected - 1) < 0.12, (
            f"With alpha={alpha} the interval should span the {alpha / 2:.0%} to {1 - alpha / 2:.0%} "
            f"percentiles of the resampled metric, about {expected:.4f} wide here; yours is "
            f"{high - low:.4f} wide. Take np.percentile at 100 * alpha / 2 and 100 * (1 - alpha / 2)."
        )


def _two_close_models(seed: int = 0, n: int = 400):
    """Model b = model a plus a small, consistent improvement: b's gain is real, but b's estimate lies well
    inside a's own bootstrap interval."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    y[:2] = [0, 1]
    a = y * 0.8 + rng.normal(size=n)
    b = a + y * 0.15 + rng.normal(scale=0.05, size=n)
    return y, a, b


@pytest.mark.rubric("p1.metrics.paired_comparison", points=2)
def test_paired_bootstrap_sees_a_gain_the_separate_intervals_hide(project_module, paired_reference):
    """Scored on the same customers, a small consistent gain has a paired interval that excludes 0."""
    metrics = project_module("churn_baseline.metrics")
    y, a, b = _two_close_models()
    groups = np.arange(len(y))
    difference, low, high = metrics.paired_bootstrap(y, b, a, groups, metrics.pr_auc, n_boot=300, seed=0)
    expected = skm.average_precision_score(y, b) - skm.average_precision_score(y, a)
    assert difference == pytest.approx(expected, abs=1e-9), (
        f"paired_bootstrap(y, a, b, ...) returns metric(a) - metric(b) on all rows first: expected "
        f"{expected:.4f}, got {difference:.4f}."
    )
    _, ref_low, ref_high = paired_reference(y, b, a, groups, skm.average_precision_score)
    _, split_low, split_high = paired_reference(y, b, a, groups, skm.average_precision_score, paired=False)
    assert low > 0 and low <= difference <= high, (
        f"b improves on a for every churner, yet your interval of b - a is [{low:.4f}, {high:.4f}]. "
        f"Scored on the same resampled customers the difference's interval is about [{ref_low:.4f}, "
        f"{ref_high:.4f}]; resampling each model on its own draws gives [{split_low:.4f}, {split_high:.4f}]. "
        "Draw customers once per resample and score both models on that draw."
    )
    assert (high - low) < 1.5 * (ref_high - ref_low), (
        f"Your interval is {high - low:.4f} wide; a paired bootstrap gives about {ref_high - ref_low:.4f} "
        f"and independent draws {split_high - split_low:.4f}: score both models on the same draw."
    )


@pytest.mark.rubric("p1.metrics.paired_comparison", points=1)
def test_paired_bootstrap_is_antisymmetric_and_zero_for_one_model(project_module):
    """Swapping the models flips the difference and its interval; a model against itself differs by 0."""
    metrics = project_module("churn_baseline.metrics")
    y, a, b = _two_close_models(seed=3)
    groups = np.arange(len(y)) // 2
    forward = metrics.paired_bootstrap(y, b, a, groups, metrics.pr_auc, n_boot=200, seed=4)
    backward = metrics.paired_bootstrap(y, a, b, groups, metrics.pr_auc, n_boot=200, seed=4)
    assert backward == pytest.approx((-forward[0], -forward[2], -forward[1]), abs=1e-9), (
        f"paired_bootstrap(y, a, b) gave {forward}; with the models swapped (same seed) it should give the "
        f"negated difference and interval, {(-forward[0], -forward[2], -forward[1])}; got {backward}."
    )
    same = metrics.paired_bootstrap(y, a, a, groups, metrics.pr_auc, n_boot=50, seed=0)
    assert same == pytest.approx((0.0, 0.0, 0.0), abs=1e-12), (
        f"A model compared with itself must differ by exactly 0 on every draw; got {same}."
    )


@pytest.mark.rubric("p1.metrics.paired_comparison", points=1)
def test_paired_bootstrap_resamples_customers(project_module, paired_reference):
    """The paired bootstrap draws customers with all their rows, like the single-model interval."""
    metrics = project_module("churn_baseline.metrics")
    y_c, a_c, b_c = _two_close_models(seed=5, n=60)
    rows_each = 20
    groups = np.repeat(np.arange(len(y_c)), rows_each)
    y, a, b = (np.repeat(v, rows_each) for v in (y_c, a_c, b_c))
    _, low, high = metrics.paired_bootstrap(y, b, a, groups, metrics.pr_auc, n_boot=300, seed=0)
    _, ref_low, ref_high = paired_reference(y, b, a, groups, metrics_pr_auc := skm.average_precision_score)
    _, row_low, row_high = paired_reference(y, b, a, np.arange(len(y)), metrics_pr_auc)
    assert (high - low) > 0.6 * (ref_high - ref_low) and (high - low) > 2 * (row_high - row_low), (
        f"Each customer has {rows_each} identical rows. Your interval is {high - low:.4f} wide; drawing "
        f"customers gives about {ref_high - ref_low:.4f}, drawing rows {row_high - row_low:.4f}. Draw "
        "customers with replacement and keep all their rows, in both models."
    )


def _comparison(difference: float, low: float, high: float) -> dict:
    """A paired comparison of boosting (a) with logistic regression (b), as compare_models records it."""
    return {"a": "boosting", "b": "logistic", "metric": "PR-AUC", "difference": difference,
            "ci_low": low, "ci_high": high, "credible": low > 0 or high < 0}  # fmt: skip


@pytest.mark.rubric("p1.metrics.model_choice", points=1)
def test_choose_model_ships_the_complex_model_only_on_a_credible_gain(project_module):
    """choose_model() ships the other model only when the paired interval credibly favours it"""
    metrics = project_module("churn_baseline.metrics")
    for interval, expected, why in (
        ((0.03, 0.01, 0.05), "boosting", "the whole interval is above 0: boosting's gain is credible"),
        ((0.03, -0.01, 0.07), "logistic", "the estimate favours boosting but the interval includes 0"),
        ((-0.03, -0.05, -0.01), "logistic", "the whole interval is below 0: logistic regression is better"),
        ((-0.01, -0.04, 0.02), "logistic", "the interval includes 0: keep the simpler model"),
    ):
        got = metrics.choose_model(_comparison(*interval), simpler="logistic")
        difference, low, high = interval
        assert got == expected, (
            f"boosting - logistic = {difference:+.2f}, paired interval [{low:+.2f}, {high:+.2f}]: {why}, "
            f"so ship {expected!r}; choose_model() said {got!r}."
        )


@pytest.mark.rubric("p1.metrics.model_choice", points=1)
def test_choose_model_keeps_whichever_model_is_simpler(project_module):
    """choose_model() keeps the model named simpler, whichever side of the comparison it is on"""
    metrics = project_module("churn_baseline.metrics")
    flipped = {**_comparison(-0.03, -0.07, 0.01), "a": "logistic", "b": "boosting"}
    got = metrics.choose_model(flipped, simpler="logistic")
    assert got == "logistic", (
        "logistic - boosting = -0.03, paired interval [-0.07, +0.01] includes 0: no credible difference, "
        "so the simpler logistic regression stays, even when it is the comparison's a; "
        f"choose_model() said {got!r}."
    )
    better = {**_comparison(0.04, 0.01, 0.07), "a": "logistic", "b": "boosting"}
    got = metrics.choose_model(better, simpler="boosting")
    assert got == "logistic", (
        "logistic - boosting = +0.04, paired interval [+0.01, +0.07]: logistic regression is credibly "
        f"better, so it ships whichever model is called simpler; choose_model() said {got!r}."
    )
