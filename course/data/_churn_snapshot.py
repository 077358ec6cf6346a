"""The monthly export a data team would hand a modeller: start-of-month features, labels, CRM columns.

Features are recomputed from the world's raw tables (usage, invoices, tickets, customers) with the same
point-in-time code the simulation used, so they only see the days before each month start.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.data import _churn_laws as laws
from course.data._churn_world import DEFAULT_LEAKS, laws_of

CATEGORICAL = laws.VOCABULARIES
EXPORT_COLUMNS = tuple(DEFAULT_LEAKS.values())
"""Columns the CRM fills on the day of the export (not as of the month start), in the default world; a
learner's world has its own (``ChurnWorld.crm_columns()``)."""


def calendar_of(params: dict) -> tuple[laws.Calendar, int]:
    """The calendar and drift day of a world from its parameters."""
    cal = laws.Calendar(np.datetime64(params["start"], "D"), int(params["months"]))
    drift = int(params["drift_month"])
    return cal, int(cal.month_starts[drift]) if drift < cal.months else np.iinfo(np.int64).max // 2


def codes_of(values: pd.Series, vocabulary: tuple[str, ...] | pd.Index, name: str) -> np.ndarray:
    """Integer codes of ``values`` in ``vocabulary``; unknown values are an error naming the column."""
    codes = pd.Categorical(values, categories=list(vocabulary)).codes.astype(np.int64)
    if (codes < 0).any():
        unknown = sorted(set(values[codes < 0].astype(str)))[:5]
        raise ValueError(f"Column {name!r} holds values the churn world does not know: {unknown}.")
    return codes


def dense(world, cal: laws.Calendar) -> dict[str, np.ndarray]:
    """Day x customer matrices of sessions, deciminutes, failed payments and tickets from the tables."""
    customers = pd.Index(world.customers["customer_id"])
    shape = (cal.n_days, len(customers))
    out = {
        "sessions": np.zeros(shape, dtype=np.int16),
        "deciminutes": np.zeros(shape, dtype=np.int32),
        "failed": np.zeros(shape, dtype=np.int8),
        "tickets": np.zeros(shape, dtype=np.int8),
    }
    usage = world.usage
    d = cal.days(usage["date"].to_numpy())
    c = codes_of(usage["customer_id"], customers, "usage.customer_id")
    out["sessions"][d, c] = usage["sessions"].to_numpy()
    out["deciminutes"][d, c] = np.round(usage["minutes"].to_numpy().astype(np.float64) * 10.0)
    bad = world.invoices[world.invoices["status"] == "failed"]
    d = cal.days(bad["invoice_date"].to_numpy())
    np.add.at(out["failed"], (d, codes_of(bad["customer_id"], customers, "invoices.customer_id")), 1)
    d = cal.days(world.tickets["opened_at"].to_numpy())
    c = codes_of(world.tickets["customer_id"], customers, "tickets.customer_id")
    np.add.at(out["tickets"], (d, c), 1)
    return out


def month_of(cal: laws.Calendar, dates: pd.Series) -> np.ndarray:
    """Month index (0 = the month of ``start``) of each date."""
    return np.searchsorted(cal.month_starts, cal.days(dates.to_numpy()), side="right") - 1


def last_active(sessions: np.ndarray) -> np.ndarray:
    """Day x customer matrix: each customer's last day with a session on or before that day (-1: none)."""
    days = np.arange(sessions.shape[0], dtype=np.int16)[:, None]
    return np.maximum.accumulate(np.where(sessions > 0, days, np.int16(-1)), axis=0)


def features(
    world, mats: dict[str, np.ndarray] | None = None, last: np.ndarray | None = None
) -> pd.DataFrame:
    """Start-of-month features for every active customer-month of the world (rows as in ``labels``).

    ``mats`` (from :func:`dense`) and ``last`` (from :func:`last_active`) are computed when not given.
    """
    cal, drift_day = calendar_of(world.params)
    cust = world.customers
    signup_day = cal.days(cust["signup_date"].to_numpy())
    codes = {k: codes_of(cust[k], v, f"customers.{k}") for k, v in CATEGORICAL.items()}
    mats = dense(world, cal) if mats is None else mats
    last = last_active(mats["sessions"]) if last is None else last
    month = month_of(cal, world.labels["month"])
    who = codes_of(world.labels["customer_id"], pd.Index(cust["customer_id"]), "labels.customer_id")
    parts = []
    for m in range(cal.months):
        rows = np.flatnonzero(month == m)
        if rows.size == 0:
            continue
        cols = who[rows]
        f = laws.month_features(
            cal=cal,
            month=m,
            drift_day=drift_day,
            signup_day=signup_day[cols],
            plan=codes["plan"][cols],
            annual=codes["contract"][cols] == 1,
            last_active=last[int(cal.month_starts[m]) - 1, cols].astype(np.int64),
            cols=cols,
            drift_price=laws_of(world.params).drift_price,
            **mats,
        )
        f["row"] = rows
        parts.append(pd.DataFrame(f))
    out = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable")
    return out.drop(columns="row").reset_index(drop=True)


