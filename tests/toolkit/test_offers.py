"""The retention-offer layer of the churn world: deterministic, reveals one arm, strict on input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.data import churn, offers


@pytest.fixture(scope="module")
def world():
    return churn.load_world(seed=0)


def test_oracle_is_deterministic_and_shares_random_numbers_across_arms(world):
    first, again = offers.oracle(world), offers.oracle(world)
    pd.testing.assert_frame_equal(first, again)
    sure = first["p_churn_90d_none"] < 0.01
    same = (first.loc[sure, "retained_90d_none"] == first.loc[sure, "retained_90d_discount"]).mean()
    assert same > 0.98, "a customer who stays anyway stays under an offer too (common random numbers)."


def test_planted_segments_behave_as_documented(world):
    truth = offers.oracle(world)
    dogs, lost = truth["sleeping_dog"], truth["lost_cause"]
    assert (truth.loc[dogs, "p_churn_90d_discount"] > truth.loc[dogs, "p_churn_90d_none"]).all()
    assert np.allclose(
        truth.loc[lost & ~dogs, "p_churn_90d_call"], truth.loc[lost & ~dogs, "p_churn_90d_none"]
    )
    tickets = truth[truth["recent_tickets"]]
    best = max(offers.OFFERS, key=lambda a: tickets[f"retained_90d_{a}"].mean())
    overall = max(offers.OFFERS, key=lambda a: truth[f"retained_90d_{a}"].mean())
    assert (best, overall) == ("call", "discount"), "a segment where the best offer differs"


def test_run_experiment_reveals_only_the_assigned_arm(world):
    people = offers.population(world).head(400)
    arms = np.resize(np.array(offers.ARMS), len(people))
    log = offers.run_experiment(world, pd.DataFrame({"customer_id": people["customer_id"], "arm": arms}))
    truth = offers.oracle(world).set_index("customer_id").loc[people["customer_id"]]
    expected = [truth[f"revenue_90d_{a}"].iloc[i] for i, a in enumerate(arms)]
    assert log["revenue_90d"].tolist() == expected
    assert not any(c.endswith(tuple(offers.ARMS)) for c in log.columns), "no other arm's outcome leaks"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.assign(arm="coupon"), "arms the world does not offer"),
        (lambda a: pd.concat([a, a.head(1)]), "assigned twice"),
        (lambda a: a.assign(customer_id=["nobody", *a["customer_id"][1:]]), "not active"),
        (lambda a: a.drop(columns="arm"), "columns 'customer_id' and 'arm'"),
    ],
)
def test_run_experiment_refuses_bad_assignments_by_name(world, change, message):
    people = offers.population(world).head(10)
    assignment = pd.DataFrame({"customer_id": people["customer_id"], "arm": "none"})
    with pytest.raises(ValueError, match=message):
        offers.run_experiment(world, change(assignment))


def test_srm_log_loses_treated_customers_only(world):
    clean, broken = offers.experiment_log(world), offers.experiment_log(world, kind="srm")
    assert (broken["arm"] == "none").sum() == (clean["arm"] == "none").sum()
    assert (broken["arm"] == "discount").sum() < 0.95 * (clean["arm"] == "discount").sum()
    with pytest.raises(ValueError, match="month"):
        offers.population(world, "2030-01-01")


def test_bandit_counts_pulls_and_regret():
    env = offers.OfferBandit.bernoulli([0.2, 0.5], n_rounds=3, seed=0)
    for arm in (0, 1, 0):
        env.pull(arm)
    assert env.regret().tolist() == pytest.approx([0.3, 0.3, 0.6])
    with pytest.raises(ValueError, match="no pull is left"):
        env.pull(1)
