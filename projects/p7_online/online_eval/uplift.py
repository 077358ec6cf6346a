"""Target the customers an offer changes, not the ones who will leave anyway.

A churn-risk ranking contacts lost causes (they leave whatever we do) and sleeping dogs (a contact pushes
them out); an uplift model ranks by the *difference* the offer makes. The T-learner fits one outcome model
on the treated customers and one on the controls of a randomised experiment; a customer's uplift is the
first's prediction minus the second's. The Qini curve checks the ranking on customers the models never saw:
going down the ranking, the treated arm's outcomes minus the control arm's scaled to the treated count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from course.data.churn import VOCABULARIES


def _matrix(frame: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks the feature columns {missing}.")
    out = frame[list(features)].copy()
    for name in out.columns:
        if name in VOCABULARIES:
            out[name] = pd.Categorical(out[name], categories=VOCABULARIES[name])
    return out


class TLearner:
    """Two outcome models, one per arm; uplift = treated prediction - control prediction."""

    def __init__(self, features: Sequence[str], seed: int = 0) -> None:
        self.features = list(features)
        self.seed = seed
        self.models: dict[bool, HistGradientBoostingRegressor] = {}

    def fit(self, frame: pd.DataFrame, treated: object, y: object) -> TLearner:
        """Fit the treated model on the treated rows and the control model on the others."""
        # HINT: two regressors (gradient boosting handles the nonlinear hazard); each sees its own arm only.
        raise NotImplementedError("TLearner.fit: two regressors (gradient boosting handles the nonlinear hazard); each sees its own arm only.")

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted uplift of each customer in ``frame`` (treated outcome - control outcome)."""
        raise NotImplementedError("TLearner.predict: implement this (see the docstring)")


def qini_curve(scores: object, treated: object, y: object) -> pd.DataFrame:
    """The Qini curve: ``targeted`` (customers from the top of the ranking) and ``qini`` at each cut.

    ``qini(k) = Y_t(k) - Y_c(k) * N_t(k) / N_c(k)`` over the ``k`` highest scores (0 while ``N_c(k)`` is 0),
    with ``Y`` summed outcomes and ``N`` customers of each arm. Ties in ``scores`` keep the input order.
    """
    # HINT: sort by score descending (stable), cumulative sums of y and of customers per arm, then the
    # HINT: formula.
    raise NotImplementedError("qini_curve: sort by score descending (stable), cumulative sums of y and of customers per arm, then the formula.")


def qini_coefficient(scores: object, treated: object, y: object) -> float:
    """Area between the Qini curve and the random-targeting line, per customer squared (0 = random)."""
    raise NotImplementedError("qini_coefficient: implement this (see the docstring)")


def top_k(scores: object, k: int) -> np.ndarray:
    """A mask of the ``k`` highest scores (ties broken by position)."""
    s = np.asarray(scores, dtype=float)
    if not 0 <= k <= len(s):
        raise ValueError(f"k must be between 0 and {len(s)}, got {k}.")
    mask = np.zeros(len(s), dtype=bool)
    mask[np.argsort(-s, kind="stable")[:k]] = True
    return mask


def oracle_profit(targeted: object, truth: pd.DataFrame, offer: str, contact_cost: float) -> float:
    """Expected profit of making ``offer`` to the ``targeted`` customers, from the world's oracle.

    Per targeted customer: expected revenue under the offer - expected revenue without contact - the
    contact's cost (``truth`` is ``offers.oracle(world, month)``, rows in the same order as ``targeted``).
    """
    mask = np.asarray(targeted, dtype=bool)
    gain = truth[f"expected_revenue_{offer}"] - truth["expected_revenue_none"] - contact_cost
    return float(gain.to_numpy()[mask].sum())
