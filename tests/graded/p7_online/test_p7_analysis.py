"""Graded: the SRM check, the effect's interval and its coverage of the truth, CUPED, segment effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

Z95 = 1.959964


def _value(effect, name: str) -> float:
    return float(getattr(effect, name))


@pytest.mark.rubric("p7.analysis.srm", points=3)
def test_srm_is_flagged_on_the_planted_log_only(project_module, churn_world):
    """srm_check() flags the log with the assignment bug and passes the clean one (designed 50/50)"""
    from course.data import offers

    analysis = project_module("online_eval.analysis")
    for kind, expected in (("srm", True), ("clean", False)):
        counts = {
            str(k): int(v)
            for k, v in offers.experiment_log(churn_world, kind=kind)["arm"].value_counts().items()
        }
        check = analysis.srm_check(counts, {"none": 0.5, "discount": 0.5})
        assert bool(check.mismatch) is expected, (
            f"the {kind} log has {counts}; a chi-square test against 50/50 gives p = "
            f"{stats.chisquare(list(counts.values())).pvalue:.2e}, so mismatch should be {expected}."
        )


@pytest.mark.rubric("p7.analysis.srm", points=3)
def test_srm_p_value_is_the_chi_square_test(project_module):
    """srm_check() compares counts with the designed shares (unequal, three arms) by a chi-square test"""
    analysis = project_module("online_eval.analysis")
    counts, shares = {"a": 5100, "b": 2450, "c": 2450}, {"a": 0.5, "b": 0.25, "c": 0.25}
    expected = stats.chisquare([5100, 2450, 2450], [5000, 2500, 2500])
    check = analysis.srm_check(counts, shares)
    assert float(check.p_value) == pytest.approx(expected.pvalue, rel=1e-6), (
        f"counts {counts} against shares {shares}: chi-square p = {expected.pvalue:.6f} "
        "(2 degrees of freedom); "
        f"you returned {float(check.p_value):.6f}."
    )


@pytest.mark.rubric("p7.analysis.interval", points=4)
def test_difference_in_means_is_two_sided_with_the_unpooled_error(project_module):
    """difference_in_means(): treatment - control, se sqrt(var_t/n_t + var_c/n_c), two-sided 95 % interval"""
    analysis = project_module("online_eval.analysis")
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.normal(10, 2, 400), rng.normal(10.5, 6, 100)])
    treated = np.r_[np.zeros(400, bool), np.ones(100, bool)]
    effect = analysis.difference_in_means(y, treated)
    est = y[treated].mean() - y[~treated].mean()
    se = np.sqrt(y[treated].var(ddof=1) / 100 + y[~treated].var(ddof=1) / 400)
    assert _value(effect, "estimate") == pytest.approx(est, rel=1e-9), "the estimate is treatment - control."
    assert _value(effect, "se") == pytest.approx(se, rel=1e-6), (
        f"se should be {se:.5f} (each arm's variance over its own size); "
        f"you returned {_value(effect, 'se'):.5f}."
    )
    assert (_value(effect, "low"), _value(effect, "high")) == pytest.approx(
        (est - Z95 * se, est + Z95 * se), rel=1e-5
    ), "the 95 % interval is estimate +- 1.96 se (two-sided); 1.645 gives a 90 % interval reported as 95 %."
    p = 2 * stats.norm.sf(abs(est) / se)
    assert _value(effect, "p_value") == pytest.approx(p, rel=1e-4), f"the two-sided p-value is {p:.5f}."


@pytest.mark.rubric("p7.analysis.interval", points=4)
def test_interval_covers_the_true_effect_over_rerun_experiments(project_module, february):
    """Over 150 re-randomised experiments on February's customers the 95 % interval holds the truth ~95 %"""
    analysis = project_module("online_eval.analysis")
    truth = february[1]
    rng = np.random.default_rng(11)
    y1, y0 = truth["retained_90d_discount"].to_numpy(float), truth["retained_90d_none"].to_numpy(float)
    target = float((y1 - y0).mean())
    hits = 0
    for _ in range(150):
        treated = rng.random(len(truth)) < 0.5
        effect = analysis.difference_in_means(np.where(treated, y1, y0), treated)
        hits += _value(effect, "low") <= target <= _value(effect, "high")
    assert 0.88 <= hits / 150 <= 0.995, (
        f"the interval contained the true effect on retention ({target:+.4f}) in {hits} of 150 re-run "
        "experiments; a 95 % interval should in about 142."
    )


