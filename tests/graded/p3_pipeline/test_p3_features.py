"""Graded: point-in-time features (batch SQL) and the online path that must agree with them."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

NUMERIC = (
    "usage_7d",
    "usage_28d",
    "usage_trend",
    "days_since_last_activity",
    "failed_payments_90d",
    "tickets_30d",
    "tenure_days",
    "price",
)
CATEGORIES = ("plan", "contract")


def _ts(values):
    return pd.to_datetime(pd.Series(values)).astype("datetime64[ns]")


def _tiny_tables() -> dict:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "signup_date": _ts(["2024-01-01", "2024-03-01", "2023-06-01"]),
            "plan": ["basic", "premium", "standard"],
            "monthly_price": [9.99, 24.99, 14.99],
            "contract": ["monthly", "annual", "monthly"],
            "country": ["US", "GB", "DE"],
            "age_band": ["25-34", "35-44", "18-24"],
            "channel": ["organic", "referral", "partner"],
            "churn_date": _ts([None, None, "2024-02-20"]),
        }
    )
    usage = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C1", "C1", "C3"],
            "date": _ts(["2024-01-10", "2024-02-20", "2024-02-29", "2024-03-01", "2024-02-10"]),
            "sessions": np.array([3, 1, 2, 9, 1], dtype="int32"),
            "minutes": np.array([100.0, 5.0, 10.0, 1000.0, 7.0], dtype="float32"),
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "customer_id": ["C1", "C1", "C1"],
            "invoice_date": _ts(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "amount": [9.99, 9.99, 12.99],
            "status": ["paid", "failed", "failed"],
        }
    )
    opened = _ts(["2024-01-15 10:00", "2024-02-29 23:00", "2024-03-01 08:00"])
    tickets = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3"],
            "customer_id": ["C1", "C1", "C1"],
            "opened_at": opened,
            "category": ["technical", "billing", "account"],
            "date": opened.dt.normalize(),
        }
    )
    return {"customers": customers, "usage": usage, "invoices": invoices, "tickets": tickets}


def _features(module, tables, dates):
    frame = module.batch_features(tables, list(dates))
    frame = frame.assign(as_of=pd.to_datetime(frame["as_of"]).dt.normalize())
    return frame.sort_values(["as_of", "customer_id"]).reset_index(drop=True)


@pytest.mark.rubric("p3.features.known_answer", points=4)
def test_batch_features_known_answer(project_module):
    """Batch SQL features of a hand-computed customer match (windows end strictly before the as-of date)"""
    features = project_module("churn_pipeline.features")
    frame = _features(features, _tiny_tables(), [date(2024, 3, 1)])
    assert list(frame["customer_id"]) == ["C1"], (
        f"at 2024-03-01 only C1 is active (C2 signs up that day, C3 churned before); "
        f"got {list(frame['customer_id'])}"
    )
    row = frame.iloc[0]
    expected = {
        "usage_7d": 10.0,
        "usage_28d": 15.0,
        "usage_trend": 10 / 7 - 15 / 28,
        "days_since_last_activity": 1,
        "failed_payments_90d": 1,
        "tickets_30d": 1,
        "tenure_days": 60,
        "price": 9.99,
    }
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, abs=1e-9), (
            f"{name} for C1 at 2024-03-01 is {row[name]}, expected {value}: windows are "
            "[as_of - n days, as_of), "
            "events on the as-of date itself are not yet known."
        )
    assert (row["plan"], row["contract"]) == ("basic", "monthly"), "plan and contract come from the customer."


@pytest.mark.rubric("p3.features.future_events", points=4)
def test_future_events_change_no_feature(project_module, tables):
    """Injecting events on or after the as-of date changes no feature of that snapshot"""
    features = project_module("churn_pipeline.features")
    as_of = pd.Timestamp("2024-03-01")
    before = _features(features, tables, [as_of.date()])
    ids = before["customer_id"].iloc[:40].to_numpy()
    days = [as_of + pd.Timedelta(days=k) for k in (0, 1, 5)]
    extra_usage = pd.DataFrame(
        {
            "customer_id": np.repeat(ids, len(days)),
            "date": np.tile(days, len(ids)),
            "sessions": np.int32(50),
            "minutes": np.float32(999.0),
        }
    ).astype({"date": "datetime64[ns]"})
    usage = pd.concat([tables["usage"], extra_usage], ignore_index=True)
    usage = usage.drop_duplicates(["customer_id", "date"], keep="last")
    invoices = pd.concat(
        [
            tables["invoices"],
            pd.DataFrame(
                {
                    "invoice_id": [f"X{i}" for i in range(len(ids))],
                    "customer_id": ids,
                    "invoice_date": as_of,
                    "amount": 99.0,
                    "status": "failed",
                }
            ).astype({"invoice_date": "datetime64[ns]"}),
        ],
        ignore_index=True,
    )
    opened = pd.Series([as_of + pd.Timedelta(minutes=1)] * len(ids)).astype("datetime64[ns]")
    tickets = pd.concat(
        [
            tables["tickets"],
            pd.DataFrame(
                {
                    "ticket_id": [f"Y{i}" for i in range(len(ids))],
                    "customer_id": ids,
                    "opened_at": opened,
                    "category": "billing",
                    "date": opened.dt.normalize(),
                }
            ),
        ],
        ignore_index=True,
    )
    changed = {**tables, "usage": usage, "invoices": invoices, "tickets": tickets}
    after = _features(features, changed, [as_of.date()])
    pd.testing.assert_frame_equal(after, before, obj="features after injecting future events")


@pytest.mark.rubric("p3.features.point_in_time_property", points=3)
@settings(max_examples=4, deadline=None, derandomize=True)
@given(offset=st.integers(min_value=0, max_value=110))
def test_features_only_use_the_past(offset, project_module, tables):
    """For random as-of dates, features from all history equal features from history cut at that date"""
    features = project_module("churn_pipeline.features")
    as_of = pd.Timestamp("2024-01-05") + pd.Timedelta(days=offset)
    cut = {
        "customers": tables["customers"],
        "usage": tables["usage"][tables["usage"]["date"] < as_of],
        "invoices": tables["invoices"][tables["invoices"]["invoice_date"] < as_of],
        "tickets": tables["tickets"][tables["tickets"]["opened_at"] < as_of],
    }
    full = _features(features, tables, [as_of.date()])
    past = _features(features, cut, [as_of.date()])
    pd.testing.assert_frame_equal(
        full, past, obj=f"features at {as_of.date()} (full vs history cut at as-of)"
    )


@pytest.mark.rubric("p3.features.online_parity", points=3)
def test_online_features_match_batch(project_module, tables):
    """The plain-Python online path gives the batch SQL features for every customer of a sample (no skew)"""
    features = project_module("churn_pipeline.features")
    online = project_module("churn_pipeline.online")
    dates = [date(2024, 2, 1), date(2024, 4, 17)]
    batch = _features(features, tables, dates)
    store = online.build_store(tables)
    sample = batch.groupby("as_of").head(60)
    mismatches = []
    for row in sample.to_dict("records"):
        got = online.online_features(store[row["customer_id"]], row["as_of"].date())
        if got is None:
            mismatches.append(f"{row['customer_id']} {row['as_of'].date()}: online says not active")
            continue
        for name in NUMERIC:
            if not np.isclose(float(got[name]), float(row[name]), rtol=0, atol=1e-9):
                mismatches.append(
                    f"{row['customer_id']} {row['as_of'].date()} {name}: {got[name]} vs {row[name]}"
                )
        mismatches += [f"{row['customer_id']} {name}" for name in CATEGORIES if got[name] != row[name]]
    assert not mismatches, (
        f"{len(mismatches)} online/batch differences (training/serving skew), e.g. {mismatches[:3]}: "
        "both paths must use the same windows and fallbacks."
    )
    missing_day = (pd.Timestamp(dates[0]) - pd.Timedelta(days=1)).date()
    churned = tables["customers"].dropna(subset=["churn_date"]).iloc[0]
    after_churn = (churned["churn_date"] + timedelta(days=1)).date()
    assert online.online_features(store[churned["customer_id"]], after_churn) is None, (
        "a customer who churned before the as-of date is not in the population: return None."
    )
    assert missing_day  # the date arithmetic above stays valid


def _edge_tables() -> dict:
    """Customers with events exactly on the window edges of the 2024-06-01 snapshot."""
    customers = pd.DataFrame(
        {
            "customer_id": ["E1", "E2", "E3", "E4"],
            "signup_date": _ts(["2023-01-01", "2024-05-31", "2024-06-01", "2023-01-01"]),
            "plan": ["standard", "basic", "basic", "premium"],
            "monthly_price": [9.99, 9.99, 9.99, 24.99],
            "contract": ["annual", "monthly", "monthly", "monthly"],
            "country": ["US", "GB", "DE", "FR"],
            "age_band": ["25-34", "35-44", "18-24", "45-54"],
            "channel": ["organic", "referral", "partner", "paid_search"],
            "churn_date": _ts([None, "2024-06-01", None, "2024-05-31"]),
        }
    )
    usage = pd.DataFrame(
        {
            "customer_id": ["E1"] * 5 + ["E4"],
            "date": _ts(["2024-05-03", "2024-05-04", "2024-05-24", "2024-05-25", "2024-05-31", "2024-05-30"]),
            "sessions": np.array([1, 1, 1, 1, 1, 4], dtype="int32"),
            "minutes": np.array([80.0, 40.0, 20.0, 10.0, 1.0, 60.0], dtype="float32"),
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["J1", "J2", "J3", "J4", "J5"],
            "customer_id": ["E1"] * 5,
            "invoice_date": _ts(["2023-01-15", "2023-06-01", "2024-03-02", "2024-03-03", "2024-05-15"]),
            "amount": [19.99, 24.99, 24.99, 24.99, 14.99],
            "status": ["failed", "paid", "failed", "failed", "paid"],
        }
    )
    opened = _ts(["2024-05-01 23:59", "2024-05-02 00:00", "2024-05-31 23:59"])
    tickets = pd.DataFrame(
        {
            "ticket_id": ["U1", "U2", "U3"],
            "customer_id": ["E1"] * 3,
            "opened_at": opened,
            "category": ["technical", "billing", "account"],
            "date": opened.dt.normalize(),
        }
    )
    return {"customers": customers, "usage": usage, "invoices": invoices, "tickets": tickets}


EDGE_EXPECTED = {
    "E1": {
        "usage_7d": 11.0,
        "usage_28d": 71.0,
        "usage_trend": 11 / 7 - 71 / 28,
        "days_since_last_activity": 1,
        "failed_payments_90d": 1,
        "tickets_30d": 2,
        "tenure_days": 517,
        "price": 14.99,
    },
    "E2": {
        "usage_7d": 0.0,
        "usage_28d": 0.0,
        "usage_trend": 0.0,
        "days_since_last_activity": 1,
        "failed_payments_90d": 0,
        "tickets_30d": 0,
        "tenure_days": 1,
        "price": 9.99,
    },
}
EDGE_RULES = (
    "windows are [as_of - n days, as_of): day as_of - 7 is in usage_7d, as_of - 8 is not; as_of - 28 is in "
    "usage_28d, as_of - 29 is not; a failed invoice on as_of - 90 counts, one on as_of - 91 does not; a "
    "ticket opened at midnight of as_of - 30 counts, one a minute earlier does not; price is the LAST "
    "invoiced amount (the signup price only before any invoice); a customer who churns on the as-of date "
    "was active that morning and is in the population"
)


@pytest.mark.rubric("p3.features.window_edges", points=3)
def test_window_edges_in_batch_and_online(project_module):
    """Batch and online features put events exactly on each window's edges on the right side"""
    features = project_module("churn_pipeline.features")
    online = project_module("churn_pipeline.online")
    tables = _edge_tables()
    as_of = date(2024, 6, 1)
    frame = _features(features, tables, [as_of])
    assert list(frame["customer_id"]) == ["E1", "E2"], (
        f"batch population at {as_of}: got {list(frame['customer_id'])}, expected ['E1', 'E2'] (E2 churns on "
        "the as-of date and was active that morning; E3 signs up that day; E4 churned the day before)."
    )
    store = online.build_store(tables)
    problems = []
    for row in frame.to_dict("records"):
        cid = row["customer_id"]
        served = online.online_features(store[cid], as_of)
        for name, value in EDGE_EXPECTED[cid].items():
            if not np.isclose(float(row[name]), value, rtol=0, atol=1e-9):
                problems.append(f"batch {cid} {name} = {row[name]}, expected {value}")
            if served is None:
                continue
            if not np.isclose(float(served[name]), value, rtol=0, atol=1e-9):
                problems.append(f"online {cid} {name} = {served[name]}, expected {value}")
        if served is None:
            problems.append(f"online {cid}: returned None, but {cid} is in the population")
    for cid in ("E3", "E4"):
        if online.online_features(store[cid], as_of) is not None:
            problems.append(f"online {cid}: not in the population at {as_of}, must return None")
    assert not problems, f"{len(problems)} wrong edge value(s), e.g. {problems[:3]}: {EDGE_RULES}."
