"""Loading the churn world's monthly export with the settings of ``params.toml``."""

from __future__ import annotations

import pandas as pd

from churn_baseline.config import DataConfig

ID_COL = "customer_id"
TIME_COL = "month"
LABEL_COL = "churned"
NOT_FEATURES = (ID_COL, TIME_COL, LABEL_COL, "signup_date")
"""Columns that are never features: keys, the label and a raw date (``tenure_days`` already encodes it)."""


def load_snapshot(data: DataConfig) -> pd.DataFrame:
    """The monthly export (one row per active customer-month) of the configured churn world, cached."""
    from course.data.churn import load_world, monthly_snapshot

    world = load_world(seed=data.seed, n_customers=data.n_customers, months=data.months)
    return monthly_snapshot(world, data.export_date)
