"""Training command: ``python -m churn_service.train --config train.toml`` writes ``artifacts/<version>/``.

The model is a scikit-learn Pipeline (ordinal-encoded categories -> HistGradientBoosting) trained on the
churn world's monthly snapshot, evaluated on the latest labelled months (out of time), saved with skops,
and described by ``metadata.json``. The new version becomes CURRENT; older versions stay for rollback.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from churn_service.artifacts import next_version, save_artifact, set_current
from churn_service.schema import CATEGORICAL_FEATURES, CATEGORIES, FEATURE_NAMES, NUMERIC_FEATURES, Customer

LABEL = "churned"


class ModelParams(BaseModel):
    """HistGradientBoosting hyper-parameters."""

    model_config = ConfigDict(extra="forbid")

    max_iter: int = Field(default=120, ge=1, le=2000)
    learning_rate: float = Field(default=0.08, gt=0.0, le=1.0)
    max_leaf_nodes: int = Field(default=15, ge=2, le=255)
    l2_regularization: float = Field(default=1.0, ge=0.0)


class TrainConfig(BaseModel):
    """What a training run depends on; the whole config is copied into the artifact's metadata."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    n_customers: int = Field(default=2000, ge=100)
    months: int = Field(default=18, ge=4)
    test_months: int = Field(default=2, ge=1)
    artifact_dir: Path = Path("artifacts")
    model: ModelParams = ModelParams()


def load_train_config(path: Path) -> TrainConfig:
    """Read a TOML training config; unknown keys are an error naming them."""
    with Path(path).open("rb") as handle:
        return TrainConfig.model_validate(tomllib.load(handle))


def split_out_of_time(snapshot, test_months: int):
    """Return (train, test): rows with a known label; test = the latest ``test_months`` labelled months."""
    # BEGIN SOLUTION
    # HINT: drop rows whose label is missing (immature), then split on the sorted unique months.
    labelled = snapshot[snapshot[LABEL].notna()]
    months = sorted(labelled["month"].unique())
    if len(months) <= test_months:
        raise ValueError(f"only {len(months)} labelled month(s): need more than test_months={test_months}")
    cutoff = months[-test_months]
    return labelled[labelled["month"] < cutoff], labelled[labelled["month"] >= cutoff]
    # END SOLUTION


def build_pipeline(params: ModelParams, seed: int):
    """Return the unfitted Pipeline: OrdinalEncoder on the categories (fixed vocabularies) -> HGB."""
    # BEGIN SOLUTION
    # HINT: ColumnTransformer(OrdinalEncoder(categories=...) on CATEGORICAL_FEATURES, passthrough numerics),
    # HINT: then HistGradientBoostingClassifier(categorical_features=..., random_state=seed).
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    encode = ColumnTransformer(
        [
            (
                "categories",
                OrdinalEncoder(categories=[list(CATEGORIES[c]) for c in CATEGORICAL_FEATURES]),
                list(CATEGORICAL_FEATURES),
            ),
            ("numbers", "passthrough", list(NUMERIC_FEATURES)),
        ],
        verbose_feature_names_out=False,
    )
    model = HistGradientBoostingClassifier(
        max_iter=params.max_iter,
        learning_rate=params.learning_rate,
        max_leaf_nodes=params.max_leaf_nodes,
        l2_regularization=params.l2_regularization,
        categorical_features=list(range(len(CATEGORICAL_FEATURES))),
        early_stopping=False,
        random_state=seed,
    )
    return Pipeline([("encode", encode), ("model", model)])
    # END SOLUTION


def features_of(frame):
    """Return the model's input columns in the serving order and dtypes (float64 numbers, str categories)."""
    out = frame.loc[:, list(FEATURE_NAMES)].copy()
    for name in NUMERIC_FEATURES:
        out[name] = out[name].astype("float64")
    for name in CATEGORICAL_FEATURES:
        out[name] = out[name].astype(object)
    return out.reset_index(drop=True)


