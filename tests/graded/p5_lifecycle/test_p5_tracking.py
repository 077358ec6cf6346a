"""Graded: tracked training records the lineage a colleague needs to trust and reproduce a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


@pytest.mark.rubric("p5.tracking.lineage", points=10)
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


@pytest.mark.rubric("p5.tracking.reproducible", points=4)
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
