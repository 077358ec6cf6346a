"""Data contracts: one pandera schema per raw table (schema version 1), and errors a person can act on."""

from __future__ import annotations

from typing import Any

from course.data.churn import TABLE_VOCABULARIES, VOCABULARIES

PLANS = VOCABULARIES["plan"]
CONTRACT_TYPES = VOCABULARIES["contract"]
CHANNELS = VOCABULARIES["channel"]
COUNTRIES = VOCABULARIES["country"]
AGE_BANDS = VOCABULARIES["age_band"]
TICKET_CATEGORIES = TABLE_VOCABULARIES["tickets", "category"]
INVOICE_STATUSES = TABLE_VOCABULARIES["invoices", "status"]

KEYS: dict[str, list[str]] = {
    "customers": ["customer_id"],
    "usage": ["customer_id", "date"],
    "invoices": ["invoice_id"],
    "tickets": ["ticket_id"],
}
PARTITION_KEYS = {"customers": "signup_month", "usage": "date", "invoices": "invoice_date", "tickets": "date"}
"""The column each raw table is partitioned by (``<table>/<key>=YYYY-MM-DD/part-0.parquet``), by default."""
"""The primary key of each table: unique, never null; also the sort order of the validated files."""


class ContractError(ValueError):
    """A raw table breaks its contract; the message names the table, the column and an offending value."""

    def __init__(self, table: str, column: str, check: str, example: Any, n_failures: int) -> None:
        example = example.item() if hasattr(example, "item") else example
        self.table, self.column, self.check, self.example = table, column, check, example
        self.n_failures = n_failures
        super().__init__(
            f"table '{table}', column '{column}': {n_failures} value(s) fail '{check}', "
            f"e.g. {example!r}. Nothing downstream was written; fix the export or the contract."
        )


def table_schemas() -> dict[str, Any]:
    """The pandera ``DataFrameSchema`` of every raw table, keyed by table name.

    Each schema pins the column types, which columns may be null, value ranges, the allowed categories
    and the uniqueness of the table's key (``KEYS``). Extra columns are rejected (``strict=True``), so an
    upstream rename cannot slip through as a silently missing feature.
    """
    # HINT: import pandera.pandas as pa; pa.DataFrameSchema({col: pa.Column(dtype, checks, nullable=...)},
    # HINT: unique=KEYS[table], strict=True, name=table): types, nulls, ranges (Check.ge), Check.isin.
    raise NotImplementedError("table_schemas: import pandera.pandas as pa; pa.DataFrameSchema({col: pa.Column(dtype, checks, nullable=...)}, unique=KEYS[table], strict=True, name=table): types, nulls, ranges (Check.ge), Check.isin.")


def check_table(name: str, frame: Any) -> Any:
    """Validate one table against its contract; raise :class:`ContractError` on the first failing column.

    All checks run (lazy validation) so that the error reports the first failure in a stable order, with
    the number of failing values and one example value.
    """
    # HINT: schema.validate(frame, lazy=True) raises pa.errors.SchemaErrors; its .failure_cases frame has
    # HINT: columns 'column', 'check', 'failure_case': turn the first one into a ContractError.
    raise NotImplementedError("check_table: schema.validate(frame, lazy=True) raises pa.errors.SchemaErrors; its .failure_cases frame has columns 'column', 'check', 'failure_case': turn the first one into a ContractError.")
