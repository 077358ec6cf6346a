"""The upstream raw export of the churn world: daily-partitioned Parquet tables and ``_schema.json``.

Schema version 2 is the same world exported after an upstream change: ``customers.channel`` is renamed
``acquisition_channel``, ``invoices.amount`` is in integer cents instead of currency units, and
``tickets.category`` has a new value ``payment_failure`` (billing tickets opened within 7 days after a
failed payment of the same customer).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from course.data.cache import PARQUET_OPTIONS, to_arrow

SCHEMA_VERSIONS = (1, 2)
PARTITION_KEY = {"customers": "signup_month", "usage": "date", "invoices": "invoice_date", "tickets": "date"}
UNITS = {
    1: {"usage.minutes": "minutes", "invoices.amount": "currency units (e.g. 14.99)"},
    2: {"usage.minutes": "minutes", "invoices.amount": "cents (e.g. 1499)"},
}


def raw_tables(world, schema_version: int) -> dict[str, pd.DataFrame]:
    """The four upstream tables as the source system exports them in ``schema_version``."""
    customers = world.customers.drop(columns=["cancellation_reason", "retention_offer_date"])
    invoices = world.invoices.copy()
    tickets = world.tickets.copy()
    customers["signup_month"] = customers["signup_date"].dt.to_period("M").dt.to_timestamp()
    tickets["date"] = tickets["opened_at"].dt.normalize()
    if schema_version == 2:
        customers = customers.rename(columns={"channel": "acquisition_channel"})
        invoices["amount"] = np.round(invoices["amount"].to_numpy() * 100).astype(np.int64)
        tickets["category"] = _v2_categories(world, tickets)
    return {"customers": customers, "usage": world.usage, "invoices": invoices, "tickets": tickets}


def _v2_categories(world, tickets: pd.DataFrame) -> pd.Series:
    """Billing tickets within 7 days after a failed payment become ``payment_failure`` in v2."""
    failed = world.invoices.loc[world.invoices["status"] == "failed", ["customer_id", "invoice_date"]]
    left = tickets[["customer_id", "opened_at"]].reset_index().sort_values("opened_at", kind="stable")
    matched = pd.merge_asof(
        left,
        failed.sort_values("invoice_date", kind="stable"),
        left_on="opened_at",
        right_on="invoice_date",
        by="customer_id",
        tolerance=pd.Timedelta(days=7),
    ).set_index("index")["invoice_date"]
    linked = matched.reindex(tickets.index).notna() & (tickets["category"] == "billing")
    return tickets["category"].where(~linked, "payment_failure")


def _schema(tables: dict[str, pa.Table], schema_version: int) -> dict:
    out = {
        "schema_version": schema_version,
        "layout": "<table>/<partition_by>=YYYY-MM-DD/part-0.parquet (customers: signup_month=YYYY-MM); "
        "the partition column is in the directory name only (hive style)",
        "tables": {},
    }
    for name, table in tables.items():
        units = {k.split(".")[1]: v for k, v in UNITS[schema_version].items() if k.startswith(f"{name}.")}
        out["tables"][name] = {
            "partition_by": PARTITION_KEY[name],
            "columns": {field.name: str(field.type) for field in table.schema},
            "units": units,
        }
    return out


def _partitions(table: pa.Table, key: str) -> list[tuple[str, pa.Table]]:
    """Split a table sorted by day into ``(YYYY-MM-DD, rows without the key column)`` pieces."""
    unit = "M" if key.endswith("_month") else "D"
    days = table.column(key).cast(pa.timestamp("ns")).to_numpy().astype(f"datetime64[{unit}]")
    order = np.argsort(days, kind="stable")
    if not np.array_equal(order, np.arange(order.size)):
        table, days = table.take(pa.array(order)), days[order]
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    ends = np.r_[starts[1:], days.size]
    body = table.drop_columns([key])
    return [(str(days[a]), body.slice(a, b - a)) for a, b in zip(starts, ends, strict=True)]


def export_raw(world, path: Path, schema_version: int = 1) -> Path:
    """Write the raw export to ``path`` (replacing an earlier export there) and return ``path``."""
    if schema_version not in SCHEMA_VERSIONS:
        raise ValueError(f"schema_version must be 1 or 2, got {schema_version!r}.")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path} is a file: export_raw writes a folder there.")
    if path.exists() and any(path.iterdir()) and not (path / "_schema.json").is_file():
        raise FileExistsError(
            f"{path} exists and is not a raw export (no _schema.json): refusing to replace it."
        )
    frames = raw_tables(world, schema_version)
    tables = {name: to_arrow(df, pandas_metadata=False) for name, df in frames.items()}
    jobs = []
    for name, table in tables.items():
        key = PARTITION_KEY[name]
        jobs += [(f"{name}/{key}={day}/part-0.parquet", piece) for day, piece in _partitions(table, key)]

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the export is an ordinary folder
    try:
        for folder in sorted({rel.rsplit("/", 1)[0] for rel, _ in jobs}):
            (tmp / folder).mkdir(parents=True)

        def write(job: tuple[str, pa.Table]) -> None:
            pq.write_table(job[1], tmp / job[0], **PARQUET_OPTIONS)

        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            list(pool.map(write, jobs))
        schema = _schema(tables, schema_version)
        (tmp / "_schema.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        _swap(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _swap(new: Path, path: Path) -> None:
    """Put ``new`` at ``path``; an earlier export there is removed only once the new one is in place."""
    old = None
    if path.exists():
        old = path.with_name(f".{path.name}-old-{os.getpid()}")
        os.rename(path, old)
    os.rename(new, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
