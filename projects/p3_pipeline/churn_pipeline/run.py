"""Orchestration without DVC: a scheduled daily run and a backfill, both incremental and idempotent.

Each step records a key (a hash of its parameters and of the fingerprints of its inputs) in
``data/_stamps/``. A step whose key and outputs are already there is skipped, so a re-run with the same
inputs recomputes nothing, and a change re-runs only the steps that depend on it. Every output is
written atomically and deterministically, so a forced re-run writes the very same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from churn_pipeline.config import Layout, Params, date_range, load_params, month_starts
from churn_pipeline.storage import file_fingerprint, tree_fingerprint, write_json_atomic, write_parquet_atomic

FEATURE_LOGIC_VERSION = 1
"""Bump when the feature definitions change, so that every stored snapshot is recomputed."""


@dataclass
class RunReport:
    """What one run did: the steps it computed and the steps it skipped as already up to date."""

    run_date: date
    computed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)
    model_version: str | None = None


def stage_key(name: str, **inputs: Any) -> str:
    """A stable hash of a step's name and inputs (parameters and input fingerprints)."""
    text = json.dumps({"stage": name, **inputs}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Pipeline:
    """The pipeline of one project folder ``root`` with its ``params``."""

    root: Path
    params: Params

    @classmethod
    def from_folder(cls, root: Path | str = ".") -> Pipeline:
        """Read ``params.yaml`` from ``root``."""
        return cls(Path(root), load_params(root))

    @property
    def layout(self) -> Layout:
        return Layout(self.root)

    def run_date(self) -> date:
        return self.params.run.as_of

    def training_dates(self, run_date: date | None = None) -> list[date]:
        """Monthly snapshot dates from ``features.first_as_of`` up to (excluding) the run date."""
        return month_starts(self.params.features.first_as_of, run_date or self.run_date())

    def snapshot_dates(self, run_date: date | None = None) -> list[date]:
        """Training snapshot dates plus the run date itself (the one we score)."""
        run_date = run_date or self.run_date()
        return sorted({*self.training_dates(run_date), run_date})

    # -- stamps ---------------------------------------------------------------------------------
    def _stamp_path(self, step: str) -> Path:
        return self.root / "data" / "_stamps" / f"{step}.json"

    def up_to_date(self, step: str, key: str, outputs: list[Path]) -> bool:
        """Whether ``step`` already ran with ``key`` and all its outputs exist."""
        # HINT: compare the stored key with the new one AND check that every output still exists.
        raise NotImplementedError("Pipeline.up_to_date: compare the stored key with the new one AND check that every output still exists.")

    def _record(self, step: str, key: str) -> None:
        write_json_atomic({"key": key}, self._stamp_path(step))

    # -- steps ----------------------------------------------------------------------------------
    def ingest(self, report: RunReport | None = None, force: bool = False) -> Path:
        """Export the simulated upstream system into ``data/raw`` (the raw daily partitions)."""
        from churn_pipeline.ingest import export_world
        from course import worlds

        world = self.params.world
        learner = worlds.current()  # the learner's world: a stamp of another world's export is outdated
        extra = {} if learner.is_default else {"learner": learner.learner}
        key = stage_key("ingest", **self.params.section("world"), **extra)
        if not force and self.up_to_date("ingest", key, [self.layout.raw / "_schema.json"]):
            _note(report, "skipped", "ingest")
            return self.layout.raw
        export_world(self.layout.raw, world)
        self._record("ingest", key)
        _note(report, "computed", "ingest")
        return self.layout.raw

    def validate(self, report: RunReport | None = None, force: bool = False) -> dict[str, Any]:
        """Contracts and schema version: ``data/raw`` -> ``data/validated``."""
        from churn_pipeline.validate import validate_export

        accepted = list(self.params.validation.accept_schema_versions)
        key = stage_key("validate", raw=tree_fingerprint(self.layout.raw), accepted=accepted)
        summary_path = self.layout.validated / "_summary.json"
        if not force and self.up_to_date("validate", key, [summary_path]):
            _note(report, "skipped", "validate")
            return json.loads(summary_path.read_text(encoding="utf-8"))
        summary = validate_export(self.layout.raw, self.layout.validated, accepted)
        self._record("validate", key)
        _note(report, "computed", "validate")
        return summary

    def write_features(
        self, dates: list[date], report: RunReport | None = None, force: bool = False
    ) -> list[Path]:
        """One Parquet snapshot per as-of date; only missing or outdated dates are computed (in one query)."""
        from churn_pipeline.features import batch_features, validated_sources

        source = tree_fingerprint(self.layout.validated)
        todo = []
        for as_of in dates:
            key = stage_key("features", source=source, as_of=as_of, logic=FEATURE_LOGIC_VERSION)
            path = self.layout.feature_file(as_of)
            if not force and self.up_to_date(f"features-{as_of}", key, [path]):
                _note(report, "skipped", f"features {as_of}")
            else:
                todo.append((as_of, key, path))
        if todo:
            frame = batch_features(validated_sources(self.layout.validated), [d for d, _, _ in todo])
            for as_of, key, path in todo:
                rows = frame[frame["as_of"] == str(as_of)]
                write_parquet_atomic(rows, path, sort_by=["as_of", "customer_id"])
                self._record(f"features-{as_of}", key)
                _note(report, "computed", f"features {as_of}")
        return [self.layout.feature_file(d) for d in dates]

    def write_labels(self, run_date: date, report: RunReport | None = None, force: bool = False) -> dict:
        """Mature labels for the training dates as known on ``run_date``, plus the held-back counts."""
        import pandas as pd

        from churn_pipeline.labels import make_labels

        cfg = self.params.labels
        dates = self.training_dates(run_date)
        customers_path = self.layout.validated / "customers" / "part-0.parquet"
        key = stage_key(
            "labels",
            customers=file_fingerprint(customers_path),
            dates=dates,
            run_date=run_date,
            **self.params.section("labels"),
        )
        out, summary_path = self.layout.labels / "labels.parquet", self.layout.labels / "summary.json"
        if not force and self.up_to_date("labels", key, [out, summary_path]):
            _note(report, "skipped", "labels")
            return json.loads(summary_path.read_text(encoding="utf-8"))
        labels, summary = make_labels(
            pd.read_parquet(customers_path), dates, run_date, cfg.horizon_days, cfg.delay_days
        )
        write_parquet_atomic(labels, out, sort_by=["as_of", "customer_id"])
        write_json_atomic(summary, summary_path)
        self._record("labels", key)
        _note(report, "computed", "labels")
        return summary

    def train(self, run_date: date, report: RunReport | None = None, force: bool = False) -> str:
        """Fit the model on mature labels joined to the training snapshots; returns the model version."""
        import pandas as pd

        from churn_pipeline.model import load_model, save_model
        from churn_pipeline.train import train_model

        paths = [self.layout.feature_file(d) for d in self.training_dates(run_date)]
        labels_path = self.layout.labels / "labels.parquet"
        key = stage_key(
            "train",
            features=[file_fingerprint(p) for p in paths],
            labels=file_fingerprint(labels_path),
            **self.params.section("train"),
        )
        if not force and self.up_to_date("train", key, [self.layout.model]):
            _note(report, "skipped", "train")
            return load_model(self.layout.model).version
        features = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
        cfg = self.params.train
        model = train_model(features, pd.read_parquet(labels_path), cfg.c, cfg.seed)
        save_model(model, self.layout.model)
        self._record("train", key)
        _note(report, "computed", "train")
        return model.version

    def score(self, run_date: date, report: RunReport | None = None, force: bool = False) -> Path:
        """Scores for the run date's snapshot with the current model."""
        import pandas as pd

        from churn_pipeline.model import load_model
        from churn_pipeline.score import score_snapshot

        snapshot = self.layout.feature_file(run_date)
        fingerprint = file_fingerprint(snapshot)
        key = stage_key("score", model=file_fingerprint(self.layout.model), features=fingerprint)
        out = self.layout.score_file(run_date)
        if not force and self.up_to_date(f"score-{run_date}", key, [out]):
            _note(report, "skipped", f"score {run_date}")
            return out
        scores = score_snapshot(load_model(self.layout.model), pd.read_parquet(snapshot), fingerprint)
        write_parquet_atomic(scores, out, sort_by=["as_of", "customer_id"])
        self._record(f"score-{run_date}", key)
        _note(report, "computed", f"score {run_date}")
        return out

    # -- runs -----------------------------------------------------------------------------------
    def run(self, run_date: date | None = None, force: bool = False) -> RunReport:
        """The scheduled daily run for ``run_date``: every step in order, skipping what is up to date."""
        run_date = run_date or self.run_date()
        report = RunReport(run_date)
        self.ingest(report, force)
        self.validate(report, force)
        self.write_features(self.snapshot_dates(run_date), report, force)
        report.labels = self.write_labels(run_date, report, force)
        report.model_version = self.train(run_date, report, force)
        self.score(run_date, report, force)
        return report

    def backfill(self, start: date, end: date) -> list[RunReport]:
        """Run every day from ``start`` to ``end`` (both included), in order, as the schedule would have."""
        # HINT: one daily run per date, oldest first; the stamps make shared steps run only once.
        raise NotImplementedError("Pipeline.backfill: one daily run per date, oldest first; the stamps make shared steps run only once.")


def _note(report: RunReport | None, kind: str, step: str) -> None:
    if report is not None:
        getattr(report, kind).append(step)
