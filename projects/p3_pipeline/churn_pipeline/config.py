"""Configuration and layout: the one place that reads ``params.yaml`` and knows where outputs live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PARAMS_FILE = "params.yaml"
TABLES = ("customers", "usage", "invoices", "tickets")


class ConfigError(ValueError):
    """``params.yaml`` is missing a key or holds a value of the wrong kind."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorldParams(_Section):
    """The simulated upstream system that exports the raw files."""

    seed: int
    n_customers: int = Field(gt=0)
    start: date = date(2024, 1, 1)
    months: int = Field(gt=0)
    schema_version: int = Field(default=1, ge=1)


class ValidateParams(_Section):
    """Which upstream schema versions this run accepts (v2 is mapped to v1 by the versioned adapter)."""

    accept_schema_versions: tuple[int, ...] = Field(min_length=1)


class FeaturesParams(_Section):
    """The first training snapshot (one per month start)."""

    first_as_of: date


class LabelsParams(_Section):
    """The label's horizon and the delay after which a churn is recorded."""

    horizon_days: int = Field(gt=0)
    delay_days: int = Field(ge=0)


class RunParams(_Section):
    """The scheduled run date: scores for this date, labels as mature on it."""

    as_of: date


class TrainParams(_Section):
    """The model's inverse regularisation strength and its seed."""

    c: float = Field(gt=0)
    seed: int = 0


class Params(_Section):
    """Every section of ``params.yaml``, typed: a stage reads only its own section."""

    world: WorldParams
    validation: ValidateParams = Field(alias="validate")
    features: FeaturesParams
    labels: LabelsParams
    run: RunParams
    train: TrainParams

    def section(self, name: str) -> dict[str, Any]:
        """One section as plain JSON values (what a stage's key hashes), by its name in ``params.yaml``."""
        return getattr(self, "validation" if name == "validate" else name).model_dump(mode="json")


def load_params(root: Path | str = ".") -> Params:
    """Read and check ``params.yaml`` from the project folder ``root``."""
    import yaml

    path = Path(root) / PARAMS_FILE
    if not path.is_file():
        raise ConfigError(f"{path} not found: run from the project folder (the one holding dvc.yaml).")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of sections, got {type(raw).__name__}.")
    try:
        return Params.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None


def parse_date(value: Any, what: str = "date") -> date:
    """An ISO date string (or a date) as a :class:`datetime.date`, with an error naming ``what``."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{what}: {value!r} is not an ISO date like 2024-05-01.") from None


def month_starts(first: date, before: date) -> list[date]:
    """Every first-of-month from ``first`` (inclusive) to ``before`` (exclusive)."""
    out, current = [], date(first.year, first.month, 1)
    if current < first:
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    while current < before:
        out.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def date_range(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included."""
    if end < start:
        raise ConfigError(f"backfill range is empty: end {end} is before start {start}.")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass(frozen=True)
class Layout:
    """Where each stage writes, below the project folder ``root``."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def validated(self) -> Path:
        return self.root / "data" / "validated"

    @property
    def features(self) -> Path:
        return self.root / "data" / "features"

    @property
    def labels(self) -> Path:
        return self.root / "data" / "labels"

    @property
    def model(self) -> Path:
        return self.root / "artifacts" / "model.json"

    @property
    def scores(self) -> Path:
        return self.root / "data" / "scores"

    def feature_file(self, as_of: date) -> Path:
        return self.features / f"as_of={as_of.isoformat()}.parquet"

    def score_file(self, as_of: date) -> Path:
        return self.scores / f"as_of={as_of.isoformat()}.parquet"


DVC_CONFIG = "[core]\n    no_scm = true\n    check_update = false\n    analytics = false\n"
"""DVC settings of the project: no git, no update check, no analytics: the pipeline never calls out."""


def ensure_dvc_config(root: Path | str = ".") -> Path:
    """Make sure ``<root>/.dvc/config`` exists with :data:`DVC_CONFIG` (a copy may lack hidden folders)."""
    path = Path(root) / ".dvc" / "config"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DVC_CONFIG, encoding="utf-8")
    return path
