"""The simulator's configuration, in one place: models and prices, fault profile, rate limits, seed.

Defaults are what ``start_simulator()`` uses; a TOML file with the same fields overrides them
(:meth:`SimulatorConfig.from_toml`), e.g.::

    seed = 7
    follow_injection_rate = 0.8
    [faults]
    rate_limit = 0.1
    slow_s = 2.0
    [models.triage-mini]
    input_per_million = 0.15
    output_per_million = 0.6
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from course.errors import CourseError


class ConfigError(CourseError):
    """The simulator's configuration file is missing or invalid."""


class ModelPrice(BaseModel):
    """Price of one model in US dollars per million tokens, and its simulated base latency."""

    model_config = ConfigDict(extra="forbid")
    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)
    latency_ms: float = Field(default=5.0, ge=0)


class FaultProfile(BaseModel):
    """Probability of each fault per request attempt, drawn from the seed and the request's bytes.

    A request whose bytes were already seen ``max_faults_per_request`` times is answered without a
    random fault, so a client that retries long enough always gets through.
    """

    model_config = ConfigDict(extra="forbid")
    rate_limit: float = Field(default=0.05, ge=0, le=1)
    server_error: float = Field(default=0.03, ge=0, le=1)
    slow: float = Field(default=0.02, ge=0, le=1)
    malformed_json: float = Field(default=0.02, ge=0, le=1)
    non_schema_json: float = Field(default=0.02, ge=0, le=1)
    retry_after_s: float = Field(default=1.0, gt=0)
    slow_s: float = Field(default=3.0, ge=0)
    max_faults_per_request: int = Field(default=3, ge=0)

    def total(self) -> float:
        """Probability that an attempt meets some fault."""
        return self.rate_limit + self.server_error + self.slow + self.malformed_json + self.non_schema_json


NO_FAULTS = FaultProfile(rate_limit=0, server_error=0, slow=0, malformed_json=0, non_schema_json=0)

DEFAULT_MODELS = {
    "triage-mini": ModelPrice(input_per_million=0.15, output_per_million=0.60, latency_ms=5.0),
    "triage-pro": ModelPrice(input_per_million=2.50, output_per_million=10.00, latency_ms=20.0),
}
"""Both models read prompts the same way (one encoder); they differ in price and latency only."""


class SimulatorConfig(BaseModel):
    """Everything the simulator needs; see the module docstring for the TOML form."""

    model_config = ConfigDict(extra="forbid")
    seed: int = Field(default=0, ge=0)
    models: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_MODELS))
    faults: FaultProfile = Field(default_factory=FaultProfile)
    requests_per_minute: int = Field(default=1_200, gt=0)
    """Below what one simulator process can serve on 2 cores, so that the limit, not the server, binds."""
    tokens_per_minute: int = Field(default=1_000_000, gt=0)
    follow_injection_rate: float = Field(default=0.8, ge=0, le=1)
    """How often an injected instruction in an unseparated ticket is obeyed."""
    follow_injection_rate_separated: float = Field(default=0.0, ge=0, le=1)
    """The same when the prompt keeps the ticket in a data block marked as data (see ``prompt.py``)."""
    default_max_tokens: int = Field(default=64, gt=0)
    """Tokens reserved against the per-minute token limit when a request does not set ``max_tokens``."""

    @classmethod
    def from_toml(cls, path: str | Path) -> SimulatorConfig:
        """Read a config file; raise :class:`ConfigError` naming the file and the bad field."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"Simulator config {path} does not exist.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Simulator config {path} is not valid TOML: {exc}") from exc
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"Simulator config {path}: {where}: {first['msg']}") from exc
