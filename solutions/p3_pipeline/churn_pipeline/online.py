"""The online path: the same features for one customer, in plain Python, from that customer's events.

A service cannot run a warehouse query per request; it keeps each customer's recent events and computes
the features on the fly. This module must agree with :mod:`churn_pipeline.features` to the last digit;
the skew test checks that it does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any


@dataclass
class CustomerEvents:
    """One customer's profile and events: ``usage`` (day, tenths of minutes, sessions), ``invoices``
    (day, invoice id, amount, status), ``tickets`` (opened_at datetimes)."""

    profile: dict[str, Any]
    usage: list[tuple[date, int, int]] = field(default_factory=list)
    invoices: list[tuple[date, str, float, str]] = field(default_factory=list)
    tickets: list[datetime] = field(default_factory=list)


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def build_store(tables: dict[str, Any]) -> dict[str, CustomerEvents]:
    """Index the four validated tables by customer id (what an online feature store would hold)."""
    store: dict[str, CustomerEvents] = {}
    for row in tables["customers"].to_dict("records"):
        churn = row["churn_date"]
        store[row["customer_id"]] = CustomerEvents(
            profile={
                "signup_day": row["signup_date"].date(),
                "churn_day": None if churn is None or churn != churn else churn.date(),
                "plan": row["plan"],
                "contract": row["contract"],
                "monthly_price": float(row["monthly_price"]),
            }
        )
    events: dict[str, list] = defaultdict(list)
    usage = tables["usage"]
    for cid, day, minutes, sessions in zip(
        usage["customer_id"], usage["date"], usage["minutes"], usage["sessions"], strict=True
    ):
        events[cid].append((day.date(), round(float(minutes) * 10), int(sessions)))
    for cid, rows in events.items():
        if cid in store:
            store[cid].usage = rows
    for row in tables["invoices"].itertuples(index=False):
        if row.customer_id in store:
            store[row.customer_id].invoices.append(
                (row.invoice_date.date(), row.invoice_id, float(row.amount), row.status)
            )
    for row in tables["tickets"].itertuples(index=False):
        if row.customer_id in store:
            store[row.customer_id].tickets.append(row.opened_at.to_pydatetime())
    return store


def online_features(events: CustomerEvents, as_of: date) -> dict[str, Any] | None:
    """The feature row of one customer at ``as_of`` (same names and meaning as the batch SQL).

    Returns ``None`` when the customer is not in the population on that date (not yet signed up, or
    churned before it). Only events strictly before ``as_of`` are read.
    """
    # BEGIN SOLUTION
    # HINT: same windows as the SQL ([as_of - n days, as_of)), minutes summed as integer tenths, the same
    # HINT: fallbacks (no activity -> since signup, capped at tenure; no invoice -> signup price).
    as_of = _day(as_of)
    p = events.profile
    if not p["signup_day"] < as_of or (p["churn_day"] is not None and p["churn_day"] < as_of):
        return None
    tenure = (as_of - p["signup_day"]).days
    past_usage = [(d, tenths) for d, tenths, sessions in events.usage if d < as_of and sessions > 0]
    tenths_7d = sum(t for d, t in past_usage if d >= as_of - timedelta(days=7))
    tenths_28d = sum(t for d, t in past_usage if d >= as_of - timedelta(days=28))
    last_day = max((d for d, _ in past_usage), default=p["signup_day"])
    past_invoices = sorted(
        (d, iid, amount, status) for d, iid, amount, status in events.invoices if d < as_of
    )
    failed = sum(1 for d, _, _, s in past_invoices if s == "failed" and d >= as_of - timedelta(days=90))
    midnight = datetime.combine(as_of, datetime.min.time())
    tickets = sum(1 for t in events.tickets if midnight - timedelta(days=30) <= t < midnight)
    return {
        "usage_7d": tenths_7d / 10.0,
        "usage_28d": tenths_28d / 10.0,
        "usage_trend": tenths_7d / 70.0 - tenths_28d / 280.0,
        "days_since_last_activity": min((as_of - last_day).days, tenure),
        "failed_payments_90d": failed,
        "tickets_30d": tickets,
        "tenure_days": tenure,
        "plan": p["plan"],
        "price": past_invoices[-1][2] if past_invoices else p["monthly_price"],
        "contract": p["contract"],
    }
    # END SOLUTION
