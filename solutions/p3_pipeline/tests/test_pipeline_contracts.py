"""Tests of the pipeline's contracts, written by you and graded by mutation.

The grader runs these tests three ways: on your package (they must pass), on a correct package written by
the course (they must pass too: test behaviour, not details of your code), and on a set of mutants of that
package, each with one plausible mistake in the data contracts, the labels or the point-in-time features.
Every mutant your tests catch (some test fails on it) earns points. Build small tables by hand (a few
customers, a few events on chosen days) so that you know every expected value, import only the package's
public functions (churn_pipeline.contracts, .labels, .features), keep fixtures in this file (the grader
ignores conftest.py) and keep the suite fast. Run it with `pytest tests` from the project folder.
"""

from datetime import date

import pandas as pd
import pytest
from churn_pipeline.contracts import ContractError, check_table
from churn_pipeline.features import batch_features
from churn_pipeline.labels import is_mature, make_labels

DAY = pd.Timestamp("2024-03-01")


def tables(usage=(), invoices=(), tickets=(), customers=None):
    """Raw tables with customer C1 (signed up 2024-01-01) and C2 (signs up on DAY), and the given events.

    ``usage`` rows are (day, minutes), ``invoices`` (day, status), ``tickets`` (day,), all for C1.
    """
    if customers is None:
        customers = pd.DataFrame(
            {
                "customer_id": ["C1", "C2"],
                "signup_date": pd.to_datetime(["2024-01-01", DAY]),
                "plan": ["basic", "premium"],
                "monthly_price": [10.0, 30.0],
                "contract": ["monthly", "annual"],
                "country": ["US", "DE"],
                "age_band": ["25-34", "35-44"],
                "channel": ["organic", "referral"],
                "churn_date": pd.to_datetime([None, None]),
            }
        )
    return {
        "customers": customers,
        "usage": pd.DataFrame(
            {
                "customer_id": ["C1"] * len(usage),
                "date": pd.to_datetime([d for d, _ in usage]),
                "sessions": pd.Series([1] * len(usage), dtype="int32"),
                "minutes": pd.Series([m for _, m in usage], dtype="float32"),
            }
        ),
        "invoices": pd.DataFrame(
            {
                "invoice_id": [f"I{i}" for i in range(len(invoices))],
                "customer_id": ["C1"] * len(invoices),
                "invoice_date": pd.to_datetime([d for d, _ in invoices]),
                "amount": [10.0] * len(invoices),
                "status": [s for _, s in invoices],
            }
        ),
        "tickets": pd.DataFrame(
            {
                "ticket_id": [f"T{i}" for i in range(len(tickets))],
                "customer_id": ["C1"] * len(tickets),
                "opened_at": pd.to_datetime([d for (d,) in tickets]),
                "date": pd.to_datetime([d for (d,) in tickets]).normalize(),
                "category": ["billing"] * len(tickets),
            }
        ),
    }


def test_a_label_is_not_final_on_its_own_as_of_date():
    """An example: on the as-of date itself, nothing of the label's window has happened yet."""
    assert not is_mature(date(2024, 3, 1), date(2024, 3, 1), horizon_days=30, delay_days=45)


# BEGIN SOLUTION
# HINT: test the contracts (churn_pipeline.contracts.check_table: a valid table passes; a value out of
# HINT: range, a duplicate key, an unexpected column each raise ContractError), the labels (is_mature with
# HINT: the reporting delay, make_labels' window [as_of, as_of + horizon)) and the features (each window
# HINT: ends strictly before the as-of date; who is in a snapshot; what failed_payments_90d counts).
def test_valid_tables_pass_their_contracts():
    raw = tables(usage=[("2024-02-27", 5.0)], invoices=[("2024-02-01", "paid")], tickets=[("2024-02-02",)])
    for name, frame in raw.items():
        check_table(name, frame)


def test_a_negative_price_breaks_the_customers_contract():
    customers = tables()["customers"].assign(monthly_price=[10.0, -5.0])
    with pytest.raises(ContractError):
        check_table("customers", customers)


def test_an_unexpected_column_breaks_the_contract():
    customers = tables()["customers"].assign(plan_v2=["basic", "premium"])  # an upstream addition
    with pytest.raises(ContractError):
        check_table("customers", customers)


def test_two_usage_rows_for_one_customer_and_day_break_the_contract():
    with pytest.raises(ContractError):
        check_table("usage", tables(usage=[("2024-02-27", 5.0), ("2024-02-27", 6.0)])["usage"])


def test_a_label_waits_for_the_window_and_the_delay():
    as_of = date(2024, 1, 1)
    assert not is_mature(as_of, date(2024, 2, 1), horizon_days=30, delay_days=45)
    assert not is_mature(as_of, date(2024, 3, 15), horizon_days=30, delay_days=45)
    assert is_mature(as_of, date(2024, 3, 16), horizon_days=30, delay_days=45)


def test_the_label_window_is_as_of_plus_horizon_exclusive():
    customers = tables()["customers"].iloc[:1].copy()
    rows = []
    for churn in ("2024-02-01", "2024-03-01", "2024-03-02"):  # as_of + 30 days is 2024-03-02
        rows.append(customers.assign(customer_id=f"C{len(rows) + 1}", churn_date=pd.Timestamp(churn)))
    labels, _ = make_labels(pd.concat(rows), [date(2024, 2, 1)], date(2024, 6, 1), 30, 45)
    assert labels.set_index("customer_id")["churned"].to_dict() == {"C1": 1, "C2": 1, "C3": 0}


def features(raw):
    frame = batch_features(raw, [DAY])
    return frame.set_index("customer_id")


def test_usage_on_the_as_of_date_is_not_a_feature():
    raw = tables(usage=[("2024-02-29", 5.0), ("2024-03-01", 100.0)])
    row = features(raw).loc["C1"]
    assert row["usage_7d"] == pytest.approx(5.0) and row["days_since_last_activity"] == 1


def test_a_customer_signing_up_on_the_as_of_date_is_not_in_the_snapshot():
    assert list(features(tables()).index) == ["C1"]


def test_failed_payments_count_failed_invoices_only():
    raw = tables(invoices=[("2024-02-01", "paid"), ("2024-02-10", "failed"), ("2024-02-20", "paid")])
    assert features(raw).loc["C1", "failed_payments_90d"] == 1


# END SOLUTION
