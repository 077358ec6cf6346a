"""Baselines, from the trivial to the strong: prior, a hand rule, logistic regression, gradient boosting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler


class PriorClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the training base rate for every row: the "we know nothing" baseline."""

    def fit(self, X: object, y: object) -> PriorClassifier:
        """Learn the share of positives in ``y``."""
        # BEGIN SOLUTION
        # HINT: store the mean of y as base_rate_ and the classes as classes_.
        labels = np.asarray(y, dtype=float)
        self.base_rate_ = float(labels.mean())
        self.classes_ = np.array([0, 1])
        return self
        # END SOLUTION

    def predict_proba(self, X: object) -> np.ndarray:
        """Two columns: ``1 - base_rate`` and ``base_rate`` for every row."""
        # BEGIN SOLUTION
        # HINT: np.column_stack of constant arrays with len(X) rows.
        n = len(X)
        return np.column_stack([np.full(n, 1 - self.base_rate_), np.full(n, self.base_rate_)])
        # END SOLUTION

    def predict(self, X: object) -> np.ndarray:
        """The majority class for every row."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class RuleClassifier(ClassifierMixin, BaseEstimator):
    """A hand rule: a row is flagged when any condition ``{column: (">" or "<", threshold)}`` holds.

    ``fit`` learns the churn rate of flagged and unflagged rows, so the rule gives probabilities; flagged
    rows rank above unflagged ones. Missing values never flag.
    """

    def __init__(self, conditions: Mapping[str, tuple[str, float]] | None = None) -> None:
        self.conditions = conditions

    def flag(self, X: pd.DataFrame) -> np.ndarray:
        """True where any condition holds."""
        # BEGIN SOLUTION
        # HINT: OR together (X[column] > threshold) or (X[column] < threshold); NaN compares as False.
        if not self.conditions:
            raise ValueError("RuleClassifier needs at least one {column: (op, threshold)} condition")
        missing = [c for c in self.conditions if c not in X.columns]
        if missing:
            raise KeyError(f"rule column(s) {missing} not in the data")
        flagged = np.zeros(len(X), dtype=bool)
        for column, (op, threshold) in self.conditions.items():
            values = X[column].astype(float)
            if op == ">":
                flagged |= (values > threshold).to_numpy()
            elif op == "<":
                flagged |= (values < threshold).to_numpy()
            else:
                raise ValueError(f"condition on {column!r}: operator must be '>' or '<', got {op!r}")
        return flagged
        # END SOLUTION

    def fit(self, X: pd.DataFrame, y: object) -> RuleClassifier:
        """Learn the positive rate among flagged and among unflagged rows."""
        # BEGIN SOLUTION
        # HINT: rate_flagged_ = mean of y where flagged, rate_unflagged_ = mean where not.
        labels = np.asarray(y, dtype=float)
        flagged = self.flag(X)
        prior = float(labels.mean())
        self.rate_flagged_ = float(labels[flagged].mean()) if flagged.any() else prior
        self.rate_unflagged_ = float(labels[~flagged].mean()) if (~flagged).any() else prior
        self.classes_ = np.array([0, 1])
        return self
        # END SOLUTION

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Two columns; the positive column is the learned rate of the row's group."""
        # BEGIN SOLUTION
        # HINT: np.where(flag(X), rate_flagged_, rate_unflagged_).
        p = np.where(self.flag(X), self.rate_flagged_, self.rate_unflagged_)
        return np.column_stack([1 - p, p])
        # END SOLUTION

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the rule flags the row."""
        return self.flag(X).astype(int)


def make_logistic(numeric: Sequence[str], categorical: Sequence[str], C: float = 1.0) -> Pipeline:
    """Logistic regression in a preprocessing pipeline.

    Numeric columns: median imputation then standard scaling; categorical: most-frequent imputation then
    one-hot encoding that ignores categories unseen in training. Works on any DataFrame with these columns.
    """
    # BEGIN SOLUTION
    # HINT: ColumnTransformer: numeric -> imputer + scaler, categorical -> imputer + OneHotEncoder.
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(numeric)),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
                ),
                list(categorical),
            ),
        ]
    )
    return Pipeline([("prep", pre), ("model", LogisticRegression(C=C, max_iter=2000))])
    # END SOLUTION


def make_boosting(
    numeric: Sequence[str], categorical: Sequence[str], seed: int = 0, **params: object
) -> Pipeline:
    """Histogram gradient boosting with native categorical support, in a pipeline.

    Categorical columns are ordinal-encoded (unknown and missing become NaN, which the trees handle);
    numeric columns pass through. Extra ``params`` go to ``HistGradientBoostingClassifier``.
    """
    # BEGIN SOLUTION
    # HINT: OrdinalEncoder for categoricals + passthrough numerics, then
    # HINT: HistGradientBoostingClassifier(categorical_features=<mask of the categorical outputs>).
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
    )
    pre = ColumnTransformer(
        [("cat", encoder, list(categorical)), ("num", "passthrough", list(numeric))],
        sparse_threshold=0.0,
    )
    is_cat = [True] * len(categorical) + [False] * len(numeric)
    defaults: dict[str, object] = {
        "learning_rate": 0.05,
        "max_iter": 200,
        "max_depth": 3,
        "min_samples_leaf": 80,
        "l2_regularization": 1.0,
        "early_stopping": False,
    }
    defaults.update(params)
    model = HistGradientBoostingClassifier(
        categorical_features=is_cat if any(is_cat) else None, random_state=seed, **defaults
    )
    return Pipeline([("prep", pre), ("model", model)])
    # END SOLUTION
