"""Configuration and layout: the one place that reads ``params.yaml`` and knows where outputs live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PARAMS_FILE = "params.yaml"
TABLES = ("customers", "usage", "invoices", "tickets")


class ConfigError(ValueError):
    """``params.yaml`` is missing a key or holds a value of the wrong kind."""


def load_params(root: Path | str = ".") -> dict[str, Any]:
    """Read ``params.yaml`` from the project folder ``root``."""
    import yaml

    path = Path(root) / PARAMS_FILE
    if not path.is_file():
        raise ConfigError(f"{path} not found: run from the project folder (the one holding dvc.yaml).")
    params = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for section in ("world", "validate", "features", "labels", "run", "train"):
        if not isinstance(params.get(section), dict):
            raise ConfigError(f"{path}: section '{section}' is missing or not a mapping.")
    return params


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
