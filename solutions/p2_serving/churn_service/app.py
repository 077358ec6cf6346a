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
        # BEGIN SOLUTION
        # HINT: read the content-length header from scope["headers"]; above the limit, send a 413
        # HINT: JSONResponse without calling self.app; otherwise wrap receive() to count the bytes and raise
        # HINT: BodyError(413, "body", ...) once they pass the limit.
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"the request body is larger than {self.max_bytes} bytes: send fewer customers per request"
        declared = next((value for key, value in scope["headers"] if key == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse(status_code=413, content=_error_body(detail, "body"))
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyError(413, "body", detail)
            return message

        await self.app(scope, counting_receive, send)
        # END SOLUTION


def require_json(request: Request) -> None:
    """Refuse a body that is not declared as JSON with 415, before it is parsed."""
    # BEGIN SOLUTION
    # HINT: read request.headers["content-type"]; anything but application/json -> HTTPException(415).
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(
            415, detail=f"content-type must be application/json, got {media_type or 'none'!r}"
        )
    # END SOLUTION


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Answer 422 with one message that names the offending field(s)."""
    # BEGIN SOLUTION
    # HINT: field_errors(exc.errors()) gives [{"field": "customers.3.plan", "message": ...}]; 422 with them.
    errors = field_errors(exc.errors())
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    detail = f"invalid field '{first['field']}': {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})
    # END SOLUTION


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
    # BEGIN SOLUTION
    # HINT: settings.threshold (None unless overridden), then the model's threshold from its metadata
    # HINT: (state.threshold); scores from the fallback rule are decided with the rule's own threshold,
    # HINT: the one the state loaded for this artifact folder (not a constant of another world).
    if settings.threshold is not None:
        return settings.threshold
    return state.rule_threshold.value if fallback else state.threshold
    # END SOLUTION


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
    # BEGIN SOLUTION
    # HINT: a verified model -> 200 "ready"; no model and fallback_policy "rules" -> 200 "degraded" with the
    # HINT: reason (the fallback answers); "refuse" -> 503 "unavailable". Always name the reason, and say
    # HINT: which threshold the rule decides with and where it came from (fitted, or the constant and why).
    rule = state.rule_threshold
    body: dict[str, Any] = {
        "model_version": state.version,
        "fallback_policy": settings.fallback_policy,
        "threshold": settings.threshold if settings.threshold is not None else state.threshold,
        "threshold_source": "override"
        if settings.threshold is not None
        else ("artifact" if state.ready else "fallback-rule"),
        "fallback_threshold": rule.value,
        "fallback_threshold_source": rule.source,
        "fallback_threshold_detail": rule.detail,
    }
    if state.ready:
        return 200, {"status": "ready", "fallback": False, **body}
    why = {"reason": state.degraded_reason, "detail": state.degraded_detail}
    if settings.fallback_policy == "refuse":
        return 503, {"status": "unavailable", "fallback": False, **why, **body}
    return 200, {"status": "degraded", "fallback": True, **why, **body}
    # END SOLUTION


class RequestObserver:
    """Pure ASGI middleware: a request id, the request metrics and one JSON log line per HTTP request.

    (A plain ASGI class costs far less per request than ``@app.middleware("http")``.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request, tag the response with X-Request-ID, then count and log it."""
        # BEGIN SOLUTION
        # HINT: wrap send() to read the status and add X-Request-ID; in finally: metrics + log_request.
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_id = next((value for key, value in scope["headers"] if key == b"x-request-id"), None)
        request_id = request_id_from(raw_id.decode("latin-1") if raw_id else None)
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            app = scope["app"]
            path = scope["path"] if scope["path"] in KNOWN_PATHS else "other"
            metrics: ServiceMetrics = app.state.metrics
            metrics.requests.labels(path=path, status=str(status)).inc()
            metrics.latency.labels(path=path).observe(elapsed)
            log_request(
                event="request",
                request_id=request_id,
                method=scope["method"],
                path=path,
                status=status,
                latency_ms=round(elapsed * 1000, 3),
                model_version=state.get("model_version", app.state.model_state.version),
                fallback=state.get("fallback"),
            )
        # END SOLUTION


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service: routes, error handlers, request logging and a fresh metrics registry."""
    # BEGIN SOLUTION
    # HINT: a lifespan that loads the model state; middleware for request id, metrics and one JSON log line.
    settings = settings or load_settings()
    BatchRequest = batch_request_model(settings.max_batch_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        state = load_model_state(settings.artifact_dir)
        app.state.model_state = state
        status, body = readiness(settings, state)
        metrics: ServiceMetrics = app.state.metrics
        metrics.model_ready.set(1 if state.ready else 0)
        if not state.ready:
            metrics.fallback_active.labels(reason=state.degraded_reason or "unknown").set(
                1 if settings.fallback_policy == "rules" else 0
            )
        log_state(event="model_state", http_status=status, **body)
        yield

    app = FastAPI(title="churn-service", version="1.0.0", lifespan=lifespan)
    app.router.route_class = StrictJSONRoute
    app.state.settings = settings
    app.state.metrics = create_metrics()
    app.state.model_state = ModelState(degraded_reason="starting")
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestObserver)

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "alive"}

    @app.get(
        "/ready",
        response_model=ReadyStatus,
        responses={503: {"model": ReadyStatus, "description": "no model and fallback_policy 'refuse'"}},
    )
    def ready(request: Request) -> JSONResponse:
        """Readiness: 200 while /predict can answer (status ready, or degraded: the fallback answers, with
        the reason); 503 only when it cannot answer at all (no model and fallback_policy 'refuse')."""
        status, body = readiness(settings, request.app.state.model_state)
        return JSONResponse(status_code=status, content=body)

    @app.get(
        "/metadata",
        responses={503: {"model": ErrorResponse, "description": "no verified model is loaded: no metadata"}},
    )
    def metadata(request: Request) -> JSONResponse:
        """The loaded model's metadata (version, schema, metrics, threshold and its policy, checksum)."""
        state: ModelState = request.app.state.model_state
        if not state.ready:
            detail = f"no verified model is loaded ({state.degraded_reason}): see /ready"
            return JSONResponse(status_code=503, content=_error_body(detail, "model"))
        return JSONResponse(state.metadata)

    @app.post(
        "/predict", response_model=Prediction, responses=ERROR_RESPONSES, dependencies=[Depends(require_json)]
    )
    async def predict(customer: Customer, request: Request) -> dict[str, Any]:
        """Score one customer (async: a few ms of CPU on the event loop beat a thread hop per request)."""
        predictions, _ = _serve_scores(request, [customer.model_dump(exclude={"customer_id"})])
        return {"customer_id": customer.customer_id, **predictions[0]}

    @app.post(
        "/predict/batch",
        response_model=BatchPredictions,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(require_json)],
    )
    async def predict_batch(batch: BatchRequest, request: Request) -> dict[str, Any]:  # type: ignore[valid-type]
        """Score up to ``max_batch_size`` customers in one call."""
        customers = batch.customers  # type: ignore[attr-defined]
        rows = [c.model_dump(exclude={"customer_id"}) for c in customers]
        predictions, scores = _serve_scores(request, rows)
        for customer, prediction in zip(customers, predictions, strict=True):
            prediction["customer_id"] = customer.customer_id
        return {
            "predictions": predictions,
            "model_version": scores.model_version,
            "fallback": scores.fallback,
        }

    @app.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {
                "description": "Prometheus text exposition format",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    def metrics_endpoint(request: Request) -> Response:
        """Prometheus text exposition (text/plain), not JSON."""
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return app
    # END SOLUTION
