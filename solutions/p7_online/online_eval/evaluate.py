"""Grade the methods against the world's truth: interval coverage over re-run experiments, bandit regret.

Only the simulator can do this: it knows every customer's outcome under every arm (``offers.oracle``), so an
experiment can be re-randomised many times over the same customers and each interval checked against the
true average effect of those customers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from online_eval.analysis import cuped, difference_in_means


def true_effect(truth: pd.DataFrame, metric: str, treatment: str, control: str = "none") -> float:
    """The average effect over these customers: mean of (outcome under treatment - outcome under control)."""
    return float((truth[f"{metric}_{treatment}"] - truth[f"{metric}_{control}"]).mean())


def coverage(
    truth: pd.DataFrame,
    metric: str,
    treatment: str,
    covariate: pd.Series | None = None,
    n_experiments: int = 200,
    seed: int = 0,
) -> dict[str, float]:
    """Re-randomise the customers of ``truth`` half/half ``n_experiments`` times; how often the 95 % interval
    (plain, or CUPED on ``covariate``) contains the true effect, and the mean interval width."""
    rng = np.random.default_rng(seed)
    target = true_effect(truth, metric, treatment)
    y_t, y_c = truth[f"{metric}_{treatment}"].to_numpy(), truth[f"{metric}_none"].to_numpy()
    hits, widths = 0, []
    for _ in range(n_experiments):
        treated = rng.random(len(truth)) < 0.5
        y = np.where(treated, y_t, y_c)
        if covariate is None:
            effect = difference_in_means(y, treated)
        else:
            effect = cuped(y, covariate.to_numpy(), treated)[0]
        hits += effect.low <= target <= effect.high
        widths.append(effect.high - effect.low)
    return {"true_effect": target, "coverage": hits / n_experiments, "mean_width": float(np.mean(widths))}


def regrets(
    make_env: Callable[[int], object], policies: dict[str, Callable], n_rounds: int, seeds: list[int]
) -> dict:
    """Final cumulative regret of each policy on a fresh bandit per seed: ``{policy: [regret per seed]}``."""
    out: dict[str, list[float]] = {}
    for name, policy in policies.items():
        out[name] = []
        for seed in seeds:
            env = make_env(seed)
            policy(env, n_rounds, seed)
            out[name].append(round(float(env.regret()[-1]), 2))
    return out
