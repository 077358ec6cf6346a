"""The stages' entry points: ``python -m churn_pipeline stage NAME`` runs one stage, as ``dvc.yaml`` does.

The stage modules (``ingest``, ``validate``, ...) hold pure functions and never import the orchestration;
this module is the one place that turns a stage name into a call on :class:`~churn_pipeline.run.Pipeline`
for the run date in ``params.yaml``. A stage called here always recomputes (``force=True``): deciding
what is up to date is the caller's job (DVC's, or the pipeline's own stamps in ``run``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from churn_pipeline.run import Pipeline

STAGES = ("ingest", "validate", "features", "labels", "train", "score")
"""The stages in the order a run executes them (also the order of ``dvc.yaml``)."""


def _ingest(pipeline: Pipeline) -> str:
    pipeline.ingest(force=True)
    return f"raw export written to {pipeline.layout.raw.relative_to(pipeline.root)}"


def _validate(pipeline: Pipeline) -> str:
    summary = pipeline.validate(force=True)
    return f"schema v{summary['schema_version']}, rows {summary['rows']}"


def _features(pipeline: Pipeline) -> str:
    written = pipeline.write_features(pipeline.snapshot_dates(), force=True)
    return f"{len(written)} snapshot(s) written"


def _labels(pipeline: Pipeline) -> str:
    summary = pipeline.write_labels(pipeline.run_date(), force=True)
    return f"{summary['mature']} mature, {summary['held_back']} held back as immature"


def _train(pipeline: Pipeline) -> str:
    return f"model version {pipeline.train(pipeline.run_date(), force=True)}"


def _score(pipeline: Pipeline) -> str:
    out = pipeline.score(pipeline.run_date(), force=True)
    return f"{out.relative_to(pipeline.root)}"


_RUNNERS: dict[str, Callable[[Pipeline], str]] = {
    "ingest": _ingest,
    "validate": _validate,
    "features": _features,
    "labels": _labels,
    "train": _train,
    "score": _score,
}


def run_stage(name: str, root: Path | str = ".") -> str:
    """Run the stage ``name`` of the project folder ``root``; returns a one-line summary of what it wrote."""
    if name not in _RUNNERS:
        raise ValueError(f"unknown stage {name!r}: the stages are {', '.join(STAGES)}.")
    return f"{name}: {_RUNNERS[name](Pipeline.from_folder(Path(root)))}"
