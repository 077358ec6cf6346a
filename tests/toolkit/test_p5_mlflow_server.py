"""A real MLflow tracking server: started on a free loopback port, used over HTTP, stopped by its pid.

This is how project 5's code meets a team's tracking server: the same client code, only
``MLFLOW_TRACKING_URI`` changes. The server uses a SQLite backend and serves artifacts from an explicit
folder in a temporary directory, so the client logs and loads the model through HTTP only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from course.servers import free_port, serve

pytestmark = pytest.mark.slow


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped) counts as stopped
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_mlflow_server_logs_and_serves_a_model_over_http(tmp_path, monkeypatch):
    import mlflow
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    port = free_port()
    artifacts = tmp_path / "artifacts"
    command = [
        str(Path(sys.executable).parent / "mlflow"), "server", "--workers", "1",
        "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{tmp_path / 'mlflow.db'}",
        "--artifacts-destination", str(artifacts),
    ]  # fmt: skip
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"}
    env.pop("MLFLOW_TRACKING_URI", None)
    with serve(command, "/health", port, timeout_s=90, env=env, log_path=tmp_path / "server.log") as server:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
        monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mlflow.set_tracking_uri(server.url)
        x = np.linspace(0, 1, 40).reshape(-1, 1)
        y = (x[:, 0] > 0.5).astype(int)
        model = LogisticRegression().fit(x, y)
        experiment = mlflow.MlflowClient().create_experiment("over-http")
        with mlflow.start_run(experiment_id=experiment) as run:
            mlflow.log_param("seed", 0)
            mlflow.log_metric("accuracy", float(model.score(x, y)))
            info = mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"])
        version = mlflow.register_model(info.model_uri, "served").version
        mlflow.MlflowClient().set_registered_model_alias("served", "champion", version)

        fetched = mlflow.MlflowClient().get_run(run.info.run_id)
        assert fetched.data.params["seed"] == "0"
        assert fetched.data.metrics["accuracy"] == pytest.approx(1.0)
        loaded = mlflow.sklearn.load_model("models:/served@champion")
        assert loaded.predict_proba(x)[:, 1] == pytest.approx(model.predict_proba(x)[:, 1])
        stored = list(artifacts.rglob("MLmodel"))
        assert stored, "the server, not the client, must have written the model under --artifacts-destination"
        pid = server.pid
    mlflow.set_tracking_uri(None)
    assert not _process_alive(pid), f"the server (pid {pid}) is still running after the block ended"
