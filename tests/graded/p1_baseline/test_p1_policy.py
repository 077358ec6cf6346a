"""Graded: thresholds by capacity and profit, calibration, the slice report and the responsible-ML views."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.mark.rubric("p1.thresholds.capacity_and_profit", points=2)
def test_thresholds_by_capacity_and_by_profit(project_module, decision):
    """The capacity threshold, the profit curve and the best-profit threshold within capacity."""
    thresholds = project_module("churn_baseline.thresholds")
    s = np.array([0.05, 0.9, 0.3, 0.7, 0.1, 0.5, 0.2, 0.8, 0.6, 0.4])
    y = np.array([0, 1, 0, 0, 0, 1, 0, 1, 0, 0])
    thr = thresholds.threshold_for_capacity(s, 0.3)
    assert thr == pytest.approx(0.7), (
        f"30 % of 10 rows = 3 contacts: the threshold is the 3rd highest, 0.7; got {thr}."
    )
    curve = thresholds.profit_curve(y, s, decision)
    # ranked: 0.9 (1), 0.8 (1), 0.7 (0), 0.6 (0), 0.5 (1): profit = 50 * churners - 10 * k
    expected = [40, 80, 70, 60, 100, 90, 80, 70, 60, 50]
    assert list(np.round(curve["profit"], 6)) == expected, (
        f"profit_curve's profit column should be {expected} (each churner reached is worth 50, each contact "
        f"costs 10); got {list(curve['profit'])}."
    )
    best = thresholds.threshold_for_profit(y, s, decision)  # capacity 0.2 -> at most 2 contacts
    assert best["threshold"] == pytest.approx(0.8) and best["profit"] == pytest.approx(80), (
        f"Within a 20 % capacity (2 contacts) the best profit is 80 at threshold 0.8; got {best}. "
        "Never contact more than the capacity, even when more would pay."
    )


@pytest.mark.rubric("p1.thresholds.capacity_and_profit", points=2)
def test_profit_threshold_stays_within_capacity_and_never_loses(project_module, decision):
    """The profit threshold never exceeds the capacity, and contacts nobody when every list loses money."""
    thresholds = project_module("churn_baseline.thresholds")
    s = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    y = np.array([0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    # capacity 0.2 -> at most 2 contacts: profit -10 (k=1), 30 (k=2); k=3 would earn 70 but is not allowed
    best = thresholds.threshold_for_profit(y, s, decision)
    contacted = int((s >= best["threshold"]).sum())
    assert contacted <= 2 and best["profit"] == pytest.approx(30), (
        f"With capacity 0.2 of 10 rows at most 2 customers can be contacted: the best list within it earns "
        f"30 at threshold 0.9; your threshold {best['threshold']} contacts {contacted} (profit "
        f"{best['profit']}). The capacity is k = floor(0.2 * 10) = 2 rows, not k + 1."
    )
    losing = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 1])
    none = thresholds.threshold_for_profit(losing, s, decision)
    contacted = int((s >= none["threshold"]).sum())
    assert contacted == 0 and none["profit"] == pytest.approx(0), (
        "Here every list within capacity loses money (no churner in the top 2), so the policy should "
        f"contact nobody (threshold inf, profit 0); got {none}, which contacts {contacted}."
    )


@pytest.mark.rubric("p1.calibration.ece", points=2)
def test_expected_calibration_error_hand_computed(project_module):
    """Reliability table and ECE, hand-computed: equal-width bins on request, equal-mass bins by default."""
    calibration = project_module("churn_baseline.calibration")
    p = np.array([0.12, 0.18, 0.14, 0.16, 0.74, 0.76])
    y = np.array([0, 0, 0, 1, 1, 1])
    # bin [0.1, 0.2): 4 rows, mean p 0.15, rate 0.25, gap 0.10
    # bin [0.7, 0.8): 2 rows, mean p 0.75, rate 1.0, gap 0.25
    ece = calibration.expected_calibration_error(y, p, n_bins=10, strategy="uniform")
    assert ece == pytest.approx(0.15), (
        f"ECE should be (4 * 0.10 + 2 * 0.25) / 6 = 0.15 (the count-weighted mean of |mean p - churn rate| "
        f"per bin); got {ece:.4f}."
    )
    table = calibration.reliability_table(y, p, n_bins=10, strategy="uniform")
    assert list(table["count"]) == [4, 2], (
        f"Two non-empty bins of 4 and 2 rows expected; got counts {list(table['count'])}."
    )
    probs = np.array([0.1, 0.25, 0.25, 0.5, 0.75, 1.0])
    hits = np.array([0, 1, 0, 1, 1, 1])
    # 4 bins [0, .25), [.25, .5), [.5, .75), [.75, 1]: a probability on an edge opens the next bin
    table = calibration.reliability_table(hits, probs, n_bins=4, strategy="uniform")
    assert list(table["count"]) == [1, 2, 1, 2], (
        "With 4 bins, [0.1, 0.25, 0.25, 0.5, 0.75, 1.0] fall in bins of 1, 2, 1 and 2 rows (a probability "
        f"on an edge belongs to the bin it opens, 1.0 to the last bin); got counts {list(table['count'])}. "
        "Use left-closed bins: min(floor(p * n_bins), n_bins - 1)."
    )
    ece = calibration.expected_calibration_error(hits, probs, n_bins=4, strategy="uniform")
    assert ece == pytest.approx((0.1 + 2 * 0.25 + 0.5 + 2 * 0.125) / 6), (
        f"ECE on those 4 bins should be (0.1 + 2 * 0.25 + 0.5 + 2 * 0.125) / 6 = 0.225; got {ece:.4f}."
    )


@pytest.mark.rubric("p1.calibration.ece", points=2)
def test_calibration_error_uses_equal_mass_bins_by_default(project_module):
    """By default the bins hold equal numbers of rows (quantile bins): rare-event scores crowd near 0."""
    calibration = project_module("churn_baseline.calibration")
    p = np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.3, 0.5])
    y = np.array([0, 0, 0, 1, 0, 0, 0, 0, 1, 0])
    # 5 equal-mass bins of 2 rows: (0.01, 0.02) (0.03, 0.04) (0.05, 0.06) (0.07, 0.08) (0.3, 0.5)
    # gaps: |0.015 - 0| |0.035 - 0.5| |0.055 - 0| |0.075 - 0| |0.4 - 0.5| -> weighted mean (2 rows each)
    expected = (0.015 + 0.465 + 0.055 + 0.075 + 0.1) / 5
    table = calibration.reliability_table(y, p, n_bins=5)
    assert list(table["count"]) == [2, 2, 2, 2, 2], (
        f"Five equal-mass bins of these 10 probabilities hold 2 rows each; your bins hold "
        f"{list(table['count'])}. By default, put the bin edges at the k / n_bins quantiles of y_prob "
        "(equal-width bins would put 8 of the 10 rows in the first bin)."
    )
    ece = calibration.expected_calibration_error(y, p, n_bins=5)
    assert ece == pytest.approx(expected), (
        f"ECE on five equal-mass bins should be {expected:.4f}; got {ece:.4f}."
    )
    ties = calibration.reliability_table(np.array([0, 1, 0, 1]), np.array([0.2, 0.2, 0.2, 0.9]), n_bins=2)
    assert sorted(ties["count"]) in ([4], [1, 3]), (
        "Equal probabilities must share a bin: with three rows at 0.2 and one at 0.9, two equal-mass bins "
        f"cannot split the 0.2s (counts 3 and 1, or one bin of 4 when the edge is 0.2); got counts "
        f"{list(ties['count'])}. Bin by quantile edges, not by position in the sorted order."
    )


@pytest.mark.rubric("p1.calibration.improves", points=2)
def test_calibrator_lowers_calibration_error(project_module, read_metrics):
    """A calibrator fitted on validation data lowers the ECE of an over-confident model on new data."""
    calibration = project_module("churn_baseline.calibration")
    rng = np.random.default_rng(4)

    def draw(n):
        true = rng.beta(1, 12, n)
        y = (rng.random(n) < true).astype(int)
        raw = 1 / (1 + np.exp(-(np.log(true / (1 - true)) * 0.6 + 1.5)))  # inflated, squashed
        return y, raw

    y_val, raw_val = draw(4000)
    y_new, raw_new = draw(4000)
    fitted = {m: calibration.fit_calibrator(y_val, raw_val, method=m) for m in ("sigmoid", "isotonic")}
    before = calibration.expected_calibration_error(y_new, raw_new)
    for method, calibrator in fitted.items():
        after = calibration.expected_calibration_error(y_new, calibrator.transform(raw_new))
        assert after < min(before / 2, 0.03), (
            f"{method} calibration should bring the ECE of these inflated scores from {before:.3f} to below "
            f"0.03 (a well-fitted calibrator reaches about 0.01); after: {after:.3f}. Fit on the validation "
            "labels and scores, on the same input transform() uses (sigmoid: the logit of the score), then "
            "transform new scores."
        )
    beyond = np.array([0.0, raw_val.min() / 2, (1 + raw_val.max()) / 2, 1.0])  # outside the fitted range
    for method, calibrator in fitted.items():
        out = np.asarray(calibrator.transform(beyond), dtype=float)
        assert np.isfinite(out).all() and ((out >= 0) & (out <= 1)).all(), (
            f"The {method} calibrator gives {out.round(4).tolist()} for scores below and above every "
            "validation score: a new month always brings such scores, so map them to the nearest fitted "
            "probability (isotonic: out_of_bounds='clip')."
        )
    cal = read_metrics("the calibration you reported").get("calibration", {})
    assert cal.get("ece_calibrated", 1) < cal.get("ece_raw", 0), (
        "metrics.json calibration.ece_calibrated should be below calibration.ece_raw."
    )


@pytest.mark.rubric("p1.slices.report", points=2)
def test_slice_report_and_worst_slice(project_module):
    """Metrics by slice, the worst slice named, and the missed churners listed."""
    slices = project_module("churn_baseline.slices")
    df = pd.DataFrame(
        {
            "plan": ["a"] * 6 + ["b"] * 6,
            "y": [1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0],
            "score": [0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.6, 0.1, 0.2, 0.3, 0.05, 0.5],
            "chosen": [True, True, True, False, False, False, True, False, False, False, False, True],
        }
    )
    report = slices.slice_report(df, ["plan"], "y", "score", "chosen")
    rows = report.set_index("value")
    assert rows.loc["a", "recall"] == pytest.approx(2 / 3) and rows.loc["b", "recall"] == pytest.approx(
        1 / 3
    ), (
        f"Recall by plan should be a: 2/3, b: 1/3 (share of the slice's churners contacted); got "
        f"{rows['recall'].round(3).to_dict()}."
    )
    assert rows.loc["b", "precision"] == pytest.approx(0.5) and int(rows.loc["a", "n"]) == 6, (
        "Precision is churners among the contacted in the slice (b: 1 of 2); n is the slice's row count."
    )
    worst = slices.worst_slice(report, metric="recall", min_positives=1)
    assert (worst["slice"], worst["value"]) == ("plan", "b"), (
        f"The worst slice by recall is plan=b; got {worst}."
    )
    worst = slices.worst_slice(report, metric="recall", min_positives=3)
    assert (worst["slice"], worst["value"]) == ("plan", "b"), (
        f"With min_positives=3 both plans (3 churners each) qualify and plan=b is the worst; got {worst}. "
        "Keep slices with at least min_positives churners (>=, not >)."
    )
    gaps = df.assign(region=["north", None] * 6)
    regions = slices.slice_report(gaps, ["region"], "y", "score", "chosen")
    assert int(regions["n"].sum()) == len(gaps) and len(regions) == 2, (
        f"Half the rows have no region: they must form a slice of their own (every row belongs to one slice "
        f"of each column), not vanish; got slices {regions['value'].tolist()} with n "
        f"{regions['n'].tolist()}. Group with dropna=False."
    )
    missed = slices.missed_churners(df, "y", "chosen")
    assert sorted(missed.index) == [4, 7, 8], f"Missed churners are rows 4, 7, 8; got {sorted(missed.index)}."


@pytest.mark.rubric("p1.responsible.fairness", points=3)
def test_fairness_report_by_group(project_module):
    """Selection rate and recall by group with Fairlearn's MetricFrame, and the largest gap named."""
    responsible = project_module("churn_baseline.responsible")
    groups = np.array(["young"] * 5 + ["old"] * 5)
    y = np.array([1, 1, 0, 0, 0, 1, 1, 1, 1, 0])
    chosen = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    out = responsible.fairness_report(y, chosen, groups)
    table = out["by_group"]
    assert table.loc["young", "selection_rate"] == pytest.approx(0.6) and table.loc[
        "old", "recall"
    ] == pytest.approx(0.25), f"young: selection rate 3/5; old: recall 1/4. Got\n{table}"
    assert out["largest_gap"]["metric"] == "recall" and out["largest_gap"]["gap"] == pytest.approx(0.75), (
        f"The largest gap is recall (1.0 vs 0.25 = 0.75); got {out['largest_gap']}."
    )
    low, high = out["largest_gap"]["low_group"], out["largest_gap"]["high_group"]
    assert (low, high) == ("old", "young"), (
        f"The recall gap runs from old (0.25, the low group) to young (1.0, the high group); got low_group "
        f"{low!r} and high_group {high!r}."
    )


