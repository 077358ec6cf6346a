"""Training command: ``python -m churn_service.train --config train.toml`` writes ``artifacts/<version>/``.

The model is a scikit-learn Pipeline (ordinal-encoded categories -> HistGradientBoosting) trained on the
churn world's monthly snapshot, evaluated on the latest labelled months (out of time), saved with skops,
and described by ``metadata.json``. The new version becomes CURRENT; older versions stay for rollback.

The labelled months are split three ways, oldest to newest: the model is fitted on the first ones, its
decision threshold is chosen on the next ``validation_months`` by project 1's contact policy (``profit``:
the most profitable number of contacts within the team's capacity; ``capacity``: exactly the capacity),
and it is evaluated on the latest ``test_months``. The threshold, the policy, its costs and the months it
was fitted on are recorded in ``metadata.json`` under ``threshold``: the service decides with them.

The fallback rule (:mod:`churn_service.fallback`) gets its own threshold by the same policy, applied to the
rule's scores on every labelled month before the test months (the rule learns nothing, so all of them are
out of sample for it); training records it in the version's ``metadata.json`` (``fallback_rule``), and
``set_current`` (so training and a rollback) writes the version's record to ``<artifact_dir>/fallback.json``,
outside the version folders, where the service finds it even when no model can be loaded.
``train`` draws the snapshot from your world (``course.worlds.current()``: ``learner.toml``, or the world the
grader names), and both records say which.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import platform
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from churn_service.artifacts import RULE_KEY, next_version, save_artifact, set_current
from churn_service.fallback import rule_score
from churn_service.schema import CATEGORICAL_FEATURES, CATEGORIES, FEATURE_NAMES, NUMERIC_FEATURES, Customer

LABEL = "churned"


class ModelParams(BaseModel):
    """HistGradientBoosting hyper-parameters."""

    model_config = ConfigDict(extra="forbid")

    max_iter: int = Field(default=120, ge=1, le=2000)
    learning_rate: float = Field(default=0.08, gt=0.0, le=1.0)
    max_leaf_nodes: int = Field(default=15, ge=2, le=255)
    l2_regularization: float = Field(default=1.0, ge=0.0)


class DecisionParams(BaseModel):
    """Project 1's contact policy: which threshold to choose, the costs and the team's capacity."""

    model_config = ConfigDict(extra="forbid")

    policy: Literal["profit", "capacity"] = "profit"
    capacity: float = Field(default=0.05, gt=0.0, le=1.0, description="share of customers contacted at most")
    contact_cost: float = Field(default=10.0, ge=0.0, description="cost of one contact and its offer")
    saved_value: float = Field(default=120.0, ge=0.0, description="margin kept when a churner is saved")
    save_rate: float = Field(default=0.30, ge=0.0, le=1.0, description="share of contacted churners saved")


class TrainConfig(BaseModel):
    """What a training run depends on; the whole config is copied into the artifact's metadata."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    n_customers: int = Field(default=2000, ge=100)
    months: int = Field(default=18, ge=4)
    test_months: int = Field(default=2, ge=1)
    validation_months: int = Field(default=1, ge=1, description="labelled months the threshold is fitted on")
    artifact_dir: Path = Path("artifacts")
    model: ModelParams = ModelParams()
    decision: DecisionParams = DecisionParams()


def load_train_config(path: Path) -> TrainConfig:
    """Read a TOML training config; unknown keys are an error naming them."""
    with Path(path).open("rb") as handle:
        return TrainConfig.model_validate(tomllib.load(handle))


def split_out_of_time(snapshot, test_months: int):
    """Return (train, test): rows with a known label; test = the latest ``test_months`` labelled months."""
    # HINT: drop rows whose label is missing (immature), then split on the sorted unique months.
    raise NotImplementedError("split_out_of_time: drop rows whose label is missing (immature), then split on the sorted unique months.")


def build_pipeline(params: ModelParams, seed: int):
    """Return the unfitted Pipeline: OrdinalEncoder on the categories (fixed vocabularies) -> HGB."""
    # HINT: ColumnTransformer(OrdinalEncoder(categories=...) on CATEGORICAL_FEATURES, passthrough numerics),
    # HINT: then HistGradientBoostingClassifier(categorical_features=..., random_state=seed).
    raise NotImplementedError("build_pipeline: ColumnTransformer(OrdinalEncoder(categories=...) on CATEGORICAL_FEATURES, passthrough numerics), then HistGradientBoostingClassifier(categorical_features=..., random_state=seed).")


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


def capacity_count(n_rows: int, capacity: float) -> int:
    """How many rows the capacity allows: ``floor(capacity * n_rows)``, at least one (project 1's rule)."""
    return max(1, math.floor(capacity * n_rows + 1e-9))


