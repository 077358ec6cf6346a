"""Graded: tracked training records the lineage a colleague needs to trust and reproduce a model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from p5_helpers import FEATURES

LINEAGE_TAGS = (
    "data.fingerprint",
    "data.window_start",
    "data.window_end",
    "code.version",
    "owner",
    "deployment.target",
)


def _train(module, by_month, experiment, name, data=None, seed=0):
    return module.train_and_log(
        by_month(0, 2) if data is None else data,
        by_month(3),
        experiment_id=experiment,
        window=("2024-01-01", "2024-03-01"),
        owner="graded-owner",
        deployment_target="batch:graded",
        model_name=name,
        seed=seed,
    )


@pytest.mark.rubric("p5.tracking.lineage", points=6)
def test_run_records_full_lineage(project_module, by_month, mlflow_store):
    """A run records params, metrics, data fingerprint and window, code version, owner, target, signature."""
    import mlflow

    train = project_module("churn_lifecycle.train")
    result = _train(train, by_month, mlflow_store, "graded-lineage")
    client = mlflow.MlflowClient()
    run = client.get_run(result.run_id)
    assert run.data.params.get("seed") == "0", "log the seed as the run parameter 'seed'."
    for metric in ("pr_auc", "calibration_error", "worst_slice_recall"):
        assert metric in run.data.metrics, f"log the evaluation metric '{metric}' in the run."
    missing = [tag for tag in LINEAGE_TAGS if not run.data.tags.get(tag)]
    assert not missing, (
        f"the run lacks the lineage tags {missing}: set them with mlflow.set_tags in train_and_log."
    )
    assert (
        run.data.tags["owner"] == "graded-owner" and run.data.tags["deployment.target"] == "batch:graded"
    ), "the 'owner' and 'deployment.target' tags must hold the values passed to train_and_log."
    assert run.data.tags["data.window_start"] == "2024-01-01", "tag 'data.window_start' with window[0]."
    assert run.data.tags["data.window_end"] == "2024-03-01", "tag 'data.window_end' with window[1]."
    artifacts = {a.path for a in client.list_artifacts(result.run_id)}
    assert "metrics.json" in artifacts, f"log metrics.json as a run artifact (found {sorted(artifacts)})."
    payload = json.loads(Path(client.download_artifacts(result.run_id, "metrics.json")).read_text())
    assert abs(payload["pr_auc"] - run.data.metrics["pr_auc"]) < 1e-9, (
        "metrics.json must hold the logged metrics."
    )
    version = client.get_model_version("graded-lineage", result.version)
    info = mlflow.models.get_model_info(f"models:/graded-lineage/{version.version}")
    assert info.signature is not None, "log the model with a signature (mlflow.models.infer_signature)."
    assert info.saved_input_example_info is not None, "log the model with an input_example."
    alias = client.get_model_version_by_alias("graded-lineage", "challenger").version
    assert str(alias) == str(result.version), (
        "register each candidate and point the 'challenger' alias at it."
    )


@pytest.mark.rubric("p5.tracking.reproducible", points=2)
def test_same_seed_same_data_same_run(project_module, by_month, mlflow_store):
    """Same seed and data give the same metrics and fingerprint; other data gives another fingerprint."""
    import mlflow

    train = project_module("churn_lifecycle.train")
    first = _train(train, by_month, mlflow_store, "graded-repro")
    second = _train(train, by_month, mlflow_store, "graded-repro")
    data = by_month(0, 2)
    third = _train(train, by_month, mlflow_store, "graded-repro", data=data.iloc[: len(data) - 50])
    client = mlflow.MlflowClient()
    tags = [client.get_run(r.run_id).data.tags["data.fingerprint"] for r in (first, second, third)]
    assert first.metrics == pytest.approx(second.metrics, abs=1e-12), (
        "two runs with the same seed and data gave different metrics: fix every source of randomness."
    )
    assert tags[0] == tags[1], "the same training data must give the same data.fingerprint."
    assert tags[0] != tags[2], (
        "different training data (50 rows fewer) must give a different data.fingerprint."
    )


@pytest.mark.rubric("p5.tracking.reproducible", points=1)
def test_fingerprint_follows_the_values_and_names_not_the_index(project_module, by_month):
    """The data fingerprint changes with any value or column name, and not with the row index."""
    tracking = project_module("churn_lifecycle.tracking")
    data = by_month(0)
    base = tracking.data_fingerprint(data)
    edited = data.copy()
    edited.loc[edited.index[10], "monthly_price"] += 1.0
    assert tracking.data_fingerprint(edited) != base, (
        "one customer's monthly_price changed (same rows, same columns) but the fingerprint did not: hash "
        "the values, not only the shape or the schema."
    )
    swapped = data.rename(columns={"sessions_7d": "sessions_28d", "sessions_28d": "sessions_7d"})
    assert tracking.data_fingerprint(swapped) != base, (
        "two columns swapped their names but the fingerprint did not change: hash the column names too."
    )
    reindexed = data.set_axis(range(10_000, 10_000 + len(data)))
    assert tracking.data_fingerprint(reindexed) == base, (
        "the same rows under another index gave another fingerprint: the index is not data, leave it out "
        "(pd.util.hash_pandas_object(frame, index=False))."
    )


@pytest.mark.rubric("p5.tracking.threshold", points=3)
def test_threshold_and_metrics_come_from_the_right_rows(project_module, by_month, drift_month, mlflow_store):
    """The contact threshold is the policy's top share of training scores; metrics are on evaluation rows."""
    import mlflow
    from sklearn.metrics import average_precision_score

    train = project_module("churn_lifecycle.train")
    policy = project_module("churn_lifecycle.policy").Policy(contact_share=0.10)
    training, evaluation = by_month(0, 2), by_month(drift_month)  # the price rise: its scores differ
    result = train.train_and_log(
        training,
        evaluation,
        experiment_id=mlflow_store,
        window=("2024-01-01", "2024-03-01"),
        owner="graded-owner",
        deployment_target="batch:graded",
        model_name="graded-threshold",
        policy=policy,
    )
    client = mlflow.MlflowClient()
    model = mlflow.sklearn.load_model(f"models:/graded-threshold/{result.version}")
    tag = client.get_model_version("graded-threshold", result.version).tags.get("contact_threshold")
    assert tag is not None, "tag the registered version with its 'contact_threshold'."
    share = float((model.predict_proba(training[list(FEATURES)])[:, 1] >= float(tag)).mean())
    assert abs(share - 0.10) <= 0.005, (
        f"with policy.contact_share = 0.10 the contact_threshold {float(tag):.4f} selects {share:.1%} of "
        "the training rows instead of 10 %: take the top policy.contact_share of the scores on the training "
        "rows, never on the evaluation month (that month judges the model, it must not tune it)."
    )
    scores = model.predict_proba(evaluation[list(FEATURES)])[:, 1]
    expected = average_precision_score(evaluation["churned"].astype(int), scores)
    logged = client.get_run(result.run_id).data.metrics.get("pr_auc", float("nan"))
    assert logged == pytest.approx(expected, abs=1e-6), (
        f"the run logged pr_auc {logged:.4f}, but the model's PR-AUC on the evaluation rows is "
        f"{expected:.4f}: log the metrics of the held-out evaluation frame, not of the training rows."
    )
    shuffled = evaluation.assign(
        churned=np.random.default_rng(0).permutation(evaluation["churned"].astype(int).to_numpy())
    )
    again = train.train_and_log(
        training,
        shuffled,
        experiment_id=mlflow_store,
        window=("2024-01-01", "2024-03-01"),
        owner="graded-owner",
        deployment_target="batch:graded",
        model_name="graded-threshold",
        policy=policy,
    )
    other = mlflow.sklearn.load_model(f"models:/graded-threshold/{again.version}")
    rows = evaluation[list(FEATURES)].head(200)
    assert other.predict_proba(rows)[:, 1] == pytest.approx(model.predict_proba(rows)[:, 1], abs=1e-9), (
        "the same training rows with other labels on the evaluation month gave another model: fit on the "
        "training rows only, the evaluation month must never be seen by the model."
    )
