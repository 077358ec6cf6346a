"""Tracked training: fit, evaluate, and log everything needed to reproduce and trust the run."""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from churn_lifecycle import tracking
from churn_lifecycle.features import CATEGORICAL, NUMERIC, SLICE, TARGET
from churn_lifecycle.metrics import contact_cutoff, evaluate_scores
from churn_lifecycle.policy import Policy

PIP_REQUIREMENTS = ("scikit-learn", "pandas", "numpy", "skops")


def pip_requirements() -> list[str]:
    """The model's pinned runtime requirements, given explicitly (MLflow's inference costs seconds)."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in PIP_REQUIREMENTS]


def build_model(
    categorical: Sequence[str] = CATEGORICAL,
    numeric: Sequence[str] = NUMERIC,
    *,
    c: float = 1.0,
    seed: int = 0,
):
    """Logistic regression in a preprocessing pipeline (one-hot categories, standardised numbers)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(categorical)),
            ("num", StandardScaler(), list(numeric)),
        ]
    )
    return Pipeline(
        [
            ("prep", prep),
            ("clf", LogisticRegression(C=c, solver="newton-cholesky", max_iter=200, random_state=seed)),
        ]
    )


@dataclass(frozen=True)
class TrainingResult:
    """A tracked run: its id, the registered version, the evaluation metrics and the contact cutoff."""

    run_id: str
    version: str
    metrics: dict[str, float]
    contact_threshold: float


def _plot_scores(y: np.ndarray, p: np.ndarray, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.hist([p[y == 0], p[y == 1]], bins=30, density=True, label=["stayed", "churned"], histtype="step")
    ax.set_xlabel("churn score")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def train_and_log(
    train: pd.DataFrame,
    evaluation: pd.DataFrame,
    *,
    experiment_id: str,
    window: tuple[str, str],
    owner: str,
    deployment_target: str,
    model_name: str = tracking.MODEL_NAME,
    seed: int = 0,
    c: float = 1.0,
    categorical: Sequence[str] = CATEGORICAL,
    numeric: Sequence[str] = NUMERIC,
    target: str = TARGET,
    slice_col: str = SLICE,
    policy: Policy | None = None,
) -> TrainingResult:
    """Train on ``train``, evaluate on ``evaluation``, log one MLflow run and register it as ``challenger``.

    The run records: params (seed, ``C``, features, rows), metrics (:func:`evaluate_scores`), artifacts
    ``metrics.json`` and ``score_histogram.png``, tags ``data.fingerprint`` (of ``train``),
    ``data.window_start``/``data.window_end`` (``window``), ``data.rows``, ``code.version``, ``owner`` and
    ``deployment.target``, and the model with a signature, an input example and explicit ``pip_requirements``.
    The model version is registered under ``model_name``, gets the tag ``contact_threshold`` (the score of
    the top ``policy.contact_share`` on the training rows) and the alias ``challenger``.
    """
    import mlflow
    from mlflow.models import infer_signature

    policy = policy or Policy()
    features = [*categorical, *numeric]
    missing = [c_ for c_ in [*features, target, slice_col] if c_ not in train.columns]
    if missing:
        raise KeyError(f"training frame lacks columns {missing}")
    # HINT: mlflow.start_run(experiment_id=...); log params, metrics, tags; log_model(pip_requirements=...)
    raise NotImplementedError("train_and_log: mlflow.start_run(experiment_id=...); log params, metrics, tags; log_model(pip_requirements=...)")
