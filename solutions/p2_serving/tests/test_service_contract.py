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


# BEGIN SOLUTION
# HINT: write tests of the input contract (churn_service.schema.Customer): which bodies it accepts and which
# HINT: it refuses (ranges, types, unknown fields, categories); of integral_float_to_int;
# HINT: of the body parser (churn_service.body.parse_json_body: repeated keys, invalid JSON or UTF-8); and of
# HINT: the fallback rule's formula in churn_service/fallback.py (boundaries, caps, monotonic signals).
def test_a_valid_customer_is_accepted():
    assert Customer.model_validate(valid_customer()).tenure_days == 400


@pytest.mark.parametrize("field", ["tenure_days", "monthly_price", "sessions_7d", "failed_payments_90d"])
def test_negative_amounts_are_refused(field):
    with pytest.raises(ValidationError):
        Customer.model_validate(valid_customer(**{field: -1}))


def test_months_to_renewal_is_at_most_eleven():
    Customer.model_validate(valid_customer(months_to_renewal=11))
    with pytest.raises(ValidationError):
        Customer.model_validate(valid_customer(months_to_renewal=12))


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        Customer.model_validate(valid_customer(loyalty_points=3))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_numbers_must_be_finite(value):
    with pytest.raises(ValidationError):
        Customer.model_validate(valid_customer(monthly_price=value))


@pytest.mark.parametrize("value", ["3", True, 2.5])
def test_integer_fields_refuse_strings_booleans_and_fractions(value):
    with pytest.raises(ValidationError):
        Customer.model_validate(valid_customer(sessions_7d=value))


def test_an_integral_float_is_an_integer():
    assert Customer.model_validate(valid_customer(sessions_7d=3.0)).sessions_7d == 3
    assert integral_float_to_int(3.0) == 3 and type(integral_float_to_int(3.0)) is int
    assert integral_float_to_int(2.5) == 2.5


def test_an_unknown_category_is_refused():
    with pytest.raises(ValidationError):
        Customer.model_validate(valid_customer(plan="platinum"))


def test_a_repeated_key_is_refused_with_its_path():
    with pytest.raises(BodyError) as caught:
        parse_json_body(b'{"customers": [{"plan": "basic", "plan": "premium"}]}')
    assert caught.value.field.endswith("plan")  # its path (customers.0.plan) or the key alone


def test_invalid_json_and_bytes_are_refused():
    with pytest.raises(BodyError):
        parse_json_body(b'{"plan": ')
    with pytest.raises(BodyError):
        parse_json_body(b'{"plan": "\xff"}')
    assert parse_json_body(json.dumps({"a": [1, {"b": 2}]}).encode()) == {"a": [1, {"b": 2}]}


def rule(**changes):
    """The rule's score of an annual customer with no risk signal, with ``changes`` applied."""
    return float(rule_score(pd.DataFrame([valid_customer(**{"contract": "annual", **changes})]))[0])


def test_rule_baseline_matches_the_formula():
    assert rule() == pytest.approx(1 / (1 + math.exp(3.0)))


def test_rule_new_customer_boundary_is_180_days():
    assert rule(tenure_days=179) > rule(tenure_days=180) == rule(tenure_days=400)


def test_rule_caps_failed_payments_and_tickets_at_three():
    assert rule(failed_payments_90d=2) < rule(failed_payments_90d=3) == rule(failed_payments_90d=9)
    assert rule(tickets_30d=2) < rule(tickets_30d=3) == rule(tickets_30d=9)


def test_rule_silence_from_14_days_and_falling_usage_raise_the_score():
    assert rule(days_since_last_activity=13) < rule(days_since_last_activity=14)
    assert rule(usage_trend_28d=-1.0) > rule(usage_trend_28d=-0.5) > rule(usage_trend_28d=0.0)
    assert rule(usage_trend_28d=-1.0) == rule(usage_trend_28d=-3.0)
    assert rule(contract="monthly") > rule()


# END SOLUTION
