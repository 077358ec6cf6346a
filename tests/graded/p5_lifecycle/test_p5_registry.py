"""Graded: promote() and rollback() on a real MLflow registry, and batch inference with the champion."""

from __future__ import annotations

import pytest
from p5_helpers import FEATURES, fit_pipeline, register


@pytest.fixture(scope="module")
def models(by_month):
    """Three models: a good one (1 month), a broken one (shuffled labels), a better one (7 months).

    The better one is credibly better on months 8-9 (paired PR-AUC interval about [+0.012, +0.071]), so a
    gate with a paired interval promotes it whichever standard interval it uses.
    """
    return {
        "good": fit_pipeline(by_month(0)),
        "broken": fit_pipeline(by_month(0, 1), shuffle_labels=True),
        "better": fit_pipeline(by_month(0, 6)),
    }


def _register(models, by_month, experiment, name, which):
    example = by_month(0)[list(FEATURES)].head(5)
    return {key: register(models[key], name, experiment, example) for key in which}


def _champion(name="graded-registry"):
    import mlflow

    return str(mlflow.MlflowClient().get_model_version_by_alias(name, "champion").version)


@pytest.mark.rubric("p5.registry.promote", points=4)
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


@pytest.mark.rubric("p5.registry.rollback", points=4)
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
        "promote() should make the first model champion, then the model trained on 7 months instead of 1."
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


@pytest.mark.rubric("p5.batch.model_version", points=3)
def test_batch_scores_every_row_with_the_champion(project_module, models, by_month, mlflow_store):
    """Batch inference scores with models:/<name>@champion and records the model version on every row."""
    import mlflow

    batch = project_module("churn_lifecycle.batch")
    versions = _register(models, by_month, mlflow_store, "graded-batch", ("good", "better"))
    mlflow.MlflowClient().set_registered_model_alias("graded-batch", "champion", versions["good"])
    month = by_month(11).copy()
    month.loc[month.index[:3], "minutes_7d"] = float("nan")
    month.loc[month.index[3:5], "plan"] = None
    scored = batch.score_month(month, model_name="graded-batch")
    champion = versions["good"]
    assert len(scored.scores) + len(scored.quarantined) == len(month), (
        "every input row must be either scored or quarantined with a reason."
    )
    assert len(scored.quarantined) == 5, (
        f"3 rows lack minutes_7d and 2 lack their plan, but {len(scored.quarantined)} were quarantined: a "
        "row with any missing feature, numeric or categorical, must be quarantined, not scored."
    )
    assert set(scored.scores["model_version"].astype(str)) == {champion}, (
        "each row must record the champion's version."
    )
    model = mlflow.sklearn.load_model(f"models:/graded-batch/{champion}")
    rows = month.iloc[5:10]
    expected = model.predict_proba(rows[list(FEATURES)])[:, 1]
    got = scored.scores.set_index("customer_id").loc[rows["customer_id"], "score"].to_numpy()
    assert got == pytest.approx(expected, abs=1e-9), "scores must be the champion's predict_proba for churn."


@pytest.mark.rubric("p5.registry.promote", points=2)
def test_forced_promotion_records_the_gate_verdict(project_module, models, by_month, mlflow_store):
    """A forced promotion moves the alias but still records the gate's verdict, marked as forced."""
    import mlflow

    registry = project_module("churn_lifecycle.registry")
    name = "graded-force"
    versions = _register(models, by_month, mlflow_store, name, ("good", "broken"))
    evaluation = by_month(8, 9)
    registry.promote(evaluation, model_name=name, challenger=versions["good"])
    registry.promote(evaluation, model_name=name, challenger=versions["broken"], force=True)
    assert _champion(name) == versions["broken"], (
        "promote(force=True) must move the alias whatever the gate says."
    )
    note = mlflow.MlflowClient().get_model_version(name, versions["broken"])
    recorded = " ".join([*note.tags.values(), note.description or ""])
    assert "forced" in recorded.lower() and "pr_auc" in recorded, (
        "a forced promotion must leave an audit trail on the version: say it was forced AND keep the gate's "
        f"reasons (the failed pr_auc check with its numbers). Recorded: {recorded[:300]!r}"
    )


@pytest.mark.rubric("p5.registry.rollback", points=2)
def test_rollback_returns_to_the_version_that_served(project_module, models, by_month, mlflow_store):
    """rollback() restores the version the champion replaced, never a refused challenger registered since."""
    registry = project_module("churn_lifecycle.registry")
    name = "graded-rollback-refused"
    versions = _register(models, by_month, mlflow_store, name, ("good", "broken", "better"))
    evaluation = by_month(8, 9)
    registry.promote(evaluation, model_name=name, challenger=versions["good"])
    refused = registry.promote(evaluation, model_name=name, challenger=versions["broken"])
    promoted = registry.promote(evaluation, model_name=name, challenger=versions["better"])
    assert not refused.promote and promoted.promote and _champion(name) == versions["better"], (
        "promote() should make the first model champion, refuse the one trained on shuffled labels, then "
        "promote the model trained on 7 months."
    )
    restored = registry.rollback(model_name=name)
    assert _champion(name) == versions["good"], (
        f"versions {versions['good']} (champion), {versions['broken']} (refused by the gate) and "
        f"{versions['better']} (promoted over {versions['good']}): rollback() moved 'champion' to version "
        f"{_champion(name)} instead of {versions['good']}, the version that served before. Store the "
        "replaced version at promotion and restore exactly that one."
    )
    assert str(restored) == versions["good"], "rollback() must return the restored version."


@pytest.mark.rubric("p5.batch.contact", points=3)
def test_batch_contacts_follow_the_registered_threshold(project_module, models, by_month, mlflow_store):
    """Batch contacts are score >= the champion's contact_threshold tag, not the batch's own top 5 %."""
    import mlflow
    import numpy as np

    batch = project_module("churn_lifecycle.batch")
    month = by_month(11)
    scores = np.unique(models["good"].predict_proba(month[list(FEATURES)])[:, 1])
    k = int(0.8 * len(scores))
    threshold = float((scores[k] + scores[k + 1]) / 2)  # about 20 % of customers, far from any one score
    name = "graded-contact"
    example = by_month(0)[list(FEATURES)].head(5)
    version = register(models["good"], name, mlflow_store, example, contact_threshold=threshold)
    mlflow.MlflowClient().set_registered_model_alias(name, "champion", version)
    scored = batch.score_month(month, model_name=name)
    expected = scored.scores["score"].to_numpy() >= threshold
    got = scored.scores["contact"].to_numpy(dtype=bool)
    assert (got == expected).all(), (
        f"the champion's contact_threshold tag is {threshold:.4f}, which contacts {expected.mean():.1%} of "
        f"this batch, but {got.mean():.1%} were flagged: contact = score >= the version's contact_threshold, "
        "never the batch's own quantile or a default of 0.5 (a broken model must show in the contact rate)."
    )
