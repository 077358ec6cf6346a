"""Graded: the Qini curve, and uplift targeting against risk targeting scored by the world's oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

CAPACITY = 500


@pytest.mark.rubric("p7.uplift.qini", points=3)
def test_qini_curve_matches_the_hand_computed_curve(project_module):
    """qini_curve(): Y_t(k) - Y_c(k) * N_t(k) / N_c(k) down the ranking, 0 until a control appears"""
    uplift = project_module("online_eval.uplift")
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    treated = [1, 0, 1, 1, 0, 0]
    y = [1, 0, 1, 0, 1, 0]
    curve = pd.DataFrame(uplift.qini_curve(scores, treated, y))
    expected = [0.0, 1.0, 2.0, 2.0, 2 - 1 * 3 / 2, 2 - 1 * 3 / 3]
    assert curve["qini"].to_numpy(float) == pytest.approx(expected), (
        f"the Qini curve of this ranking is {expected} (treated outcomes minus control outcomes scaled by "
        f"N_t/N_c at each cut); got {list(np.round(curve['qini'], 4))}."
    )
    shuffled = uplift.qini_curve([0.4, 0.5, 0.6, 0.7, 0.8, 0.9], treated[::-1], y[::-1])
    assert pd.DataFrame(shuffled)["qini"].to_numpy(float) == pytest.approx(expected), (
        "the curve follows the scores, not the input order."
    )


@pytest.mark.rubric("p7.uplift.qini", points=3)
def test_qini_coefficient_is_zero_for_random_and_positive_for_true_uplift(project_module, february):
    """qini_coefficient() is about 0 for a random ranking and clearly positive for the true uplift"""
    uplift = project_module("online_eval.uplift")
    _, truth = february
    rng = np.random.default_rng(9)
    treated = rng.random(len(truth)) < 0.5
    y = np.where(treated, truth["revenue_90d_discount"], truth["revenue_90d_none"])
    true_uplift = (truth["expected_revenue_discount"] - truth["expected_revenue_none"]).to_numpy()
    good = float(uplift.qini_coefficient(true_uplift, treated, y))
    randoms = [float(uplift.qini_coefficient(rng.random(len(y)), treated, y)) for _ in range(5)]
    assert good > 3 * max(abs(r) for r in randoms), (
        f"the true uplift ranks with Qini {good:.4f}, random rankings {np.round(randoms, 4)}: "
        "the coefficient is "
        "the area between the curve and the random line, so random rankings score about 0."
    )


@pytest.mark.rubric("p7.uplift.targeting", points=8)
def test_uplift_targeting_beats_risk_targeting_on_the_oracle(project_module, churn_world, february):
    """A T-learner fitted on the last test's log earns more with 500 discounts than the 500 riskiest"""
    from course.data import churn, offers

    uplift = project_module("online_eval.uplift")
    people, truth = february
    log = offers.experiment_log(churn_world)
    log_people = (
        offers.population(churn_world, offers.LOG_MONTH).set_index("customer_id").loc[log["customer_id"]]
    )
    learner = uplift.TLearner(list(churn.FEATURE_COLUMNS), seed=0)
    learner.fit(
        log_people.reset_index(), (log["arm"] == "discount").to_numpy(), log["revenue_90d"].to_numpy()
    )
    scores = np.asarray(learner.predict(people), dtype=float)
    gain = (
        truth["expected_revenue_discount"] - truth["expected_revenue_none"] - offers.CONTACT_COST["discount"]
    ).to_numpy()
    chosen = np.argsort(-scores, kind="stable")[:CAPACITY]
    risky = np.argsort(-truth["p_churn_90d_none"].to_numpy(), kind="stable")[:CAPACITY]
    mine, risk = gain[chosen].sum(), gain[risky].sum()
    assert mine > max(risk, 0) + 300, (
        f"your uplift ranking's 500 discounts earn {mine:,.0f} against the oracle; "
        "the 500 riskiest customers "
        f"(a perfect churn model) earn {risk:,.0f}. Rank by the predicted difference the offer makes "
        "(treated model - control model), fitted on the randomised log."
    )
