"""Prometheus metrics for one app instance, in its own ``CollectorRegistry`` (no global state)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
SCORE_BUCKETS = tuple(round(0.1 * i, 1) for i in range(1, 11))


@dataclass(frozen=True)
class ServiceMetrics:
    """The service's metrics and the registry that exposes them."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    scores: Histogram
    fallbacks: Counter
    model_ready: Gauge
    fallback_active: Gauge

    def render(self) -> bytes:
        """Return the Prometheus text exposition of this registry."""
        return generate_latest(self.registry)


def create_metrics() -> ServiceMetrics:
    """Create a fresh registry with the request, latency, score, fallback and model-state metrics."""
    registry = CollectorRegistry(auto_describe=True)
    return ServiceMetrics(
        registry=registry,
        requests=Counter(
            "churn_requests", "HTTP requests by path and status code", ["path", "status"], registry=registry
        ),
        latency=Histogram(
            "churn_request_latency_seconds",
            "request latency in seconds",
            ["path"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        scores=Histogram(
            "churn_prediction_score",
            "predicted churn probabilities",
            buckets=SCORE_BUCKETS,
            registry=registry,
        ),
        fallbacks=Counter(
            "churn_fallback", "predictions answered by the rule-based fallback", ["reason"], registry=registry
        ),
        model_ready=Gauge(
            "churn_model_ready", "1 when a verified model and its threshold are loaded", registry=registry
        ),
        fallback_active=Gauge(
            "churn_fallback_active",
            "1 while every answer comes from the fallback rule (degraded), by the reason the model is absent",
            ["reason"],
            registry=registry,
        ),
    )
