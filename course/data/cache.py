"""Deterministic Parquet files and a cache of generated worlds under ``course.paths.data_dir() / "cache"``.

A cached world is a folder ``<kind>-<hash of its parameters>`` holding one Parquet file per table and a
``params.json``.  It is written to a temporary folder and renamed into place, so a reader never sees half a
world, and two processes building the same world at once both end up with a complete copy.

A cache this process may not write (a shared, read-only data folder; the grader's unprivileged test
processes when it runs as root) is still read; a world missing from it is built and not stored. (There is
no second, writable cache: in a grading, one the submission's processes could write would let them
change what the grader's tests read.)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from course.files import atomic_path, not_writable

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "row_group_size": 1 << 20,
    "write_statistics": True,
}
"""Fixed writer settings: the same table always gives the same bytes."""


def cache_dir() -> Path:
    """Where generated worlds are cached."""
    from course.paths import data_dir

    return data_dir() / "cache"


def code_fingerprint(*modules: str) -> str:
    """SHA-256 (16 hex digits) of the source of the named modules: cached worlds follow the code."""
    import importlib.util

    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"Cannot fingerprint module {name!r}: it was not found.")
        h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()[:16]


def params_key(kind: str, params: dict[str, Any]) -> str:
    """``<kind>-<16 hex digits>``: a stable name for one set of generator parameters."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def to_arrow(df: pd.DataFrame, *, pandas_metadata: bool = True) -> pa.Table:
    """A DataFrame as an Arrow table (no index); without pandas metadata the file is tool-neutral."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    return table if pandas_metadata else table.replace_schema_metadata(None)


def write_parquet(data: pd.DataFrame | pa.Table, path: Path, *, pandas_metadata: bool = True) -> Path:
    """Write one Parquet file deterministically and atomically (temporary file, then rename)."""
    table = data if isinstance(data, pa.Table) else to_arrow(data, pandas_metadata=pandas_metadata)
    with atomic_path(path) as temporary:
        pq.write_table(table, temporary, **PARQUET_OPTIONS)
    return path


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a file written by :func:`write_parquet` back with the same dtypes.

    String columns are read dictionary-encoded and turned into ``object`` columns that share one Python
    string per distinct value: several times faster than decoding millions of repeated ids one by one.
    """
    schema = pq.read_schema(path)
    meta = {c["name"]: c["pandas_type"] for c in (schema.pandas_metadata or {}).get("columns", [])}
    strings = [f.name for f in schema if pa.types.is_string(f.type) and meta.get(f.name) != "categorical"]
    df = pq.read_table(path, read_dictionary=strings).to_pandas()
    for name in strings:
        column = df[name].astype(object)
        df[name] = column.where(column.notna(), None) if column.hasnans else column
    return df


def digest_tables(tables: dict[str, pd.DataFrame]) -> str:
    """SHA-256 of a canonical serialisation of the tables: names, dtypes and values, independent of Parquet.

    Numbers are hashed as little-endian bytes, dates as int64 nanoseconds, strings as UTF-8 with a
    separator; every missing value (None, NaN, NaT, NA) hashes the same way.
    """
    import numpy as np

    h = hashlib.sha256()
    for name, df in tables.items():
        h.update(f"table:{name}:{len(df)}\n".encode())
        for col in df.columns:
            s = df[col]
            h.update(f"column:{col}:{s.dtype}\n".encode())
            missing = s.isna().to_numpy()
            h.update(np.packbits(missing).tobytes())
            if s.dtype == object:
                text = "\x1f".join("" if m else str(v) for v, m in zip(s.to_numpy(), missing, strict=True))
                h.update(text.encode())
            elif str(s.dtype).startswith("datetime64"):
                h.update(s.to_numpy().astype("datetime64[ns]").astype("<i8").tobytes())
            else:
                values = s.to_numpy(dtype="float64", na_value=0.0) if missing.any() else s.to_numpy()
                h.update(np.ascontiguousarray(values).astype(values.dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()


def cached_tables(
    kind: str, params: dict[str, Any], build: Callable[[], dict[str, pd.DataFrame]]
) -> dict[str, pd.DataFrame]:
    """Load the tables of ``kind`` generated with ``params`` from the cache, building them when missing."""
    folder = cache_dir() / params_key(kind, params)
    tables = _load(folder)
    if tables is not None:
        return tables
    tables = build()
    try:
        _store(folder, tables, params)
    except OSError as exc:  # a cache this process may not write: the world stays in memory
        if not not_writable(exc):
            raise
    return tables


def _load(folder: Path) -> dict[str, pd.DataFrame] | None:
    manifest = folder / "params.json"
    if not manifest.is_file():
        return None
    try:
        names = json.loads(manifest.read_text())["tables"]
        return {name: read_parquet(folder / f"{name}.parquet") for name in names}
    except (OSError, ValueError, KeyError, pa.ArrowException):
        shutil.rmtree(folder, ignore_errors=True)  # a damaged cache entry is rebuilt, never trusted
        return None


def _store(folder: Path, tables: dict[str, pd.DataFrame], params: dict[str, Any]) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a cache folder is an ordinary folder
    try:
        for name, df in tables.items():
            write_parquet(df, tmp / f"{name}.parquet")
        manifest = {"params": params, "tables": list(tables)}
        (tmp / "params.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / "params.json").is_file():  # not a concurrent writer: a real problem
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
