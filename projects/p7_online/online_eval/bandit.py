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
    # HINT: successes and failures per arm; each round draw rng.beta(1 + s, 1 + f) for every arm and pull
    # HINT: the argmax. Pulling the argmax of the posterior *means* never explores: it can lock on a bad arm.
    raise NotImplementedError("thompson_sampling: successes and failures per arm; each round draw rng.beta(1 + s, 1 + f) for every arm and pull the argmax. Pulling the argmax of the posterior *means* never explores: it can lock on a bad arm.")


def epsilon_greedy(env: object, n_rounds: int, epsilon: float = 0.1, seed: int = 0) -> np.ndarray:
    """With probability ``epsilon`` a random arm, otherwise the best mean so far (untried arms first)."""
    raise NotImplementedError("epsilon_greedy: implement this (see the docstring)")


def equal_split(env: object, n_rounds: int) -> np.ndarray:
    """The fixed experiment: arms in turn, an equal share each, whatever the rewards say."""
    _check_rounds(env, n_rounds)
    pulled = np.arange(n_rounds) % int(env.n_arms)
    for arm in pulled:
        env.pull(int(arm))
    return pulled
