"""The FastAPI service. Run it with ``uvicorn --factory churn_service.app:create_app --host 127.0.0.1``."""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from churn_service.config import Settings, load_settings
from churn_service.logs import configure_logging, log_request, request_id_from
from churn_service.metrics import ServiceMetrics, create_metrics
from churn_service.predict import ModelState, load_model_state, rows_to_frame, score_frame
from churn_service.schema import (
    BatchPredictions,
    Customer,
    ErrorResponse,
    Prediction,
    batch_request_model,
    field_errors,
)

logger = logging.getLogger("churn_service.app")
KNOWN_PATHS = frozenset({"/health", "/ready", "/metadata", "/predict", "/predict/batch", "/metrics"})
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    415: {"model": ErrorResponse, "description": "the body is not application/json"},
    422: {"model": ErrorResponse, "description": "a field is missing, unknown, mistyped or out of range"},
    503: {"model": ErrorResponse, "description": "no verified model and the fallback policy is 'refuse'"},
}


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


async def http_error_handler(request: Request, exc: HTTPException) -> JSONResponse:
    """Answer an HTTPException in the same error shape as validation errors."""
    field = "content-type" if exc.status_code == 415 else "request"
    return JSONResponse(
        status_code=exc.status_code,
        content={"detail": str(exc.detail), "errors": [{"field": field, "message": str(exc.detail)}]},
        headers=getattr(exc, "headers", None),
    )


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
    predictions = []
    for probability in scores.probabilities.tolist():
        metrics.scores.observe(probability)
        predictions.append(
            {
                "churn_probability": probability,
                "decision": probability >= settings.threshold,
                "model_version": scores.model_version,
                "fallback": scores.fallback,
            }
        )
    return predictions, scores


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
        app.state.model_state = load_model_state(settings.artifact_dir)
        yield

    app = FastAPI(title="churn-service", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.metrics = create_metrics()
    app.state.model_state = ModelState(degraded_reason="starting")
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(HTTPException, http_error_handler)

    app.add_middleware(RequestObserver)

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "alive"}

    @app.get("/ready", responses={503: {"description": "no verified model is loaded"}})
    def ready(request: Request) -> JSONResponse:
        """Readiness: 200 with the version when a verified model is loaded, else 503 with the reason."""
        state: ModelState = request.app.state.model_state
        if state.ready:
            return JSONResponse({"status": "ready", "model_version": state.version})
        return JSONResponse(
            status_code=503,
            content={
                "status": "degraded",
                "reason": state.degraded_reason,
                "detail": state.degraded_detail,
                "fallback_policy": settings.fallback_policy,
            },
        )

    @app.get("/metadata", responses={503: {"description": "no verified model is loaded"}})
    def metadata(request: Request) -> JSONResponse:
        """The loaded model's metadata (version, schema, metrics, checksum)."""
        state: ModelState = request.app.state.model_state
        if not state.ready:
            return JSONResponse(status_code=503, content={"detail": state.degraded_reason, "errors": []})
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

    @app.get("/metrics")
    def metrics_endpoint(request: Request) -> Response:
        """Prometheus text exposition."""
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return app
    # END SOLUTION
