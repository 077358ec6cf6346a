"""The FastAPI service. Run it with ``uvicorn --factory churn_service.app:create_app --host 127.0.0.1``.

Readiness and the fallback, one rule: ``/ready`` answers 200 whenever ``/predict`` can answer, and 503 only
when it cannot answer at all. With a verified model the body says ``status: ready``; without one and the
fallback policy ``rules`` it says ``status: degraded`` with the reason (the service answers from the rule,
``fallback: true``); with the policy ``refuse`` it answers 503 ``status: unavailable``. The same state is the
``churn_model_ready`` and ``churn_fallback_active{reason}`` gauges in ``/metrics`` and one ``model_state``
log line at start-up. Alert on the gauge, not on ``/ready``: a load balancer must keep a degraded service in
rotation, because the fallback is its answer.
"""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from churn_service.body import BodyError, parse_json_body
from churn_service.config import Settings, load_settings
from churn_service.logs import configure_logging, log_request, log_state, request_id_from
from churn_service.metrics import ServiceMetrics, create_metrics
from churn_service.predict import ModelState, load_model_state, rows_to_frame, score_frame
from churn_service.schema import (
    BatchPredictions,
    Customer,
    ErrorResponse,
    Prediction,
    ReadyStatus,
    batch_request_model,
    field_errors,
)

logger = logging.getLogger("churn_service.app")
KNOWN_PATHS = frozenset({"/health", "/ready", "/metadata", "/predict", "/predict/batch", "/metrics"})
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "the body is not UTF-8 text, or is nested too deeply"},
    413: {"model": ErrorResponse, "description": "the body is larger than max_body_bytes (refused unread)"},
    415: {"model": ErrorResponse, "description": "the body is not application/json"},
    422: {
        "model": ErrorResponse,
        "description": "not JSON, a repeated key, or a field missing, unknown, mistyped or out of range",
    },
    503: {"model": ErrorResponse, "description": "no verified model and the fallback policy is 'refuse'"},
}
WHY_NO_FIELD = {404: "path", 405: "method", 413: "body", 415: "content-type", 503: "model"}
"""What a 4xx/5xx without a field is about: the part of the request (or the service) that caused it."""


class StrictJSONRequest(Request):
    """A request whose JSON body is parsed by :func:`parse_json_body` (UTF-8, each key once)."""

    async def json(self) -> Any:
        """The parsed body; a BodyError (an HTTPException) when it is not acceptable JSON."""
        if not hasattr(self, "_json"):
            self._json = parse_json_body(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """Routes whose handlers see :class:`StrictJSONRequest` (FastAPI re-raises its HTTPExceptions)."""

    def get_route_handler(self):  # type: ignore[override]
        """Wrap FastAPI's handler so that it parses the body with :func:`parse_json_body`."""
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler


def _error_body(detail: str, field: str) -> dict[str, Any]:
    """The ErrorResponse shape: a sentence, and the field (or the part of the request) it is about."""
    return {"detail": detail, "errors": [{"field": field, "message": detail}]}


class BodyLimit:
    """Pure ASGI middleware: refuse a request body above ``max_bytes`` with 413 before anything reads it.

    A declared Content-Length above the limit is answered at once (the body is never received); a chunked
    body is counted as it arrives and refused when it passes the limit. (FastAPI's own ``max_body_size``
    answers a plain-text 413 that names nothing, hence this class.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 for a declared oversized body; otherwise count the bytes as they are received."""
        # HINT: read the content-length header from scope["headers"]; above the limit, send a 413
        # HINT: JSONResponse without calling self.app; otherwise wrap receive() to count the bytes and raise
        # HINT: BodyError(413, "body", ...) once they pass the limit.
        raise NotImplementedError('BodyLimit.__call__: read the content-length header from scope["headers"]; above the limit, send a 413 JSONResponse without calling self.app; otherwise wrap receive() to count the bytes and raise BodyError(413, "body", ...) once they pass the limit.')


def require_json(request: Request) -> None:
    """Refuse a body that is not declared as JSON with 415, before it is parsed."""
    # HINT: read request.headers["content-type"]; anything but application/json -> HTTPException(415).
    raise NotImplementedError('require_json: read request.headers["content-type"]; anything but application/json -> HTTPException(415).')


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Answer 422 with one message that names the offending field(s)."""
    # HINT: field_errors(exc.errors()) gives [{"field": "customers.3.plan", "message": ...}]; 422 with them.
    raise NotImplementedError('validation_error_handler: field_errors(exc.errors()) gives [{"field": "customers.3.plan", "message": ...}]; 422 with them.')


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Answer any HTTPException (ours, FastAPI's, Starlette's 404/405) in the validation errors' shape.

    The field is the body path a :class:`BodyError` names, else the part of the request it is about.
    """
    field = getattr(exc, "field", None) or WHY_NO_FIELD.get(exc.status_code, "request")
    detail = str(exc.detail)
    if exc.status_code == 404:
        detail = f"no route {request.method} {request.url.path}: the paths are listed in /openapi.json"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("allow", "")
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}"
    return JSONResponse(
        status_code=exc.status_code,
        content=_error_body(detail, field),
        headers=getattr(exc, "headers", None),
    )


