"""Graded: readiness tells a load balancer whether /predict can answer; the degraded state is visible."""

from __future__ import annotations

import json

import pytest


def _samples(text: str) -> dict[str, list]:
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append(sample)
    return out


@pytest.mark.rubric("p2.ready.degraded", points=2)
def test_fallback_is_ready_but_degraded_everywhere(tmp_path, make_client, caplog):
    """With the rules fallback and no model: /ready 200 'degraded' with the reason, in /metrics and logs."""
    caplog.set_level("INFO")
    client = make_client(tmp_path / "no-artifacts-here")
    ready = client.get("/ready")
    assert ready.status_code == 200, (
        f"/ready answered {ready.status_code} while /predict answers from the fallback: a load balancer "
        "would take the only answer out of rotation. Answer 200 while the service can serve."
    )
    body = ready.json()
    assert body.get("status") == "degraded" and body.get("reason"), (
        f"/ready's body must say status 'degraded' and the reason (here artifact_missing): {body}"
    )
    samples = _samples(client.get("/metrics").text)
    loaded = [s.value for s in samples.get("churn_model_ready", [])]
    active = [s for s in samples.get("churn_fallback_active", []) if s.value == 1]
    assert loaded == [0] and active, (
        "/metrics must show the degraded state: churn_model_ready 0 and churn_fallback_active{reason} 1 "
        f"(saw churn_model_ready {loaded}, active fallbacks {[s.labels for s in active]})."
    )
    logged = [r.getMessage() for r in caplog.records]
    assert any("degraded" in line and body["reason"] in line for line in logged), (
        "Log the degraded state once at start-up (a JSON line with 'degraded' and the reason)."
    )


@pytest.mark.rubric("p2.ready.unavailable", points=1)
def test_refuse_policy_without_model_is_not_ready(tmp_path, make_client):
    """With fallback_policy='refuse' and no model, /ready is 503 'unavailable' with the reason."""
    ready = make_client(tmp_path / "none", fallback_policy="refuse").get("/ready")
    assert ready.status_code == 503, (
        f"/ready answered {ready.status_code} although /predict refuses every request: answer 503."
    )
    body = json.loads(ready.text)
    assert body.get("status") == "unavailable" and body.get("reason"), (
        f"/ready's 503 body must say status 'unavailable' and the reason: {body}"
    )
