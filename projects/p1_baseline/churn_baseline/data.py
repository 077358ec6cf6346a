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
    """The monthly export (one row per active customer-month) of your churn world, cached.

    Your world is the one ``learner.toml`` names (``course init``; the default world without it): which
    CRM fields leak and under which names, the base rate and the drift are yours. ``params.toml`` sets
    the size and the export date.
    """
    from course import worlds
    from course.data.churn import monthly_snapshot

    world = worlds.current().churn(seed=data.seed, n_customers=data.n_customers, months=data.months)
    return monthly_snapshot(world, data.export_date)


def crm_fields() -> dict[str, str]:
    """Your world's data dictionary of the CRM fields in the export, ``{column: what it holds}``: the
    fields the CRM fills on the export date (``docs/reference/data.md`` describes the default world's)."""
    from course import worlds
    from course.data.churn import crm_columns

    return crm_columns(worlds.current().params("churn"))
