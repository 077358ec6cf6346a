"""Structured request logs: one JSON object per line on the ``churn_service.requests`` logger."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from typing import Any

REQUEST_LOGGER = "churn_service.requests"
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# The only keys a request log line may carry: no customer attributes, ever.
LOG_FIELDS = ("event", "request_id", "method", "path", "status", "latency_ms", "model_version", "fallback")


class _CurrentStderrHandler(logging.StreamHandler):
    """A handler that always writes to the *current* ``sys.stderr`` (tests and notebooks replace it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(level: str) -> None:
    """Send ``churn_service`` log records to stderr as bare messages (they are JSON already), once."""
    logger = logging.getLogger("churn_service")
    logger.setLevel(level)
    if not any(isinstance(handler, _CurrentStderrHandler) for handler in logger.handlers):
        handler = _CurrentStderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


def request_id_from(header_value: str | None) -> str:
    """Return the caller's request id when it is a safe token, else a new random one."""
    # BEGIN SOLUTION
    # HINT: accept the header only if it matches a short safe pattern; otherwise uuid.uuid4().hex.
    if header_value and _SAFE_REQUEST_ID.match(header_value):
        return header_value
    return uuid.uuid4().hex
    # END SOLUTION


STATE_LOGGER = "churn_service.state"
STATE_FIELDS = (
    "event", "status", "http_status", "reason", "model_version", "fallback", "fallback_policy", "threshold",
    "threshold_source", "fallback_threshold", "fallback_threshold_source", "fallback_threshold_detail",
)  # fmt: skip


def log_state(**fields: Any) -> None:
    """Emit one JSON line with the serving state (:data:`STATE_FIELDS`): WARNING unless the model is ready."""
    record = {key: fields[key] for key in STATE_FIELDS if key in fields}
    level = logging.INFO if record.get("status") == "ready" else logging.WARNING
    logging.getLogger(STATE_LOGGER).log(level, json.dumps(record, sort_keys=True))


def log_request(**fields: Any) -> None:
    """Emit one JSON line with exactly the allowed :data:`LOG_FIELDS` (others are dropped)."""
    # BEGIN SOLUTION
    # HINT: keep only LOG_FIELDS keys, json.dumps them, and log at INFO on REQUEST_LOGGER.
    record = {key: fields[key] for key in LOG_FIELDS if key in fields}
    logging.getLogger(REQUEST_LOGGER).info(json.dumps(record, sort_keys=True))
    # END SOLUTION
