"""Graded: data contracts on the raw export and the schema-version-2 handling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def _first_part(raw: Path, table: str) -> Path:
    return sorted((raw / table).glob("*/part-0.parquet"))[-1]


def _rewrite(path: Path, change) -> None:
    frame = pq.read_table(path).to_pandas()
    frame = change(frame)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def _as_string(frame):
    frame["minutes"] = frame["minutes"].astype(str)
    return frame


def _null_key(frame):
    frame["customer_id"] = frame["customer_id"].astype(object)
    frame.loc[frame.index[0], "customer_id"] = None
    return frame


def _negative_amount(frame):
    frame.loc[frame.index[0], "amount"] = -14.99
    return frame


def _unknown_plan(frame):
    frame.loc[frame.index[0], "plan"] = "platinum"
    return frame


def _duplicate_invoice(frame):
    return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)


BREAKS = {
    "type": ("usage", "minutes", _as_string, None),
    "null": ("usage", "customer_id", _null_key, None),
    "range": ("invoices", "amount", _negative_amount, "-14.99"),
    "category": ("customers", "plan", _unknown_plan, "platinum"),
    "uniqueness": ("invoices", "invoice_id", _duplicate_invoice, None),
}


@pytest.mark.rubric("p3.contracts.violations", points=3)
@pytest.mark.parametrize("kind", list(BREAKS))
def test_contract_violation_stops_the_run(kind, project_module, raw_v1, tmp_path):
    """A broken raw file (wrong type, null, range, category, duplicate key) stops validate before any write

    The error names the table, the column and an offending value; nothing is written.
    """
    validate = project_module("churn_pipeline.validate")
    table, column, change, example = BREAKS[kind]
    raw = shutil.copytree(raw_v1, tmp_path / "raw")
    _rewrite(_first_part(raw, table), change)
    out = tmp_path / "validated"
    with pytest.raises(Exception) as caught:
        validate.validate_export(raw, out, [1, 2])
    message = str(caught.value)
    assert not isinstance(caught.value, NotImplementedError), f"validate_export is not written yet: {message}"
    assert table in message and column in message, (
        f"a {kind} violation in {table}.{column} must raise an error naming the table and the column; "
        f"got: {message}"
    )
    if example is not None:
        assert example in message, f"the error must show an offending value (here {example}); got: {message}"
    assert not out.exists() or not any(out.rglob("*.parquet")), (
        f"validate wrote {out} although the {kind} contract failed: check every table before writing."
    )


@pytest.mark.rubric("p3.contracts.clean_export", points=2)
def test_clean_export_passes_and_is_written(project_module, raw_v1, recent_tables, tmp_path):
    """A clean version-1 export passes every contract and is written in full (no row lost)"""
    validate = project_module("churn_pipeline.validate")
    out = tmp_path / "validated"
    validate.validate_export(raw_v1, out, [1])
    for name, frame in recent_tables.items():
        written = pd.read_parquet(out / name)
        assert len(written) == len(frame), (
            f"validated/{name} has {len(written)} rows, the export {len(frame)}: do not drop rows."
        )


@pytest.mark.rubric("p3.schema.v2_adapter", points=8)
def test_schema_v2_is_mapped_by_the_adapter(project_module, raw_v1, raw_v2, tmp_path):
    """A schema-version-2 export is mapped by the versioned adapter to exactly the version-1 tables"""
    validate = project_module("churn_pipeline.validate")
    validate.validate_export(raw_v1, tmp_path / "v1", [1, 2])
    validate.validate_export(raw_v2, tmp_path / "v2", [1, 2])
    for name in ("customers", "invoices", "tickets", "usage"):
        one = pd.read_parquet(tmp_path / "v1" / name)
        two = pd.read_parquet(tmp_path / "v2" / name)
        assert list(two.columns) == list(one.columns), (
            f"{name}: the v2 adapter gives columns {list(two.columns)}, v1 has {list(one.columns)} "
            "(undo the rename)."
        )
        pd.testing.assert_frame_equal(
            two, one, check_exact=False, rtol=1e-9, obj=f"{name} (v2 adapted vs v1)"
        )


@pytest.mark.rubric("p3.schema.v2_reject", points=6)
def test_schema_v2_rejected_with_what_changed(project_module, raw_v2, tmp_path):
    """When version 2 is not accepted, validate refuses it, says what changed, and writes nothing"""
    validate = project_module("churn_pipeline.validate")
    out = tmp_path / "validated"
    with pytest.raises(Exception) as caught:
        validate.validate_export(raw_v2, out, [1])
    message = str(caught.value).lower()
    assert not isinstance(caught.value, NotImplementedError), f"not written yet: {caught.value}"
    for needle in ("acquisition_channel", "cents", "payment_failure"):
        assert needle in message, (
            f"the rejection must say what changed in version 2 (mention {needle!r}): {message}"
        )
    assert not out.exists() or not any(out.rglob("*.parquet")), "a rejected export must not write any output."
