"""Service configuration, read in one place: environment variables prefixed ``CHURN_SERVICE_``.

Every setting has a default that works on a laptop, so ``uvicorn`` starts without any environment. Examples::

    CHURN_SERVICE_ARTIFACT_DIR=/srv/models CHURN_SERVICE_THRESHOLD=0.4 make serve
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
    threshold: float = Field(default=0.5, ge=0.0, le=1.0, description="churn_probability >= threshold: act")
    max_batch_size: int = Field(default=256, ge=1, le=10_000, description="most customers per /predict/batch")
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
