"""The design's assumptions, read in one place from ``assumptions.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "assumptions.toml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Costs(_Frozen):
    """What each kind of decision costs, in US dollars."""

    review_usd: float = Field(ge=0, description="cost of one manual review")
    false_decline_usd: float = Field(ge=0, description="friction of holding one legitimate payment")


class Volume(_Frozen):
    """Traffic and the review team's size."""

    daily_transactions: int = Field(gt=0)
    peak_factor: float = Field(ge=1)
    review_capacity_per_day: int = Field(ge=0)


class Serving(_Frozen):
    """Sizing inputs for the online path and the log store."""

    feature_reads_per_request: int = Field(ge=0)
    bytes_per_transaction: int = Field(gt=0)
    replication_factor: int = Field(ge=1)
    retention_days: int = Field(gt=0)


class Latency(_Frozen):
    """The end-to-end budget and the p99 of each component on the synchronous path."""

    budget_ms: float = Field(gt=0)
    components_ms: dict[str, float]


class Assumptions(_Frozen):
    """Every number the design rests on."""

    costs: Costs
    volume: Volume
    serving: Serving
    latency: Latency


def load_assumptions(path: str | Path = DEFAULT_PATH) -> Assumptions:
    """Read and validate ``assumptions.toml``; a bad or missing value raises a ``ValueError`` naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Assumptions file not found: {path} (expected assumptions.toml in the project)."
        )
    with path.open("rb") as handle:
        try:
            raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path.name} is not valid TOML: {error}") from error
    try:
        return Assumptions.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise ValueError(f"{path.name} has invalid values: {problems}") from error