def choose_threshold(y_true, y_score, decision: DecisionParams) -> dict[str, float]:
    """Apply the contact policy to labelled scores; return the threshold and what it does on these rows.

    ``capacity``: the k-th highest score, k = :func:`capacity_count`. ``profit``: among the top-k rows for
    k up to that count, the k with the largest ``churners * save_rate * saved_value - k * contact_cost``
    (the first one on ties); when no k is profitable the threshold is 1.0 and nobody is contacted.
    Returns ``{"value", "contacted", "share_contacted", "expected_profit"}``.
    """
    # HINT: sort the scores in descending order; np.cumsum of the labels in that order counts the churners
    # HINT: reached by contacting the top k; the threshold is the k-th highest score (project 1's policy).
    raise NotImplementedError("choose_threshold: sort the scores in descending order; np.cumsum of the labels in that order counts the churners reached by contacting the top k; the threshold is the k-th highest score (project 1's policy).")


def outcome_at(y_true, y_score, threshold: float, decision: DecisionParams) -> dict[str, float]:
    """What deciding ``score >= threshold`` does on labelled rows: share contacted, profit, precision."""
    import numpy as np

    y = np.asarray(y_true, dtype=float)
    contacted = np.asarray(y_score, dtype=float) >= threshold
    churners = float(y[contacted].sum())
    gain = decision.save_rate * decision.saved_value
    return {
        "share_contacted": round(float(contacted.mean()), 6),
        "expected_profit": round(churners * gain - float(contacted.sum()) * decision.contact_cost, 2),
        "precision": round(churners / max(int(contacted.sum()), 1), 6),
        "recall": round(churners / max(float(y.sum()), 1.0), 6),
    }


def fit_rule_threshold(labelled, decision: DecisionParams) -> dict[str, Any]:
    """The fallback rule's threshold: ``decision``'s policy applied to the rule's scores of ``labelled`` rows.

    Returns the record training writes to ``fallback.json``: ``value``, ``policy``, ``decision`` (costs and
    capacity) and ``fitted_on`` (``months``, ``rows``, ``churners``, ``contacted``, ``expected_profit``).
    """
    # HINT: score the rows with the rule (the same feature columns the model sees), apply the same policy
    # HINT: as the model's threshold, and describe which months and rows it saw.
    raise NotImplementedError("fit_rule_threshold: score the rows with the rule (the same feature columns the model sees), apply the same policy as the model's threshold, and describe which months and rows it saw.")


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


def train_on_snapshot(
    snapshot, config: TrainConfig, artifact_dir: Path | None = None, world: str | None = None
) -> Path:
    """Fit, evaluate and save a new version from a snapshot; point CURRENT at it; return its folder.

    Also fits the fallback rule's threshold on the labelled months before the test and records it in the
    version's metadata (``fallback_rule``), which :func:`~churn_service.artifacts.set_current` copies to
    ``artifact_dir/fallback.json``. ``world`` names the world the snapshot was drawn from (recorded in both).
    """
    # HINT: split_out_of_time twice (test months, then the threshold's validation months before them) ->
    # HINT: build_pipeline().fit(features_of(fit), y) -> evaluate on test -> save_artifact; in between,
    # HINT: choose_threshold on the validation months' scores and record it under "threshold".
    # HINT: The rule's own threshold: fit_rule_threshold on every labelled month before the test (never the
    # HINT: test months), with the world, into the version's metadata (RULE_KEY); set_current makes the
    # HINT: artifact folder's fallback.json (next to the version folders, see fallback.py) from it.
    raise NotImplementedError("train_on_snapshot: split_out_of_time twice (test months, then the threshold's validation months before them) -> build_pipeline().fit(features_of(fit), y) -> evaluate on test -> save_artifact; in between, choose_threshold on the validation months' scores and record it under \"threshold\". The rule's own threshold: fit_rule_threshold on every labelled month before the test (never the test months), with the world, into the version's metadata (RULE_KEY); set_current makes the artifact folder's fallback.json (next to the version folders, see fallback.py) from it.")


def train(config: TrainConfig, artifact_dir: Path | None = None) -> Path:
    """Build the snapshot of your churn world named by ``config`` and train a new version on it.

    Your world is the one ``learner.toml`` names (``course init``; the default world without it): its base
    rate and its drift are yours, and so are the model's metrics and both thresholds.
    """
    world, snapshot = world_snapshot(config)
    return train_on_snapshot(snapshot, config, artifact_dir, world=world.learner)


def world_snapshot(config: TrainConfig):
    """Return ``(world, snapshot)``: your world (``course.worlds.current()``) and the monthly snapshot of its
    churn data with ``config``'s seed, size and months, the data :func:`train` trains on."""
    # HINT: course.worlds knows which world is yours (learner.toml, or the one the grader names); draw the
    # HINT: churn data of the config's seed, size and months from it (not from the default world) and take
    # HINT: its monthly snapshot (course.data.churn). train() records the world's learner name.
    raise NotImplementedError("world_snapshot: course.worlds knows which world is yours (learner.toml, or the one the grader names); draw the churn data of the config's seed, size and months from it (not from the default world) and take its monthly snapshot (course.data.churn). train() records the world's learner name.")


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
