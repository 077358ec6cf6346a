"""Project 2: single-row /predict latency over loopback HTTP against a real uvicorn server.

Trains the reference model (solutions/p2_serving, train.toml) into a temporary folder, starts
``uvicorn --factory churn_service.app:create_app`` on a free 127.0.0.1 port, sends 200 warm-up and then
N >= 2,000 sequential single-customer POST /predict requests on one keep-alive connection, and compares
the client-side p50/p99 with a bare ``predict_proba`` call on one row in this process. Target: p99 <= 10 ms.

    .venv/bin/python benchmarks/p2_latency.py [--requests 2000]

Last line (machine-readable): ``p2_latency_p99_ms: <value>``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "solutions" / "p2_serving"


def _env(artifacts: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("CHURN_SERVICE_")}
    return {
        **keep,
        "CHURN_SERVICE_ARTIFACT_DIR": str(artifacts),
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(PROJECT),
    }


def _bodies(n: int) -> list[dict]:
    """``n`` request bodies from the churn world's latest month (JSON types)."""
    sys.path.insert(0, str(PROJECT))
    from churn_service.batch import INTEGER_FIELDS
    from churn_service.schema import CATEGORICAL_FEATURES, FEATURE_NAMES
    from churn_service.train import load_train_config

    from course.data.churn import load_world, monthly_snapshot

    config = load_train_config(PROJECT / "train.toml")
    snap = monthly_snapshot(
        load_world(seed=config.seed, n_customers=config.n_customers, months=config.months)
    )
    rows = snap[snap["month"] == snap["month"].max()].head(n)
    out = []
    for _, row in rows.iterrows():
        body = {"customer_id": str(row["customer_id"])}
        for name in FEATURE_NAMES:
            value = row[name]
            body[name] = (
                str(value)
                if name in CATEGORICAL_FEATURES
                else int(value)
                if name in INTEGER_FIELDS
                else float(value)
            )
        out.append(body)
    return out


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    values = np.asarray(seconds) * 1000.0
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    n = max(args.requests, 2000)
    os.environ["OMP_NUM_THREADS"] = "1"
    from course.servers import free_port, serve

    with tempfile.TemporaryDirectory(prefix="p2-latency-") as tmp:
        artifacts = Path(tmp) / "artifacts"
        train_command = [sys.executable, "-m", "churn_service.train", "--config", "train.toml"]
        subprocess.run(
            [*train_command, "--artifact-dir", str(artifacts)],
            cwd=PROJECT, env=_env(artifacts), check=True, capture_output=True,
        )  # fmt: skip
        bodies = [json.dumps(b).encode() for b in _bodies(500)]
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "--factory", "churn_service.app:create_app",
                   "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]  # fmt: skip
        with serve(
            command, "/ready", port, cwd=PROJECT, env=_env(artifacts), log_path=Path(tmp) / "server.log"
        ):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"content-type": "application/json"}
            timings, statuses = [], {}
            for i in range(200 + n):
                started = time.perf_counter()
                connection.request("POST", "/predict", body=bodies[i % len(bodies)], headers=headers)
                response = connection.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if i >= 200:
                    timings.append(elapsed)
            connection.close()
        if set(statuses) != {200}:
            raise SystemExit(f"non-200 answers during the benchmark: {statuses}")

        from churn_service.artifacts import current_version_dir, load_verified_model
        from churn_service.predict import rows_to_frame

        model, _ = load_verified_model(current_version_dir(artifacts))
        rows = [{k: v for k, v in json.loads(b).items() if k != "customer_id"} for b in bodies]
        frames = [rows_to_frame([r]) for r in rows]
        for frame in frames[:50]:
            model.predict_proba(frame)
        bare = []
        for i in range(n):
            started = time.perf_counter()
            model.predict_proba(frames[i % len(frames)])
            bare.append(time.perf_counter() - started)

    p50, p99 = _percentiles(timings)
    b50, b99 = _percentiles(bare)
    print(f"requests: {n} single-row POST /predict over loopback HTTP (keep-alive, sequential)")
    print(f"HTTP /predict: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"bare predict_proba (1 row): p50 {b50:.2f} ms, p99 {b99:.2f} ms")
    print(f"ratio HTTP/bare: p50 {p50 / b50:.2f}x, p99 {p99 / b99:.2f}x")
    print(f"target p99 <= 10 ms: {'met' if p99 <= 10.0 else 'NOT met'}")
    print(f"p2_latency_p99_ms: {p99:.3f}")


if __name__ == "__main__":
    main()
