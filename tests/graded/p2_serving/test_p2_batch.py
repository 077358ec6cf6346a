"""Graded: the batch job accounts for every row, writes atomically, and agrees with the API (parity)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import need


def _frame(customers, bad: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(customers)
    if bad:
        frame.loc[2, "plan"] = "platinum"
        frame.loc[5, "tenure_days"] = -1
        frame.loc[7, "minutes_7d"] = float("nan")
    return frame


def _run(project_module, artifacts, tmp_path: Path, frame: pd.DataFrame, suffix: str, chunk_size: int = 4):
    batch = project_module("churn_service.batch")
    config = project_module("churn_service.config")
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / f"customers{suffix}"
    frame.to_csv(source, index=False) if suffix == ".csv" else frame.to_parquet(source, index=False)
    out, rejects = tmp_path / "scores.parquet", tmp_path / "rejects.csv"
    batch.run_batch(source, out, rejects, config.Settings(artifact_dir=artifacts), chunk_size=chunk_size)
    return pd.read_parquet(out), pd.read_csv(rejects)


@pytest.mark.rubric("p2.batch.accounting", points=5)
def test_every_row_is_scored_or_rejected_with_a_reason(project_module, artifacts, tmp_path, customers):
    """Batch job, in chunks: rows in = scored + rejected; rejects name the field; scores carry the version."""
    scores, rejects = _run(project_module, artifacts, tmp_path, _frame(customers), ".parquet")
    assert len(scores) + len(rejects) == len(customers), (
        f"{len(customers)} rows in, {len(scores)} scored + {len(rejects)} rejected: account for every row."
    )
    assert len(rejects) == 3, f"Exactly the 3 bad rows must be rejected, not {len(rejects)}."
    reasons = " ".join(rejects.astype(str).agg(" ".join, axis=1))
    for field in ("plan", "tenure_days", "minutes_7d"):
        assert field in reasons, (
            f"The rejects must give a reason naming the field ({field} is missing): {reasons[:300]}"
        )
    assert "model_version" in scores.columns and set(scores["model_version"]) == {"v0002"}, (
        "Every scored row must carry the model version that scored it (column model_version = 'v0002')."
    )


@pytest.mark.rubric("p2.batch.csv_input", points=3)
def test_csv_input_is_scored_like_parquet(project_module, artifacts, tmp_path, customers):
    """Batch job reads CSV as well as Parquet, with the same results."""
    parquet_scores, _ = _run(project_module, artifacts, tmp_path / "p", _frame(customers), ".parquet")
    csv_scores, csv_rejects = _run(project_module, artifacts, tmp_path / "c", _frame(customers), ".csv")
    assert len(csv_scores) == len(parquet_scores) and len(csv_rejects) == 3, (
        "A CSV input must be validated and scored exactly like the same rows in Parquet."
    )
    assert csv_scores["churn_probability"].to_numpy() == pytest.approx(
        parquet_scores["churn_probability"].to_numpy()
    ), "CSV and Parquet inputs of the same rows must get the same scores."


@pytest.mark.rubric("p2.batch.atomic_write", points=3)
def test_failed_write_leaves_previous_output_intact(project_module, tmp_path, monkeypatch):
    """The batch output is written atomically: a write that fails midway leaves the old file intact."""
    import pyarrow.parquet as pq

    batch = project_module("churn_service.batch")
    target = tmp_path / "scores.parquet"
    old = pd.DataFrame({"row": [0], "churn_probability": [0.5]})
    batch.write_atomic(old, target)
    assert pd.read_parquet(target).equals(old), "write_atomic(frame, path) must write the frame to path."
    before = target.read_bytes()

    def write_half_then_fail(table, where, *args, **kwargs):
        if isinstance(where, (str, os.PathLike)):
            Path(where).write_bytes(b"PAR1 half a file")
        else:
            where.write(b"PAR1 half a file")
        raise OSError("disk full (simulated by the grader)")

    monkeypatch.setattr(pq, "write_table", write_half_then_fail)
    with pytest.raises(Exception):  # noqa: B017 - the simulated failure must surface
        batch.write_atomic(pd.DataFrame({"row": [1, 2], "churn_probability": [0.1, 0.2]}), target)
    assert target.read_bytes() == before, (
        "A failed write damaged the previous output: write to a temporary file in the same folder, "
        "then os.replace."
    )
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p != target)
    assert not leftovers, f"A failed write left temporary files behind: {leftovers}; remove them on failure."


@pytest.mark.rubric("p2.parity", points=5)
def test_same_customer_same_probability_everywhere(
    project_module, artifacts, tmp_path, customers, make_client
):
    """Parity: /predict, /predict/batch, the batch job and the trained model give the same probability."""
    artifacts_module = project_module("churn_service.artifacts")
    train = project_module("churn_service.train")
    client = make_client(artifacts)
    single = [client.post("/predict", json=c).json()["churn_probability"] for c in customers[:8]]
    batch = [
        p["churn_probability"]
        for p in client.post("/predict/batch", json={"customers": customers[:8]}).json()["predictions"]
    ]
    scores, _ = _run(project_module, artifacts, tmp_path, _frame(customers[:8], bad=False), ".parquet")
    model, _ = artifacts_module.load_verified_model(need(artifacts) / "v0002")
    direct = model.predict_proba(train.features_of(pd.DataFrame(customers[:8])))[:, 1]
    assert batch == pytest.approx(single, abs=1e-12), (
        "/predict/batch and /predict disagree on the same customers."
    )
    assert list(scores.sort_values("row")["churn_probability"]) == pytest.approx(single, abs=1e-12), (
        "The batch job and /predict disagree on the same customers: use one inference path for both."
    )
    assert list(direct) == pytest.approx(single, abs=1e-12), (
        "The service disagrees with the trained pipeline: build the model input exactly as in training."
    )
