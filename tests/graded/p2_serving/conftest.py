"""Shared fixtures of project 2's graded tests: a small churn snapshot, trained artifacts, app clients."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from course.data.churn import CATEGORICAL_FEATURES, NUMERIC_FEATURES

WORLD = {"seed": 3, "n_customers": 400, "months": 8}
"""The tests' small churn world: a fixed size and seed, drawn with the learner's world parameters
(``course.worlds.current()``: the grader sets the learner), so that the thresholds training fits are the
learner's. Every expectation is computed from this snapshot, never quoted from the default world."""
# The input contract of the README: five categories, fifteen numbers (the integer ones are counts/days).
CATEGORICAL = CATEGORICAL_FEATURES
NUMERIC = NUMERIC_FEATURES
INTEGER = (
    "tenure_days", "months_to_renewal", "sessions_7d", "sessions_28d", "active_days_28d",
    "days_since_last_activity", "failed_payments_90d", "tickets_30d", "tickets_90d",
)  # fmt: skip
MODEL = {"max_iter": 30, "learning_rate": 0.1, "max_leaf_nodes": 8, "l2_regularization": 1.0}


@pytest.fixture(scope="session")
def float_fields() -> tuple[str, ...]:
    """The number fields that are not integers (a fixture: graded tests of every project share one session,
    so ``from conftest import ...`` could find another project's conftest)."""
    return tuple(name for name in NUMERIC if name not in INTEGER)


def _rule_scores(frame):
    """The README's fallback formula, computed by the grader, vectorised."""
    import numpy as np

    logit = np.full(len(frame), -3.0)
    logit += 1.0 * (frame["contract"].to_numpy() == "monthly")
    logit += 0.8 * (frame["tenure_days"].to_numpy(dtype=float) < 180)
    logit += 0.7 * np.minimum(frame["failed_payments_90d"].to_numpy(dtype=float), 3)
    logit += 0.4 * np.minimum(frame["tickets_30d"].to_numpy(dtype=float), 3)
    logit += 0.8 * (frame["days_since_last_activity"].to_numpy(dtype=float) >= 14)
    logit += 1.5 * np.clip(-frame["usage_trend_28d"].to_numpy(dtype=float), 0.0, 1.0)
    return 1.0 / (1.0 + np.exp(-logit))


def _policy_threshold(y, p, policy: str, decision: dict) -> float:
    """The README's policies (project 1's), computed by the grader: capacity = the k-th highest score, k the
    capacity's count; profit = the most profitable top-k within the capacity (1.0 when no k is profitable).
    ``decision`` must name capacity, contact_cost, saved_value and save_rate: no default is assumed."""
    import numpy as np

    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="stable")
    k_max = max(1, math.floor(decision["capacity"] * len(p) + 1e-9))
    if policy == "capacity":
        return float(p[order][k_max - 1])
    gain = decision["save_rate"] * decision["saved_value"]
    profit = np.cumsum(y[order])[:k_max] * gain - np.arange(1, k_max + 1) * decision["contact_cost"]
    k = int(np.argmax(profit)) + 1
    return 1.0 if profit[k - 1] <= 0 else float(p[order][k - 1])


@pytest.fixture(scope="session")
def rule_scores() -> Callable[[Any], Any]:
    """``rule_scores(frame)``: the README's fallback rule, computed by the grader (a fixture: graded tests of
    every project share one session, so ``from conftest import`` is unsafe)."""
    return _rule_scores


@pytest.fixture(scope="session")
def policy_threshold() -> Callable[..., float]:
    """``policy_threshold(y, scores, policy, decision)``: project 1's policy, computed by the grader."""
    return _policy_threshold


@pytest.fixture(scope="session")
def snapshot():
    """The monthly snapshot of a 400-customer, 8-month churn world of the learner (cached by course.data)."""
    from course import worlds
    from course.data import churn

    return churn.monthly_snapshot(worlds.current().churn(**WORLD))


@pytest.fixture(scope="session")
def train_config(project_module):
    """A small, fast training config for the learner's TrainConfig."""
    train = project_module("churn_service.train")
    return train.TrainConfig(seed=0, n_customers=WORLD["n_customers"], months=WORLD["months"], test_months=2,
                             model=MODEL)  # fmt: skip


def _train(project_module, snapshot, config, folder: Path) -> Path | BaseException:
    train = project_module("churn_service.train")
    try:
        return Path(train.train_on_snapshot(snapshot, config, folder))
    except Exception as exc:  # reported by the tests that need it, with a message
        return exc


@pytest.fixture(scope="session")
def trained_two(project_module, snapshot, train_config, tmp_path_factory) -> Path | BaseException:
    """An artifact folder with two trained versions (the second is CURRENT), or the training error."""
    folder = tmp_path_factory.mktemp("artifacts")
    first = _train(project_module, snapshot, train_config, folder)
    if isinstance(first, BaseException):
        return first
    second = _train(project_module, snapshot, train_config.model_copy(update={"seed": 1}), folder)
    return second if isinstance(second, BaseException) else folder


def _need(result: Path | BaseException) -> Path:
    """The artifact folder, or a test failure that tells the learner training must work first."""
    if isinstance(result, BaseException):
        pytest.fail(
            "Training failed, so this test cannot run: train.train_on_snapshot(snapshot, config, "
            "folder) must "
            f"write a version folder and return it. It raised {type(result).__name__}: {result}",
            pytrace=False,
        )
    return result


@pytest.fixture(scope="session")
def need() -> Callable[[Path | BaseException], Path]:
    """``need(result)``: the artifact folder, or a failure saying training must work first (a fixture:
    graded tests of every project share one pytest session, so ``from conftest import`` is unsafe)."""
    return _need


@pytest.fixture
def artifacts(trained_two, tmp_path) -> Path:
    """A private copy of the two-version artifact folder (tests may tamper with it)."""
    folder = tmp_path / "artifacts"
    shutil.copytree(_need(trained_two), folder)
    return folder


@pytest.fixture
def make_client(project_module) -> Callable[..., Any]:
    """``make_client(artifact_dir, **settings)``: a started TestClient of the learner's app (lifespan run).

    The client is made where the app runs (``project_module``: in the worker when the submission is
    isolated), so requests never leave that process; the test reads status codes, bodies and headers.
    """
    clients: list[Any] = []

    def make(artifact_dir: Path, **overrides: Any):
        test_client = project_module("fastapi.testclient").TestClient
        config = project_module("churn_service.config")
        app_module = project_module("churn_service.app")
        settings = config.Settings(artifact_dir=artifact_dir, **overrides)
        client = test_client(app_module.create_app(settings), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def customers(snapshot) -> list[dict[str, Any]]:
    """Twenty valid request bodies built from the snapshot (JSON types: counts are ints, the rest floats)."""
    rows = snapshot.sample(20, random_state=0)
    out = []
    for _, row in rows.iterrows():
        body: dict[str, Any] = {"customer_id": str(row["customer_id"])}
        for name in CATEGORICAL:
            body[name] = str(row[name])
        for name in NUMERIC:
            body[name] = int(row[name]) if name in INTEGER else float(row[name])
        out.append(body)
    return out
