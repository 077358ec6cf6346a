"""Write the course's data worlds to a folder as Parquet: what ``course data`` does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHURN_TABLES = ("customers", "usage", "invoices", "tickets", "labels")
"""World tables written for learners; the oracle stays in memory (benchmarks and tests only)."""
RAW_TABLES = ("customers", "usage", "invoices", "tickets")


@dataclass(frozen=True)
class Written:
    """One output of :func:`write_all`: its path (a file or a folder), row count and size in bytes."""

    path: Path
    rows: int

    @property
    def bytes(self) -> int:
        if self.path.is_file():
            return self.path.stat().st_size
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


def drift_month_for(months: int) -> int:
    """The drift starts at month 12, or 6 months before the end of shorter worlds (never before month 1)."""
    return max(1, min(12, months - 6))


def write_all(
    out: Path,
    *,
    seed: int = 0,
    customers: int = 20_000,
    months: int = 18,
    schema_version: int = 1,
    fraud: bool = True,
    tickets: bool = True,
) -> list[Written]:
    """Write the churn tables, the monthly snapshot, the raw export and the fraud transactions under ``out``.

    Layout: ``out/churn/<table>.parquet``, ``out/churn/snapshot.parquet``, ``out/churn/raw/`` (daily
    partitions in schema ``schema_version``), ``out/fraud/transactions.parquet`` and
    ``out/tickets/<table>.parquet`` (the tickets world's public tables, customer ids from the churn
    world).  Worlds come from the cache (:func:`course.data.churn.load_world`).  Same arguments, same bytes.
    """
    from course.data import churn
    from course.data import fraud as fraud_world
    from course.data.cache import write_parquet

    if schema_version not in (1, 2):
        raise ValueError(f"schema_version must be 1 or 2, got {schema_version}.")
    out = Path(out)
    world = churn.load_world(
        seed=seed, n_customers=customers, months=months, drift_month=drift_month_for(months)
    )
    frames = {name: getattr(world, name) for name in CHURN_TABLES}
    frames["snapshot"] = churn.monthly_snapshot(world)
    written = [
        Written(write_parquet(df, out / "churn" / f"{name}.parquet"), len(df)) for name, df in frames.items()
    ]
    raw = churn.export_raw(world, out / "churn" / "raw", schema_version=schema_version)
    written.append(Written(raw, sum(len(getattr(world, name)) for name in RAW_TABLES)))
    if fraud:
        tx = fraud_world.load_world(seed=seed).transactions
        written.append(Written(write_parquet(tx, out / "fraud" / "transactions.parquet"), len(tx)))
    if tickets:
        from course.data import tickets as tickets_world

        tw = tickets_world.load_world(seed=seed, n_customers=customers)
        for name in tickets_world.PUBLIC_TABLES:
            df = getattr(tw, name)
            written.append(Written(write_parquet(df, out / "tickets" / f"{name}.parquet"), len(df)))
    return written
