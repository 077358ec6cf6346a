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
    # BEGIN SOLUTION
    # HINT: import pandera.pandas as pa; pa.DataFrameSchema({col: pa.Column(dtype, checks, nullable=...)},
    # HINT: unique=KEYS[table], strict=True, name=table): types, nulls, ranges (Check.ge), Check.isin.
    import pandera.pandas as pa

    def key(unique: bool = False) -> Any:
        return pa.Column(str, pa.Check.str_matches(r"^[A-Z]\d+$"), nullable=False, unique=unique)

    day = pa.Column("datetime64[ns]", nullable=False)
    customers = pa.DataFrameSchema(
        {
            "customer_id": key(unique=True),
            "signup_date": day,
            "plan": pa.Column(str, pa.Check.isin(PLANS)),
            "monthly_price": pa.Column(float, pa.Check.in_range(0.0, 1000.0)),
            "contract": pa.Column(str, pa.Check.isin(CONTRACT_TYPES)),
            "country": pa.Column(str, pa.Check.isin(COUNTRIES)),
            "age_band": pa.Column(str, pa.Check.isin(AGE_BANDS)),
            "channel": pa.Column(str, pa.Check.isin(CHANNELS)),
            "churn_date": pa.Column("datetime64[ns]", nullable=True),
        },
        strict=True,
        name="customers",
    )
    usage = pa.DataFrameSchema(
        {
            "customer_id": key(),
            "date": day,
            "sessions": pa.Column("int32", pa.Check.in_range(1, 1000)),
            "minutes": pa.Column("float32", pa.Check.in_range(0.0, 24 * 60)),
        },
        unique=KEYS["usage"],
        strict=True,
        name="usage",
    )
    invoices = pa.DataFrameSchema(
        {
            "invoice_id": key(unique=True),
            "customer_id": key(),
            "invoice_date": day,
            "amount": pa.Column(float, pa.Check.in_range(0.0, 1000.0)),
            "status": pa.Column(str, pa.Check.isin(INVOICE_STATUSES)),
        },
        strict=True,
        name="invoices",
    )
    tickets = pa.DataFrameSchema(
        {
            "ticket_id": key(unique=True),
            "customer_id": key(),
            "opened_at": day,
            "date": day,
            "category": pa.Column(str, pa.Check.isin(TICKET_CATEGORIES)),
        },
        strict=True,
        name="tickets",
    )
    return {"customers": customers, "usage": usage, "invoices": invoices, "tickets": tickets}
    # END SOLUTION


def check_table(name: str, frame: Any) -> Any:
    """Validate one table against its contract; raise :class:`ContractError` on the first failing column.

    All checks run (lazy validation) so that the error reports the first failure in a stable order, with
    the number of failing values and one example value.
    """
    # BEGIN SOLUTION
    # HINT: schema.validate(frame, lazy=True) raises pa.errors.SchemaErrors; its .failure_cases frame has
    # HINT: columns 'column', 'check', 'failure_case': turn the first one into a ContractError.
    import pandera.pandas as pa

    schemas = table_schemas()
    if name not in schemas:
        raise ContractError(name, "-", f"a known table ({', '.join(schemas)})", name, 1)
    try:
        return schemas[name].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        first = cases.iloc[0]
        same = cases[(cases["column"] == first["column"]) & (cases["check"] == first["check"])]
        column = str(first["column"])
        if column == name:  # a table-level failure (a missing or unexpected column) names the column
            column = str(first["failure_case"])
        raise ContractError(name, column, str(first["check"]), first["failure_case"], len(same)) from None
    # END SOLUTION
