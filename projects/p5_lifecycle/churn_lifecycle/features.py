"""The model's inputs: which snapshot columns are features, which is the label, which is the slice."""

from __future__ import annotations

CATEGORICAL = ("plan", "contract", "channel", "country", "age_band")
NUMERIC = (
    "monthly_price",
    "price_change_pct_90d",
    "tenure_days",
    "months_to_renewal",
    "sessions_7d",
    "minutes_7d",
    "sessions_28d",
    "minutes_28d",
    "minutes_prev_28d",
    "active_days_28d",
    "usage_trend_28d",
    "days_since_last_activity",
    "failed_payments_90d",
    "tickets_30d",
    "tickets_90d",
)
FEATURES = CATEGORICAL + NUMERIC
TARGET = "churned"
SLICE = "channel"
ID = "customer_id"