@pytest.mark.rubric("p7.analysis.cuped", points=4)
def test_cuped_narrows_the_interval_as_theory_says(project_module, churn_world):
    """CUPED on pre-period revenue: the standard error shrinks by about sqrt(1 - rho^2), theta = cov/var"""
    from course.data import offers

    analysis = project_module("online_eval.analysis")
    log = offers.experiment_log(churn_world)
    y, x, t = (
        log["revenue_90d"].to_numpy(),
        log["revenue_pre_90d"].to_numpy(),
        (log["arm"] == "discount").to_numpy(),
    )
    plain = analysis.difference_in_means(y, t)
    effect, theta, _ = analysis.cuped(y, x, t)
    assert float(theta) == pytest.approx(np.cov(x, y)[0, 1] / np.var(x, ddof=1), rel=1e-3), (
        "theta = cov(x, y) / var(x)."
    )
    true_rho = np.corrcoef(x, y)[0, 1]
    ratio = _value(effect, "se") / _value(plain, "se")
    assert ratio == pytest.approx(np.sqrt(1 - true_rho**2), abs=0.03), (
        f"with rho = {true_rho:.3f} the standard error should shrink to about "
        f"{np.sqrt(1 - true_rho**2):.3f} of the "
        f"plain one; yours is {ratio:.3f}."
    )


@pytest.mark.rubric("p7.analysis.cuped", points=4)
def test_cuped_intervals_cover_the_true_effect(project_module, february):
    """CUPED stays unbiased: over 120 re-run experiments its interval holds the true effect ~95 %"""
    analysis = project_module("online_eval.analysis")
    people, truth = february
    rng = np.random.default_rng(12)
    y1, y0 = truth["revenue_90d_discount"].to_numpy(), truth["revenue_90d_none"].to_numpy()
    x = people["revenue_pre_90d"].to_numpy()
    target = float((y1 - y0).mean())
    hits = 0
    for _ in range(120):
        treated = rng.random(len(truth)) < 0.5
        effect = analysis.cuped(np.where(treated, y1, y0), x, treated)[0]
        hits += _value(effect, "low") <= target <= _value(effect, "high")
    assert hits / 120 >= 0.88, (
        f"the CUPED interval contained the true effect ({target:+.3f}) in {hits} of 120 re-run experiments; "
        "theta is estimated over both arms and the adjustment centred on the covariate's overall mean."
    )


def _segment_log() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 3000
    seg = rng.choice(["a", "b", "c"], n)
    arm = rng.choice(["none", "call"], n)
    y = rng.normal(0, 1, n) + 0.25 * ((seg == "a") & (arm == "call"))
    return pd.DataFrame({"seg": seg, "arm": arm, "y": y})


@pytest.mark.rubric("p7.analysis.segments", points=5)
def test_segment_effects_are_corrected_for_multiple_looks(project_module):
    """segment_effects(): an effect per segment, Holm-adjusted p-values, Bonferroni-adjusted intervals"""
    analysis = project_module("online_eval.analysis")
    log = _segment_log()
    table = pd.DataFrame(analysis.segment_effects(log, "seg", "y", treatment="call")).set_index("segment")
    raw = []
    for value in ("a", "b", "c"):
        part = log[log["seg"] == value]
        yt, yc = part.loc[part["arm"] == "call", "y"], part.loc[part["arm"] == "none", "y"]
        se = np.sqrt(yt.var() / len(yt) + yc.var() / len(yc))
        raw.append(2 * stats.norm.sf(abs(yt.mean() - yc.mean()) / se))
        z = stats.norm.ppf(1 - 0.05 / 3 / 2)
        assert float(table.loc[value, "estimate"]) == pytest.approx(yt.mean() - yc.mean(), rel=1e-6)
        assert float(table.loc[value, "high"]) - float(table.loc[value, "low"]) == pytest.approx(
            2 * z * se, rel=1e-4
        ), "each segment's interval holds at 1 - alpha jointly: build it at alpha / 3 for three segments."
    holm = multipletests(raw, method="holm")[1]
    assert table.loc[["a", "b", "c"], "p_holm"].to_numpy(float) == pytest.approx(holm, rel=1e-6), (
        f"p_holm should be Holm's step-down adjustment of the raw p-values: {np.round(holm, 5)}."
    )
    assert bool(table.loc["a", "significant"]) and not bool(table.loc["b", "significant"])
