"""Where runs go (a SQLite store, or any server via ``MLFLOW_TRACKING_URI``) and what identifies them."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pandas as pd

DEFAULT_URI = "sqlite:///mlflow.db"
EXPERIMENT = "churn-lifecycle"
MODEL_NAME = "churn-retention"

# Run tags that make a run's lineage complete (the graded tests read these exact keys).
TAG_FINGERPRINT = "data.fingerprint"
TAG_WINDOW_START = "data.window_start"
TAG_WINDOW_END = "data.window_end"
TAG_ROWS = "data.rows"
TAG_CODE_VERSION = "code.version"
TAG_OWNER = "owner"
TAG_TARGET = "deployment.target"


def configure_tracking(
    tracking_uri: str | None = None, experiment: str = EXPERIMENT, artifact_root: Path | None = None
) -> str:
    """Point MLflow at a store and return the experiment id (created if missing).

    The URI is ``tracking_uri``, else ``MLFLOW_TRACKING_URI``, else ``sqlite:///mlflow.db`` in the current
    folder. For a local SQLite store the experiment's artifacts go to ``artifact_root`` (default
    ``./mlartifacts``), given explicitly; a tracking server chooses its own artifact root.
    """
    import mlflow

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    found = client.get_experiment_by_name(experiment)
    if found is not None:
        return found.experiment_id
    location = None
    if uri.startswith("sqlite:") or uri.startswith("file:"):
        location = Path(artifact_root or "mlartifacts").resolve().as_uri()
    return client.create_experiment(experiment, artifact_location=location)


def data_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's column names, dtypes and values (row order matters, the index does not)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"data_fingerprint expects a DataFrame, got {type(frame).__name__}")
    # HINT: hash the schema (names and dtypes), then the values row by row without the index: pandas
    # HINT: can hash a frame's rows for you.
    raise NotImplementedError("data_fingerprint: hash the schema (names and dtypes), then the values row by row without the index: pandas can hash a frame's rows for you.")


def code_version(package_dir: Path | None = None) -> str:
    """The git commit (``git:<sha>``, ``+dirty`` when the tree has changes) or, outside git, a source hash.

    The source hash (``src:<sha256 prefix>``) covers every ``.py`` file of this package, so a change in the
    code always changes the version.
    """
    folder = Path(package_dir or Path(__file__).parent)
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    source = f"src:{digest.hexdigest()[:12]}"
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return source
    return f"git:{sha[:12]} {source}"
