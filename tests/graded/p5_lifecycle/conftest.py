"""Shared fixtures of project 5's graded tests: a small churn world and a throw-away MLflow store."""

from __future__ import annotations

import logging
import os
import warnings

import pytest

WORLD = {"seed": 5, "n_customers": 3000, "months": 14}
"""The tests' small churn world: a fixed size and seed, drawn with the learner's world parameters
(``course.worlds.current()``), since the monitor and the threshold tests check the lesson planted in the
learner's world: the price rise of its own drift month (11 or 12: ``drift_month``), with 14 months to
hold it. The mechanism tests (PSI, the gate, the registry) hold in any world."""


@pytest.fixture(scope="session")
def world():
    """A 3,000-customer, 14-month churn world of the learner's world (cached by course.data)."""
    from course import worlds

    return worlds.current().churn(**WORLD)


@pytest.fixture(scope="session")
def drift_month(world) -> int:
    """The month index from which the learner's world raises the standard plan's price (12 by default)."""
    return int(world.params["drift_month"])


@pytest.fixture(scope="session")
def frame(world):
    """Every customer-month with its features, its true label and the label's ``label_known_date``."""
    from course.data import churn

    snapshot = churn.monthly_snapshot(world).drop(columns=["churned"])
    labels = world.labels[["customer_id", "month", "churned", "label_known_date"]]
    return snapshot.merge(labels, on=["customer_id", "month"])


@pytest.fixture(scope="session")
def by_month(frame):
    """``by_month(i)``: the rows of month index ``i``."""
    months = sorted(frame["month"].unique())

    def pick(first: int, last: int | None = None):
        last = first if last is None else last
        return frame[frame["month"].between(months[first], months[last])].reset_index(drop=True)

    return pick


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory):
    """A fresh SQLite tracking store and artifact root in a temporary folder; yields the experiment id."""
    import mlflow

    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="mlflow")
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = uri
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.MlflowClient().create_experiment(
        "graded", artifact_location=(folder / "artifacts").resolve().as_uri()
    )
    yield experiment
    if previous is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = previous
