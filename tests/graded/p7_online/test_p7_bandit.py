"""Graded: Thompson sampling and epsilon-greedy against the truth of the bandits they play."""

from __future__ import annotations

import numpy as np
import pytest

HARD = [0.55, 0.6, 0.65]  # a 5-point gap, and priors that a greedy policy can lock onto the wrong arm with


def _play(project_module, policy: str, means, n_rounds: int, seed: int, **kw) -> tuple[np.ndarray, float]:
    offers = project_module("course.data.offers")
    bandit = project_module("online_eval.bandit")
    env = offers.OfferBandit.bernoulli(means, n_rounds, seed=100 + seed)
    pulled = np.asarray(getattr(bandit, policy)(env, n_rounds, seed=seed, **kw), dtype=int)
    history = np.asarray(env.history, dtype=int)
    assert len(history) == n_rounds and (pulled == history).all(), (
        f"{policy} must pull the bandit exactly n_rounds times and return the arms it pulled, in order."
    )
    return history, float(np.asarray(env.regret(), dtype=float)[-1])


@pytest.mark.rubric("p7.bandit.thompson", points=4)
def test_thompson_regret_is_far_below_the_equal_split(project_module):
    """Thompson sampling's regret over 3,000 customers is under 40 % of a fixed equal split's"""
    equal = 3000 * (0.05 + 0.10) / 3
    regrets = [_play(project_module, "thompson_sampling", HARD, 3000, seed)[1] for seed in range(6)]
    assert np.mean(regrets) < equal / 2.5, (
        f"mean regret {np.mean(regrets):.1f} over 6 runs (per run {np.round(regrets, 1)}); "
        "an equal split loses "
        f"{equal:.0f}. Thompson sampling should shift customers to the best arm as evidence accumulates."
    )


@pytest.mark.rubric("p7.bandit.thompson", points=4)
def test_thompson_keeps_exploring_until_it_finds_the_best_arm(project_module):
    """Thompson sampling ends on the best arm: it does not lock onto an arm that started lucky"""
    shares = []
    for seed in range(8):
        history, _ = _play(project_module, "thompson_sampling", HARD, 3000, seed)
        shares.append(float((history[-1000:] == 2).mean()))
    assert np.mean(shares) > 0.7, (
        f"share of the last 1,000 pulls on the best arm, per run: {np.round(shares, 2)} (mean "
        f"{np.mean(shares):.2f}); Thompson sampling averages about 0.9. A policy that pulls the best "
        "posterior mean instead of a posterior draw stops exploring and stays on a worse arm in many runs."
    )


@pytest.mark.rubric("p7.bandit.epsilon", points=3)
def test_epsilon_greedy_explores_at_its_rate(project_module):
    """epsilon_greedy(): with epsilon = 0.3 every arm keeps at least about epsilon / 3 of the pulls"""
    history, regret = _play(project_module, "epsilon_greedy", HARD, 3000, seed=1, epsilon=0.3)
    least = np.bincount(history, minlength=3).min() / 3000
    assert least > 0.3 / 3 * 0.75, (
        f"the least pulled arm got {least:.1%} of the pulls; exploring 30 % of the time gives each arm about "
        "10 % at least."
    )
    assert regret < 3000 * 0.15 / 3, "it should still lose less than an equal split."
