"""Stage `features`: point-in-time features per (customer, as-of date), in SQL with DuckDB.

Every feature of a snapshot dated ``as_of`` uses events strictly before ``as_of`` (midnight): the
snapshot a model sees at training time is exactly what could have been computed that morning. The SQL
reads four views (``customers``, ``usage``, ``invoices``, ``tickets``) and would run unchanged on a
warehouse or Spark SQL; :func:`batch_features` points the views at Parquet files or at DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from churn_pipeline.config import TABLES

FEATURE_COLUMNS = (
    "customer_id",
    "as_of",
    "usage_7d",
    "usage_28d",
    "usage_trend",
    "days_since_last_activity",
    "failed_payments_90d",
    "tickets_30d",
    "tenure_days",
    "plan",
    "price",
    "contract",
)


def feature_sql(future_days: int = 0) -> str:
    """The batch feature query over the views and a one-column table ``snapshots(as_of DATE)``.

    ``future_days`` > 0 lets every window reach that many days past the as-of date: a deliberate leak,
    used only by the notebook's leakage demo.

    Definitions (``d`` = as_of, windows are ``[d - n days, d)``): ``usage_7d``/``usage_28d`` minutes in
    the last 7/28 days; ``usage_trend`` = usage_7d/7 - usage_28d/28 (minutes per day, recent minus
    month); ``days_since_last_activity`` days since the last usage day, or since signup if none (never
    more than tenure); ``failed_payments_90d`` failed invoices; ``tickets_30d`` tickets opened;
    ``tenure_days`` days since signup; ``price`` the last invoiced amount (the signup price before any
    invoice); ``plan`` and ``contract``. Population: customers who signed up before ``d`` and had not
    churned before ``d``.
    """
    # BEGIN SOLUTION
    # HINT: join each snapshot date to events with `event_day < as_of` (and `>= as_of - n` for windows);
    # HINT: sum minutes as integers (tenths) so that the result never depends on summation order.
    horizon = f"+ {int(future_days)}" if future_days else ""
    return f"""
    WITH snap AS (SELECT CAST(as_of AS DATE) AS as_of, CAST(as_of AS DATE) {horizon} AS cutoff
                  FROM snapshots),
    base AS (
        SELECT c.customer_id, s.as_of, s.cutoff, CAST(c.signup_date AS DATE) AS signup_day,
               c.plan, c.contract, c.monthly_price
        FROM customers c JOIN snap s ON CAST(c.signup_date AS DATE) < s.as_of
        WHERE c.churn_date IS NULL OR CAST(c.churn_date AS DATE) >= s.as_of
    ),
    use AS (
        SELECT b.customer_id, b.as_of,
               SUM(CASE WHEN CAST(u.date AS DATE) >= b.cutoff - 7
                        THEN CAST(ROUND(u.minutes * 10) AS BIGINT) ELSE 0 END) AS tenths_7d,
               SUM(CASE WHEN CAST(u.date AS DATE) >= b.cutoff - 28
                        THEN CAST(ROUND(u.minutes * 10) AS BIGINT) ELSE 0 END) AS tenths_28d,
               MAX(CAST(u.date AS DATE)) AS last_day
        FROM base b JOIN usage u
          ON u.customer_id = b.customer_id AND CAST(u.date AS DATE) < b.cutoff AND u.sessions > 0
        GROUP BY b.customer_id, b.as_of
    ),
    inv AS (
        SELECT b.customer_id, b.as_of,
               COUNT(*) FILTER (WHERE i.status = 'failed' AND CAST(i.invoice_date AS DATE) >= b.cutoff - 90)
                   AS failed_payments_90d,
               max_by(i.amount, strftime(i.invoice_date, '%Y-%m-%d') || i.invoice_id) AS last_amount
        FROM base b JOIN invoices i
          ON i.customer_id = b.customer_id AND CAST(i.invoice_date AS DATE) < b.cutoff
        GROUP BY b.customer_id, b.as_of
    ),
    tix AS (
        SELECT b.customer_id, b.as_of, COUNT(*) AS tickets_30d
        FROM base b JOIN tickets t
          ON t.customer_id = b.customer_id
         AND t.opened_at < CAST(b.cutoff AS TIMESTAMP)
         AND t.opened_at >= CAST(b.cutoff - 30 AS TIMESTAMP)
        GROUP BY b.customer_id, b.as_of
    )
    SELECT b.customer_id,
           CAST(b.as_of AS TIMESTAMP) AS as_of,
           COALESCE(use.tenths_7d, 0) / 10.0 AS usage_7d,
           COALESCE(use.tenths_28d, 0) / 10.0 AS usage_28d,
           COALESCE(use.tenths_7d, 0) / 70.0 - COALESCE(use.tenths_28d, 0) / 280.0 AS usage_trend,
           LEAST(date_diff('day', COALESCE(use.last_day, b.signup_day), b.as_of),
                 date_diff('day', b.signup_day, b.as_of)) AS days_since_last_activity,
           COALESCE(inv.failed_payments_90d, 0) AS failed_payments_90d,
           COALESCE(tix.tickets_30d, 0) AS tickets_30d,
           date_diff('day', b.signup_day, b.as_of) AS tenure_days,
           b.plan,
           CAST(COALESCE(inv.last_amount, b.monthly_price) AS DOUBLE) AS price,
           b.contract
    FROM base b
    LEFT JOIN use USING (customer_id, as_of)
    LEFT JOIN inv USING (customer_id, as_of)
    LEFT JOIN tix USING (customer_id, as_of)
    ORDER BY as_of, customer_id
    """
    # END SOLUTION


def batch_features(tables: Mapping[str, Any], as_of_dates: Iterable[date | str], future_days: int = 0) -> Any:
    """Feature snapshots for every as-of date, one row per active customer and date.

    ``tables`` maps each of ``customers``, ``usage``, ``invoices``, ``tickets`` to a DataFrame or to a
    Parquet path/glob (a folder means ``<folder>/*.parquet``). Returns ``FEATURE_COLUMNS`` sorted by
    (as_of, customer_id).
    """
    import duckdb
    import pandas as pd

    missing = [t for t in TABLES if t not in tables]
    if missing:
        raise KeyError(f"batch_features: tables {missing} are missing (need {list(TABLES)}).")
    dates = sorted({pd.Timestamp(d).normalize() for d in as_of_dates})
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        for name in TABLES:
            source = tables[name]
            if isinstance(source, str | Path):
                path = Path(source)
                glob = (path / "*.parquet").as_posix() if path.is_dir() else path.as_posix()
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob}')")
            else:
                con.register(name, source)
        con.register("snapshots", pd.DataFrame({"as_of": pd.Series(dates, dtype="datetime64[ns]")}))
        frame = con.sql(feature_sql(future_days)).df()
    finally:
        con.close()
    frame["as_of"] = frame["as_of"].astype("datetime64[ns]")
    for name in ("days_since_last_activity", "failed_payments_90d", "tickets_30d", "tenure_days"):
        frame[name] = frame[name].astype("int64")
    return frame[list(FEATURE_COLUMNS)].reset_index(drop=True)


def validated_sources(validated_dir: Path) -> dict[str, Path]:
    """The Parquet folder of each validated table."""
    return {name: Path(validated_dir) / name for name in TABLES}
