"""Graded: the experiment's design, sample size and MDE against statsmodels, and stratified assignment."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower


@pytest.mark.rubric("p7.design.sample_size", points=6)
def test_sample_size_matches_statsmodels(project_module):
    """sample_size_per_arm() is statsmodels' two-sided normal power calculation, rounded up, for any ratio"""
    design = project_module("online_eval.design")
    for sd, mde, ratio, alpha, power in ((16.5, 1.0, 1.0, 0.05, 0.8), (10.0, 0.5, 2.0, 0.01, 0.9)):
        nobs1 = NormalIndPower().solve_power(effect_size=mde / sd, alpha=alpha, power=power, ratio=ratio)
        expected = (math.ceil(nobs1), math.ceil(nobs1 * ratio))
        got = tuple(
            int(n) for n in design.sample_size_per_arm(sd, mde, alpha=alpha, power=power, ratio=ratio)
        )
        assert all(abs(g - e) <= 1 for g, e in zip(got, expected, strict=True)), (
            f"sd {sd}, MDE {mde}, ratio {ratio}, alpha {alpha}, power {power}: "
            "statsmodels' NormalIndPower needs "
            f"{expected} customers (control, treatment), you returned {got}. A one-sided z, a missing power "
            "term or a variance not scaled by (1 + 1/ratio) each give another number."
        )
    with pytest.raises(ValueError):
        design.sample_size_per_arm(10.0, 0.0)
        pytest.fail("an MDE of 0 needs infinitely many customers: raise ValueError.")


@pytest.mark.rubric("p7.design.mde", points=3)
def test_mde_matches_statsmodels_for_unequal_arms(project_module):
    """minimum_detectable_effect() is what statsmodels' power calculation detects, unequal arms too"""
    design = project_module("online_eval.design")
    for n_c, n_t in ((2680, 2680), (4000, 1000)):
        size = NormalIndPower().solve_power(nobs1=n_c, alpha=0.05, power=0.8, ratio=n_t / n_c)
        got = float(design.minimum_detectable_effect(16.5, n_c, n_t))
        assert got == pytest.approx(size * 16.5, rel=2e-3), (
            f"{n_c:,} control and {n_t:,} treated customers, sd 16.5: the MDE is {size * 16.5:.4f}; you "
            f"returned {got:.4f}."
        )


def _assign(project_module, people: pd.DataFrame, seed: int) -> pd.DataFrame:
    design = project_module("online_eval.design")
    out = pd.DataFrame(
        design.assign(people, ["none", "discount", "call", "upgrade"], ["contract", "plan"], seed=seed)
    )
    assert list(out["customer_id"]) == list(people["customer_id"]), (
        "assign() returns one row per customer, in the input's order."
    )
    return out.assign(contract=people["contract"].to_numpy(), plan=people["plan"].to_numpy())


@pytest.mark.rubric("p7.design.assignment", points=4)
def test_assignment_is_balanced_within_every_stratum(project_module, february):
    """Every contract x plan stratum is split into the four arms to within one customer"""
    people = february[0]
    out = _assign(project_module, people, seed=7)
    counts = out.groupby(["contract", "plan"])["arm"].value_counts().unstack(fill_value=0)
    spread = (counts.max(axis=1) - counts.min(axis=1)).max()
    assert spread <= 1, (
        f"within one stratum the arms differ by up to {spread} customers: "
        "deal each stratum's customers to the "
        f"arms in turn after shuffling, so each stratum is balanced.\n{counts}"
    )


@pytest.mark.rubric("p7.design.assignment", points=3)
def test_assignment_is_random_and_reproducible(project_module, february):
    """The same seed gives the same arms; another seed other arms; the arm does not follow the input order"""
    people = february[0]
    first, again, other = (_assign(project_module, people, s) for s in (7, 7, 8))
    assert (first["arm"] == again["arm"]).all(), "the same seed must give the same assignment."
    agree = float((first["arm"] == other["arm"]).mean())
    assert agree < 0.4, f"seeds 7 and 8 agree on {agree:.0%} of customers: the seed must drive the shuffle."
    ordered = people.assign(arm=first["arm"].to_numpy()).sort_values(["contract", "plan", "customer_id"])
    same_stratum = (ordered["contract"].eq(ordered["contract"].shift())) & ordered["plan"].eq(
        ordered["plan"].shift()
    )
    switches = float((ordered["arm"] != ordered["arm"].shift())[same_stratum].mean())
    assert 0.6 < switches < 0.9, (
        f"neighbours (by customer id) in a stratum get different arms {switches:.0%} of the time; "
        "at random it is "
        "about 75 % with four arms. Arms dealt in the input's order without a shuffle alternate (100 %), "
        "so whoever wrote the customer ids chose the arms."
    )
