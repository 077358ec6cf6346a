"""The churn world: a deterministic subscription business with a known churn probability.

>>> from course.data import churn
>>> world = churn.load_world(seed=0)          # cached under course.paths.data_dir() / "cache"
>>> snapshot = churn.monthly_snapshot(world)  # one row per active customer-month, features + label
>>> churn.export_raw(world, "data/raw")        # daily-partitioned Parquet, the upstream export

Tables (see ``docs/reference/data.md`` for every column):

- ``customers``: one row per customer, with the world's truth ``churn_date`` (NaT if still active).
- ``usage``: one row per customer-day with at least one session.
- ``invoices``: monthly invoices, ``status`` paid or failed.
- ``tickets``: support tickets.
- ``labels``: one row per customer active at a month start: ``churned`` is 1 when the customer's
  ``churn_date`` falls inside that month; ``label_known_date`` is the month end + ``label_delay_days``.
- ``oracle``: the true probability used to draw each label (for benchmarks and tests, never a feature).

World parameters (``world=``, drawn per learner by ``course.worlds``; see :mod:`course.data._churn_world`)
vary the base rate, the drift month and price rise, and which CRM fields of the export leak under which
names (:func:`crm_columns`). ``world={}`` (the default world) gives the same bytes as before they existed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from course.data._churn_laws import (
    CATEGORICAL_FEATURES,
    FEATURE_COLUMNS,
    INVOICE_STATUSES,
    NUMERIC_FEATURES,
    TICKET_CATEGORIES,
    VOCABULARIES,
)
from course.data._churn_world import (
    DEFAULT_DRIFT_MONTH,
    LEAK_KINDS,
    ChurnLaws,
    ChurnWorldError,
    check_world,
    laws_of,
)

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURE_COLUMNS",
    "GENERATOR_VERSION",
    "NUMERIC_FEATURES",
    "SIMULATION_MODULES",
    "TABLES",
    "TABLE_VOCABULARIES",
    "VOCABULARIES",
    "ChurnWorld",
    "ChurnWorldError",
    "crm_columns",
    "export_raw",
    "generate",
    "load_world",
    "monthly_snapshot",
]

TABLES = ("customers", "usage", "invoices", "tickets", "labels", "oracle")
GENERATOR_VERSION = 1
"""Bump when the meaning of the tables changes (cached worlds also follow the code's fingerprint)."""
SIMULATION_MODULES = (
    "course.data.churn",
    "course.data._churn_sim",
    "course.data._churn_laws",
    "course.data._churn_world",
)

# The world's public vocabulary, imported above and re-exported here as the one source that projects
# import (never copy): the values of each categorical customer column (VOCABULARIES), the snapshot's model
# inputs (FEATURE_COLUMNS: CATEGORICAL_FEATURES then NUMERIC_FEATURES, in the snapshot's order) and the
# categorical columns of the other tables (TABLE_VOCABULARIES).
TABLE_VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("tickets", "category"): TICKET_CATEGORIES,
    ("invoices", "status"): INVOICE_STATUSES,
}
"""The categorical columns of the other tables, keyed by (table, column)."""


@dataclass(frozen=True)
class ChurnWorld:
    """The tables of one churn world and the parameters that generated it."""

    customers: pd.DataFrame
    usage: pd.DataFrame
    invoices: pd.DataFrame
    tickets: pd.DataFrame
    labels: pd.DataFrame
    oracle: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in a fixed order."""
        return {name: getattr(self, name) for name in TABLES}

    def crm_columns(self) -> dict[str, str]:
        """The CRM fields of this world's monthly export, filled on the export date: ``{column: meaning}``."""
        return _crm_columns(laws_of(self.params))


def _crm_columns(laws: ChurnLaws) -> dict[str, str]:
    return {name: LEAK_KINDS[kind].meaning for kind, name in laws.leaks}


def crm_columns(world: dict[str, Any] | None = None) -> dict[str, str]:
    """The CRM fields that :func:`monthly_snapshot` fills on the export date, ``{column: meaning}``, for
    the world parameters ``world`` (``course.worlds.current().params("churn")``; ``None``: the default)."""
    return _crm_columns(check_world(world)[1])


_DEFAULTS: dict[str, Any] = {"start": "2024-01-01", "drift_month": None, "label_delay_days": 45}


