"""Let the offers compete while customers arrive: Thompson sampling, epsilon-greedy and a fixed split.

Each policy plays a bandit ``env`` (``course.data.offers.OfferBandit``): ``env.n_arms`` arms, and
``env.pull(arm)`` offers arm ``arm`` to the next customer and returns that customer's reward (1 when they
stayed 90 days). A policy sees only the rewards of the arms it pulled. Thompson sampling keeps a
Beta(1 + successes, 1 + failures) posterior per arm, draws one value from each and pulls the highest:
arms that might be best keep being tried until the data rule them out. Returns the arms pulled, in order.
"""

from __future__ import annotations

import numpy as np


def _check_rounds(env: object, n_rounds: int) -> None:
    if n_rounds < 1:
        raise ValueError(f"n_rounds must be positive, got {n_rounds}.")
    if getattr(env, "remaining", n_rounds) < n_rounds:
        raise ValueError(f"the bandit has {env.remaining} customers left, fewer than n_rounds={n_rounds}.")


def thompson_sampling(env: object, n_rounds: int, seed: int = 0) -> np.ndarray:
    """Beta-Bernoulli Thompson sampling for ``n_rounds`` pulls; returns the arms pulled."""
    # BEGIN SOLUTION
    # HINT: successes and failures per arm; each round draw rng.beta(1 + s, 1 + f) for every arm and pull
    # HINT: the argmax. Pulling the argmax of the posterior *means* never explores: it can lock on a bad arm.
    _check_rounds(env, n_rounds)
    rng = np.random.default_rng(seed)
    k = int(env.n_arms)
    wins, losses = np.zeros(k), np.zeros(k)
    pulled = np.empty(n_rounds, dtype=int)
    for t in range(n_rounds):
        arm = int(np.argmax(rng.beta(1 + wins, 1 + losses)))
        reward = float(env.pull(arm))
        wins[arm] += reward
        losses[arm] += 1 - reward
        pulled[t] = arm
    return pulled
    # END SOLUTION


def epsilon_greedy(env: object, n_rounds: int, epsilon: float = 0.1, seed: int = 0) -> np.ndarray:
    """With probability ``epsilon`` a random arm, otherwise the best mean so far (untried arms first)."""
    # BEGIN SOLUTION
    _check_rounds(env, n_rounds)
    if not 0 <= epsilon <= 1:
        raise ValueError(f"epsilon must be between 0 and 1, got {epsilon}.")
    rng = np.random.default_rng(seed)
    k = int(env.n_arms)
    total, count = np.zeros(k), np.zeros(k)
    pulled = np.empty(n_rounds, dtype=int)
    for t in range(n_rounds):
        if (count == 0).any():
            arm = int(np.flatnonzero(count == 0)[0])
        elif rng.random() < epsilon:
            arm = int(rng.integers(k))
        else:
            arm = int(np.argmax(total / count))
        total[arm] += float(env.pull(arm))
        count[arm] += 1
        pulled[t] = arm
    return pulled
    # END SOLUTION


def equal_split(env: object, n_rounds: int) -> np.ndarray:
    """The fixed experiment: arms in turn, an equal share each, whatever the rewards say."""
    _check_rounds(env, n_rounds)
    pulled = np.arange(n_rounds) % int(env.n_arms)
    for arm in pulled:
        env.pull(int(arm))
    return pulled