def decision_threshold_for(settings: Settings, state: ModelState, fallback: bool) -> float:
    """The threshold a decision uses: the operator's override, else the artifact's, else the rule's own."""
    # HINT: settings.threshold (None unless overridden), then the model's threshold from its metadata
    # HINT: (state.threshold); scores from the fallback rule are decided with the rule's own threshold,
    # HINT: the one the state loaded for this artifact folder (not a constant of another world).
    raise NotImplementedError("decision_threshold_for: settings.threshold (None unless overridden), then the model's threshold from its metadata (state.threshold); scores from the fallback rule are decided with the rule's own threshold, the one the state loaded for this artifact folder (not a constant of another world).")


def _serve_scores(request: Request, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Any]:
    """Score ``rows`` with the app's model (or fallback) and record metrics; return predictions and scores."""
    settings: Settings = request.app.state.settings
    state: ModelState = request.app.state.model_state
    metrics: ServiceMetrics = request.app.state.metrics
    if not state.ready and settings.fallback_policy == "refuse":
        raise HTTPException(
            503, detail=f"no verified model ({state.degraded_reason}) and fallback_policy=refuse"
        )
    scores = score_frame(state, rows_to_frame(rows))
    request.state.model_version = scores.model_version
    request.state.fallback = scores.fallback
    if scores.fallback:
        metrics.fallbacks.labels(reason=scores.reason or "unknown").inc(len(rows))
        logger.warning("answered %d row(s) from the fallback rule: %s", len(rows), scores.reason)
    threshold = decision_threshold_for(settings, state, scores.fallback)
    predictions = []
    for probability in scores.probabilities.tolist():
        metrics.scores.observe(probability)
        predictions.append(
            {
                "churn_probability": probability,
                "decision": probability >= threshold,
                "model_version": scores.model_version,
                "fallback": scores.fallback,
            }
        )
    return predictions, scores


def readiness(settings: Settings, state: ModelState) -> tuple[int, dict[str, Any]]:
    """``/ready``'s status code and body: 200 while /predict can answer (ready or degraded), else 503."""
    # HINT: a verified model -> 200 "ready"; no model and fallback_policy "rules" -> 200 "degraded" with the
    # HINT: reason (the fallback answers); "refuse" -> 503 "unavailable". Always name the reason, and say
    # HINT: which threshold the rule decides with and where it came from (fitted, or the constant and why).
    raise NotImplementedError('readiness: a verified model -> 200 "ready"; no model and fallback_policy "rules" -> 200 "degraded" with the reason (the fallback answers); "refuse" -> 503 "unavailable". Always name the reason, and say which threshold the rule decides with and where it came from (fitted, or the constant and why).')


class RequestObserver:
    """Pure ASGI middleware: a request id, the request metrics and one JSON log line per HTTP request.

    (A plain ASGI class costs far less per request than ``@app.middleware("http")``.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request, tag the response with X-Request-ID, then count and log it."""
        # HINT: wrap send() to read the status and add X-Request-ID; in finally: metrics + log_request.
        raise NotImplementedError("RequestObserver.__call__: wrap send() to read the status and add X-Request-ID; in finally: metrics + log_request.")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service: routes, error handlers, request logging and a fresh metrics registry."""
    # HINT: a lifespan that loads the model state; middleware for request id, metrics and one JSON log line.
    raise NotImplementedError("create_app: a lifespan that loads the model state; middleware for request id, metrics and one JSON log line.")