@pytest.mark.rubric("p1.responsible.permutation_importance", points=2)
def test_permutation_importance_finds_the_signal(project_module):
    """Permutation importance ranks the column that carries the signal first."""
    responsible = project_module("churn_baseline.responsible")
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2)
    X = pd.DataFrame(
        {"noise": rng.normal(size=800), "signal": rng.normal(size=800), "weak": rng.normal(size=800)}
    )
    y = (X["signal"] + 0.3 * X["weak"] + rng.normal(scale=0.5, size=800) > 1).astype(int)
    model = LogisticRegression().fit(X, y)
    table = responsible.permutation_importance_table(model, X, y, n_repeats=3, seed=0)
    assert list(table["feature"])[:2] == ["signal", "weak"], (
        f"Expected features ranked signal, weak, noise (most important first); got {list(table['feature'])}."
    )
    drop = float(table.set_index("feature").loc["signal", "importance"])
    assert 0.5 < drop < 0.75, (
        f"Shuffling 'signal' should cost about 0.6 of PR-AUC (average precision, the default scoring); your "
        f"table says {drop:.3f}. Score with the scoring argument, not the model's default score (accuracy)."
    )
    by_auc = responsible.permutation_importance_table(model, X, y, scoring="roc_auc", n_repeats=3, seed=0)
    drop = float(by_auc.set_index("feature").loc["signal", "importance"])
    assert 0.3 < drop < 0.48, (
        f"With scoring='roc_auc', shuffling 'signal' should cost about 0.39 of ROC-AUC; got {drop:.3f}: pass "
        "the scoring argument on to the permutation."
    )
