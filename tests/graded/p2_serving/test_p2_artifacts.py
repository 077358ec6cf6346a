"""Graded: the training artifact, reproducible training, the checksum refusal and rollback."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import need

METADATA_KEYS = {"version", "created_at", "training_data", "features", "metrics", "libraries", "model_sha256"}


def _version_files(folder: Path) -> tuple[Path, dict]:
    metadata_path = folder / "metadata.json"
    assert metadata_path.is_file(), (
        f"{folder.name}/metadata.json is missing: write it next to the model file."
    )
    metadata = json.loads(metadata_path.read_text())
    models = [p for p in folder.iterdir() if p.suffix == ".skops"]
    assert len(models) == 1, (
        f"{folder.name} must hold exactly one .skops model file, found {[p.name for p in models]}."
    )
    return models[0], metadata


@pytest.mark.rubric("p2.train.artifact", points=5)
def test_training_writes_a_versioned_artifact(trained_two):
    """Training writes vNNNN/ with a skops model and metadata.json (schema, metrics, SHA-256) + CURRENT."""
    folder = need(trained_two)
    assert (folder / "CURRENT").read_text().strip() == "v0002", (
        "After two trainings CURRENT must name the newest version 'v0002' (versions v0001, v0002, ...)."
    )
    assert (folder / "v0001").is_dir(), "Training a new version must keep the older one (v0001) for rollback."
    model, metadata = _version_files(folder / "v0002")
    missing = METADATA_KEYS - set(metadata)
    assert not missing, f"metadata.json lacks {sorted(missing)}."
    assert metadata["model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest(), (
        "metadata.json's model_sha256 is not the SHA-256 of the model file: hash the file after writing it."
    )
    names = [f["name"] for f in metadata["features"]]
    assert "plan" in names and "tenure_days" in names and len(names) == 20, (
        "metadata.json's 'features' must describe the 20 input features (name, type, categories or "
        f"range): {names}"
    )
    plan = next(f for f in metadata["features"] if f["name"] == "plan")
    assert set(plan.get("categories", [])) == {"basic", "standard", "premium"}, (
        "List the allowed categories of plan."
    )
    assert {"roc_auc", "log_loss"} <= set(metadata["metrics"]), (
        "Record roc_auc and log_loss on the out-of-time test."
    )


@pytest.mark.rubric("p2.train.reproducible", points=5)
def test_same_config_same_metrics_and_predictions(project_module, snapshot, train_config, tmp_path):
    """Same config and seed: same metrics, same data fingerprint and the same predictions."""
    train = project_module("churn_service.train")
    artifacts = project_module("churn_service.artifacts")
    runs = [need(train.train_on_snapshot(snapshot, train_config, tmp_path / name)) for name in ("a", "b")]
    (_, meta_a), (_, meta_b) = (_version_files(Path(r)) for r in runs)
    assert meta_a["metrics"] == meta_b["metrics"], (
        "Two runs with the same config and seed gave different metrics."
    )
    assert meta_a["training_data"] == meta_b["training_data"], (
        "The training-data fingerprint must not change."
    )
    (model_a, _), (model_b, _) = (artifacts.load_verified_model(Path(r)) for r in runs)
    rows = train.features_of(snapshot.head(200))
    assert (model_a.predict_proba(rows) == model_b.predict_proba(rows)).all(), (
        "Two runs with the same config and seed predict differently: fix every random_state to the "
        "config's seed."
    )


@pytest.mark.rubric("p2.artifact.checksum_refusal", points=5)
def test_checksum_mismatch_is_never_loaded(project_module, artifacts):
    """A model file whose SHA-256 differs from metadata.json is refused before it is loaded."""
    import skops.io as sio
    from sklearn.dummy import DummyClassifier

    module = project_module("churn_service.artifacts")
    version = artifacts / "v0002"
    model, _ = _version_files(version)
    impostor = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [0, 1])
    sio.dump(impostor, model)  # a valid skops file, but not the one training recorded
    with pytest.raises(Exception) as caught:
        module.load_verified_model(version)
    assert not isinstance(caught.value, (AttributeError, NameError, TypeError, NotImplementedError)), (
        f"load_verified_model raised {type(caught.value).__name__}: {caught.value}; raise a "
        "checksum error instead."
    )
    assert (
        "sha" in str(caught.value).lower()
        or "checksum" in str(caught.value).lower()
        or "hash" in (type(caught.value).__name__ + str(caught.value)).lower()
    ), f"The error should say the checksum does not match: {caught.value}"


@pytest.mark.rubric("p2.artifact.rollback", points=5)
def test_rollback_moves_current_to_previous_version(project_module, artifacts, make_client, customers):
    """`python -m churn_service.rollback` moves CURRENT to the previous version, which then serves."""
    rollback = project_module("churn_service.rollback")
    assert rollback.main(["--artifact-dir", str(artifacts)]) == 0, (
        "The rollback command must exit 0 when it rolls back."
    )
    assert (artifacts / "CURRENT").read_text().strip() == "v0001", "After a rollback CURRENT must name v0001."
    assert (artifacts / "v0002").is_dir(), "Rollback must keep the newer version on disk (to roll forward)."
    answer = make_client(artifacts).post("/predict", json=customers[0]).json()
    assert answer.get("model_version") == "v0001", (
        f"After rollback the service must serve v0001, not {answer}."
    )
    assert rollback.main(["--artifact-dir", str(artifacts)]) != 0, (
        "Rolling back from the oldest version must fail with a non-zero exit status and a reason."
    )
    assert (artifacts / "CURRENT").read_text().strip() == "v0001", (
        "A refused rollback must leave CURRENT unchanged."
    )