def _check_params(
    seed: int,
    n_customers: int,
    start: str,
    months: int,
    drift_month: int | None,
    label_delay_days: int,
    world: dict[str, Any] | None = None,
) -> dict[str, Any]:
    world_drift, laws = check_world(world)
    if drift_month is None:
        drift_month = DEFAULT_DRIFT_MONTH if world_drift is None else world_drift
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    if n_customers < 100:
        raise ValueError(f"n_customers must be at least 100, got {n_customers}.")
    if months < 4:
        raise ValueError(f"months must be at least 4 (labels need history and a delay), got {months}.")
    if drift_month < 1:
        raise ValueError(
            f"drift_month must be at least 1 (a month index after the start), got {drift_month}."
        )
    if not 0 <= label_delay_days <= 365:
        raise ValueError(f"label_delay_days must be between 0 and 365, got {label_delay_days}.")
    try:
        day = pd.Timestamp(start)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"start must be a date like '2024-01-01', got {start!r}.") from exc
    if day.day != 1 or day != day.normalize():
        raise ValueError(f"start must be the first day of a month, got {start!r}.")
    params = {
        "seed": int(seed),
        "n_customers": int(n_customers),
        "start": day.strftime("%Y-%m-%d"),
        "months": int(months),
        "drift_month": int(drift_month),
        "label_delay_days": int(label_delay_days),
    }
    if not laws.is_default:
        params["world"] = laws.to_params()
    return params


def generate(
    seed: int = 0,
    n_customers: int = 20_000,
    start: str = "2024-01-01",
    months: int = 18,
    drift_month: int | None = None,
    label_delay_days: int = 45,
    world: dict[str, Any] | None = None,
) -> ChurnWorld:
    """Simulate a churn world from scratch (no cache).  Same arguments, same tables, on any machine.

    ``drift_month`` is the month index (0 = the month of ``start``) from which the ``standard`` plan
    costs more and the ``affiliate`` acquisition channel appears; a value >= ``months`` means no drift.
    Without it, the world's ``drift_month`` (12 in the default world). ``world`` holds the world
    parameters (``course.worlds.current().params("churn")``; ``None`` or ``{}``: the default world).
    """
    from course.data._churn_sim import simulate

    params = _check_params(seed, n_customers, start, months, drift_month, label_delay_days, world)
    laws = laws_of(params)
    core = {k: v for k, v in params.items() if k != "world"}
    tables = simulate(**core, base_logit=laws.base_logit, drift_price=laws.drift_price)
    return ChurnWorld(**tables, params=params)


def load_world(seed: int = 0, n_customers: int = 20_000, months: int = 18, **kw: Any) -> ChurnWorld:
    """Like :func:`generate`, cached as Parquet under ``course.paths.data_dir() / "cache"``."""
    from course.data.cache import cached_tables, code_fingerprint

    unknown = set(kw) - {"start", "drift_month", "label_delay_days", "world"}
    if unknown:
        raise TypeError(f"load_world() got unexpected arguments: {sorted(unknown)}.")
    params = _check_params(**{**_DEFAULTS, **kw, "seed": seed, "n_customers": n_customers, "months": months})

    def build() -> dict[str, pd.DataFrame]:
        core = {k: v for k, v in params.items() if k != "world"}
        return generate(**core, world=params.get("world")).tables()

    key = {**params, "version": GENERATOR_VERSION, "code": code_fingerprint(*SIMULATION_MODULES)}
    tables = cached_tables("churn", key, build)
    return ChurnWorld(**tables, params=params)


def monthly_snapshot(world: ChurnWorld, export_date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """The monthly modelling export: one row per customer active at a month start, up to ``export_date``.

    Feature columns describe the customer as of the month start (only data from before it).  ``churned``
    is the label of that month, missing (``pd.NA``) when it is not yet known on ``export_date`` (its
    ``label_known_date`` is later).  Four CRM columns are filled on the export date itself: in the default
    world ``account_status``, ``last_login_date``, ``retention_offer_accepted``, ``cancellation_reason``;
    a learner's world has its own (:meth:`ChurnWorld.crm_columns`).
    ``export_date`` defaults to the last day of the world.
    """
    from course.data._churn_snapshot import monthly_snapshot as build

    return build(world, export_date)


def export_raw(world: ChurnWorld, path: str | Path, schema_version: int = 1) -> Path:
    """Write the upstream export: day-partitioned Parquet tables and ``_schema.json``; returns ``path``."""
    from course.data._churn_export import export_raw as write

    return write(world, Path(path), schema_version)
