"""``course data``: write the churn, fraud and tickets worlds as Parquet (top-level imports stay light)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def data_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write into (created if missing).")] = Path(
        "data"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of both worlds: same seed, same bytes.")] = 0,
    customers: Annotated[
        int, typer.Option("--customers", help="Customers in the churn world (>= 100).")
    ] = 20_000,
    months: Annotated[int, typer.Option("--months", help="Months simulated in the churn world (>= 4).")] = 18,
    schema_version: Annotated[
        int, typer.Option("--schema-version", help="Schema of the raw export: 1 or 2.")
    ] = 1,
    fraud: Annotated[
        bool, typer.Option("--fraud/--no-fraud", help="Also write the fraud transactions.")
    ] = True,
    tickets: Annotated[
        bool, typer.Option("--tickets/--no-tickets", help="Also write the support tickets world.")
    ] = True,
) -> None:
    """Generate the course's data worlds and write them as Parquet under --out."""
    problems = []
    if seed < 0:
        problems.append(f"--seed must be >= 0 (got {seed})")
    if customers < 100:
        problems.append(f"--customers must be at least 100 (got {customers})")
    if months < 4:
        problems.append(f"--months must be at least 4 (got {months})")
    if schema_version not in (1, 2):
        problems.append(f"--schema-version must be 1 or 2 (got {schema_version})")
    if out.exists() and not out.is_dir():
        problems.append(f"--out {out} is a file, not a folder")
    if problems:
        raise typer.BadParameter("; ".join(problems) + ".")

    from rich.console import Console
    from rich.table import Table

    from course.data.write import drift_month_for, write_all

    console = Console()
    with console.status(
        f"Generating the churn world ({customers:,} customers, {months} months, seed {seed})"
    ):
        written = write_all(
            out,
            seed=seed,
            customers=customers,
            months=months,
            schema_version=schema_version,
            fraud=fraud,
            tickets=tickets,
        )
    table = Table(title=f"course data: written under {out}")
    table.add_column("path")
    table.add_column("rows", justify="right")
    table.add_column("size", justify="right")
    for item in written:
        rel = item.path.relative_to(out) if item.path.is_relative_to(out) else item.path
        suffix = "/" if item.path.is_dir() else ""
        table.add_row(f"{rel}{suffix}", f"{item.rows:,}", _size(item.bytes))
    console.print(table)
    drift = drift_month_for(months)
    console.print(f"churn world: seed {seed}, drift from month {drift}, raw export schema v{schema_version}.")


def _size(n: int) -> str:
    """``1.2 MB``-style sizes."""
    for unit in ("B", "kB", "MB"):
        if n < 1000:
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} GB"