def oracle_from_features(world, feats: pd.DataFrame) -> np.ndarray:
    """Recompute the true probability from snapshot-style feature columns (used by tests)."""
    f = {k: feats[k].to_numpy() for k in laws.FEATURE_COLUMNS if k not in CATEGORICAL}
    for k, vocabulary in CATEGORICAL.items():
        f[k] = codes_of(feats[k], vocabulary, k)
    return laws.churn_probability(f, laws_of(world.params).base_logit)


def monthly_snapshot(world, export_date=None) -> pd.DataFrame:
    """See :func:`course.data.churn.monthly_snapshot`."""
    cal, _ = calendar_of(world.params)
    last_day = cal.dates(np.array([cal.n_days - 1]))[0]
    try:
        export = pd.Timestamp(last_day if export_date is None else export_date).normalize()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"export_date must be a date like '2025-06-30', got {export_date!r}.") from exc
    if export < pd.Timestamp(cal.start):
        raise ValueError(f"export_date {export.date()} is before the world starts ({cal.start}).")
    labels = world.labels
    keep = (labels["month"] <= export).to_numpy()
    mats = dense(world, cal)
    last = last_active(mats["sessions"])
    feats = features(world, mats, last)
    export_day = min(int(cal.days(np.array([export.to_datetime64()]))[0]), cal.n_days - 1)
    cust = world.customers.set_index("customer_id")
    rows = labels.loc[keep, ["customer_id", "month"]].reset_index(drop=True)
    per_row = cust.loc[rows["customer_id"]].reset_index(drop=True)
    snap = pd.concat([rows, per_row[["signup_date", *CATEGORICAL]]], axis=1)
    feats = feats.loc[keep].reset_index(drop=True)
    for col in laws.FEATURE_COLUMNS:
        if col not in CATEGORICAL:
            snap[col] = feats[col].to_numpy()

    crm = _export_columns(cust, export, cal, last[export_day].astype(np.int64), laws_of(world.params).leaks)
    snap = snap.join(crm, on="customer_id")
    churned = labels.loc[keep, "churned"].astype("Int8").reset_index(drop=True)
    known = (labels.loc[keep, "label_known_date"] <= export).to_numpy()
    snap["churned"] = churned.where(known, pd.NA)
    return snap


def _export_columns(
    cust: pd.DataFrame,
    export: pd.Timestamp,
    cal: laws.Calendar,
    last_login: np.ndarray,
    leaks: tuple[tuple[str, str], ...],
) -> pd.DataFrame:
    """Per-customer CRM fields as they stand on the export date: ``leaks`` names each kind's column."""
    cancelled = (cust["churn_date"] <= export).to_numpy()
    builders = {
        "status": lambda: np.where(cancelled, "cancelled", "active").astype(object),
        "last_login": lambda: (
            pd.to_datetime(cal.dates(np.maximum(last_login, 0)))
            .astype("datetime64[ns]")
            .where(last_login >= 0)
        ),
        "offer": lambda: _offer_accepted(cust, export, cancelled),
        "reason": lambda: cust["cancellation_reason"].where(cancelled, None).to_numpy(),
        "end_date": lambda: cust["churn_date"].where(cancelled).to_numpy(),
        "refund": lambda: _refund(cust, cancelled),
    }
    return pd.DataFrame({name: builders[kind]() for kind, name in leaks}, index=cust.index)


def _offer_accepted(
    cust: pd.DataFrame, export: pd.Timestamp, cancelled: np.ndarray
) -> pd.arrays.BooleanArray:
    offered = (cust["retention_offer_date"] <= export).to_numpy()
    accepted = pd.array(~cancelled, dtype="boolean")
    accepted[~offered] = pd.NA
    return accepted


def _refund(cust: pd.DataFrame, cancelled: np.ndarray) -> np.ndarray:
    """The unused days of the cancellation month (the churn day included) at the signup price; 0 if active."""
    end = cust["churn_date"]
    days_in_month = end.dt.days_in_month.to_numpy(dtype=float, na_value=30.0)
    unused = (days_in_month - end.dt.day.to_numpy(dtype=float, na_value=0.0) + 1) / days_in_month
    refund = np.round(cust["monthly_price"].to_numpy(dtype=float) * unused, 2)
    return np.where(cancelled, refund, 0.0)