def data_fingerprint(frame) -> str:
    """SHA-256 of the training rows (features and label, in order): same data, same fingerprint."""
    import pandas as pd

    hashed = pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()


def evaluate(model, test) -> dict[str, float]:
    """Out-of-time metrics, rounded to 6 decimals: ROC-AUC, PR-AUC, log-loss, Brier, base rate."""
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    y = test[LABEL].astype(int).to_numpy()
    p = model.predict_proba(features_of(test))[:, 1]
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 6),
        "pr_auc": round(float(average_precision_score(y, p)), 6),
        "log_loss": round(float(log_loss(y, p)), 6),
        "brier": round(float(brier_score_loss(y, p)), 6),
        "base_rate": round(float(y.mean()), 6),
        "n_test": len(y),
    }


def feature_schema() -> list[dict[str, Any]]:
    """The input contract as data: each feature's name, type, and allowed categories or range."""
    schema = Customer.model_json_schema()["properties"]
    out = []
    for name in FEATURE_NAMES:
        prop = schema[name]
        entry: dict[str, Any] = {"name": name}
        if name in CATEGORIES:
            entry.update(type="category", categories=list(CATEGORIES[name]))
        else:
            entry.update(type=prop["type"], minimum=prop.get("minimum"), maximum=prop.get("maximum"))
        out.append(entry)
    return out


def library_versions() -> dict[str, str]:
    """Versions that must match at load time for the artifact to behave the same."""
    import numpy
    import pandas
    import sklearn
    import skops

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
    }


def train_on_snapshot(snapshot, config: TrainConfig, artifact_dir: Path | None = None) -> Path:
    """Fit, evaluate and save a new version from a snapshot; point CURRENT at it; return its folder."""
    # BEGIN SOLUTION
    # HINT: split_out_of_time -> build_pipeline().fit(features_of(train), y) -> evaluate -> save_artifact.
    artifact_dir = Path(artifact_dir if artifact_dir is not None else config.artifact_dir)
    train, test = split_out_of_time(snapshot, config.test_months)
    model = build_pipeline(config.model, config.seed)
    model.fit(features_of(train), train[LABEL].astype(int).to_numpy())
    metadata = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config.model_dump(mode="json"),
        "training_data": {
            "fingerprint": data_fingerprint(
                features_of(train).assign(**{LABEL: train[LABEL].astype(int).to_numpy()})
            ),
            "rows": len(train),
            "months": [str(m)[:10] for m in (train["month"].min(), train["month"].max())],
            "test_months": sorted({str(m)[:10] for m in test["month"]}),
        },
        "features": feature_schema(),
        "metrics": evaluate(model, test),
        "libraries": library_versions(),
    }
    version = next_version(artifact_dir)
    version_dir = save_artifact(model, metadata, artifact_dir, version)
    set_current(artifact_dir, version)
    return version_dir
    # END SOLUTION


def train(config: TrainConfig, artifact_dir: Path | None = None) -> Path:
    """Build the churn world snapshot named by ``config`` and train a new version on it."""
    from course.data.churn import load_world, monthly_snapshot

    world = load_world(seed=config.seed, n_customers=config.n_customers, months=config.months)
    return train_on_snapshot(monthly_snapshot(world), config, artifact_dir)


def main(argv: list[str] | None = None) -> int:
    """Command line: train, print the new version and its out-of-time metrics."""
    parser = argparse.ArgumentParser(
        prog="python -m churn_service.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--config", type=Path, default=Path("train.toml"), help="TOML training config")
    parser.add_argument("--artifact-dir", type=Path, default=None, help="overrides the config's artifact_dir")
    args = parser.parse_args(argv)
    config = load_train_config(args.config)
    version_dir = train(config, args.artifact_dir)
    from churn_service.artifacts import read_metadata

    metrics = read_metadata(version_dir)["metrics"]
    print(f"trained {version_dir.name} -> {version_dir} (CURRENT)")
    print("out-of-time: " + ", ".join(f"{k}={v}" for k, v in metrics.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
