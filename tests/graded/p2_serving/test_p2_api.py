"""Graded: the service's endpoint contract and its configuration from the environment."""

from __future__ import annotations

import pytest

PREDICTION_KEYS = {"churn_probability", "decision", "model_version", "fallback"}


@pytest.mark.rubric("p2.api.health_ready_metadata", points=1)
def test_health_ready_and_metadata_answer(artifacts, make_client):
    """GET /health, /ready and /metadata answer 200 with a verified model, naming its version."""
    client = make_client(artifacts)
    health = client.get("/health")
    assert health.status_code == 200, (
        f"GET /health answered {health.status_code}: it must answer 200 while alive."
    )
    ready = client.get("/ready")
    assert ready.status_code == 200, (
        f"GET /ready answered {ready.status_code} ({ready.text[:200]}) although CURRENT names a "
        "valid, verified "
        "model: load it in the app's lifespan handler and answer 200."
    )
    metadata = client.get("/metadata")
    assert metadata.status_code == 200, f"GET /metadata answered {metadata.status_code}: serve metadata.json."
    body = metadata.json()
    assert body.get("version") == "v0002", (
        f"GET /metadata returned version {body.get('version')!r}; CURRENT names 'v0002': serve its "
        "metadata.json."
    )
    assert "v0002" in ready.text, "GET /ready must name the loaded model version (here 'v0002')."


@pytest.mark.rubric("p2.api.predict_contract", points=2)
def test_predict_answers_one_customer(artifacts, make_client, customers):
    """POST /predict answers churn_probability in [0, 1], decision, model_version and fallback=false."""
    client = make_client(artifacts)
    response = client.post("/predict", json=customers[0])
    assert response.status_code == 200, (
        f"POST /predict with a valid customer answered {response.status_code}: {response.text[:300]}"
    )
    body = response.json()
    missing = PREDICTION_KEYS - set(body)
    assert not missing, f"The /predict answer lacks {sorted(missing)}: return {sorted(PREDICTION_KEYS)}."
    assert 0.0 <= body["churn_probability"] <= 1.0, (
        f"churn_probability {body['churn_probability']} is not a probability."
    )
    assert isinstance(body["decision"], bool), "decision must be a JSON boolean (probability >= threshold)."
    assert body["model_version"] == "v0002", (
        f"model_version is {body['model_version']!r}; the served version is 'v0002'."
    )
    assert body["fallback"] is False, "fallback must be false when the verified model answered."


@pytest.mark.rubric("p2.api.batch_contract", points=1)
def test_predict_batch_answers_in_order(artifacts, make_client, customers):
    """POST /predict/batch answers one prediction per customer, in request order, same as /predict."""
    client = make_client(artifacts)
    batch = client.post("/predict/batch", json={"customers": customers[:5]})
    assert batch.status_code == 200, f"POST /predict/batch answered {batch.status_code}: {batch.text[:300]}"
    predictions = batch.json().get("predictions")
    assert isinstance(predictions, list) and len(predictions) == 5, (
        "POST /predict/batch must answer {'predictions': [...]} with one entry per customer (5 sent)."
    )
    for customer, prediction in zip(customers[:5], predictions, strict=True):
        single = client.post("/predict", json=customer).json()
        assert prediction["churn_probability"] == pytest.approx(single["churn_probability"], abs=1e-12), (
            "The batch answers are not in request order (or differ from /predict): keep the order "
            "of 'customers'."
        )


@pytest.mark.rubric("p2.config.environment", points=2)
def test_settings_come_from_prefixed_environment(artifacts, project_module, customers, monkeypatch):
    """Settings come from CHURN_SERVICE_* environment variables (artifact dir, threshold, max batch size)."""
    TestClient = project_module("fastapi.testclient").TestClient  # made where the app runs

    monkeypatch.setenv("CHURN_SERVICE_ARTIFACT_DIR", str(artifacts))
    monkeypatch.setenv("CHURN_SERVICE_THRESHOLD", "0")
    monkeypatch.setenv("CHURN_SERVICE_MAX_BATCH_SIZE", "2")
    app = project_module("churn_service.app").create_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        one = client.post("/predict", json=customers[0])
        assert one.status_code == 200, (
            f"/predict answered {one.status_code} with settings from the environment."
        )
        assert one.json()["decision"] is True, (
            "With CHURN_SERVICE_THRESHOLD=0 every decision must be true: read the threshold from "
            "the environment."
        )
        assert one.json()["fallback"] is False, (
            "CHURN_SERVICE_ARTIFACT_DIR must point the app at the artifacts."
        )
        three = client.post("/predict/batch", json={"customers": customers[:3]})
        assert 400 <= three.status_code < 500, (
            f"With CHURN_SERVICE_MAX_BATCH_SIZE=2 a batch of 3 answered {three.status_code}; it "
            "must be a 4xx."
        )
