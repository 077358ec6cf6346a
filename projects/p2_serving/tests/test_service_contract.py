"""Tests of the service's contracts, written by you and graded by mutation.

The grader runs these tests three ways: on your package (they must pass), on a correct package written by
the course (they must pass too: test behaviour, not details of your code), and on a set of mutants of that
package, each with one plausible mistake in the input contract, the body parser or the fallback rule. Every
mutant your tests catch (some test fails on it) earns points. Import only the public names of the README's
API (churn_service.schema, churn_service.body, churn_service.fallback), keep each test fast (no training,
no server: the whole suite runs in seconds), and keep fixtures in this file: the grader ignores conftest.py.
Run them with `pytest tests` from the project folder.
"""

import json
import math

import pandas as pd
import pytest
from churn_service.body import BodyError, parse_json_body
from churn_service.fallback import rule_score
from churn_service.schema import CATEGORIES, NUMERIC_FEATURES, Customer, integral_float_to_int
from pydantic import ValidationError


def valid_customer(**changes):
    """A valid request body for one customer, with ``changes`` applied."""
    body = {name: values[0] for name, values in CATEGORIES.items()}
    body.update({name: 0 for name in NUMERIC_FEATURES})
    body.update({"customer_id": "c-1", "tenure_days": 400, "monthly_price": 20.0, "months_to_renewal": 3})
    body.update(changes)
    return body


def test_rule_score_is_one_probability_per_row():
    """An example: the fallback rule scores every row with a probability."""
    frame = pd.DataFrame([valid_customer(), valid_customer(contract="monthly", tenure_days=10)])
    scores = rule_score(frame)
    assert len(scores) == 2
    assert all(0.0 <= score <= 1.0 for score in scores)


# HINT: write tests of the input contract (churn_service.schema.Customer): which bodies it accepts and which
# HINT: it refuses (ranges, types, unknown fields, categories); of integral_float_to_int;
# HINT: of the body parser (churn_service.body.parse_json_body: repeated keys, invalid JSON or UTF-8); and of
# HINT: the fallback rule's formula in churn_service/fallback.py (boundaries, caps, monotonic signals).
