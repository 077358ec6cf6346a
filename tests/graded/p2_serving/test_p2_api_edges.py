"""Graded: the API at the edges: body size, duplicate keys, integer-valued floats, named 4xx, OpenAPI."""

from __future__ import annotations

import json

import pytest


@pytest.mark.rubric("p2.input.body_limit", points=2)
def test_oversized_body_is_refused_before_parsing(artifacts, make_client, customers):
    """A body above max_body_bytes gets 413 naming the body, without being parsed (also when chunked)."""
    client = make_client(artifacts, max_body_bytes=4096)
    assert client.post("/predict", json=customers[0]).status_code == 200, "A small body must still work."
    unparseable = b"[" * 10_000  # parsing it would be a 422 (or a crash): a 413 proves it was not parsed
    declared = client.post("/predict", content=unparseable, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "body" in declared.text, (
        f"A 10,000-byte body with max_body_bytes=4096 answered {declared.status_code}: "
        f"{declared.text[:200]}. Refuse it with 413 naming the body before reading it."
    )
    chunks = [b"[" * 1000] * 10  # an iterable of bytes: the client sends it chunked, without a length
    streamed = client.post("/predict", content=chunks, headers={"content-type": "application/json"})
    assert streamed.status_code == 413, (
        f"A chunked body (no Content-Length) of 10,000 bytes answered {streamed.status_code}: count the "
        "bytes as they arrive and refuse at the limit."
    )


@pytest.mark.rubric("p2.input.duplicate_keys", points=1)
def test_duplicate_json_keys_are_refused(artifacts, make_client, customers):
    """A JSON body that repeats a key gets a 4xx naming it (never 'the last one wins')."""
    text = json.dumps(customers[0])[:-1] + ', "plan": "premium"}'
    headers = {"content-type": "application/json"}
    response = make_client(artifacts).post("/predict", content=text, headers=headers)
    assert 400 <= response.status_code < 500 and "plan" in response.text, (
        f"A body with 'plan' twice answered {response.status_code}: {response.text[:200]}. Parse with "
        "json.loads(..., object_pairs_hook=...) and refuse a repeated key, naming it."
    )


@pytest.mark.rubric("p2.input.integer_floats", points=1)
def test_integer_valued_floats_are_integers_in_api_and_batch(
    project_module, artifacts, make_client, customers
):
    """3.0 is the integer 3 (JSON Schema's integer) in /predict and the batch; both refuse 2.5."""
    import pandas as pd

    client = make_client(artifacts)
    as_int = client.post("/predict", json=customers[0]).json()
    whole = float(customers[0]["tenure_days"])
    as_float = client.post("/predict", json={**customers[0], "tenure_days": whole})
    assert as_float.status_code == 200 and as_float.json().get("churn_probability") == as_int.get(
        "churn_probability"
    ), (
        f"tenure_days={whole} answered {as_float.status_code}: the OpenAPI "
        "type 'integer' includes 3.0, and a batch file cannot tell 3 from 3.0. Accept it as the integer."
    )
    half = client.post("/predict", json={**customers[0], "tenure_days": 2.5})
    assert half.status_code == 422 and "tenure_days" in half.text, "tenure_days=2.5 must be a 422 naming it."
    frame = pd.DataFrame(customers[:3])
    frame["tenure_days"] = [120.0, 2.5, 7.0]
    valid, rejected = project_module("churn_service.batch").validate_rows(frame)
    assert sorted(valid) == [0, 2] and sorted(rejected) == [1], (
        f"The batch must judge the same cells the same way: valid {sorted(valid)}, rejected "
        f"{sorted(rejected)} for tenure_days [120.0, 2.5, 7.0] (expected [0, 2] and [1])."
    )


@pytest.mark.rubric("p2.input.no_nameless_4xx", points=1)
def test_every_4xx_names_the_field_or_the_part_of_the_request(artifacts, make_client, customers):
    """Every 4xx body names a field, or the part of the request it is about (path, method, body...)."""
    client = make_client(artifacts, max_body_bytes=4096)
    cases = {
        "an unknown path": client.get("/no-such-path"),
        "a wrong method": client.delete("/predict"),
        "a body that is not UTF-8": client.post(
            "/predict", content=b'{"plan": "\xff"}', headers={"content-type": "application/json"}
        ),
        "a body over the limit": client.post(
            "/predict", content=b" " * 5000, headers={"content-type": "application/json"}
        ),
        "a text/plain body": client.post("/predict", content="x", headers={"content-type": "text/plain"}),
    }
    for what, response in cases.items():
        assert 400 <= response.status_code < 500, f"{what} answered {response.status_code}; expected a 4xx."
        try:
            errors = response.json().get("errors")
        except ValueError:
            errors = None
        assert errors and all(isinstance(e, dict) and e.get("field") for e in errors), (
            f"{what} answered {response.status_code} {response.text[:200]}: every 4xx body has the "
            "ErrorResponse shape, {'detail': ..., 'errors': [{'field': ..., 'message': ...}]}, naming the "
            "field or the part of the request (path, method, body, content-type)."
        )


@pytest.mark.rubric("p2.api.openapi", points=1)
def test_openapi_documents_what_the_service_answers(artifacts, make_client):
    """The OpenAPI document lists the 400, 413, 415, 422 answers and /metrics as text/plain, not JSON."""
    schema = make_client(artifacts).get("/openapi.json").json()
    for path in ("/predict", "/predict/batch"):
        documented = set(schema["paths"][path]["post"].get("responses", {}))
        missing = {"400", "413", "415", "422"} - documented
        assert not missing, f"POST {path} answers {sorted(missing)} but its OpenAPI responses omit them."
    content = schema["paths"]["/metrics"]["get"]["responses"]["200"].get("content", {})
    assert list(content) and all(kind.startswith("text/plain") for kind in content), (
        f"/metrics is documented as {sorted(content)}: it answers Prometheus text (text/plain), not JSON."
    )
