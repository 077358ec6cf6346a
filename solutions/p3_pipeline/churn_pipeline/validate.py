"""Stage `validate`: read the raw export, map its schema version, check every contract, then write.

Nothing is written unless every table passes: a broken export stops the run here, before any feature,
label, model or score is touched.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from churn_pipeline.config import TABLES
from churn_pipeline.contracts import KEYS, PARTITION_KEYS, check_table, table_schemas
from churn_pipeline.schema_versions import ADAPTERS, check_accepted, read_schema_version
from churn_pipeline.storage import replace_directory, write_json_atomic, write_parquet_atomic


def partition_key(raw_dir: Path, table: str) -> str:
    """The hive partition column of ``table``, as ``_schema.json`` declares it (else the v1 default)."""
    import json

    path = Path(raw_dir) / "_schema.json"
    if path.is_file():
        declared = json.loads(path.read_text(encoding="utf-8")).get("tables", {}).get(table, {})
        if isinstance(declared.get("partition_by"), str):
            return declared["partition_by"].split()[0]
    return PARTITION_KEYS[table]


def read_raw_table(raw_dir: Path, table: str) -> Any:
    """Read every partition of one raw table into a frame.

    A day partition column (``date=YYYY-MM-DD``) is restored as a datetime column; a coarser one
    (``signup_month=YYYY-MM``) only groups files and is dropped, since the day is inside the file.
    """
    import duckdb

    key = partition_key(raw_dir, table)
    folder = Path(raw_dir) / table
    if not folder.is_dir():
        raise FileNotFoundError(f"raw export {raw_dir} has no '{table}' folder: the export is incomplete.")
    glob = (folder / "*" / "*.parquet").as_posix()
    con = duckdb.connect()
    try:
        frame = con.sql(
            f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true, "
            f"hive_types = {{'{key}': VARCHAR}})"
        ).df()
    finally:
        con.close()
    if key.endswith("_month"):
        return frame.drop(columns=[key])
    frame[key] = pd_datetime(frame[key])
    return frame


def pd_datetime(values: Any) -> Any:
    """ISO day strings -> ``datetime64[ns]`` (a malformed directory name raises, naming the value)."""
    import pandas as pd

    return pd.to_datetime(values, format="%Y-%m-%d").astype("datetime64[ns]")


def read_raw_tables(raw_dir: Path) -> dict[str, Any]:
    """All four raw tables, by name."""
    return {table: read_raw_table(raw_dir, table) for table in TABLES}


def validate_tables(tables: dict[str, Any], version: int, accepted: list[int] | tuple[int, ...]) -> dict:
    """Map ``tables`` from ``version`` to version 1 (if accepted) and check each contract.

    Returns the validated tables with contract column order, sorted by key. Raises
    ``SchemaVersionError`` or ``ContractError``; never writes.
    """
    check_accepted(version, accepted)
    if version != 1:
        tables = ADAPTERS[version](tables)
    schemas = table_schemas()
    out = {}
    for table in TABLES:
        checked = check_table(table, tables[table])
        columns = list(schemas[table].columns)
        out[table] = checked[columns].sort_values(KEYS[table], kind="mergesort").reset_index(drop=True)
    return out


def validate_export(raw_dir: Path, out_dir: Path, accepted: list[int] | tuple[int, ...] = (1, 2)) -> dict:
    """Validate the export in ``raw_dir``; write ``<out_dir>/<table>/part-0.parquet`` and ``_summary.json``.

    All tables are checked before the first byte is written; the output folder is written next to its
    final place and renamed into it, so a failure leaves the previous output (or none) untouched.
    """
    # BEGIN SOLUTION
    # HINT: read + adapt + check ALL tables first; only then write into a temporary folder and rename it.
    version = read_schema_version(raw_dir)
    tables = validate_tables(read_raw_tables(raw_dir), version, accepted)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for table, frame in tables.items():
            write_parquet_atomic(frame, tmp / table / "part-0.parquet", sort_by=KEYS[table])
        summary = {
            "schema_version": version,
            "adapter": f"v{version}->v1" if version != 1 else None,
            "rows": {table: len(frame) for table, frame in tables.items()},
        }
        write_json_atomic(summary, tmp / "_summary.json")
        replace_directory(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary
    # END SOLUTION
