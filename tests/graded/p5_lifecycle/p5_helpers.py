"""Helpers of project 5's graded tests: reference models built by the tests themselves."""

from __future__ import annotations

import warnings

from course.data.churn import FEATURE_COLUMNS

FEATURES = FEATURE_COLUMNS


def fit_pipeline(train, *, shuffle_labels: bool = False, seed: int = 0):
    """A reference model built by the test itself (so registry tests do not depend on your training code)."""
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    y = train["churned"].astype(int).to_numpy()
    if shuffle_labels:
        y = np.random.default_rng(seed).permutation(y)
    prep = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(FEATURES[:5])),
            ("num", StandardScaler(), list(FEATURES[5:])),
        ]
    )
    model = Pipeline([("prep", prep), ("clf", LogisticRegression(solver="newton-cholesky", max_iter=200))])
    return model.fit(train[list(FEATURES)], y)


def register(model, name: str, experiment: str, example, contact_threshold: float = 0.1) -> str:
    """Log ``model``, register it as ``name`` with a ``contact_threshold`` tag; return the version."""
    import mlflow
    from mlflow.models import infer_signature

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        signature = infer_signature(example, model.predict_proba(example)[:, 1])
    with mlflow.start_run(experiment_id=experiment):
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=signature,
            pip_requirements=["scikit-learn"],
        )
    version = str(mlflow.register_model(info.model_uri, name).version)
    mlflow.MlflowClient().set_model_version_tag(name, version, "contact_threshold", str(contact_threshold))
    return version
