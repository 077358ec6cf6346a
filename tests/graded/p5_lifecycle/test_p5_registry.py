"""Graded: promote() and rollback() on a real MLflow registry, and batch inference with the champion."""

from __future__ import annotations

import pytest
from p5_helpers import FEATURES, fit_pipeline, register


@pytest.fixture(scope="module")
def models(by_month):
    """Three models: a good one (2 months), a broken one (shuffled labels), a better one (7 months)."""
    return {
        "good": fit_pipeline(by_month(0, 1)),
        "broken": fit_pipeline(by_month(0, 1), shuffle_labels=True),
        "better": fit_pipeline(by_month(0, 6)),
    }


def _register(models, by_month, experiment, name, which):
    example = by_month(0)[list(FEATURES)].head(5)
    return {key: register(models[key], name, experiment, example) for key in which}


def _champion(name="graded-registry"):
    import mlflow

    return str(mlflow.MlflowClient().get_model_version_by_alias(name, "champion").version)


@pytest.mark.rubric("p5.registry.promote", points=7)
def test_promote_moves_champion_only_through_the_gate(project_module, models, by_month, mlflow_store):
    """promote() makes the first model champion, refuses a worse challenger and records the decision on it."""
    import mlflow

    registry = project_module("churn_lifecycle.registry")
    versions = _register(models, by_month, mlflow_store, "graded-registry", ("good", "broken"))
    evaluation = by_month(8, 9)
    first = registry.promote(evaluation, model_name="graded-registry", challenger=versions["good"])
    assert first.promote and _champion() == versions["good"], (
        "with no champion, promote() must set the alias."
    )
    refused = registry.promote(evaluation, model_name="graded-registry", challenger=versions["broken"])
    assert not refused.promote, "a model trained on shuffled labels is worse: promote() must refuse it."
    assert _champion() == versions["good"], (
        "a refused challenger must leave the 'champion' alias where it was."
    )
    note = mlflow.MlflowClient().get_model_version("graded-registry", versions["broken"])
    recorded = " ".join([*note.tags.values(), note.description or ""])
    assert "pr_auc" in recorded, (
        "record the gate's decision and reasons on the challenger's version (a tag or its description)."
    )


@pytest.mark.rubric("p5.registry.rollback", points=8)
def test_rollback_restores_previous_champion_and_batch_uses_it(
    project_module, models, by_month, mlflow_store
):
    """rollback() returns 'champion' to the previous version in one call, and batch inference then uses it."""
    registry = project_module("churn_lifecycle.registry")
    batch = project_module("churn_lifecycle.batch")
    name = "graded-rollback"
    versions = _register(models, by_month, mlflow_store, name, ("good", "better"))
    evaluation = by_month(8, 9)
    registry.promote(evaluation, model_name=name, challenger=versions["good"])
    promoted = registry.promote(evaluation, model_name=name, challenger=versions["better"])
    assert promoted.promote and _champion(name) == versions["better"], (
        "promote() should make the first model champion, then the model trained on 7 months instead of 2."
    )
    registry.rollback(model_name=name)
    assert _champion(name) == versions["good"], (
        "after rollback() the champion must be the version it replaced."
    )
    month = by_month(10)
    scored = batch.score_month(month, model_name=name)
    assert set(scored.scores["model_version"].astype(str)) == {versions["good"]}, (
        "after a rollback, score_month must use (and record) the restored champion's version."
    )


@pytest.mark.rubric("p5.batch.model_version", points=5)
def test_batch_scores_every_row_with_the_champion(project_module, models, by_month, mlflow_store):
    """Batch inference scores with models:/<name>@champion and records the model version on every row."""
    import mlflow

    batch = project_module("churn_lifecycle.batch")
    versions = _register(models, by_month, mlflow_store, "graded-batch", ("good", "better"))
    mlflow.MlflowClient().set_registered_model_alias("graded-batch", "champion", versions["good"])
    month = by_month(11).copy()
    month.loc[month.index[:3], "minutes_7d"] = float("nan")
    scored = batch.score_month(month, model_name="graded-batch")
    champion = versions["good"]
    assert len(scored.scores) + len(scored.quarantined) == len(month), (
        "every input row must be either scored or quarantined with a reason."
    )
    assert len(scored.quarantined) == 3, "rows with a missing feature must be quarantined, not scored."
    assert set(scored.scores["model_version"].astype(str)) == {champion}, (
        "each row must record the champion's version."
    )
    model = mlflow.sklearn.load_model(f"models:/graded-batch/{champion}")
    rows = month.iloc[3:8]
    expected = model.predict_proba(rows[list(FEATURES)])[:, 1]
    got = scored.scores.set_index("customer_id").loc[rows["customer_id"], "score"].to_numpy()
    assert got == pytest.approx(expected, abs=1e-9), "scores must be the champion's predict_proba for churn."
