"""Graded: every class of bad input gets a 4xx whose message names the field, never a 5xx."""

from __future__ import annotations

import json

import pytest


def _assert_names_field(response, field: str, what: str) -> None:
    assert response.status_code < 500, (
        f"{what} caused a {response.status_code}: bad input must never be a 5xx."
    )
    assert response.status_code == 422, (
        f"{what} answered {response.status_code}; answer 422 (a validation error). Body: "
        f"{response.text[:200]}"
    )
    assert field in response.text, (
        f"{what} answered 422 but the message does not name the field {field!r}: {response.text[:300]}. "
        "Use a RequestValidationError handler that names each offending field."
    )


@pytest.mark.rubric("p2.input.missing_field", points=1)
def test_missing_field(artifacts, make_client, customers):
    """A missing field gets 422 naming it."""
    body = dict(customers[0])
    del body["tenure_days"]
    _assert_names_field(
        make_client(artifacts).post("/predict", json=body), "tenure_days", "A missing tenure_days"
    )


@pytest.mark.rubric("p2.input.unknown_field", points=1)
def test_unknown_field(artifacts, make_client, customers):
    """An unknown field gets 422 naming it (request models forbid extra fields)."""
    body = {**customers[0], "favourite_colour": "teal"}
    response = make_client(artifacts).post("/predict", json=body)
    _assert_names_field(response, "favourite_colour", "An unknown field favourite_colour")


@pytest.mark.rubric("p2.input.mistyped", points=1)
def test_mistyped_field(artifacts, make_client, customers):
    """A mistyped field (text for a number) gets 422 naming it."""
    body = {**customers[0], "sessions_28d": "twelve"}
    _assert_names_field(
        make_client(artifacts).post("/predict", json=body), "sessions_28d", "sessions_28d='twelve'"
    )


@pytest.mark.rubric("p2.input.out_of_range", points=1)
def test_out_of_range(artifacts, make_client, customers):
    """An out-of-range value (negative tenure, 40 active days in 28) gets 422 naming the field."""
    client = make_client(artifacts)
    _assert_names_field(
        client.post("/predict", json={**customers[0], "tenure_days": -5}), "tenure_days", "tenure_days=-5"
    )
    response = client.post("/predict", json={**customers[0], "active_days_28d": 40})
    _assert_names_field(response, "active_days_28d", "active_days_28d=40 (a 28-day window)")


@pytest.mark.rubric("p2.input.not_finite", points=1)
def test_nan_and_infinity(artifacts, make_client, customers, float_fields):
    """NaN and Infinity in any number field get 422 naming the field."""
    client = make_client(artifacts)
    for field in float_fields:
        for value in (float("nan"), float("inf"), float("-inf")):
            text = json.dumps({**customers[0], field: value})  # NaN, Infinity, -Infinity: what JS sends
            response = client.post("/predict", content=text, headers={"content-type": "application/json"})
            _assert_names_field(response, field, f"{field}={value}")


@pytest.mark.rubric("p2.input.unknown_category", points=1)
def test_unknown_category(artifacts, make_client, customers):
    """An unknown category (plan 'platinum') gets 422 naming the field."""
    response = make_client(artifacts).post("/predict", json={**customers[0], "plan": "platinum"})
    _assert_names_field(response, "plan", "plan='platinum'")


@pytest.mark.rubric("p2.input.empty_batch", points=1)
def test_empty_batch(artifacts, make_client):
    """An empty batch gets 422 naming 'customers'."""
    response = make_client(artifacts).post("/predict/batch", json={"customers": []})
    _assert_names_field(response, "customers", "An empty batch")


@pytest.mark.rubric("p2.input.oversized_batch", points=1)
def test_oversized_batch(artifacts, make_client, customers):
    """A batch above the configured maximum gets a 4xx naming 'customers'."""
    response = make_client(artifacts, max_batch_size=4).post(
        "/predict/batch", json={"customers": customers[:5]}
    )
    assert 400 <= response.status_code < 500, (
        f"A batch of 5 with max_batch_size=4 answered {response.status_code}; refuse it with a 4xx."
    )
    assert "customers" in response.text, f"The refusal must name the field 'customers': {response.text[:300]}"


@pytest.mark.rubric("p2.input.malformed_json", points=1)
def test_malformed_json(artifacts, make_client):
    """A malformed JSON body gets a 4xx with a message, never a 5xx."""
    response = make_client(artifacts).post(
        "/predict", content=b'{"plan": "basic", ', headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, f"Malformed JSON answered {response.status_code}; answer a 4xx."
    assert "json" in response.text.lower() or "body" in response.text.lower(), (
        f"The message for malformed JSON should say the body is not valid JSON: {response.text[:200]}"
    )


@pytest.mark.rubric("p2.input.content_type", points=1)
def test_wrong_content_type(artifacts, make_client, customers):
    """A body sent as text/plain or a form gets a 4xx, never a 5xx or a prediction."""
    client = make_client(artifacts)
    for headers, content in (
        ({"content-type": "text/plain"}, json.dumps(customers[0])),
        ({"content-type": "application/x-www-form-urlencoded"}, "plan=basic&tenure_days=3"),
    ):
        response = client.post("/predict", content=content, headers=headers)
        assert 400 <= response.status_code < 500, (
            f"A {headers['content-type']} body answered {response.status_code}; refuse it with a "
            "4xx (415 fits)."
        )
