"""Service configuration, read in one place: environment variables prefixed ``CHURN_SERVICE_``.

Every setting has a default that works on a laptop, so ``uvicorn`` starts without any environment. Examples::

    CHURN_SERVICE_ARTIFACT_DIR=/srv/models CHURN_SERVICE_MAX_BODY_BYTES=2097152 make serve

The decision threshold is not a setting with a default: it comes from the served artifact's metadata (the
policy that chose it at training time). ``CHURN_SERVICE_THRESHOLD`` overrides it for an incident or an
experiment; the override is shown in ``/ready`` and ``/metadata``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CHURN_SERVICE_"


class Settings(BaseSettings):
    """What an operator may change without touching code."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    artifact_dir: Path = Field(default=Path("artifacts"), description="folder holding <version>/ and CURRENT")
    threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="overrides the artifact's threshold (None: the artifact's policy decides)",
    )
    max_batch_size: int = Field(default=256, ge=1, le=10_000, description="most customers per /predict/batch")
    max_body_bytes: int = Field(
        default=1_048_576, ge=1_024, le=64 * 1_048_576, description="larger request bodies get 413 unread"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    fallback_policy: Literal["rules", "refuse"] = Field(
        default="rules",
        description=(
            "without a verified model: 'rules' answers from the rule-based score, 'refuse' answers 503"
        ),
    )


def load_settings(**overrides: object) -> Settings:
    """Return the settings from the environment, with explicit ``overrides`` (tests, notebooks) on top."""
    return Settings(**overrides)
