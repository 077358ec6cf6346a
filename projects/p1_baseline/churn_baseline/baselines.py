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
        # HINT: store the mean of y as base_rate_ and the classes as classes_.
        raise NotImplementedError("PriorClassifier.fit: store the mean of y as base_rate_ and the classes as classes_.")

    def predict_proba(self, X: object) -> np.ndarray:
        """Two columns: ``1 - base_rate`` and ``base_rate`` for every row."""
        # HINT: np.column_stack of constant arrays with len(X) rows.
        raise NotImplementedError("PriorClassifier.predict_proba: np.column_stack of constant arrays with len(X) rows.")

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
        # HINT: OR together (X[column] > threshold) or (X[column] < threshold); NaN compares as False.
        raise NotImplementedError("RuleClassifier.flag: OR together (X[column] > threshold) or (X[column] < threshold); NaN compares as False.")

    def fit(self, X: pd.DataFrame, y: object) -> RuleClassifier:
        """Learn the positive rate among flagged and among unflagged rows."""
        # HINT: rate_flagged_ = mean of y where flagged, rate_unflagged_ = mean where not.
        raise NotImplementedError("RuleClassifier.fit: rate_flagged_ = mean of y where flagged, rate_unflagged_ = mean where not.")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Two columns; the positive column is the learned rate of the row's group."""
        # HINT: np.where(flag(X), rate_flagged_, rate_unflagged_).
        raise NotImplementedError("RuleClassifier.predict_proba: np.where(flag(X), rate_flagged_, rate_unflagged_).")

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 where the rule flags the row."""
        return self.flag(X).astype(int)


def make_logistic(numeric: Sequence[str], categorical: Sequence[str], C: float = 1.0) -> Pipeline:
    """Logistic regression in a preprocessing pipeline.

    Numeric columns: median imputation then standard scaling; categorical: most-frequent imputation then
    one-hot encoding that ignores categories unseen in training. Works on any DataFrame with these columns.
    """
    # HINT: ColumnTransformer: numeric -> imputer + scaler, categorical -> imputer + OneHotEncoder.
    raise NotImplementedError("make_logistic: ColumnTransformer: numeric -> imputer + scaler, categorical -> imputer + OneHotEncoder.")


def make_boosting(
    numeric: Sequence[str], categorical: Sequence[str], seed: int = 0, **params: object
) -> Pipeline:
    """Histogram gradient boosting with native categorical support, in a pipeline.

    Categorical columns are ordinal-encoded (unknown and missing become NaN, which the trees handle);
    numeric columns pass through. Extra ``params`` go to ``HistGradientBoostingClassifier``.
    """
    # HINT: OrdinalEncoder for categoricals + passthrough numerics, then
    # HINT: HistGradientBoostingClassifier(categorical_features=<mask of the categorical outputs>).
    raise NotImplementedError("make_boosting: OrdinalEncoder for categoricals + passthrough numerics, then HistGradientBoostingClassifier(categorical_features=<mask of the categorical outputs>).")
