"""Project 2: batch-job throughput as a fraction of bare ``predict_proba`` on the same rows.

Trains the reference model (solutions/p2_serving, train.toml) into a temporary folder, writes the churn
world's snapshot (features only, repeated to at least N rows) as Parquet, and times the whole batch job
(``churn_service.batch.run_batch``: read, validate every row with the API's schema, score in chunks,
write scores and rejects atomically) against ``predict_proba`` on the same rows, already in memory.
Best of 3 runs each. Target: batch rows/s >= 0.5 x bare rows/s.

    .venv/bin/python benchmarks/p2_batch.py [--rows 100000]

Last line (machine-readable): ``p2_batch_throughput_ratio: <value>``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "solutions" / "p2_serving"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"
    sys.path.insert(0, str(PROJECT))
    import pandas as pd
    from churn_service.artifacts import current_version_dir, load_verified_model
    from churn_service.batch import run_batch
    from churn_service.config import Settings
    from churn_service.schema import FEATURE_NAMES
    from churn_service.train import features_of, load_train_config

    from course.data.churn import load_world, monthly_snapshot

    with tempfile.TemporaryDirectory(prefix="p2-batch-") as tmp:
        tmp_path = Path(tmp)
        artifacts = tmp_path / "artifacts"
        env = {**os.environ, "PYTHONPATH": str(PROJECT)}
        train_command = [sys.executable, "-m", "churn_service.train", "--config", "train.toml"]
        subprocess.run(
            [*train_command, "--artifact-dir", str(artifacts)],
            cwd=PROJECT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        config = load_train_config(PROJECT / "train.toml")
        snap = monthly_snapshot(
            load_world(seed=config.seed, n_customers=config.n_customers, months=config.months)
        )
        rows = snap[["customer_id", *FEATURE_NAMES]]
        rows = pd.concat([rows] * -(-args.rows // len(rows)), ignore_index=True).head(args.rows)
        source = tmp_path / "customers.parquet"
        rows.to_parquet(source, index=False)
        settings = Settings(artifact_dir=artifacts)

        batch_s = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            summary = run_batch(source, tmp_path / "scores.parquet", tmp_path / "rejects.csv", settings)
            batch_s.append(time.perf_counter() - started)
        assert summary.rows_scored == len(rows) and summary.rows_rejected == 0, summary

        model, _ = load_verified_model(current_version_dir(artifacts))
        frame = features_of(rows)
        bare_s = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            model.predict_proba(frame)
            bare_s.append(time.perf_counter() - started)

    batch_rate, bare_rate = len(rows) / min(batch_s), len(rows) / min(bare_s)
    ratio = batch_rate / bare_rate
    print(f"rows: {len(rows)} (Parquet in, Parquet + CSV out), best of {args.repeats}")
    print(
        f"batch job (read + validate + score + atomic write): {min(batch_s):.3f} s = {batch_rate:,.0f} rows/s"
    )
    print(
        f"bare predict_proba on the same rows in memory:       {min(bare_s):.3f} s = {bare_rate:,.0f} rows/s"
    )
    print(f"target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}")
    print(f"p2_batch_throughput_ratio: {ratio:.3f}")


if __name__ == "__main__":
    main()
